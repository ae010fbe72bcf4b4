import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import { APP_NAME } from '../../src/common/app-info.js';
import { loadConfig } from '../../src/config/load-config.js';
import { STRIPE_API_VERSION } from '../../src/stripe/stripe-api-version.js';
import { StripeClient } from '../../src/stripe/stripe.client.js';

interface Seen {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

describe('StripeClient (the one seam to Stripe)', () => {
  let server: Server;
  let base: string;
  const seen: Seen[] = [];

  beforeAll(async () => {
    // A bare HTTP server standing in for api.stripe.com: it records what the real SDK sends.
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ id: 'cus_seam', object: 'customer', email: 'a@example.com' }));
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  const client = () =>
    new StripeClient(
      loadConfig({
        STRIPE_SECRET_KEY: 'sk_test_seam_check_0000',
        STRIPE_WEBHOOK_SECRET: 'whsec_seam_check_0000',
        STRIPE_API_BASE: base,
      }),
    );

  it('reaches STRIPE_API_BASE with the pinned API version, the key and our app info', async () => {
    const customer = await client().api.customers.retrieve('cus_seam');
    expect(customer.id).toBe('cus_seam');
    const req = seen.at(-1)!;
    expect(req.method).toBe('GET');
    expect(req.url).toBe('/v1/customers/cus_seam');
    expect(req.headers['stripe-version']).toBe(STRIPE_API_VERSION);
    expect(req.headers.authorization).toBe('Bearer sk_test_seam_check_0000');
    expect(req.headers['user-agent']).toContain(APP_NAME);
  });

  it('sends form-encoded writes with an Idempotency-Key', async () => {
    await client().api.customers.update(
      'cus_seam',
      { email: 'b@example.com', metadata: { hubspot_contact_id: '101' } },
      { idempotencyKey: 'job-42' },
    );
    const req = seen.at(-1)!;
    expect(req.method).toBe('POST');
    expect(req.headers['idempotency-key']).toBe('job-42');
    expect(new URLSearchParams(req.body).get('metadata[hubspot_contact_id]')).toBe('101');
  });
});
