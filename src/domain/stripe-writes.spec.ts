import { describe, expect, test } from '@jest/globals';
import type { Scalar } from './field-rules.js';
import { stripeObjectSpec, towardStripeProblem } from './stripe-fields.js';
import { stripeRefusals, stripeUpdateParams } from './stripe-writes.js';

const customer = stripeObjectSpec('customer')!;
const ADDRESS = {
  line1: '12 St James Square',
  line2: 'Floor 2',
  city: 'London',
  state: null,
  postal_code: 'SW1Y 4JH',
  country: 'GB',
};
const current = {
  id: 'cus_1',
  name: 'Ada Lovelace',
  address: ADDRESS,
  shipping: { name: 'Ada', phone: null, address: { ...ADDRESS } },
  metadata: { tier: 'gold' },
};

describe('stripeUpdateParams: a part of a replaced-whole hash is sent with all the others', () => {
  test.each<[string, Record<string, Scalar>, Record<string, unknown>]>([
    [
      'city only → the whole address with the new city',
      { 'address.city': 'Paris' },
      { address: { ...ADDRESS, state: undefined, city: 'Paris' } },
    ],
    [
      'a blanked part is left out of the whole (Stripe nulls it)',
      { 'address.line2': null },
      { address: { line1: ADDRESS.line1, city: 'London', postal_code: 'SW1Y 4JH', country: 'GB' } },
    ],
    [
      'two parts at once',
      { 'address.city': 'Paris', 'address.postal_code': '75001' },
      { address: { ...ADDRESS, state: undefined, city: 'Paris', postal_code: '75001' } },
    ],
    [
      'every part blank → the address is unset',
      {
        'address.line1': null,
        'address.line2': null,
        'address.city': null,
        'address.postal_code': null,
        'address.country': null,
      },
      { address: '' },
    ],
    [
      'a nested hash inside a hash: shipping goes whole, with its name',
      { 'shipping.address.city': 'Paris' },
      {
        shipping: {
          name: 'Ada',
          address: { ...ADDRESS, state: undefined, city: 'Paris' },
        },
      },
    ],
    [
      'a shipping address without line1 is still a shipping (only its name is required)',
      { 'shipping.address.line1': null },
      {
        shipping: {
          name: 'Ada',
          address: { ...ADDRESS, line1: undefined, state: undefined },
        },
      },
    ],
    [
      'every shipping part blank → shipping is unset',
      {
        'shipping.name': null,
        'shipping.address.line1': null,
        'shipping.address.line2': null,
        'shipping.address.city': null,
        'shipping.address.postal_code': null,
        'shipping.address.country': null,
      },
      { shipping: '' },
    ],
    [
      'metadata merges per key: only the key',
      { 'metadata.vip': 'true' },
      { metadata: { vip: 'true' } },
    ],
    ['a metadata key unset with ""', { 'metadata.tier': null }, { metadata: { tier: '' } }],
    ['a top-level field as it is', { phone: '+1 555' }, { phone: '+1 555' }],
    ['a top-level field unset with ""', { phone: null }, { phone: '' }],
    [
      'a hash Stripe merges (invoice_settings) keeps the part alone',
      { 'invoice_settings.footer': 'Thanks' },
      { invoice_settings: { footer: 'Thanks' } },
    ],
  ])('%s', (_name, writes, params) => {
    const out = stripeUpdateParams(writes, current, customer);
    expect(JSON.parse(JSON.stringify(out))).toStrictEqual(JSON.parse(JSON.stringify(params)));
  });

  test('a customer without an address gets one from the written part alone', () => {
    expect(stripeUpdateParams({ 'address.city': 'Paris' }, { id: 'cus_2' }, customer)).toEqual({
      address: { city: 'Paris' },
    });
  });
});

