import { rateLimitBody, type HubSpotErrorBody } from './errors.js';

export interface RateLimitOptions {
  /** Requests allowed per rolling window (HubSpot private apps: 100 or 190 per 10 s). */
  tenSecondBudget: number;
  /** Length of the rolling window; 10 000 ms as HubSpot, shorter in tests. */
  windowMs: number;
  dailyBudget: number;
  /** The search endpoints' own limit (5 requests/s per account). */
  searchPerSecond: number;
  searchWindowMs: number;
}

export interface RateDecision {
  headers: Record<string, string>;
  /** Set when the request is refused: 429 with this body. */
  refused?: HubSpotErrorBody;
}

/**
 * HubSpot's API limits: a rolling burst window, a daily quota (reset at midnight UTC or by
 * reset()), and the search endpoints' per-second cap. Refused calls are not counted.
 */
export class RateLimiter {
  private window: number[] = [];
  private searches: number[] = [];
  private day = '';
  private daily = 0;
  total = 0;

  constructor(
    readonly opts: RateLimitOptions,
    private readonly groupName: string,
  ) {}

  private prune(now: number): void {
    const from = now - this.opts.windowMs;
    let i = 0;
    while (i < this.window.length && this.window[i]! <= from) i += 1;
    if (i > 0) this.window.splice(0, i);
    const sFrom = now - this.opts.searchWindowMs;
    this.searches = this.searches.filter((t) => t > sFrom);
    const today = new Date(now).toISOString().slice(0, 10);
    if (today !== this.day) {
      this.day = today;
      this.daily = 0;
    }
  }

  private headers(now: number): Record<string, string> {
    const secondly = Math.max(1, Math.floor(this.opts.tenSecondBudget / 10));
    const lastSecond = this.window.filter((t) => t > now - 1000).length;
    return {
      'x-hubspot-ratelimit-daily': String(this.opts.dailyBudget),
      'x-hubspot-ratelimit-daily-remaining': String(
        Math.max(0, this.opts.dailyBudget - this.daily),
      ),
      'x-hubspot-ratelimit-interval-milliseconds': String(this.opts.windowMs),
      'x-hubspot-ratelimit-max': String(this.opts.tenSecondBudget),
      'x-hubspot-ratelimit-remaining': String(
        Math.max(0, this.opts.tenSecondBudget - this.window.length),
      ),
      'x-hubspot-ratelimit-secondly': String(secondly),
      'x-hubspot-ratelimit-secondly-remaining': String(Math.max(0, secondly - lastSecond)),
    };
  }

  /** Counts one call (or refuses it) and returns the headers to send. */
  take(isSearch: boolean, now = Date.now()): RateDecision {
    this.prune(now);
    if (this.daily >= this.opts.dailyBudget) {
      return { headers: this.headers(now), refused: rateLimitBody('DAILY', this.groupName) };
    }
    if (this.window.length >= this.opts.tenSecondBudget) {
      return {
        headers: this.headers(now),
        refused: rateLimitBody('TEN_SECONDLY_ROLLING', this.groupName),
      };
    }
    if (isSearch && this.searches.length >= this.opts.searchPerSecond) {
      return {
        headers: this.headers(now),
        refused: rateLimitBody('SECONDLY', 'publicapi:crm-search'),
      };
    }
    this.window.push(now);
    if (isSearch) this.searches.push(now);
    this.daily += 1;
    this.total += 1;
    return { headers: this.headers(now) };
  }

  reset(): void {
    this.window = [];
    this.searches = [];
    this.daily = 0;
    this.total = 0;
  }
}
