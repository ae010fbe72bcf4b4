import { describe, expect, test } from '@jest/globals';
import type { Scalar, Transform } from './field-rules.js';
import { applyToCrm, applyToStripe, TransformError, validateTransforms } from './transforms.js';

const cents: Transform = { kind: 'cents_to_decimal' };
const USD = { currency: 'usd' };
const iso: Transform = { kind: 'unix_to_iso' };
const date: Transform = { kind: 'unix_to_date' };
const tiers: Transform = { kind: 'enum_map', map: { gold: 'Gold tier', silver: 'Silver tier' } };
const first: Transform = { kind: 'name_part', part: 'first' };
const last: Transform = { kind: 'name_part', part: 'last' };

describe('applyToCrm', () => {
  test.each<[string, unknown, Transform[], Scalar]>([
    ['no transforms', 'Ada', [], 'Ada'],
    ['no transforms, object', { a: 1 }, [], '{"a":1}'],
    ['lowercase', 'Ada@Example.COM', [{ kind: 'lowercase' }], 'ada@example.com'],
    ['lowercase non-string', 42, [{ kind: 'lowercase' }], 42],
    ['trim', '  Ada  ', [{ kind: 'trim' }], 'Ada'],
    ['trim + lowercase', ' A@B.C ', [{ kind: 'trim' }, { kind: 'lowercase' }], 'a@b.c'],
    ['cents', 1999, [cents], 19.99],
    ['cents negative', -500, [cents], -5],
    ['cents zero', 0, [cents], 0],
    ['cents numeric string', '1999', [cents], 19.99],
    ['cents exponent 0', 1999, [{ kind: 'cents_to_decimal', exponent: 0 }], 1999],
    ['cents exponent 3', 1999, [{ kind: 'cents_to_decimal', exponent: 3 }], 1.999],
    ['unix_to_iso', 1732665600, [iso], '2024-11-27T00:00:00.000Z'],
    ['unix_to_iso 0', 0, [iso], '1970-01-01T00:00:00.000Z'],
    ['unix_to_date', 1732705199, [date], '2024-11-27'],
    ['enum_map hit', 'gold', [tiers], 'Gold tier'],
    ['enum_map miss', 'bronze', [tiers], 'bronze'],
    ['enum_map inherited key', 'toString', [tiers], 'toString'],
    ['enum_map number key', 1, [{ kind: 'enum_map', map: { '1': 'one' } }], 'one'],
    ['default on null', null, [{ kind: 'default', value: 'none' }], 'none'],
    ['default on missing', undefined, [{ kind: 'default', value: 0 }], 0],
    ['default on blank', '  ', [{ kind: 'default', value: 'none' }], 'none'],
    ['default on value', 'x', [{ kind: 'default', value: 'none' }], 'x'],
    ['trim then default', '  ', [{ kind: 'trim' }, { kind: 'default', value: 'n/a' }], 'n/a'],
    ['boolean true', true, [{ kind: 'boolean_string' }], 'true'],
    ['boolean false', false, [{ kind: 'boolean_string' }], 'false'],
    ['first of three', 'Ada King Lovelace', [first], 'Ada King'],
    ['last of three', 'Ada King Lovelace', [last], 'Lovelace'],
    ['first of two, spaces', '  Ada   Lovelace ', [first], 'Ada'],
    ['first of one', 'Cher', [first], 'Cher'],
    ['last of one', 'Cher', [last], null],
    ['blank through cents', null, [cents], null],
    ['blank through iso', undefined, [iso], null],
    ['blank through name', '  ', [first], null],
    ['blank through enum', '', [tiers], null],
  ])('%s: %j', (_name, input, transforms, expected) => {
    expect(applyToCrm(input, transforms, USD)).toBe(expected);
  });

  test.each<[unknown, Transform]>([
    ['abc', cents],
    [{ amount: 1 }, cents],
    ['soon', iso],
    [1e20, date],
    [42, first],
  ])('throws TransformError for %j through %j', (input, transform) => {
    expect(() => applyToCrm(input, [transform], USD)).toThrow(TransformError);
  });
});

