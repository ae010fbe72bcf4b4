import type Stripe from 'stripe';

export interface SeededCustomer {
  id: string;
  name: string;
}

const PEOPLE = [
  { name: 'Ada Lovelace', email: 'ada@analytical.example', city: 'London', country: 'GB' },
  { name: 'Grace Hopper', email: 'grace@navy.example', city: 'Arlington', country: 'US' },
  { name: 'Katherine Johnson', email: 'katherine@nasa.example', city: 'Hampton', country: 'US' },
];

/** A small, realistic Stripe account: customers, a product with prices, a subscription. */
export async function seedStripe(
  stripe: Stripe,
  say: (line: string) => void,
): Promise<SeededCustomer[]> {
  say('(Stripe) seeding customers, a product with two prices, and a subscription');
  const customers: SeededCustomer[] = [];
  for (const p of PEOPLE) {
    const c = await stripe.customers.create({
      name: p.name,
      email: p.email,
      address: { city: p.city, country: p.country },
      metadata: { source: 'demo' },
    });
    customers.push({ id: c.id, name: p.name });
  }
  const product = await stripe.products.create({ name: 'Bridge Pro', metadata: { tier: 'pro' } });
  const monthly = await stripe.prices.create({
    product: product.id,
    currency: 'usd',
    unit_amount: 4900,
    recurring: { interval: 'month' },
    nickname: 'Pro monthly',
  });
  await stripe.prices.create({
    product: product.id,
    currency: 'eur',
    unit_amount: 4500,
    recurring: { interval: 'month' },
    nickname: 'Pro monthly (EUR)',
  });
  const first = customers[0];
  if (first) {
    await stripe.subscriptions.create({ customer: first.id, items: [{ price: monthly.id }] });
  }
  return customers;
}
