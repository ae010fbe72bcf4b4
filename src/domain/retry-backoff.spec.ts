import { describe, expect, test } from '@jest/globals';
import { retryDelayMs, shouldDeadLetter } from './retry-backoff.js';

const opts = { baseMs: 1000, maxMs: 60_000 };

describe('retryDelayMs', () => {
  test.each<[number, number, number | undefined, number]>([
    // attempt, random, retryAfterMs, expected
    [1, 0, undefined, 500],
    [1, 0.5, undefined, 750],
    [1, 1, undefined, 1000],
    [2, 0, undefined, 1000],
    [2, 1, undefined, 2000],
    [3, 0.5, undefined, 3000],
    [6, 1, undefined, 32_000],
    [7, 1, undefined, 60_000],
    [7, 0, undefined, 32_000],
    [50, 0, undefined, 60_000],
    [5000, 0.3, undefined, 60_000],
    [0, 1, undefined, 1000],
    [-3, 1, undefined, 1000],
    [1, 0.5, 5000, 5000],
    [3, 0.5, 1000, 3000],
    [1, 0, 3_600_000, 60_000],
    [1, 0, Number.NaN, 500],
    [1, 1.7, undefined, 1000],
    [1, -1, undefined, 500],
    [1, 0.3333, undefined, 667],
  ])('attempt %i with random %d, Retry-After %p → %i ms', (attempt, r, retryAfter, expected) => {
    expect(retryDelayMs(attempt, opts, () => r, retryAfter)).toBe(expected);
  });
});

describe('shouldDeadLetter', () => {
  test.each<[number, number, boolean]>([
    [0, 5, false],
    [4, 5, false],
    [5, 5, true],
    [6, 5, true],
    [1, 1, true],
  ])('%i attempts of %i → %s', (attempts, max, expected) => {
    expect(shouldDeadLetter(attempts, max)).toBe(expected);
  });
});
