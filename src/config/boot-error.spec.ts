import { describe, expect, it } from '@jest/globals';
import { describeBootError } from './boot-error.js';
import { ConfigError } from './config.error.js';

const URL_WITH_PASSWORD = 'postgres://app:hunter2@db.internal:6543/bridge';

describe('describeBootError', () => {
  it.each([
    [
      { code: 'ECONNREFUSED', message: 'connect ECONNREFUSED' },
      /DATABASE_URL: .*db\.internal:6543\/bridge: nothing is listening/,
    ],
    [
      { code: '28P01', message: 'password authentication failed' },
      /DATABASE_URL: .*password was rejected/,
    ],
    [
      { code: '3D000', message: 'database "bridge" does not exist' },
      /DATABASE_URL: .*does not exist/,
    ],
  ])('names DATABASE_URL for %j and hides the password', (err, expected) => {
    const text = describeBootError(Object.assign(new Error(err.message), err), {
      DATABASE_URL: URL_WITH_PASSWORD,
    });
    expect(text).toMatch(expected);
    expect(text).not.toContain('hunter2');
  });

  it('names PORT when the port is taken', () => {
    const err = Object.assign(new Error('listen EADDRINUSE: address already in use'), {
      code: 'EADDRINUSE',
    });
    expect(describeBootError(err, { PORT: '3000' })).toMatch(
      /^Cannot start: PORT: cannot listen on port 3000/,
    );
  });

  it('passes configuration problems through, one per line', () => {
    const text = describeBootError(new ConfigError(['A: x', 'B: y']), {});
    expect(text.split('\n')).toEqual(['Invalid configuration:', '  - A: x', '  - B: y']);
  });
});
