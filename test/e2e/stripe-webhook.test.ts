import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { stripeEvent } from '../support/fixtures.js';
import { createTestDatabase, type TestDatabase } from '../support/postgres.js';
import { sign, TEST_SECRET, TEST_SECRET_2 } from '../support/signing.js';
import { startBridge, type RunningBridge } from '../support/bridge.js';

describe('POST /webhooks/stripe (PostgreSQL, two secrets configured)', () => {
  let db: TestDatabase;
  let bridge: RunningBridge;

  beforeAll(async () => {
    db = await createTestDatabase();
    bridge = await startBridge({
      DATABASE_URL: db.url,
      STRIPE_WEBHOOK_SECRET: `${TEST_SECRET},${TEST_SECRET_2}`,
      WEBHOOK_BODY_LIMIT_BYTES: String(64 * 1024),
    });
  });
  afterAll(async () => {
    await bridge?.close();
    await db?.drop();
  });
  beforeEach(async () => {
    await db.query('DELETE FROM inbox_events');
  });

  const post = (body: string, headers: Record<string, string>) =>
    fetch(`${bridge.url}/webhooks/stripe`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body,
    });
  const rowCount = async () =>
    Number((await db.query<{ n: string }>('SELECT count(*) AS n FROM inbox_events'))[0]?.n);

  it('stores a signed event once; a redelivery is acknowledged and stores nothing new', async () => {
    const body = JSON.stringify(stripeEvent('customer.created'));
    const first = await post(body, { 'stripe-signature': sign(body) });
    expect(first.status).toBe(200);
    await expect(first.json()).resolves.toEqual({ received: true, duplicate: false });
    expect(await rowCount()).toBe(1);

    const again = await post(body, { 'stripe-signature': sign(body) });
    expect(again.status).toBe(200);
    await expect(again.json()).resolves.toEqual({ received: true, duplicate: true });
    expect(await rowCount()).toBe(1);
  });

  it('accepts events signed by either configured secret', async () => {
    const a = JSON.stringify(stripeEvent('invoice.paid'));
    const b = JSON.stringify(stripeEvent('invoice.paid'));
    expect((await post(a, { 'stripe-signature': sign(a, TEST_SECRET) })).status).toBe(200);
    expect((await post(b, { 'stripe-signature': sign(b, TEST_SECRET_2) })).status).toBe(200);
    expect(await rowCount()).toBe(2);
  });

  const body = JSON.stringify(stripeEvent('customer.updated'));
  const now = () => Math.floor(Date.now() / 1000);
  it.each([
    [
      'a tampered body',
      () => [body.replace('customer', 'kustomer'), sign(body)],
      400,
      'signature_mismatch',
    ],
    [
      'a wrong secret',
      () => [body, sign(body, 'whsec_not_ours_0123456789')],
      400,
      'signature_mismatch',
    ],
    [
      'a timestamp older than 300 s',
      () => [body, sign(body, TEST_SECRET, now() - 301)],
      400,
      'timestamp_outside_tolerance',
    ],
    ['no signature', () => [body, ''], 400, 'missing_signature'],
    ['a malformed signature', () => [body, 'v1=deadbeef'], 400, 'malformed_signature'],
    ['a signed non-JSON body', () => ['<xml/>', sign('<xml/>')], 400, 'invalid_json'],
    [
      'a signed JSON that is not an event',
      () => ['{"hello":1}', sign('{"hello":1}')],
      400,
      'invalid_event',
    ],
  ])('refuses %s with %i %s and stores nothing', async (_label, make, status, code) => {
    const [payload, signature] = make() as [string, string];
    const res = await post(payload, signature ? { 'stripe-signature': signature } : {});
    expect(res.status).toBe(status);
    const json = (await res.json()) as { code: string; message: string };
    expect(json.code).toBe(code);
    expect(json.message.length).toBeGreaterThan(20);
    expect(await rowCount()).toBe(0);
  });

  it('refuses an oversized body with 413 and a non-JSON content type with 415', async () => {
    const big = JSON.stringify(stripeEvent('customer.created', { pad: 'x'.repeat(70 * 1024) }));
    const tooBig = await post(big, { 'stripe-signature': sign(big) });
    expect(tooBig.status).toBe(413);
    expect(((await tooBig.json()) as { code: string }).code).toBe('payload_too_large');

    const form = await fetch(`${bridge.url}/webhooks/stripe`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'stripe-signature': sign(body),
      },
      body,
    });
    expect(form.status).toBe(415);
    expect(((await form.json()) as { code: string }).code).toBe('unsupported_media_type');
    expect(await rowCount()).toBe(0);
  });

  it('reports ingest in /metrics and readiness in /health/ready', async () => {
    const ok = JSON.stringify(stripeEvent('charge.succeeded'));
    await post(ok, { 'stripe-signature': sign(ok) });
    await post(ok, { 'stripe-signature': sign(ok) });
    await post(ok, { 'stripe-signature': sign(ok, 'whsec_not_ours_0123456789') });

    const metrics = await (await fetch(`${bridge.url}/metrics`)).text();
    expect(metrics).toMatch(/^bridge_webhooks_received_total\{outcome="stored"\} [1-9]\d*$/m);
    expect(metrics).toMatch(/^bridge_webhooks_received_total\{outcome="duplicate"\} [1-9]\d*$/m);
    expect(metrics).toMatch(
      /^bridge_webhooks_rejected_total\{reason="signature_mismatch"\} [1-9]\d*$/m,
    );
    expect(metrics).toMatch(/^bridge_webhooks_rejected_total\{reason="payload_too_large"\} 1$/m);
    expect(metrics).toMatch(/^bridge_inbox_depth 1$/m);
    expect(metrics).toMatch(
      /^http_request_duration_seconds_bucket\{.*route="\/webhooks\/stripe".*\}/m,
    );
    expect(metrics).toMatch(/^process_cpu_seconds_total/m);

    const ready = await fetch(`${bridge.url}/health/ready`);
    expect(ready.status).toBe(200);
    await expect(ready.json()).resolves.toMatchObject({
      status: 'ok',
      info: { database: { status: 'up' }, migrations: { status: 'up' } },
    });
    expect((await fetch(`${bridge.url}/health/live`)).status).toBe(200);
  });

  it('says 503 on /health/ready when a migration is missing', async () => {
    await db.query(`DELETE FROM migrations`);
    try {
      const res = await fetch(`${bridge.url}/health/ready`);
      expect(res.status).toBe(503);
      expect(JSON.stringify(await res.json())).toContain('pending migrations');
    } finally {
      await db.query(
        `INSERT INTO migrations (timestamp, name) VALUES (1764201600000, 'CreateInboxEvents1764201600000')`,
      );
    }
  });
});
