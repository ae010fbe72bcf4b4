import { describe, expect, test } from '@jest/globals';
import type { Scalar } from './field-rules.js';
import { getPath, toStripeParams } from './object-path.js';

const customer = {
  id: 'cus_1',
  email: 'ada@example.com',
  balance: 0,
  delinquent: false,
  description: null,
  address: { city: 'London', line1: null },
  metadata: { tier: 'gold', 'with-dash': 'yes' },
  tax_ids: { data: [{ value: 'GB1' }] },
};

describe('getPath', () => {
  test.each<[string, unknown]>([
    ['email', 'ada@example.com'],
    ['balance', 0],
    ['delinquent', false],
    ['description', null],
    ['address.city', 'London'],
    ['address.line1', null],
    ['metadata.tier', 'gold'],
    ['metadata.with-dash', 'yes'],
    ['metadata', { tier: 'gold', 'with-dash': 'yes' }],
    ['tax_ids.data.0.value', 'GB1'],
    ['metadata.missing', undefined],
    ['address.city.name', undefined],
    ['description.x', undefined],
    ['nope.deeper', undefined],
    ['toString', undefined],
    ['email.length', undefined],
  ])('getPath(customer, %j) = %j', (path, expected) => {
    expect(getPath(customer, path)).toEqual(expected);
  });

  test.each<[unknown]>([[null], [undefined], ['text'], [42]])('reads %p as having nothing', (o) => {
    expect(getPath(o, 'a.b')).toBeUndefined();
  });

  test.each([['a..b'], [''], ['__proto__'], ['metadata.constructor']])(
    'refuses the path %j',
    (path) => {
      expect(() => getPath(customer, path)).toThrow('Invalid object path');
    },
  );
});

describe('toStripeParams', () => {
  test.each<[Record<string, Scalar>, Record<string, unknown>]>([
    [
      { 'address.city': 'X', 'metadata.tier': 'gold', name: 'A' },
      { address: { city: 'X' }, metadata: { tier: 'gold' }, name: 'A' },
    ],
    [{ 'address.city': 'X', 'address.line1': 'Y' }, { address: { city: 'X', line1: 'Y' } }],
    [
      { 'metadata.tier': null, phone: null },
      { metadata: { tier: '' }, phone: '' },
    ],
    [
      { balance: 0, 'metadata.vip': true, tax_exempt: false },
      { balance: 0, metadata: { vip: true }, tax_exempt: false },
    ],
    [{ 'a.b.c': 'deep' }, { a: { b: { c: 'deep' } } }],
    [{}, {}],
  ])('toStripeParams(%j)', (flat, expected) => {
    expect(toStripeParams(flat)).toEqual(expected);
  });

  test.each<[Record<string, Scalar>, string]>([
    [{ address: 'London', 'address.city': 'X' }, 'collides'],
    [{ 'metadata.__proto__': 'x' }, 'Invalid object path'],
    [{ 'a..b': 'x' }, 'Invalid object path'],
  ])('refuses %j', (flat, message) => {
    expect(() => toStripeParams(flat)).toThrow(message);
  });

  test('refuses a leaf written after a deeper path under it', () => {
    expect(() => toStripeParams({ 'address.city': 'X', address: 'London' })).toThrow('set twice');
  });
});
