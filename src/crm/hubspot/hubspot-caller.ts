import { withTimeout } from '../../common/with-timeout.js';
import { CrmError } from '../crm-connector.js';
import { errorFields, httpFailure, rejected } from './hubspot-errors.js';
import { policyOf, type CallKind, type HubSpotRateLimiter } from './hubspot-rate-limiter.js';

/** What the SDK's `…WithHttpInfo` methods resolve to (status and headers on success too). */
export interface HttpInfoLike<T> {
  httpStatusCode: number;
  headers: Record<string, string>;
  data: T;
}

export interface HubSpotLogger {
  warn(obj: object, msg: string): void;
}

export interface HubSpotCallerOptions {
  /** Attempts for a call that fails with 5xx or no answer. */
  maxAttempts: number;
  /** First backoff after a 5xx or network error; doubles per attempt. */
  retryDelayMs: number;
  /** Longest wait for one answer; then the call counts as a network failure. */
  timeoutMs: number;
  /** Refusals for the burst/search limits tolerated per call before giving up. */
  maxRateLimitRetries: number;
  sleep: (ms: number) => Promise<void>;
  logger?: HubSpotLogger;
}

/**
 * Sends one HubSpot call through the rate limiter and retries what is worth retrying: 429s for
 * the burst and search limits (after the wait the limiter imposes) and 5xx/network failures
 * (with backoff). A daily 429 fails at once; other 4xx are final. The SDK's own retry is off.
 */
export class HubSpotCaller {
  constructor(
    private readonly limiter: HubSpotRateLimiter,
    private readonly options: HubSpotCallerOptions,
  ) {}

  async call<T>(kind: CallKind, what: string, send: () => Promise<HttpInfoLike<T>>): Promise<T> {
    let failures = 0;
    let refusals = 0;
    for (;;) {
      const permit = await this.limiter.acquire(kind);
      try {
        const ms = this.options.timeoutMs;
        const res = await withTimeout(
          send(),
          ms,
          () => new Error(`${what}: no answer within ${ms} ms`),
        );
        this.limiter.onResponse(res.httpStatusCode, res.headers, undefined, permit);
        return res.data;
      } catch (err) {
        const failure = httpFailure(err);
        this.limiter.onResponse(
          failure?.status ?? 0,
          failure?.headers ?? {},
          failure?.body,
          permit,
        );
        if (failure?.status === 429) {
          if (policyOf(failure.body) === 'DAILY')
            throw this.limiter.dailyError() ?? dailyFallback();
          refusals += 1;
          this.warn({ what, status: 429, refusals }, 'HubSpot refused a call for its rate limit');
          if (refusals > this.options.maxRateLimitRetries) {
            const msg = `${what}: still rate limited after ${refusals} refusals`;
            throw new CrmError('rate_limited', msg, true, this.limiter.waitMs(kind));
          }
          continue;
        }
        if (failure && failure.status < 500) throw rejected(failure, what);
        failures += 1;
        const reason = failure
          ? (errorFields(failure.body).message ?? `HTTP ${failure.status}`)
          : err instanceof Error
            ? err.message
            : String(err);
        if (failures >= this.options.maxAttempts) {
          const code = failure ? 'server_error' : 'network_error';
          const msg = `${what}: ${reason} (after ${failures} attempts)`;
          throw new CrmError(code, msg, true);
        }
        const delay = this.options.retryDelayMs * 2 ** (failures - 1);
        this.warn(
          { what, status: failure?.status, attempt: failures, delay },
          `HubSpot call failed: ${reason}`,
        );
        await this.options.sleep(delay);
      }
    }
  }

  private warn(obj: object, msg: string): void {
    this.options.logger?.warn(obj, msg);
  }
}

/** The limiter always has a daily error right after a daily 429; this only satisfies types. */
const dailyFallback = () =>
  new CrmError('rate_limited_daily', 'HubSpot daily API limit reached', true);
