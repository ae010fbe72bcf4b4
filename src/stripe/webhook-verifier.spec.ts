import { describe, expect, it } from '@jest/globals';
import Stripe from 'stripe';
import { type AppConfig } from '../config/app-config.js';
import { type StripeClient } from './stripe.client.js';
import { WebhookVerifier } from './webhook-verifier.js';

const A = 'whsec_primary_secret_000000';
const B = 'whsec_rotated_secret_111111';
const NOW = Date.UTC(2026, 10, 26, 12, 0, 0);
const nowS = Math.floor(NOW / 1000);
const payload = JSON.stringify({ id: 'evt_1', object: 'event', type: 'customer.created' });

// The real SDK does the verifying: only its construction is bypassed, never its checks.
const stripe = { webhooks: Stripe.webhooks } as unknown as StripeClient;
const verifier = (secrets: string[]) =>
  new WebhookVerifier(stripe, { stripe: { webhookSecrets: secrets } } as unknown as AppConfig);
const sign = (body: string, secret: string, timestamp = nowS) =>
  Stripe.webhooks.generateTestHeaderString({ payload: body, secret, timestamp });

describe('WebhookVerifier', () => {
  it('accepts a valid signature and returns the parsed event and raw text', () => {
    const r = verifier([A]).verify(Buffer.from(payload), sign(payload, A), NOW);
    expect(r).toEqual({ ok: true, event: JSON.parse(payload), raw: payload });
  });

  it('accepts events signed with either secret during rotation', () => {
    const v = verifier([A, B]);
    expect(v.verify(Buffer.from(payload), sign(payload, A), NOW).ok).toBe(true);
    expect(v.verify(Buffer.from(payload), sign(payload, B), NOW).ok).toBe(true);
  });

  it.each([
    ['no header', undefined, Buffer.from(payload), 'missing_signature'],
    ['an empty body', sign('', A), Buffer.alloc(0), 'empty_body'],
    ['a header without t=', 'v1=abc', Buffer.from(payload), 'malformed_signature'],
    ['a header without v1=', `t=${nowS},v0=abc`, Buffer.from(payload), 'malformed_signature'],
    [
      'a tampered body',
      sign(payload, A),
      Buffer.from(payload.replace('created', 'deleted')),
      'signature_mismatch',
    ],
    [
      'another secret',
      sign(payload, 'whsec_someone_else_0000'),
      Buffer.from(payload),
      'signature_mismatch',
    ],
    [
      'a signature older than 300 s',
      sign(payload, A, nowS - 301),
      Buffer.from(payload),
      'timestamp_outside_tolerance',
    ],
    ['a signed non-JSON body', sign('not json', A), Buffer.from('not json'), 'invalid_json'],
  ])('refuses %s', (_label, header, body, reason) => {
    const r = verifier([A, B]).verify(body, header, NOW);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.reason).toBe(reason);
    expect(!r.ok && r.message.length).toBeGreaterThan(20);
  });

  it('accepts a signature 299 s old', () => {
    expect(verifier([A]).verify(Buffer.from(payload), sign(payload, A, nowS - 299), NOW).ok).toBe(
      true,
    );
  });
});
