import { describe, expect, test } from '@jest/globals';
import { CrmError } from '../crm-connector.js';
import {
  HubSpotRateLimiter,
  policyOf,
  type HubSpotRateLimiterOptions,
  type RatePermit,
} from './hubspot-rate-limiter.js';

/**
 * A limiter on a fake clock. A sleep moves the clock to its due time (and runs a hook) once
 * pending promise callbacks have run, as a real timer would.
 */
function setup(options: Partial<HubSpotRateLimiterOptions> = {}) {
  const clock = { t: 1_000_000, sleeps: [] as number[], onSleep: () => {} };
  const limiter = new HubSpotRateLimiter({
    tenSecondBudget: 3,
    now: () => clock.t,
    sleep: (ms) => {
      const due = clock.t + ms;
      return new Promise<void>((resolve) =>
        setImmediate(() => {
          clock.sleeps.push(ms);
          clock.t = Math.max(clock.t, due); // overlapping sleeps do not add up
          clock.onSleep();
          resolve();
        }),
      );
    },
    ...options,
  });
  /** Acquires and answers 200 at the grant time; returns when it was granted. */
  const callAt = async (kind: 'call' | 'search' = 'call') => {
    const permit = await limiter.acquire(kind);
    const at = clock.t;
    limiter.onResponse(200, {}, undefined, permit);
    return at;
  };
  return { clock, limiter, callAt };
}

const DAILY_BODY = { message: 'You have reached your daily limit.', errorType: 'RATE_LIMIT' };

describe('HubSpotRateLimiter', () => {
  test('grants the budget at once, then waits until the oldest answered call leaves the window', async () => {
    const { clock, limiter, callAt } = setup();
    const t0 = clock.t;
    expect([await callAt(), await callAt(), await callAt()]).toEqual([t0, t0, t0]);
    expect(limiter.waitMs('call')).toBe(10_000);
    expect(await callAt()).toBe(t0 + 10_000);
    expect(clock.sleeps).toEqual([10_000]);
  });

  test('dates a slot by its answer, so it never frees before HubSpot frees it', async () => {
    const { clock, limiter, callAt } = setup({ tenSecondBudget: 1 });
    const permit = await limiter.acquire('call');
    clock.t += 700; // the answer takes 700 ms
    limiter.onResponse(200, {}, undefined, permit);
    const answeredAt = clock.t;
    expect(await callAt()).toBe(answeredAt + 10_000);
  });

  test('a call still in flight never expires: the next one waits for its answer', async () => {
    const { clock, limiter } = setup({ tenSecondBudget: 1 });
    const first = await limiter.acquire('call');
    clock.onSleep = () => {
      limiter.onResponse(200, {}, undefined, first);
      clock.onSleep = () => {};
    };
    const start = clock.t;
    await limiter.acquire('call');
    // Slept one window while in flight, was answered then, and waited a window from there.
    expect(clock.t).toBe(start + 20_000);
  });

  test('searches have their own per-second budget; plain calls are not held behind them', async () => {
    const { clock, limiter } = setup({ tenSecondBudget: 100, searchPerSecond: 2 });
    const t0 = clock.t;
    const grants: [string, number][] = [];
    const take = (label: string, kind: 'call' | 'search') =>
      limiter.acquire(kind).then((p: RatePermit) => {
        grants.push([label, clock.t]);
        limiter.onResponse(200, {}, undefined, p);
      });
    await Promise.all([
      take('s1', 'search'),
      take('s2', 'search'),
      take('s3', 'search'),
      take('c1', 'call'),
    ]);
    expect(grants).toEqual([
      ['s1', t0],
      ['s2', t0],
      ['c1', t0],
      ['s3', t0 + 1_000],
    ]);
  });

  test('a burst 429 with Retry-After blocks new calls for that long', async () => {
    const { clock, limiter, callAt } = setup({ tenSecondBudget: 100 });
    const permit = await limiter.acquire('call');
    limiter.onResponse(429, { 'Retry-After': '3' }, { policyName: 'TEN_SECONDLY_ROLLING' }, permit);
    const t = clock.t;
    expect(await callAt()).toBe(t + 3_000);
  });

  test('a burst 429 without Retry-After waits until the oldest call leaves the window, at least 1 s', async () => {
    const long = setup({ tenSecondBudget: 100 });
    const start = long.clock.t;
    await long.callAt();
    const permit = await long.limiter.acquire('call');
    long.clock.t += 2_000;
    long.limiter.onResponse(
      429,
      {},
      { message: 'You have reached your ten_secondly_rolling limit.' },
      permit,
    );
    expect(await long.callAt()).toBe(start + 10_000);

    const short = setup({ tenSecondBudget: 100, windowMs: 200 });
    const p = await short.limiter.acquire('call');
    const t = short.clock.t;
    short.limiter.onResponse(429, {}, { policyName: 'TEN_SECONDLY_ROLLING' }, p);
    expect(await short.callAt()).toBe(t + 1_000);
  });

  test('a secondly 429 (known by its message, as the SDK drops policyName) blocks searches only', async () => {
    const { clock, limiter, callAt } = setup({ tenSecondBudget: 100 });
    const permit = await limiter.acquire('search');
    const t = clock.t;
    limiter.onResponse(429, {}, { message: 'You have reached your secondly limit.' }, permit);
    expect(await callAt('call')).toBe(t);
    expect(await callAt('search')).toBe(t + 1_000);
  });

  test('a daily 429 fails calls fast (queued ones too) until dailyRetryMs has passed', async () => {
    const { clock, limiter, callAt } = setup({ tenSecondBudget: 1, dailyRetryMs: 60_000 });
    const permit = await limiter.acquire('call');
    clock.onSleep = () => {
      // While the queued call waits, the first one comes back with the daily 429.
      limiter.onResponse(429, {}, DAILY_BODY, permit);
      clock.onSleep = () => {};
    };
    const queued = limiter.acquire('call');
    await expect(queued).rejects.toMatchObject({ code: 'rate_limited_daily', retryable: true });

    const err = await limiter.acquire('call').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CrmError);
    expect(err).toMatchObject({ code: 'rate_limited_daily', retryable: true });
    const left = (err as CrmError).retryAfterMs!;
    expect(left).toBeGreaterThan(0);
    expect(left).toBeLessThanOrEqual(60_000);

    clock.t += left;
    await expect(callAt()).resolves.toBe(clock.t);
  });

  test('x-hubspot-ratelimit-daily-remaining: 0 on a success also stops calls', async () => {
    const { limiter } = setup({ dailyRetryMs: 5_000 });
    const permit = await limiter.acquire('call');
    limiter.onResponse(200, { 'x-hubspot-ratelimit-daily-remaining': '0' }, undefined, permit);
    expect(limiter.dailyError()).toMatchObject({ code: 'rate_limited_daily', retryAfterMs: 5_000 });
    await expect(limiter.acquire('search')).rejects.toBeInstanceOf(CrmError);
  });

  test('policyOf reads policyName, else HubSpot’s fixed messages', () => {
    expect(policyOf({ policyName: 'DAILY' })).toBe('DAILY');
    expect(policyOf(DAILY_BODY)).toBe('DAILY');
    expect(policyOf({ message: 'You have reached your secondly limit.' })).toBe('SECONDLY');
    expect(policyOf({ message: 'You have reached your ten_secondly_rolling limit.' })).toBe(
      'TEN_SECONDLY_ROLLING',
    );
    expect(policyOf('not json')).toBe('TEN_SECONDLY_ROLLING');
  });
});
