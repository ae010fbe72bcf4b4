import { createHmac, randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { type Obj } from './stripe-state.js';

export type DeliveryMode = 'normal' | 'duplicate' | 'late' | 'reverse';

export interface DeliveryModeOptions {
  /** `late`: hold each event this long before the first attempt (default 1000 ms). */
  delayMs?: number;
  /** `reverse`: release the buffer (newest first) once it holds this many deliveries. */
  count?: number;
}

export interface DeliveryRecord {
  eventId: string;
  type: string;
  url: string;
  /** HTTP status, or 0 when the connection failed. */
  status: number;
  attempt: number;
}

export interface WebhookEndpointInfo {
  id: string;
  url: string;
  secret: string;
  enabledEvents: string[];
  status: 'enabled' | 'disabled';
}

export interface DeliveryOptions {
  /** Waits before retry 1, 2, …; attempts = length + 1. Default 50/200/500 ms. */
  retryDelaysMs?: number[];
  /** Per-attempt timeout. */
  timeoutMs?: number;
}

interface Job {
  endpoint: WebhookEndpointInfo;
  event: Obj;
}

/** `t=<unix>,v1=<hex HMAC-SHA256("<t>.<payload>")>`: what Stripe.webhooks.constructEvent checks. */
export function signPayload(
  payload: string,
  secret: string,
  timestamp = Math.floor(Date.now() / 1000),
): string {
  const v1 = createHmac('sha256', secret).update(`${timestamp}.${payload}`, 'utf8').digest('hex');
  return `t=${timestamp},v1=${v1}`;
}

export const newWebhookSecret = (): string => `whsec_${randomBytes(24).toString('hex')}`;

const matchesEvent = (enabled: string[], type: string): boolean =>
  enabled.some(
    (e) => e === '*' || e === type || (e.endsWith('.*') && type.startsWith(e.slice(0, -1))),
  );

/**
 * Signed, asynchronous webhook delivery with retries and test modes (duplicate, late,
 * reverse). Never blocks the API response: `dispatch` only schedules work.
 */
export class WebhookDelivery {
  private mode: DeliveryMode = 'normal';
  private modeOpts: DeliveryModeOptions = {};
  private readonly pending = new Set<Promise<void>>();
  private buffer: Job[] = [];
  private log: DeliveryRecord[] = [];
  private generation = 0;

  constructor(
    private readonly options: DeliveryOptions = {},
    private readonly onDelivered: (eventId: string) => void = () => undefined,
  ) {}

  setMode(mode: DeliveryMode, opts: DeliveryModeOptions = {}): void {
    this.mode = mode;
    this.modeOpts = opts;
  }

  get currentMode(): DeliveryMode {
    return this.mode;
  }

  deliveries(): DeliveryRecord[] {
    return [...this.log];
  }

  /** How many endpoints will receive the event (for `pending_webhooks`). */
  targets(endpoints: WebhookEndpointInfo[], type: string): WebhookEndpointInfo[] {
    return endpoints.filter((e) => e.status === 'enabled' && matchesEvent(e.enabledEvents, type));
  }

  dispatch(endpoints: WebhookEndpointInfo[], event: Obj): void {
    for (const endpoint of endpoints) {
      const job = { endpoint, event };
      switch (this.mode) {
        case 'normal':
          this.track(this.deliver(job));
          break;
        case 'duplicate':
          this.track(this.deliver(job));
          this.track(this.deliver(job));
          break;
        case 'late':
          this.track(sleep(this.modeOpts.delayMs ?? 1000).then(() => this.deliver(job)));
          break;
        case 'reverse':
          this.buffer.push(job);
          if (this.modeOpts.count !== undefined && this.buffer.length >= this.modeOpts.count) {
            this.releaseBuffer();
          }
          break;
      }
    }
  }

  /** Releases any reverse-mode buffer and waits until nothing is in flight. */
  async flush(): Promise<void> {
    this.releaseBuffer();
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
  }

  /** Drops buffered and in-flight work (in-flight attempts finish but are not logged). */
  reset(): void {
    this.generation += 1;
    this.buffer = [];
    this.log = [];
    this.mode = 'normal';
    this.modeOpts = {};
  }

  private releaseBuffer(): void {
    const jobs = this.buffer.reverse();
    this.buffer = [];
    if (jobs.length === 0) return;
    // One after the other, newest first: the receiver sees them out of order.
    this.track(
      jobs.reduce<Promise<void>>(
        (chain, job) => chain.then(() => this.deliver(job)),
        Promise.resolve(),
      ),
    );
  }

  private track(p: Promise<void>): void {
    const tracked = p.catch(() => undefined).finally(() => this.pending.delete(tracked));
    this.pending.add(tracked);
  }

  private async deliver({ endpoint, event }: Job): Promise<void> {
    const generation = this.generation;
    const payload = JSON.stringify(event, null, 2);
    const delays = this.options.retryDelaysMs ?? [50, 200, 500];
    for (let attempt = 1; attempt <= delays.length + 1; attempt += 1) {
      let status: number;
      try {
        const res = await fetch(endpoint.url, {
          method: 'POST',
          headers: {
            'content-type': 'application/json; charset=utf-8',
            'user-agent': 'Stripe/1.0 (+https://stripe.com/docs/webhooks)',
            'stripe-signature': signPayload(payload, endpoint.secret),
          },
          body: payload,
          signal: AbortSignal.timeout(this.options.timeoutMs ?? 5000),
        });
        status = res.status;
        await res.arrayBuffer().catch(() => undefined);
      } catch {
        status = 0;
      }
      if (generation !== this.generation) return;
      this.log.push({
        eventId: String(event.id),
        type: String(event.type),
        url: endpoint.url,
        status,
        attempt,
      });
      if (status >= 200 && status < 300) {
        this.onDelivered(String(event.id));
        return;
      }
      const wait = delays[attempt - 1];
      if (wait === undefined) return;
      await sleep(wait);
    }
  }
}
