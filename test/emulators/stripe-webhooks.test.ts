import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { createServer, type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import Stripe from 'stripe';
import { StripeEmulator } from '../../emulators/stripe/stripe-emulator.js';
import { startBridge, type RunningBridge } from '../support/bridge.js';
import { createTestDatabase, type TestDatabase } from '../support/postgres.js';

const KEY = 'sk_test_emulator_0000';

/** A local webhook receiver that verifies signatures and records event ids in arrival order. */
async function receiver(secret: string | null, failFirst = 0) {
  const received: Stripe.Event[] = [];
  let failures = failFirst;
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      if (failures > 0) {
        failures -= 1;
        res.writeHead(500).end();
        return;
      }
      const sig = String(req.headers['stripe-signature']);
      received.push(
        secret === null
          ? (JSON.parse(body) as Stripe.Event)
          : Stripe.webhooks.constructEvent(body, sig, secret),
      );
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"received":true}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  return { url, received, close: () => new Promise<void>((r) => server.close(() => r())) };
}

describe('Stripe emulator webhooks', () => {
  const emu = new StripeEmulator({ retryDelaysMs: [10, 20] });
  let base: string;
  let stripe: Stripe;

  beforeAll(async () => {
    base = await emu.start();
    stripe = new Stripe(KEY, {
      host: '127.0.0.1',
      port: Number(new URL(base).port),
      protocol: 'http',
      apiVersion: '2026-10-28.endive',
      maxNetworkRetries: 0,
    });
  });
  afterAll(() => emu.stop());
  beforeEach(() => emu.reset());

  describe('webhooks', () => {
    it('signs deliveries, retries non-2xx, and duplicates in duplicate mode', async () => {
      const hook = await receiver('whsec_test_receiver', 1);
      try {
        emu.addWebhookEndpoint(hook.url, 'whsec_test_receiver');
        const c = await stripe.customers.create({ email: 'hook@example.com' });
        await emu.flushDeliveries();
        expect(emu.deliveries().map((d) => [d.type, d.status, d.attempt])).toEqual([
          ['customer.created', 500, 1],
          ['customer.created', 200, 2],
        ]);
        expect(hook.received.map((e) => e.type)).toEqual(['customer.created']);
        expect((hook.received[0]!.data.object as Stripe.Customer).id).toBe(c.id);
        expect((await stripe.events.retrieve(hook.received[0]!.id)).pending_webhooks).toBe(0);

        emu.setDeliveryMode('duplicate');
        await stripe.customers.update(c.id, { name: 'Twice' });
        await emu.flushDeliveries();
        const updates = hook.received.filter((e) => e.type === 'customer.updated');
        expect(updates).toHaveLength(2);
        expect(updates[0]!.id).toBe(updates[1]!.id);
      } finally {
        await hook.close();
      }
    });

    it('delivers out of order in reverse mode (over the HTTP control API)', async () => {
      const hook = await receiver('whsec_test_reverse');
      try {
        const res = await fetch(`${base}/_emulator/stripe/webhook_endpoints`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ url: hook.url, secret: 'whsec_test_reverse' }),
        });
        expect(res.status).toBe(200);
        await fetch(`${base}/_emulator/stripe/delivery`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ mode: 'reverse' }),
        });
        const c = await stripe.customers.create({ email: 'r@example.com' });
        await stripe.customers.update(c.id, { name: 'R' });
        await stripe.customers.del(c.id);
        expect(hook.received).toHaveLength(0);
        await emu.flushDeliveries();
        expect(hook.received.map((e) => e.type)).toEqual([
          'customer.deleted',
          'customer.updated',
          'customer.created',
        ]);
      } finally {
        await hook.close();
      }
    });

    it('registers endpoints over the API with enabled_events', async () => {
      const hook = await receiver(null);
      try {
        const we = await stripe.webhookEndpoints.create({
          url: hook.url,
          enabled_events: ['product.created', 'product.updated'],
        });
        expect(we.id).toMatch(/^we_/);
        expect(we.secret).toMatch(/^whsec_/);
        await stripe.customers.create({});
        await stripe.products.create({ name: 'Only me' });
        await emu.flushDeliveries();
        expect(emu.deliveries().map((d) => [d.type, d.status])).toEqual([['product.created', 200]]);
        expect(hook.received.map((e) => e.type)).toEqual(['product.created']);
      } finally {
        await hook.close();
      }
    });
  });

  describe('with the bridge', () => {
    let db: TestDatabase;
    let bridge: RunningBridge;
    const secret = 'whsec_emulator_bridge_0123456789';

    beforeAll(async () => {
      db = await createTestDatabase();
      bridge = await startBridge({ DATABASE_URL: db.url, STRIPE_WEBHOOK_SECRET: secret });
    });
    afterAll(async () => {
      await bridge?.close();
      await db?.drop();
    });

    it('delivers a signed customer.created that the bridge stores in its inbox', async () => {
      emu.addWebhookEndpoint(`${bridge.url}/webhooks/stripe`, secret);
      const c = await stripe.customers.create({ email: 'bridge@example.com' });
      await emu.flushDeliveries();
      const delivery = emu.deliveries().find((d) => d.type === 'customer.created');
      expect(delivery).toMatchObject({ status: 200, attempt: 1 });
      const rows = await db.query<{ event_id: string; type: string; object_id: string }>(
        'SELECT event_id, type, object_id FROM inbox_events',
      );
      expect(rows).toEqual([
        { event_id: delivery!.eventId, type: 'customer.created', object_id: c.id },
      ]);
    });
  });

  it('holds events in late mode, and renewals that fail leave the subscription past_due', async () => {
    const hook = await receiver('whsec_test_late');
    try {
      emu.addWebhookEndpoint(hook.url, 'whsec_test_late');
      emu.setDeliveryMode('late', { delayMs: 150 });
      const product = await stripe.products.create({ name: 'Late' });
      const price = await stripe.prices.create({
        product: product.id,
        currency: 'eur',
        unit_amount: 900,
        recurring: { interval: 'month' },
      });
      // A test shortcut attaches a fresh pm_ per use, so the default is named in the same call.
      const customer = await stripe.customers.create({
        payment_method: 'pm_card_visa',
        invoice_settings: { default_payment_method: 'pm_card_visa' },
      });
      const sub = await stripe.subscriptions.create({
        customer: customer.id,
        items: [{ price: price.id }],
      });
      expect(sub.status).toBe('active');
      await new Promise((r) => setTimeout(r, 50));
      expect(hook.received).toHaveLength(0);
      emu.failNextPayment(customer.id);
      const renewed = await fetch(`${base}/_emulator/stripe/subscriptions/${sub.id}/renew`, {
        method: 'POST',
      });
      expect(((await renewed.json()) as Stripe.Subscription).status).toBe('past_due');
      await emu.flushDeliveries();
      const types = hook.received.map((e) => e.type);
      expect(types).toEqual(expect.arrayContaining(['invoice.paid', 'invoice.payment_failed']));
      expect(types.filter((t) => t === 'customer.subscription.updated')).toHaveLength(2);
    } finally {
      await hook.close();
    }
  });
});
