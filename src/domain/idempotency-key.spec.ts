import { describe, expect, test } from '@jest/globals';
import { canonicalJson, MAX_KEY_LENGTH, stripeIdempotencyKey } from './idempotency-key.js';

const base = {
  stripeObject: 'customer',
  stripeId: 'cus_A',
  job: 'writeback-hubspot-101',
  params: { metadata: { hubspot_contact_id: '101' } },
};

describe('stripeIdempotencyKey', () => {
  test('names the object and the job, readably', () => {
    expect(stripeIdempotencyKey(base)).toMatch(/^bridge-customer-cus_A-writeback-hubspot-101-/);
  });

  test('the same write twice (a retry) has the same key', () => {
    expect(stripeIdempotencyKey(base)).toBe(stripeIdempotencyKey({ ...base }));
  });

  test('params that differ only in key order are the same request', () => {
    const a = { ...base, params: { name: 'A', address: { city: 'X', line1: 'Y' } } };
    const b = { ...base, params: { address: { line1: 'Y', city: 'X' }, name: 'A' } };
    expect(stripeIdempotencyKey(a)).toBe(stripeIdempotencyKey(b));
  });

  // Each of these is a different request to Stripe and must not share a key with the base.
  test.each<[string, Partial<typeof base>]>([
    ['another customer, same CRM id and params', { stripeId: 'cus_B' }],
    ['another object type', { stripeObject: 'product' }],
    ['another job', { job: 'evt_2-hubspot' }],
    ['other params', { params: { metadata: { hubspot_contact_id: '102' } } }],
  ])('%s → another key', (_name, over) => {
    expect(stripeIdempotencyKey({ ...base, ...over })).not.toBe(stripeIdempotencyKey(base));
  });

  test('stays within 255 characters however long the job, and still tells jobs apart', () => {
    const long = (c: string) => ({ ...base, job: c.repeat(400) });
    const a = stripeIdempotencyKey(long('a'));
    const b = stripeIdempotencyKey(long('b'));
    expect(a.length).toBeLessThanOrEqual(MAX_KEY_LENGTH);
    expect(a).not.toBe(b);
    expect(a.startsWith('bridge-customer-cus_A-')).toBe(true);
  });
});

describe('canonicalJson', () => {
  test.each<[unknown, string]>([
    [{ b: 1, a: [{ d: 1, c: 2 }] }, '{"a":[{"c":2,"d":1}],"b":1}'],
    [{ a: undefined, b: null }, '{"b":null}'],
    ['x', '"x"'],
  ])('%j → %s', (value, text) => {
    expect(canonicalJson(value)).toBe(text);
  });
});
