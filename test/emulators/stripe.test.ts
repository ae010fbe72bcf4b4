import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import Stripe from 'stripe';
import { StripeEmulator } from '../../emulators/stripe/stripe-emulator.js';

const KEY = 'sk_test_emulator_0000';
const FIXTURES = JSON.parse(
  readFileSync(new URL('./fixtures/stripe/fixtures3-subset.json', import.meta.url), 'utf8'),
) as Record<string, Record<string, unknown>>;

const client = (base: string, opts: Partial<Stripe.StripeConfig> = {}, key = KEY) =>
  new Stripe(key, {
    host: '127.0.0.1',
    port: Number(new URL(base).port),
    protocol: 'http',
    apiVersion: '2026-10-28.endive',
    maxNetworkRetries: 0,
    ...opts,
  });

const caught = async (p: Promise<unknown>): Promise<Stripe.errors.StripeError> => {
  try {
    await p;
  } catch (err) {
    return err as Stripe.errors.StripeError;
  }
  throw new Error('expected the call to fail');
};

describe('Stripe emulator through the real stripe SDK', () => {
  const emu = new StripeEmulator({ retryDelaysMs: [10, 20] });
  let base: string;
  let stripe: Stripe;

  beforeAll(async () => {
    base = await emu.start();
    stripe = client(base);
  });
  afterAll(() => emu.stop());
  beforeEach(() => emu.reset());

  const recurringPrice = async (amount = 2000) => {
    const product = await stripe.products.create({ name: 'Pro plan' });
    return stripe.prices.create({
      product: product.id,
      currency: 'usd',
      unit_amount: amount,
      recurring: { interval: 'month' },
    });
  };
  const customerWithCard = async (card = 'tok_visa') => {
    const customer = await stripe.customers.create({ email: 'card@example.com' });
    const pm = await stripe.paymentMethods.create({ type: 'card', card: { token: card } });
    await stripe.paymentMethods.attach(pm.id, { customer: customer.id });
    await stripe.customers.update(customer.id, {
      invoice_settings: { default_payment_method: pm.id },
    });
    return { customer, pm };
  };

  it('creates, retrieves, updates (metadata merge/delete) and deletes customers', async () => {
    const c = await stripe.customers.create({
      email: 'ada@example.com',
      name: 'Ada',
      metadata: { crm_id: '1', tier: 'gold' },
    });
    expect(c.id).toMatch(/^cus_/);
    expect(c).toMatchObject({ object: 'customer', livemode: false, email: 'ada@example.com' });
    expect(typeof c.created).toBe('number');
    const u = await stripe.customers.update(c.id, {
      name: 'Ada L',
      metadata: { tier: '', x: 'y' },
    });
    expect(u.metadata).toEqual({ crm_id: '1', x: 'y' });
    expect(await stripe.customers.retrieve(c.id)).toMatchObject({ name: 'Ada L' });
    const del = await stripe.customers.del(c.id);
    expect(del).toEqual({ id: c.id, object: 'customer', deleted: true });
    expect(await stripe.customers.retrieve(c.id)).toEqual({
      id: c.id,
      object: 'customer',
      deleted: true,
    });
    expect((await stripe.customers.list()).data).toHaveLength(0);
    const types = (await stripe.events.list()).data.map((e) => e.type);
    expect(types).toEqual(['customer.deleted', 'customer.updated', 'customer.created']);
  });

  it('pages 250 customers newest first, filters by email and rejects limit > 100', async () => {
    for (let i = 0; i < 250; i += 1)
      emu.state.create('customer', { email: `c${i % 5}@example.com` });
    const all = await stripe.customers.list({ limit: 100 }).autoPagingToArray({ limit: 1000 });
    expect(all).toHaveLength(250);
    expect(new Set(all.map((c) => c.id)).size).toBe(250);
    expect(all[0]!.created).toBeGreaterThanOrEqual(all[249]!.created);
    const page = await stripe.customers.list({ limit: 10 });
    expect(page).toMatchObject({ object: 'list', has_more: true, url: '/v1/customers' });
    const next = await stripe.customers.list({ limit: 10, starting_after: page.data[9]!.id });
    const back = await stripe.customers.list({ limit: 10, ending_before: next.data[0]!.id });
    expect(back.data.map((c) => c.id)).toEqual(page.data.map((c) => c.id));
    const byEmail = await stripe.customers.list({ email: 'c3@example.com', limit: 100 });
    expect(byEmail.data).toHaveLength(50);
    const err = await caught(stripe.customers.list({ limit: 101 }));
    expect(err).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    expect(err.param).toBe('limit');
  });

  it('keeps prices immutable except active, metadata, nickname, lookup_key', async () => {
    const price = await recurringPrice();
    expect(price).toMatchObject({ object: 'price', type: 'recurring', unit_amount: 2000 });
    const ok = await stripe.prices.update(price.id, { nickname: 'Monthly', active: false });
    expect(ok).toMatchObject({ nickname: 'Monthly', active: false });
    const err = await caught(
      stripe.prices.update(price.id, { unit_amount: 5 } as Stripe.PriceUpdateParams),
    );
    expect(err).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    expect(err.statusCode).toBe(400);
    expect(err.param).toBe('unit_amount');
  });

  it('creates a subscription with items, an invoice with lines, and expands them', async () => {
    const price = await recurringPrice();
    const { customer } = await customerWithCard();
    const sub = await stripe.subscriptions.create({
      customer: customer.id,
      items: [{ price: price.id, quantity: 2 }],
      expand: ['latest_invoice', 'customer'],
    });
    expect(sub.id).toMatch(/^sub_/);
    expect(sub.status).toBe('active');
    expect((sub.customer as Stripe.Customer).email).toBe('card@example.com');
    const item = sub.items.data[0]!;
    expect(item.id).toMatch(/^si_/);
    expect(item.price.id).toBe(price.id);
    expect(item.current_period_end).toBeGreaterThan(item.current_period_start);
    const invoice = sub.latest_invoice as Stripe.Invoice;
    expect(invoice.id).toMatch(/^in_/);
    expect(invoice).toMatchObject({ status: 'paid', amount_paid: 4000, customer: customer.id });
    expect(invoice.lines.data[0]!.id).toMatch(/^il_/);
    expect(invoice.lines.data[0]!.amount).toBe(4000);

    const updated = await stripe.subscriptions.update(sub.id, {
      items: [{ id: item.id, quantity: 3 }],
      metadata: { plan: 'pro' },
    });
    expect(updated.items.data[0]!.quantity).toBe(3);
    const canceled = await stripe.subscriptions.cancel(sub.id);
    expect(canceled.status).toBe('canceled');
    const types = (await stripe.events.list({ type: 'customer.subscription.*' })).data.map(
      (e) => e.type,
    );
    expect(types).toEqual([
      'customer.subscription.deleted',
      'customer.subscription.updated',
      'customer.subscription.updated',
      'customer.subscription.created',
    ]);
    const listed = await stripe.subscriptions.list({ status: 'all', expand: ['data.customer'] });
    expect((listed.data[0]!.customer as Stripe.Customer).object).toBe('customer');
  });

  it('pays invoices (invoice.paid) and fails them through the test hook (invoice.payment_failed)', async () => {
    const price = await recurringPrice(1500);
    const { customer } = await customerWithCard();
    const draft = await stripe.invoices.create({ customer: customer.id });
    await stripe.invoiceItems.create({
      customer: customer.id,
      invoice: draft.id,
      pricing: { price: price.id },
    });
    const finalized = await stripe.invoices.finalizeInvoice(draft.id);
    expect(finalized).toMatchObject({ status: 'open', amount_due: 1500 });
    await fetch(`${base}/_emulator/stripe/fail_next_payment`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ customer: customer.id }),
    });
    const err = await caught(stripe.invoices.pay(draft.id));
    expect(err).toBeInstanceOf(Stripe.errors.StripeCardError);
    expect(err.code).toBe('card_declined');
    const paid = await stripe.invoices.pay(draft.id);
    expect(paid).toMatchObject({ status: 'paid', amount_paid: 1500, attempt_count: 2 });
    const types = (await stripe.events.list({ type: 'invoice.*' })).data.map((e) => e.type);
    expect(types).toEqual(
      expect.arrayContaining([
        'invoice.created',
        'invoice.finalized',
        'invoice.payment_failed',
        'invoice.paid',
      ]),
    );
  });

  it('confirms a payment intent into a charge, refunds it, disputes and pays out', async () => {
    const { customer, pm } = await customerWithCard();
    const pi = await stripe.paymentIntents.create({
      amount: 5000,
      currency: 'usd',
      customer: customer.id,
      payment_method: pm.id,
      confirm: true,
    });
    expect(pi.id).toMatch(/^pi_/);
    expect(pi.status).toBe('succeeded');
    const charge = await stripe.charges.retrieve(pi.latest_charge as string);
    expect(charge).toMatchObject({
      object: 'charge',
      amount: 5000,
      paid: true,
      payment_intent: pi.id,
    });
    const refund = await stripe.refunds.create({ payment_intent: pi.id, amount: 2000 });
    expect(refund.id).toMatch(/^re_/);
    expect((await stripe.charges.retrieve(charge.id)).amount_refunded).toBe(2000);
    const res = await fetch(`${base}/_emulator/stripe/disputes`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ charge: charge.id }),
    });
    const dispute = (await res.json()) as Stripe.Dispute;
    expect(dispute.id).toMatch(/^dp_/);
    const payout = await stripe.payouts.create({ amount: 1000, currency: 'usd' });
    expect(payout).toMatchObject({ status: 'pending' });
    emu.markPayoutPaid(payout.id);
    expect((await stripe.payouts.retrieve(payout.id)).status).toBe('paid');
    const types = (await stripe.events.list({ limit: 100 })).data.map((e) => e.type);
    for (const t of [
      'payment_intent.succeeded',
      'charge.succeeded',
      'refund.created',
      'charge.refunded',
      'charge.dispute.created',
      'payout.created',
      'payout.paid',
      'payment_method.attached',
    ]) {
      expect(types).toContain(t);
    }
    const declined = await caught(
      stripe.paymentIntents.create({
        amount: 100,
        currency: 'usd',
        payment_method: 'pm_card_chargeDeclined',
        confirm: true,
      }),
    );
    expect(declined).toBeInstanceOf(Stripe.errors.StripeCardError);
  });

  it('attaches and detaches payment methods', async () => {
    const customer = await stripe.customers.create({});
    const pm = await stripe.paymentMethods.create({
      type: 'card',
      card: { number: '4242424242424242', exp_month: 12, exp_year: 2034, cvc: '123' },
    });
    expect(pm.id).toMatch(/^pm_/);
    expect(pm.card?.last4).toBe('4242');
    const attached = await stripe.paymentMethods.attach(pm.id, { customer: customer.id });
    expect(attached.customer).toBe(customer.id);
    const listed = await stripe.customers.listPaymentMethods(customer.id);
    expect(listed.data.map((p) => p.id)).toEqual([pm.id]);
    await stripe.paymentMethods.detach(pm.id);
    const types = (await stripe.events.list({ type: 'payment_method.*' })).data.map((e) => e.type);
    expect(types).toEqual(['payment_method.detached', 'payment_method.attached']);
  });

  it('replays idempotent requests and rejects a reused key with other params', async () => {
    const a = await stripe.customers.create(
      { email: 'i@example.com' },
      { idempotencyKey: 'key-1' },
    );
    const b = await stripe.customers.create(
      { email: 'i@example.com' },
      { idempotencyKey: 'key-1' },
    );
    expect(b.id).toBe(a.id);
    expect(b.lastResponse.headers['idempotent-replayed']).toBe('true');
    expect((await stripe.customers.list()).data).toHaveLength(1);
    const err = await caught(
      stripe.customers.create({ email: 'other@example.com' }, { idempotencyKey: 'key-1' }),
    );
    expect(err).toBeInstanceOf(Stripe.errors.StripeIdempotencyError);
    expect(err.type).toBe('StripeIdempotencyError');
  });

  it('answers errors in Stripe’s envelope: unknown param, bad integer, 404, 401', async () => {
    const unknown = await caught(
      stripe.customers.create({ colour: 'red' } as Stripe.CustomerCreateParams),
    );
    expect(unknown).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    expect(unknown).toMatchObject({ code: 'parameter_unknown', param: 'colour', statusCode: 400 });
    const nested = await caught(
      stripe.customers.create({ address: { planet: 'Mars' } } as Stripe.CustomerCreateParams),
    );
    expect(nested.param).toBe('address[planet]');
    const badInt = await caught(stripe.customers.list({ limit: 'ten' as unknown as number }));
    expect(badInt.code).toBe('parameter_invalid_integer');
    const missing = await caught(stripe.customers.retrieve('cus_nope'));
    expect(missing).toMatchObject({ statusCode: 404, code: 'resource_missing', param: 'id' });
    const noKey = await fetch(`${base}/v1/customers`);
    expect(noKey.status).toBe(401);
    const body = (await noKey.json()) as { error: { type: string; message: string } };
    expect(body.error.type).toBe('invalid_request_error');
    expect(body.error.message).toMatch(/^You did not provide an API key/);
    const badKey = await caught(client(base, {}, 'sk_live_nope').customers.list());
    expect(badKey).toBeInstanceOf(Stripe.errors.StripeAuthenticationError);
  });

  it('records customer.updated with only the changed fields in previous_attributes', async () => {
    const c = await stripe.customers.create({
      email: 'old@example.com',
      name: 'Same',
      metadata: { a: '1' },
    });
    await stripe.customers.update(c.id, {
      email: 'new@example.com',
      name: 'Same',
      metadata: { b: '2' },
    });
    const [event] = (await stripe.events.list({ type: 'customer.updated' })).data;
    expect(event!.data.previous_attributes).toEqual({
      email: 'old@example.com',
      metadata: { b: null },
    });
    expect((event!.data.object as Stripe.Customer).email).toBe('new@example.com');
    expect(event).toMatchObject({
      api_version: '2026-10-28.endive',
      livemode: false,
      object: 'event',
    });
    expect(event!.request?.id).toMatch(/^req_/);
    const retrieved = await stripe.events.retrieve(event!.id);
    expect(retrieved.id).toBe(event!.id);
    const recent = await stripe.events.list({ created: { gte: event!.created } });
    expect(recent.data.map((e) => e.id)).toContain(event!.id);
    const future = await stripe.events.list({ created: { gte: event!.created + 3600 } });
    expect(future.data).toHaveLength(0);
  });

  it('recovers from an injected 500 when the SDK retries', async () => {
    await fetch(`${base}/_emulator/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ method: 'POST', path: '/v1/customers', status: 500, count: 1 }),
    });
    const retrying = client(base, { maxNetworkRetries: 2 });
    const c = await retrying.customers.create({ email: 'retry@example.com' });
    expect(c.id).toMatch(/^cus_/);
    expect(
      emu.http.requests({ method: 'POST', path: '/v1/customers' }).map((r) => r.status),
    ).toEqual([500, 200]);
    expect((await stripe.customers.list()).data).toHaveLength(1);
  });

  it('returns every top-level key of Stripe’s example objects', async () => {
    const price = await recurringPrice();
    const { customer, pm } = await customerWithCard();
    const sub = await stripe.subscriptions.create({
      customer: customer.id,
      items: [{ price: price.id }],
    });
    const invoice = await stripe.invoices.retrieve(sub.latest_invoice as string);
    const pi = await stripe.paymentIntents.create({
      amount: 100,
      currency: 'usd',
      payment_method: pm.id,
      confirm: true,
    });
    const charge = await stripe.charges.retrieve(pi.latest_charge as string);
    const refund = await stripe.refunds.create({ charge: charge.id });
    const product = await stripe.products.retrieve(price.product as string);
    const objects: Record<string, object> = {
      customer: await stripe.customers.retrieve(customer.id),
      subscription: sub,
      invoice,
      price,
      product,
      charge,
      payment_intent: pi,
      refund,
    };
    for (const [type, obj] of Object.entries(objects)) {
      const missing = Object.keys(FIXTURES[type]!).filter((k) => !(k in obj));
      expect({ type, missing }).toEqual({ type, missing: [] });
    }
  });
});
