import { describe, expect, test } from '@jest/globals';
import type { CrmValue } from './crm-connector.js';
import { invalidValue, parseBool, parseInstant, parseNumber, plainDecimal } from './crm-values.js';

describe('parseBool', () => {
  test.each<[CrmValue, boolean | null]>([
    [true, true],
    [false, false],
    ['true', true],
    ['FALSE', false],
    [' True ', true],
    ['yes', null],
    ['1', null],
    [1, null],
    [null, null],
    ['', null],
  ])('%p → %p', (v, want) => expect(parseBool(v)).toBe(want));
});

describe('parseNumber', () => {
  test.each<[CrmValue, number | null]>([
    [12.5, 12.5],
    ['12.50', 12.5],
    [' -3 ', -3],
    ['.5', 0.5],
    ['1e3', 1000],
    ['+7', 7],
    ['abc', null],
    ['0x10', null],
    ['12,5', null],
    ['', null],
    [true, null],
    [Number.NaN, null],
    [Number.POSITIVE_INFINITY, null],
    ['1e999', null],
  ])('%p → %p', (v, want) => expect(parseNumber(v)).toBe(want));
});

describe('plainDecimal', () => {
  test.each<[number, string]>([
    [0, '0'],
    [-0, '0'],
    [12.5, '12.5'],
    [-12.5, '-12.5'],
    [1e21, '1000000000000000000000'],
    [1.5e22, '15000000000000000000000'],
    [-2.5e21, '-2500000000000000000000'],
    [1.5e-7, '0.00000015'],
    [1.4210854715202004e-14, '0.000000000000014210854715202004'],
    [123456789.123, '123456789.123'],
  ])('%p → %s', (n, want) => {
    expect(plainDecimal(n)).toBe(want);
    expect(Number(plainDecimal(n))).toBe(n === 0 ? 0 : n); // nothing lost
  });
});

describe('parseInstant', () => {
  const at = (iso: string) => Date.parse(iso);
  test.each<[CrmValue, boolean, number | null]>([
    ['2024-11-27T10:00:00.000Z', false, at('2024-11-27T10:00:00.000Z')],
    ['2024-11-27T10:00:00Z', false, at('2024-11-27T10:00:00.000Z')],
    // Salesforce's own form, and a zone given as +hh:mm
    ['2024-11-27T10:00:00.000+0000', false, at('2024-11-27T10:00:00.000Z')],
    ['2024-11-27T12:00:00+02:00', false, at('2024-11-27T10:00:00.000Z')],
    // no zone: UTC, as the planner's values are
    ['2024-11-27T10:00', false, at('2024-11-27T10:00:00.000Z')],
    ['2024-11-27 10:00:00', false, at('2024-11-27T10:00:00.000Z')],
    ['2024-11-27T10:00:00.123456Z', false, at('2024-11-27T10:00:00.123Z')],
    ['2024-11-27', false, at('2024-11-27T00:00:00.000Z')],
    ['2024-02-30', false, null],
    ['2024-13-01T00:00:00Z', false, null],
    ['27/11/2024', false, null],
    ['tomorrow', false, null],
    [true, false, null],
    // ms epochs only where the CRM writes dates so (HubSpot)
    [1732665600000, false, null],
    ['1732665600000', false, null],
    [1732665600000, true, 1732665600000],
    ['1732665600000', true, 1732665600000],
    [1.5, true, null],
  ])('%p (epochMs %p) → %p', (v, epochMs, want) => expect(parseInstant(v, { epochMs })).toBe(want));
});

test('invalidValue names the object, field and expected type, never the value', () => {
  const err = invalidValue('Salesforce', 'Contact', 'Stripe_Balance__c', 'currency', 'a number');
  expect(err).toMatchObject({ code: 'invalid_value', retryable: false });
  expect(err.message).toBe(
    'Contact.Stripe_Balance__c (Salesforce currency field) takes a number; the value given cannot be converted',
  );
});
