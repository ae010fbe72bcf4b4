import { describe, expect, test } from '@jest/globals';
import type { CrmPropertyType, CrmValue } from '../crm-connector.js';
import { decodeValue, encodeProperties, encodeValue, portType } from './hubspot-values.js';

describe('encodeValue: HubSpot v3 strings per property type', () => {
  test.each<[CrmPropertyType | undefined, CrmValue, string]>([
    [undefined, null, ''],
    ['number', null, ''],
    ['number', '', ''],
    ['number', 12.5, '12.5'],
    ['number', '12.50', '12.5'],
    ['number', ' -3 ', '-3'],
    ['number', 1e21, '1000000000000000000000'],
    ['number', '1.5e-7', '0.00000015'],
    ['bool', true, 'true'],
    ['bool', 'FALSE', 'false'],
    ['date', '2024-11-27', '2024-11-27'],
    ['date', '2024-11-27T23:30:00.000Z', '2024-11-27'],
    ['date', 1732665600000, '2024-11-27'],
    ['date', '1732665600000', '2024-11-27'],
    ['datetime', '2024-11-27T10:00:00Z', '2024-11-27T10:00:00.000Z'],
    ['datetime', '2024-11-27T10:00:00.000+0000', '2024-11-27T10:00:00.000Z'],
    ['datetime', 1732701600000, '2024-11-27T10:00:00.000Z'],
    ['datetime', '2024-11-27', '2024-11-27T00:00:00.000Z'],
    ['enumeration', 'gold', 'gold'],
    ['string', 'Ada', 'Ada'],
    ['string', 1e21, '1000000000000000000000'],
    ['string', false, 'false'],
    // a property the type map does not know goes as text, for HubSpot to refuse by name
    [undefined, 12.5, '12.5'],
  ])('%s ← %p is %p', (type, value, want) => expect(encodeValue(type, value)).toBe(want));

  test.each<[CrmPropertyType, CrmValue, string]>([
    ['number', 'abc', 'a number'],
    ['number', true, 'a number'],
    ['number', '12,5', 'a number'],
    ['bool', 'yes', 'true or false'],
    ['bool', 0, 'true or false'],
    ['date', 'soon', 'a date (YYYY-MM-DD, an ISO 8601 datetime or ms epoch)'],
    ['date', '2024-02-30', 'a date (YYYY-MM-DD, an ISO 8601 datetime or ms epoch)'],
    ['datetime', true, 'an ISO 8601 datetime or ms epoch'],
  ])('%s refuses %p (takes %s)', (type, value, expected) =>
    expect(encodeValue(type, value)).toEqual({ refused: expected }),
  );
});

describe('decodeValue: HubSpot strings as port values', () => {
  test.each<[CrmPropertyType | undefined, string | null | undefined, CrmValue]>([
    ['number', '12.50', 12.5],
    ['number', '-3', -3],
    ['number', 'n/a', 'n/a'],
    ['bool', 'true', true],
    ['bool', 'False', false],
    ['bool', 'maybe', 'maybe'],
    ['date', '2024-11-27', '2024-11-27'],
    ['date', '1732665600000', '2024-11-27'],
    ['datetime', '1732701600000', '2024-11-27T10:00:00.000Z'],
    ['datetime', '2024-11-27T10:00:00Z', '2024-11-27T10:00:00.000Z'],
    ['datetime', 'garbage', 'garbage'],
    ['string', '12.50', '12.50'],
    ['enumeration', 'true', 'true'],
    ['number', '', null],
    ['string', null, null],
    [undefined, undefined, null],
  ])('%s %p → %p', (type, raw, want) => expect(decodeValue(type, raw)).toEqual(want));
});

test('what encodeValue writes, decodeValue reads back as the same value', () => {
  const cases: [CrmPropertyType, CrmValue, CrmValue][] = [
    ['number', '12.50', 12.5],
    ['bool', 'TRUE', true],
    ['date', '2024-11-27T08:00:00Z', '2024-11-27'],
    ['datetime', '2024-11-27T10:00:00Z', '2024-11-27T10:00:00.000Z'],
  ];
  for (const [type, value, want] of cases) {
    const wire = encodeValue(type, value);
    if (typeof wire !== 'string') throw new Error(`refused ${String(value)}`);
    expect(decodeValue(type, wire)).toEqual(want);
  }
});

describe('encodeProperties', () => {
  const types = new Map<string, CrmPropertyType>([
    ['stripe_mrr', 'number'],
    ['stripe_delinquent', 'bool'],
  ]);

  test('every property in its type’s form', () => {
    expect(
      encodeProperties({ stripe_mrr: '9.90', stripe_delinquent: 'True', email: 'a@b.c' }, types),
    ).toEqual({
      ok: true,
      properties: { stripe_mrr: '9.9', stripe_delinquent: 'true', email: 'a@b.c' },
    });
  });

  test('names the property that refuses its value, and what it takes', () => {
    expect(encodeProperties({ email: 'a@b.c', stripe_mrr: 'lots' }, types)).toEqual({
      ok: false,
      property: 'stripe_mrr',
      type: 'number',
      expected: 'a number',
    });
  });
});

test.each([
  ['enumeration', 'booleancheckbox', 'bool'],
  ['enumeration', 'select', 'enumeration'],
  ['bool', 'booleancheckbox', 'bool'],
  ['datetime', 'date', 'datetime'],
  ['phone_number', 'phonenumber', 'string'],
])('portType(%s, %s) is %s', (type, fieldType, want) =>
  expect(portType({ type, fieldType })).toBe(want),
);
