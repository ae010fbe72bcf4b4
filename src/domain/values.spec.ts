import { describe, expect, test } from '@jest/globals';
import type { Scalar } from './field-rules.js';
import { isBlank, normalizeScalar, parseNumeric, sameValue } from './values.js';

describe('isBlank', () => {
  test.each<[unknown, boolean]>([
    [null, true],
    [undefined, true],
    ['', true],
    ['  \t\n', true],
    ['a', false],
    [' a ', false],
    [0, false],
    [false, false],
    [{}, false],
    [[], false],
  ])('isBlank(%j) = %s', (v, expected) => {
    expect(isBlank(v)).toBe(expected);
  });
});

describe('normalizeScalar', () => {
  test.each<[unknown, Scalar]>([
    [undefined, null],
    [null, null],
    ['', null],
    ['   ', null],
    [' kept as is ', ' kept as is '],
    [0, 0],
    [-12.5, -12.5],
    [false, false],
    [true, true],
    [Number.NaN, null],
    [Number.POSITIVE_INFINITY, null],
    [BigInt(12), '12'],
    [{ a: 1, b: [true] }, '{"a":1,"b":[true]}'],
    [['x', 2], '["x",2]'],
    [() => 1, null],
  ])('normalizeScalar(%p) = %j', (v, expected) => {
    expect(normalizeScalar(v)).toBe(expected);
  });
});

describe('parseNumeric', () => {
  test.each<[string, number | null]>([
    ['12', 12],
    [' 12.50 ', 12.5],
    ['-0.5', -0.5],
    ['+3', 3],
    ['.5', 0.5],
    ['1e3', 1000],
    ['0x10', null],
    ['12abc', null],
    ['', null],
    ['Infinity', null],
  ])('parseNumeric(%j) = %p', (s, expected) => {
    expect(parseNumeric(s)).toBe(expected);
  });
});

describe('sameValue', () => {
  test.each<[Scalar, Scalar, boolean]>([
    [null, null, true],
    [null, '', true],
    ['  ', null, true],
    [null, 0, false],
    [false, null, false],
    ['a', null, false],
    [12.5, '12.50', true],
    ['12.50', 12.5, true],
    [12, '12', true],
    [12, 12, true],
    [12, 12.01, false],
    [12, '12 apples', false],
    [0, '-0', true],
    [true, 'true', true],
    [true, 'TRUE', true],
    ['False', false, true],
    [true, 'false', false],
    [true, true, true],
    [true, false, false],
    [true, 1, false],
    ['1', true, false],
    ['abc', 'abc', true],
    ['abc', 'ABC', false],
    ['12.50', '12.5', false],
    ['a ', 'a', false],
    ['2024-11-27T10:00:00Z', '2024-11-27T10:00:00.000+0000', true],
    ['2024-11-27T12:00:00+02:00', '2024-11-27T10:00:00.000Z', true],
    ['2024-11-27T10:00:00Z', '2024-11-27T10:00:01.000+0000', false],
    ['2024-11-27', '2024-11-27T00:00:00Z', false],
  ])('sameValue(%j, %j) = %s', (a, b, expected) => {
    expect(sameValue(a, b)).toBe(expected);
  });
});