describe('stripeRefusals: what Stripe would refuse is caught before the write', () => {
  const long = (n: number) => 'x'.repeat(n);
  test.each<[string, Record<string, Scalar>, { path: string; code: string; limit: string }[]]>([
    ['a 20-character phone is fine', { phone: '+44 20 7946 0000 123' }, []],
    [
      'a 27-character phone',
      { phone: '+44 (0)20 7946 0000 ext 123' },
      [{ path: 'phone', code: 'too_long', limit: 'at most 20 characters' }],
    ],
    ['a 256-character name is fine', { name: long(256) }, []],
    [
      'a 257-character name',
      { name: long(257) },
      [{ path: 'name', code: 'too_long', limit: 'at most 256 characters' }],
    ],
    [
      'a 513-character email',
      { email: `${long(500)}@example.com1` },
      [{ path: 'email', code: 'too_long', limit: 'at most 512 characters' }],
    ],
    [
      'an email without a domain',
      { email: 'ada@' },
      [{ path: 'email', code: 'invalid_email', limit: 'an email address' }],
    ],
    ['a valid email', { email: 'ada.lovelace+1@example.co.uk' }, []],
    [
      'a 5001-character description',
      { description: long(5001) },
      [{ path: 'description', code: 'too_long', limit: 'at most 5000 characters' }],
    ],
    ['characters, not UTF-16 units, count: 20 emoji are 20', { phone: '📞'.repeat(20) }, []],
    [
      'a 600-character metadata value',
      { 'metadata.notes': long(600) },
      [
        {
          path: 'metadata.notes',
          code: 'too_long',
          limit: 'metadata values of at most 500 characters',
        },
      ],
    ],
    [
      'a 41-character metadata key',
      { [`metadata.${long(41)}`]: 'v' },
      [
        {
          path: `metadata.${long(41)}`,
          code: 'key_too_long',
          limit: 'metadata keys of at most 40 characters',
        },
      ],
    ],
    [
      'blanking the shipping name Stripe requires',
      { 'shipping.name': null },
      [{ path: 'shipping.name', code: 'incomplete', limit: 'shipping only with shipping.name' }],
    ],
    [
      'a tax_exempt value Stripe does not know',
      { tax_exempt: 'partial' },
      [{ path: 'tax_exempt', code: 'not_allowed', limit: 'one of none, exempt, reverse' }],
    ],
    ['a blank is never too long', { phone: null, name: null }, []],
    [
      'only the refused field: the others pass',
      { phone: long(27), name: 'Ada King', 'address.city': 'Paris' },
      [{ path: 'phone', code: 'too_long', limit: 'at most 20 characters' }],
    ],
  ])('%s', (_name, writes, expected) => {
    const got = stripeRefusals(writes, current, customer);
    expect(got.map(({ path, code, limit }) => ({ path, code, limit }))).toStrictEqual(expected);
    // The message names the field and the limit, never the value.
    for (const r of got) {
      expect(r.message).toContain(r.path);
      for (const v of Object.values(writes))
        if (typeof v === 'string' && v.length > 3) {
          expect(r.message).not.toContain(v);
        }
    }
  });

  test('metadata keeps at most 50 keys: new keys beyond are refused, existing ones stay writable', () => {
    const metadata = Object.fromEntries(Array.from({ length: 49 }, (_, i) => [`k${i}`, 'v']));
    const writes = { 'metadata.k0': 'changed', 'metadata.new1': 'a', 'metadata.new2': 'b' };
    const got = stripeRefusals(writes, { metadata }, customer);
    expect(got.map((r) => [r.path, r.code])).toStrictEqual([['metadata.new2', 'too_many_keys']]);
    // Unsetting a key makes room for a new one.
    const swap = { 'metadata.k1': null, 'metadata.new1': 'a', 'metadata.new2': 'b' };
    expect(stripeRefusals(swap, { metadata }, customer)).toStrictEqual([]);
  });
});

describe('towardStripeProblem: mappings that may not send a CRM value to Stripe', () => {
  test.each<[string, boolean, string | null]>([
    ['email', false, null],
    ['address.city', false, null],
    ['shipping.address.line1', false, null],
    ['metadata.tier', false, null],
    ['delinquent', false, '"delinquent" is read-only in Stripe: map it to_crm'],
    ['created', false, '"created" is read-only in Stripe: map it to_crm'],
    ['currency', false, '"currency" is read-only in Stripe: map it to_crm'],
    ['id', false, '"id" is read-only in Stripe: map it to_crm'],
    ['livemode', false, '"livemode" is read-only in Stripe: map it to_crm'],
    ['balance', true, null],
    ['address.town', false, '"address.town" is not a field Stripe accepts on this object'],
    ['nickname', false, '"nickname" is not a field Stripe accepts on this object'],
    ['metadata', false, '"metadata" is not a field Stripe accepts on this object'],
  ])('%s (money opt-in %s)', (path, allowMoneyWrite, problem) => {
    expect(towardStripeProblem(customer, path, allowMoneyWrite)).toBe(problem);
  });

  test('balance moves money: refused without the opt-in, naming it', () => {
    expect(towardStripeProblem(customer, 'balance', false)).toMatch(
      /moves money.*allow_money_write/,
    );
  });

  test('a hash is mapped part by part', () => {
    expect(towardStripeProblem(customer, 'address', false)).toMatch(
      /nested hash: map its parts \(address.line1, address.line2/,
    );
  });
});
