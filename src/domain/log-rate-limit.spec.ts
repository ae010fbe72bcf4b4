import { describe, expect, test } from '@jest/globals';
import { decideLog, type LogWindow } from './log-rate-limit.js';

const WINDOW = 10_000;

describe('decideLog', () => {
  test.each<[string, LogWindow | undefined, number, boolean, number | undefined, LogWindow]>([
    // label, previous window, now, log?, suppressed reported, next window
    ['the first line of its kind', undefined, 5_000, true, 0, { loggedAt: 5_000, suppressed: 0 }],
    [
      'a second one at once',
      { loggedAt: 5_000, suppressed: 0 },
      5_000,
      false,
      undefined,
      { loggedAt: 5_000, suppressed: 1 },
    ],
    [
      'one more inside the window',
      { loggedAt: 5_000, suppressed: 1 },
      14_999,
      false,
      undefined,
      { loggedAt: 5_000, suppressed: 2 },
    ],
    [
      'the first after the window, counting the left-out',
      { loggedAt: 5_000, suppressed: 2 },
      15_000,
      true,
      2,
      { loggedAt: 15_000, suppressed: 0 },
    ],
    [
      'long after, nothing left out',
      { loggedAt: 5_000, suppressed: 0 },
      900_000,
      true,
      0,
      { loggedAt: 900_000, suppressed: 0 },
    ],
    [
      'a clock that went backwards',
      { loggedAt: 5_000, suppressed: 3 },
      1_000,
      true,
      3,
      { loggedAt: 1_000, suppressed: 0 },
    ],
  ])('%s', (_label, prev, now, log, suppressed, next) => {
    const d = decideLog(prev, now, WINDOW);
    expect(d.log).toBe(log);
    if (d.log) expect(d.suppressed).toBe(suppressed);
    expect(d.next).toEqual(next);
  });

  test('a burst of 1,000 in one window writes one line, and the next says 999', () => {
    let state: LogWindow | undefined;
    let written = 0;
    for (let i = 0; i < 1000; i++) {
      const d = decideLog(state, 100 + i, WINDOW);
      if (d.log) written++;
      state = d.next;
    }
    expect(written).toBe(1);
    const after = decideLog(state, 100 + WINDOW, WINDOW);
    expect(after).toMatchObject({ log: true, suppressed: 999 });
  });
});
