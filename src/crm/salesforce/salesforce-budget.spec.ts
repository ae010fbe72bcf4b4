import { describe, expect, it } from '@jest/globals';
import { CrmError } from '../crm-connector.js';
import { SalesforceApiBudget } from './salesforce-budget.js';

const at = () => {
  let t = 1_000_000;
  return { now: () => t, advance: (ms: number) => (t += ms) };
};

describe('SalesforceApiBudget', () => {
  it('lets calls through under the share and slows polling as usage nears it', () => {
    const clock = at();
    const b = new SalesforceApiBudget({ share: 0.5, pauseMs: 1000, now: clock.now });
    expect(b.pollSlowdown()).toBe(1);
    const slowdowns = [100, 260, 380, 460, 500].map((used) => {
      b.observe({ used, limit: 1000 });
      return b.pollSlowdown();
    });
    expect(slowdowns).toEqual([1, 2, 4, 8, Number.POSITIVE_INFINITY]);
    b.observe({ used: 499, limit: 1000 });
    expect(() => b.check()).not.toThrow();
    expect(() => b.check()).not.toThrow();
  });

  it('over the share, lets one probe through per pause and holds the rest with a wait', () => {
    const clock = at();
    const b = new SalesforceApiBudget({ share: 0.5, pauseMs: 1000, now: clock.now });
    b.observe({ used: 500, limit: 1000 });
    expect(() => b.check()).not.toThrow();
    let held: unknown;
    try {
      b.check();
    } catch (err) {
      held = err;
    }
    expect(held).toBeInstanceOf(CrmError);
    expect(held).toMatchObject({ code: 'api_budget', retryable: true, retryAfterMs: 1000 });
    expect((held as Error).message).toContain('500/1000');
    expect((held as Error).message).toContain('SALESFORCE_DAILY_API_SHARE');
    clock.advance(1000);
    expect(() => b.check()).not.toThrow();
    // The probe's answer shows the rolling window freed up: calls flow again.
    b.observe({ used: 420, limit: 1000 });
    expect(() => b.check()).not.toThrow();
    expect(() => b.check()).not.toThrow();
  });

  it('after REQUEST_LIMIT_EXCEEDED holds every call for the pause', () => {
    const clock = at();
    const b = new SalesforceApiBudget({ share: 1, pauseMs: 5000, now: clock.now });
    const err = b.exceeded();
    expect(err).toMatchObject({ code: 'request_limit_exceeded', retryable: true });
    expect(() => b.check()).toThrow(/API budget/);
    clock.advance(5000);
    expect(() => b.check()).not.toThrow();
  });

  it('ignores a header without a limit', () => {
    const b = new SalesforceApiBudget({ share: 0.5 });
    b.observe({ used: 10, limit: 0 });
    expect(b.lastUsage).toBeNull();
    expect(b.pollSlowdown()).toBe(1);
  });
});
