import { describe, expect, test } from '@jest/globals';
import type { CrmValue } from '../crm-connector.js';
import { encodeSfRecord, encodeSfValue } from './salesforce-values.js';

describe('encodeSfValue: the JSON Salesforce deserializes for each field type', () => {
  test.each<[string, CrmValue, CrmValue]>([
    // checkboxes take JSON booleans only
    ['boolean', true, true],
    ['boolean', 'false', false],
    ['boolean', 'TRUE', true],
    ['boolean', null, null],
    ['boolean', '', null],
    // number fields take JSON numbers
    ['double', '123.45', 123.45],
    ['currency', '-12.50', -12.5],
    ['currency', 42, 42],
    ['percent', ' 7.5 ', 7.5],
    ['int', '12', 12],
    ['long', 9007199254740991, 9007199254740991],
    ['double', '', null],
    // dates as YYYY-MM-DD: a datetime gives its UTC day
    ['date', '2024-11-27', '2024-11-27'],
    ['date', '2024-11-27T23:30:00.000Z', '2024-11-27'],
    ['date', '2024-11-27T23:30:00-05:00', '2024-11-28'],
    // datetimes as ISO 8601 in UTC
    ['datetime', '2024-11-27T10:00:00Z', '2024-11-27T10:00:00.000Z'],
    ['datetime', '2024-11-27T10:00:00.000+0000', '2024-11-27T10:00:00.000Z'],
    ['datetime', '2024-11-27', '2024-11-27T00:00:00.000Z'],
    // text as text, numbers never in exponent form
    ['string', 'Ada', 'Ada'],
    ['string', 12.5, '12.5'],
    ['string', 1e21, '1000000000000000000000'],
    ['textarea', true, 'true'],
    ['email', '', ''],
    ['picklist', 'Gold', 'Gold'],
    // compound and binary types go as given
    ['address', '{"city":"London"}', '{"city":"London"}'],
  ])('%s ← %p is %p', (type, value, want) => expect(encodeSfValue(type, value)).toEqual(want));

  test.each<[string, CrmValue, string]>([
    ['boolean', 'yes', 'true or false'],
    ['boolean', 1, 'true or false'],
    ['double', 'abc', 'a number'],
    ['currency', true, 'a number'],
    ['currency', '12,50', 'a number'],
    ['int', '12.5', 'a whole number'],
    ['date', 'next week', 'a date (YYYY-MM-DD or an ISO 8601 datetime)'],
    ['date', 1732665600000, 'a date (YYYY-MM-DD or an ISO 8601 datetime)'],
    ['datetime', '2024-02-30T10:00:00Z', 'an ISO 8601 datetime'],
  ])('%s refuses %p (takes %s)', (type, value, expected) =>
    expect(encodeSfValue(type, value)).toEqual({ refused: expected }),
  );
});

describe('encodeSfRecord', () => {
  const types = new Map([
    ['stripe_delinquent__c', 'boolean'],
    ['stripe_balance__c', 'currency'],
    ['email', 'email'],
  ]);

  test('encodes every described field, matching names without case', () => {
    expect(
      encodeSfRecord(types, {
        Stripe_Delinquent__c: 'false',
        STRIPE_BALANCE__C: '12.50',
        Email: 'ada@example.com',
      }),
    ).toEqual({
      ok: true,
      record: { Stripe_Delinquent__c: false, STRIPE_BALANCE__C: 12.5, Email: 'ada@example.com' },
    });
  });

  test('a field the describe does not list goes as given, for Salesforce to name', () => {
    expect(encodeSfRecord(types, { Nope__c: 'x' })).toEqual({ ok: true, record: { Nope__c: 'x' } });
  });

  test('names the first field that refuses its value, and what it takes', () => {
    expect(
      encodeSfRecord(types, { Email: 'a@b.c', Stripe_Balance__c: 'abc', Stripe_Delinquent__c: 2 }),
    ).toEqual({
      ok: false,
      field: 'Stripe_Balance__c',
      fieldType: 'currency',
      expected: 'a number',
    });
  });
});
