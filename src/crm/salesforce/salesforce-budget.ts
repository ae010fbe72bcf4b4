import { CrmError } from '../crm-connector.js';

/** The org-wide figures of `Sforce-Limit-Info: api-usage=used/limit`. */
export interface ApiUsage {
  used: number;
  limit: number;
}

export interface BudgetOptions {
  /** Share (0–1] of the daily allocation this bridge may use. */
  share: number;
  /** How long to hold calls once the share (or the org's whole limit) is spent. */
  pauseMs?: number;
  now?: () => number;
}

/**
 * Keeps the bridge under its share of the org's rolling 24-hour API allocation. Salesforce
 * reports the org-wide usage on every response, so every replica sees the same figure and the
 * share holds across replicas without coordination. Over the share, calls are held (a retryable
 * error with a wait, so work is delayed, never dropped) except one probe per pause, which
 * learns whether the window has freed up.
 */
export class SalesforceApiBudget {
  private usage: ApiUsage | null = null;
  private pausedUntil = 0;
  private readonly pauseMs: number;
  private readonly now: () => number;

  constructor(private readonly options: BudgetOptions) {
    this.pauseMs = options.pauseMs ?? 5 * 60_000;
    this.now = options.now ?? Date.now;
  }

  get lastUsage(): ApiUsage | null {
    return this.usage;
  }

  observe(usage: ApiUsage | undefined): void {
    if (!usage || !(usage.limit > 0)) return;
    this.usage = usage;
    if (usage.used < this.ceiling(usage)) this.pausedUntil = 0;
  }

  /** Called before each API call; throws when the call must wait. */
  check(): void {
    const now = this.now();
    if (now < this.pausedUntil) throw this.refusal(this.pausedUntil - now);
    if (this.usage && this.usage.used >= this.ceiling(this.usage)) {
      // This call goes through as the probe; the ones after it wait for the next.
      this.pausedUntil = now + this.pauseMs;
    }
  }

  /** Salesforce answered REQUEST_LIMIT_EXCEEDED: the whole org allocation is spent. */
  exceeded(): CrmError {
    this.pausedUntil = this.now() + this.pauseMs;
    return new CrmError(
      'request_limit_exceeded',
      'Salesforce refused the call: the org has used its whole daily API allocation (REQUEST_LIMIT_EXCEEDED); the bridge holds its work and tries again later',
      true,
      this.pauseMs,
    );
  }

  /**
   * How much to stretch the polling interval: 1 while under half the share, then 2, 4, 8, and
   * Infinity (no polling) once it is spent, so polling yields to webhook-driven writes first.
   */
  pollSlowdown(): number {
    if (!this.usage) return 1;
    const fraction = this.usage.used / this.ceiling(this.usage);
    if (fraction < 0.5) return 1;
    if (fraction < 0.75) return 2;
    if (fraction < 0.9) return 4;
    if (fraction < 1) return 8;
    return Number.POSITIVE_INFINITY;
  }

  private ceiling(u: ApiUsage): number {
    return u.limit * this.options.share;
  }

  private refusal(waitMs: number): CrmError {
    const u = this.usage;
    const figures = u ? `${u.used}/${u.limit} calls used in the last 24 h; ` : '';
    return new CrmError(
      'api_budget',
      `Salesforce API budget: ${figures}the bridge keeps under ${Math.round(this.options.share * 100)}% of the org's daily allocation (SALESFORCE_DAILY_API_SHARE), so this call waits`,
      true,
      waitMs,
    );
  }
}
