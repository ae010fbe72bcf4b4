import { CrmError } from '../crm-connector.js';

export type CallKind = 'call' | 'search';

export interface HubSpotRateLimiterOptions {
  /** Calls allowed per rolling window (HubSpot private apps: 100 or 190 per 10 s). */
  tenSecondBudget: number;
  /** Length of the rolling window. Default 10 000 ms, as HubSpot. */
  windowMs?: number;
  /** Search requests per second. Default 4: HubSpot allows 5, one is kept as margin. */
  searchPerSecond?: number;
  /** How long to stop calling after the daily limit is hit. Default 15 minutes. */
  dailyRetryMs?: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

/** One sent call's place in a window. */
interface Slot {
  at: number;
  /** In flight: HubSpot may count it any time until it answers, so it does not expire yet. */
  pending: boolean;
}

/** A granted call; hand it back to `onResponse` so its slots are dated by the answer. */
export interface RatePermit {
  readonly kind: CallKind;
  readonly slots: readonly Slot[];
}

interface Waiter {
  kind: CallKind;
  resolve: (permit: RatePermit) => void;
  reject: (err: CrmError) => void;
}

type Policy = 'TEN_SECONDLY_ROLLING' | 'SECONDLY' | 'DAILY';

const SEARCH_WINDOW_MS = 1_000;
/** HubSpot's 429s without Retry-After: wait at least this long before calling again. */
const MIN_BLOCK_MS = 1_000;

/**
 * Client-side view of HubSpot's limits, so calls the budget would refuse are not sent: a rolling
 * window of calls, the search endpoints' per-second cap, and the daily quota. Waiters are served
 * in order per kind. A slot is re-dated when its answer arrives: HubSpot counted the call at
 * some moment between sending and answering, so dating it by the answer never frees a slot
 * before HubSpot does.
 */
export class HubSpotRateLimiter {
  private readonly budget: number;
  private readonly windowMs: number;
  private readonly searchBudget: number;
  private readonly dailyRetryMs: number;
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;
  private calls: Slot[] = [];
  private searches: Slot[] = [];
  private blockedUntil = 0;
  private searchBlockedUntil = 0;
  private dailyBlockedUntil = 0;
  private queue: Waiter[] = [];
  private pumping = false;
  /** Ends the pump's current sleep early: a new waiter may be able to go at once. */
  private wake: (() => void) | null = null;

  constructor(options: HubSpotRateLimiterOptions) {
    this.budget = options.tenSecondBudget;
    this.windowMs = options.windowMs ?? 10_000;
    this.searchBudget = options.searchPerSecond ?? 4;
    this.dailyRetryMs = options.dailyRetryMs ?? 15 * 60_000;
    this.now = options.now ?? Date.now;
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    if (this.budget < 1 || this.searchBudget < 1) throw new RangeError('budgets must be >= 1');
  }

  /**
   * Waits until the call fits every budget, then counts it. Rejects at once with a retryable
   * CrmError('rate_limited_daily') while the daily limit is in force.
   */
  acquire(kind: CallKind): Promise<RatePermit> {
    const daily = this.dailyError();
    if (daily) return Promise.reject(daily);
    return new Promise<RatePermit>((resolve, reject) => {
      this.queue.push({ kind, resolve, reject });
      if (this.pumping) this.wake?.();
      else void this.pump();
    });
  }

  /** Feeds an answer (any status) back: re-dates the call's slots and applies 429s. */
  onResponse(status: number, headers: Record<string, string>, body: unknown, permit?: RatePermit) {
    const now = this.now();
    for (const slot of permit?.slots ?? []) {
      slot.at = now;
      slot.pending = false;
    }
    const policy = status === 429 ? policyOf(body) : null;
    if (policy === 'DAILY' || header(headers, 'x-hubspot-ratelimit-daily-remaining') === '0') {
      this.dailyBlockedUntil = now + this.dailyRetryMs;
      const err = this.dailyError()!;
      for (const waiter of this.queue.splice(0)) waiter.reject(err);
      return;
    }
    if (policy === null) return;
    const retryAfter = retryAfterMs(header(headers, 'retry-after'), now);
    const search = policy === 'SECONDLY';
    const slots = search ? this.searches : this.calls;
    const window = search ? SEARCH_WINDOW_MS : this.windowMs;
    const oldest = Math.min(...slots.map((s) => (s.pending ? now : s.at)));
    const until =
      retryAfter !== null
        ? now + retryAfter
        : Math.max(now + MIN_BLOCK_MS, Number.isFinite(oldest) ? oldest + window : 0);
    if (search) this.searchBlockedUntil = Math.max(this.searchBlockedUntil, until);
    else this.blockedUntil = Math.max(this.blockedUntil, until);
  }

