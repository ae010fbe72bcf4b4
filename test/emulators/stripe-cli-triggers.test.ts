import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import Stripe from 'stripe';
import { StripeEmulator } from '../../emulators/stripe/stripe-emulator.js';
import { stripeSdk } from '../support/stripe-sdk.js';

/**
 * The request sequences the official Stripe CLI replays for `stripe trigger <event>`, written
 * out as SDK calls from its fixtures: stripe/stripe-cli `pkg/fixtures/triggers/<event>.json`
 * at commit f5f390bc37295ec9b69b94a0ca1c195448a30042 (the seven files used here last changed
 * in 24386abeb6449585313e62e8a6388d79d601dc82; CLI 1.52.0 embeds them byte for byte). Each
 * `${name:id}` of a fixture is the id the earlier step answered with, as `fixtures.go` does.
 */

const CLI = '(created by Stripe CLI)';

type Sent = [method: string, path: string];

describe('Stripe emulator serves the Stripe CLI trigger sequences', () => {
  const emu = new StripeEmulator();
  let stripe: Stripe;

  beforeAll(async () => {
    stripe = stripeSdk(await emu.start(), 'sk_test_emulator_cli');
  });
  afterAll(() => emu.stop());
  beforeEach(() => emu.reset());

  /** What the emulator served, with ids made generic, so it reads like the fixture's list. */
  const served = (): [string, string, number][] =>
    emu.http
      .requests()
      .filter((r) => r.method === 'POST')
      .map((r) => [r.method, r.path.replace(/\/(cus|in)_[A-Za-z0-9]+/g, '/$1_…'), r.status]);
  const sent = (list: Sent[], lastStatus = 200) =>
    list.map(([m, p], i) => [m, p, i === list.length - 1 ? lastStatus : 200]);

  /** The events emitted, oldest first. */
  const events = async (): Promise<Stripe.Event[]> =>
    (await stripe.events.list({ limit: 100 })).data.reverse();
  const eventFor = async (type: string, id: string): Promise<Stripe.Event | undefined> =>
    (await events()).find((e) => e.type === type && (e.data.object as { id: string }).id === id);

  it('customer.created: one customer', async () => {
    const customer = await stripe.customers.create({ description: CLI });
    expect(served()).toEqual(sent([['POST', '/v1/customers']]));
    expect(await stripe.customers.retrieve(customer.id)).toMatchObject({ description: CLI });
    expect(await eventFor('customer.created', customer.id)).toBeDefined();
  });

  it('customer.updated: a customer, then metadata[foo]=bar', async () => {
    const customer = await stripe.customers.create({ description: CLI });
    const updated = await stripe.customers.update(customer.id, { metadata: { foo: 'bar' } });
    expect(served()).toEqual(
      sent([
        ['POST', '/v1/customers'],
        ['POST', '/v1/customers/cus_…'],
      ]),
    );
    expect(updated.metadata).toEqual({ foo: 'bar' });
    const event = await eventFor('customer.updated', customer.id);
    expect(event?.data.previous_attributes).toEqual({ metadata: { foo: null } });
  });

  /** invoice.paid and invoice.payment_failed differ only in the card the customer attaches. */
  const invoiceSequence = async (card: string) => {
    const customer = await stripe.customers.create({ description: CLI });
    const paymentMethod = await stripe.paymentMethods.attach(card, { customer: customer.id });
    const invoiceitem = await stripe.invoiceItems.create({
      amount: 2000,
      currency: 'usd',
      customer: customer.id,
      description: CLI,
    });
    const invoice = await stripe.invoices.create({
      customer: customer.id,
      description: CLI,
      pending_invoice_items_behavior: 'include',
    });
    const pay = stripe.invoices.pay(invoice.id, { payment_method: paymentMethod.id });
    return { customer, paymentMethod, invoiceitem, invoice, pay };
  };
  const invoiceRequests = (card: string): Sent[] => [
    ['POST', '/v1/customers'],
    ['POST', `/v1/payment_methods/${card}/attach`],
    ['POST', '/v1/invoiceitems'],
    ['POST', '/v1/invoices'],
    ['POST', '/v1/invoices/in_…/pay'],
  ];

  it('invoice.paid: a pending item pulled into the next invoice, paid with the attached card', async () => {
    const { customer, paymentMethod, invoiceitem, invoice, pay } =
      await invoiceSequence('pm_card_visa');
    const paid = await pay;
    expect(served()).toEqual(sent(invoiceRequests('pm_card_visa')));

    // Attaching the shortcut made a card of this customer's own, which the invoice was paid with.
    expect(paymentMethod.id).toMatch(/^pm_/);
    expect(paymentMethod.id).not.toBe('pm_card_visa');
    expect(paymentMethod).toMatchObject({ customer: customer.id, card: { last4: '4242' } });
    // Created without `invoice`, the item waited on the customer until the invoice took it.
    expect(invoiceitem).toMatchObject({ object: 'invoiceitem', invoice: null, amount: 2000 });
    expect(await stripe.invoiceItems.retrieve(invoiceitem.id)).toMatchObject({
      invoice: invoice.id,
    });
    expect(invoice).toMatchObject({ status: 'draft', amount_due: 2000, description: CLI });
    expect(invoice.lines.data).toHaveLength(1);
    expect(invoice.lines.data[0]).toMatchObject({
      amount: 2000,
      currency: 'usd',
      description: CLI,
      parent: { invoice_item_details: { invoice_item: invoiceitem.id } },
    });
    expect(paid).toMatchObject({ status: 'paid', amount_paid: 2000, amount_remaining: 0 });
    const [charge] = (await stripe.charges.list({ customer: customer.id })).data;
    expect(charge).toMatchObject({ amount: 2000, paid: true, payment_method: paymentMethod.id });
    expect((await stripe.invoiceItems.list({ customer: customer.id, pending: true })).data).toEqual(
      [],
    );

    expect(await eventFor('invoice.paid', invoice.id)).toBeDefined();
    expect((await events()).map((e) => e.type)).toEqual([
      'customer.created',
      'payment_method.attached',
      'invoiceitem.created',
      'invoice.created',
      'invoice.finalized',
      'charge.succeeded',
      'invoice.paid',
      'invoice.payment_succeeded',
    ]);
  });

  it('invoice.payment_failed: the same, paid with pm_card_chargeCustomerFail, fails as a card_error', async () => {
    const { customer, paymentMethod, invoice, pay } = await invoiceSequence(
      'pm_card_chargeCustomerFail',
    );
    // The fixture's last step expects `card_error`: the CLI counts that as the trigger working.
    const err = await pay.then(
      () => null,
      (e: unknown) => e as Stripe.errors.StripeError,
    );
    expect(err).toBeInstanceOf(Stripe.errors.StripeCardError);
    expect(err).toMatchObject({ statusCode: 402, rawType: 'card_error', code: 'card_declined' });
    expect(served()).toEqual(sent(invoiceRequests('pm_card_chargeCustomerFail'), 402));

    // The card attached fine (0341 only fails when charged) and the attempt is on the invoice.
    expect(paymentMethod).toMatchObject({ customer: customer.id, card: { last4: '0341' } });
    expect(await stripe.invoices.retrieve(invoice.id)).toMatchObject({
      status: 'open',
      attempted: true,
      attempt_count: 1,
      amount_paid: 0,
      amount_remaining: 2000,
    });
    const [charge] = (await stripe.charges.list({ customer: customer.id })).data;
    expect(charge).toMatchObject({ status: 'failed', paid: false, failure_code: 'card_declined' });
    expect(await eventFor('invoice.payment_failed', invoice.id)).toBeDefined();
    const types = (await events()).map((e) => e.type);
    expect(types).toContain('charge.failed');
    expect(types).not.toContain('invoice.paid');
  });

  it('replaying invoice.paid twice leaves each customer with its own card and invoice', async () => {
    const first = await invoiceSequence('pm_card_visa');
    await first.pay;
    const second = await invoiceSequence('pm_card_visa');
    await second.pay;
    expect(second.paymentMethod.id).not.toBe(first.paymentMethod.id);
    for (const run of [first, second]) {
      const cards = await stripe.customers.listPaymentMethods(run.customer.id);
      expect(cards.data.map((p) => p.id)).toEqual([run.paymentMethod.id]);
      // Each invoice took only its own customer's pending item.
      expect(await stripe.invoices.retrieve(run.invoice.id)).toMatchObject({
        status: 'paid',
        amount_paid: 2000,
      });
    }
  });

  /** product.created, and the first step of price.created and customer.subscription.created. */
  const product = () => stripe.products.create({ name: 'myproduct', description: CLI });
  /** The fixture sends `unit_amount: "1500"` and `recurring[interval]: month`, as the SDK does. */
  const monthlyPrice = (productId: string) =>
    stripe.prices.create({
      product: productId,
      unit_amount: 1500,
      currency: 'usd',
      recurring: { interval: 'month' },
    });

  it('product.created: one product', async () => {
    const created = await product();
    expect(served()).toEqual(sent([['POST', '/v1/products']]));
    expect(created).toMatchObject({ object: 'product', name: 'myproduct', description: CLI });
    expect(await eventFor('product.created', created.id)).toBeDefined();
  });

  it('price.created: a product, then a monthly price of 15.00 USD', async () => {
    const p = await product();
    const price = await monthlyPrice(p.id);
    expect(served()).toEqual(
      sent([
        ['POST', '/v1/products'],
        ['POST', '/v1/prices'],
      ]),
    );
    expect(price).toMatchObject({
      product: p.id,
      unit_amount: 1500,
      currency: 'usd',
      type: 'recurring',
      recurring: { interval: 'month', interval_count: 1 },
    });
    expect(await eventFor('price.created', price.id)).toBeDefined();
  });

  it('customer.subscription.created: a customer whose default card is pm_card_visa, subscribed monthly', async () => {
    const customer = await stripe.customers.create({
      description: CLI,
      payment_method: 'pm_card_visa',
      invoice_settings: { default_payment_method: 'pm_card_visa' },
    });
    const p = await product();
    const price = await monthlyPrice(p.id);
    const subscription = await stripe.subscriptions.create({
      customer: customer.id,
      items: [{ price: price.id }],
    });
    expect(served()).toEqual(
      sent([
        ['POST', '/v1/customers'],
        ['POST', '/v1/products'],
        ['POST', '/v1/prices'],
        ['POST', '/v1/subscriptions'],
      ]),
    );

    // The shortcut became one card, attached and made the default in the same call.
    const defaultCard = customer.invoice_settings.default_payment_method as string;
    expect(defaultCard).toMatch(/^pm_/);
    expect(defaultCard).not.toBe('pm_card_visa');
    const cards = await stripe.customers.listPaymentMethods(customer.id);
    expect(cards.data.map((c) => c.id)).toEqual([defaultCard]);

    expect(subscription).toMatchObject({ status: 'active', customer: customer.id });
    expect(subscription.items.data[0]!.price.id).toBe(price.id);
    const invoice = await stripe.invoices.retrieve(subscription.latest_invoice as string);
    expect(invoice).toMatchObject({ status: 'paid', amount_paid: 1500 });
    const [charge] = (await stripe.charges.list({ customer: customer.id })).data;
    expect(charge).toMatchObject({ amount: 1500, paid: true, payment_method: defaultCard });
    expect(await eventFor('customer.subscription.created', subscription.id)).toBeDefined();
  });
});
