import { describe, expect, test } from '@jest/globals';
import { PageWindow } from './page-window.js';

describe('PageWindow: the resume cursor only passes pages whose predecessors are committed', () => {
  test.each([
    [
      'in order',
      [
        [0, 'a'],
        [1, 'b'],
        [2, 'c'],
      ],
      ['a', 'b', 'c'],
    ],
    [
      'out of order',
      [
        [1, 'b'],
        [0, 'a'],
        [2, 'c'],
      ],
      ['start', 'b', 'c'],
    ],
    [
      'a late first page holds the cursor back',
      [
        [2, 'c'],
        [1, 'b'],
        [0, 'a'],
      ],
      ['start', 'start', 'c'],
    ],
  ] as const)('%s', (_name, completions, cursors) => {
    const w = new PageWindow('start');
    expect(completions.map(([seq, id]) => w.complete(seq, id))).toEqual(cursors);
  });

  test('an empty page keeps the previous cursor', () => {
    const w = new PageWindow(null);
    expect(w.complete(0, 'a')).toBe('a');
    expect(w.complete(1, null)).toBe('a');
  });
});