  /** The error calls fail with while the daily limit is in force, else null. */
  dailyError(): CrmError | null {
    const left = this.dailyBlockedUntil - this.now();
    if (left <= 0) return null;
    const until = new Date(this.dailyBlockedUntil).toISOString();
    const msg = `HubSpot daily API limit reached; no calls until ${until}`;
    return new CrmError('rate_limited_daily', msg, true, left);
  }

  /** How long until a call of this kind may be sent (0: now). */
  waitMs(kind: CallKind, now = this.now()): number {
    this.prune(now);
    let wait = this.blockedUntil - now;
    wait = Math.max(wait, this.fullFor(this.calls, this.budget, this.windowMs, now));
    if (kind === 'search') {
      wait = Math.max(wait, this.searchBlockedUntil - now);
      wait = Math.max(wait, this.fullFor(this.searches, this.searchBudget, SEARCH_WINDOW_MS, now));
    }
    return Math.max(0, wait);
  }

  /** Serves waiters in order per kind; sleeps only when none of them can go. */
  private async pump(): Promise<void> {
    if (this.pumping) return;
    this.pumping = true;
    try {
      while (this.queue.length > 0) {
        const now = this.now();
        let shortest = Infinity;
        const blockedKinds = new Set<CallKind>();
        for (const waiter of [...this.queue]) {
          if (blockedKinds.has(waiter.kind)) continue; // keep FIFO within a kind
          const wait = this.waitMs(waiter.kind, now);
          if (wait > 0) {
            blockedKinds.add(waiter.kind);
            shortest = Math.min(shortest, wait);
            continue;
          }
          this.queue.splice(this.queue.indexOf(waiter), 1);
          waiter.resolve(this.grant(waiter.kind, now));
        }
        if (this.queue.length === 0) break;
        const woken = new Promise<void>((resolve) => (this.wake = resolve));
        await Promise.race([this.sleep(shortest), woken]);
        this.wake = null;
      }
    } finally {
      this.pumping = false;
    }
  }

  private grant(kind: CallKind, now: number): RatePermit {
    const call: Slot = { at: now, pending: true };
    this.calls.push(call);
    if (kind === 'call') return { kind, slots: [call] };
    const search: Slot = { at: now, pending: true };
    this.searches.push(search);
    return { kind, slots: [call, search] };
  }

  private prune(now: number): void {
    const live = (window: number) => (s: Slot) => s.pending || s.at + window > now;
    this.calls = this.calls.filter(live(this.windowMs));
    this.searches = this.searches.filter(live(SEARCH_WINDOW_MS));
  }

  /** 0 if a slot is free, else until the earliest answered slot leaves the window. */
  private fullFor(slots: Slot[], budget: number, window: number, now: number): number {
    if (slots.length < budget) return 0;
    // With every slot still in flight, nothing frees before an answer: look again a window on.
    const earliest = Math.min(...slots.map((s) => (s.pending ? now + window : s.at + window)));
    return Math.max(1, earliest - now);
  }
}

function header(headers: Record<string, string>, name: string): string | undefined {
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() === name) return value;
  }
  return undefined;
}

/** Retry-After in seconds or as an HTTP date; null when absent or unreadable. */
function retryAfterMs(value: string | undefined, now: number): number | null {
  if (value === undefined || value.trim() === '') return null;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const at = Date.parse(value);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}

/**
 * Which limit a 429 is about. HubSpot names it in `policyName`; the SDK's error model drops
 * that field, so the message (fixed texts) is the fallback. Unknown 429s count as the burst one.
 */
export function policyOf(body: unknown): Policy {
  const b = body !== null && typeof body === 'object' ? (body as Record<string, unknown>) : {};
  const name = typeof b.policyName === 'string' ? b.policyName : '';
  if (name === 'DAILY' || name === 'SECONDLY' || name === 'TEN_SECONDLY_ROLLING') return name;
  const message = typeof b.message === 'string' ? b.message.toLowerCase() : '';
  if (message.includes('daily')) return 'DAILY';
  if (message.includes('secondly') && !message.includes('ten_secondly')) return 'SECONDLY';
  return 'TEN_SECONDLY_ROLLING';
}