describe('applyToStripe', () => {
  test.each<[string, Scalar, Transform[], Scalar]>([
    ['no transforms', 'Ada', [], 'Ada'],
    ['blank to null', '  ', [], null],
    ['lowercase keeps CRM value', 'Ada@Example.com', [{ kind: 'lowercase' }], 'Ada@Example.com'],
    ['trim trims', ' Ada ', [{ kind: 'trim' }], 'Ada'],
    ['cents', 19.99, [cents], 1999],
    ['cents float error', 0.29, [cents], 29],
    ['cents negative', -5, [cents], -500],
    ['cents string', '12.50', [cents], 1250],
    ['cents exponent 0', 7, [{ kind: 'cents_to_decimal', exponent: 0 }], 7],
    ['cents blank', null, [cents], null],
    ['iso', '2024-11-27T00:00:00.000Z', [iso], 1732665600],
    ['iso offset', '2024-11-27T01:00:00+01:00', [iso], 1732665600],
    ['iso salesforce offset', '2024-11-27T00:00:00.000+0000', [iso], 1732665600],
    ['iso without zone is UTC', '2024-11-27T00:00', [iso], 1732665600],
    ['iso microseconds', '2024-11-27T00:00:01.999999Z', [iso], 1732665601],
    ['iso ms epoch string', '1732665600000', [iso], 1732665600],
    ['iso ms epoch number', 1732665600999, [iso], 1732665600],
    ['date', '2024-11-27', [date], 1732665600],
    ['date ms epoch', '1732665600000', [date], 1732665600],
    ['date blank', '', [date], null],
    ['enum reverse', 'Gold tier', [tiers], 'gold'],
    ['enum unknown', 'Bronze tier', [tiers], 'Bronze tier'],
    ['enum number', 1, [{ kind: 'enum_map', map: { one: '1' } }], 'one'],
    ['default placeholder reads back as blank', 'none', [{ kind: 'default', value: 'none' }], null],
    ['default passes other values', 'Lovelace', [{ kind: 'default', value: 'none' }], 'Lovelace'],
    ['boolean true', 'true', [{ kind: 'boolean_string' }], true],
    ['boolean FALSE', 'FALSE', [{ kind: 'boolean_string' }], false],
    ['boolean already', true, [{ kind: 'boolean_string' }], true],
    ['name identity', 'Ada King', [first], 'Ada King'],
    ['reverse order', 'Gold tier', [{ kind: 'lowercase' }, tiers], 'gold'],
  ])('%s: %j', (_name, input, transforms, expected) => {
    expect(applyToStripe(input, transforms, USD)).toBe(expected);
  });

  test('undoes the transforms in reverse order', () => {
    // Toward the CRM: cents then enum; back: enum first, then cents.
    const chain: Transform[] = [cents, { kind: 'enum_map', map: { '10': 'ten' } }];
    expect(applyToCrm(1000, chain, USD)).toBe('ten');
    expect(applyToStripe('ten', chain, USD)).toBe(1000);
  });

  test.each<[Scalar, Transform]>([
    ['abc', cents],
    [true, cents],
    ['yesterday', iso],
    ['2024-02-30', date],
    ['2024-13-01T00:00:00Z', iso],
    ['27/11/2024', date],
    ['yes', { kind: 'boolean_string' }],
    [1, { kind: 'boolean_string' }],
  ])('throws TransformError for %j through %j', (input, transform) => {
    let caught: unknown;
    try {
      applyToStripe(input, [transform], USD);
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(TransformError);
    const err = caught as TransformError;
    expect(err.code).toBe('transform_failed');
    expect(err.message).toContain(transform.kind);
    expect(err.message).toContain(JSON.stringify(input));
  });
});

describe('cents_to_decimal follows the record currency', () => {
  // The same Stripe amount, 1250 minor units, in currencies of 0, 2 and 3 decimals.
  test.each<[string | null, number, number]>([
    ['jpy', 1250, 1250],
    ['krw', 1250, 1250],
    ['JPY', 1250, 1250],
    ['usd', 1250, 12.5],
    ['eur', -1999, -19.99],
    ['isk', 1250, 12.5],
    ['kwd', 1250, 1.25],
    ['bhd', 1999, 1.999],
    [null, 1250, 12.5],
  ])('%s: %d minor units → %d', (currency, minor, decimal) => {
    expect(applyToCrm(minor, [cents], { currency })).toBe(decimal);
    expect(applyToStripe(decimal, [cents], { currency })).toBe(minor);
  });

  test.each<[string, number, number]>([
    ['jpy', 1250.4, 1250],
    ['jpy', 1250.5, 1251],
    ['usd', 19.999, 2000],
    ['usd', -0.005, -1],
    ['kwd', 1.2345, 1235],
  ])('toward Stripe, %s %d rounds to the unit: %d', (currency, decimal, minor) => {
    expect(applyToStripe(decimal, [cents], { currency })).toBe(minor);
  });

  test('an explicit exponent overrides the currency', () => {
    const three: Transform = { kind: 'cents_to_decimal', exponent: 3 };
    expect(applyToCrm(1250, [three], { currency: 'usd' })).toBe(1.25);
  });

  test('toward Stripe an unknown currency (object not loaded) is refused, not guessed', () => {
    expect(() => applyToStripe(12.5, [cents], {})).toThrow(/currency is unknown/);
  });
});

describe('validateTransforms', () => {
  test.each<[unknown]>([
    [[]],
    [[{ kind: 'trim' }, { kind: 'lowercase' }]],
    [[{ kind: 'cents_to_decimal' }, { kind: 'cents_to_decimal', exponent: 4 }]],
    [[{ kind: 'enum_map', map: {} }]],
    [[{ kind: 'default', value: null }]],
    [[{ kind: 'default', value: false }]],
    [[{ kind: 'name_part', part: 'last' }, { kind: 'trim' }]],
    [[{ kind: 'unix_to_iso' }, { kind: 'unix_to_date' }, { kind: 'boolean_string' }]],
  ])('accepts %j', (input) => {
    expect(validateTransforms(input)).toEqual([]);
  });

  test.each<[unknown, string[]]>([
    [null, ['transforms must be an array']],
    [{ kind: 'trim' }, ['transforms must be an array']],
    [['trim'], ['transforms[0] must be an object']],
    [[{ kind: 'eval' }], ['transforms[0]: unknown kind "eval"']],
    [[{}], ['transforms[0]: unknown kind undefined']],
    [[{ kind: 'toString' }], ['transforms[0]: unknown kind "toString"']],
    [
      [{ kind: 'trim' }, { kind: 'cents_to_decimal', exponent: 5 }],
      ['transforms[1] (cents_to_decimal): "exponent" must be an integer from 0 to 4'],
    ],
    [
      [{ kind: 'cents_to_decimal', exponent: 1.5 }],
      ['transforms[0] (cents_to_decimal): "exponent" must be an integer from 0 to 4'],
    ],
    [
      [{ kind: 'enum_map' }],
      ['transforms[0] (enum_map): "map" must be an object mapping strings to strings'],
    ],
    [
      [{ kind: 'enum_map', map: { a: 1 } }],
      ['transforms[0] (enum_map): "map" must be an object mapping strings to strings'],
    ],
    [
      [{ kind: 'enum_map', map: ['a'] }],
      ['transforms[0] (enum_map): "map" must be an object mapping strings to strings'],
    ],
    [
      [{ kind: 'default' }],
      ['transforms[0] (default): "value" must be a string, number, boolean or null'],
    ],
    [
      [{ kind: 'default', value: {} }],
      ['transforms[0] (default): "value" must be a string, number, boolean or null'],
    ],
    [
      [{ kind: 'name_part', part: 'middle' }],
      ['transforms[0] (name_part): "part" must be "first" or "last"'],
    ],
    [
      [
        { kind: 'name_part', part: 'first' },
        { kind: 'name_part', part: 'last' },
      ],
      ['at most one name_part transform is allowed'],
    ],
    [[{ kind: 'trim', script: 'x' }], ['transforms[0] (trim): unexpected script']],
  ])('rejects %j', (input, problems) => {
    expect(validateTransforms(input)).toEqual(problems);
  });
});
