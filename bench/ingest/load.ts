/** The load: autocannon in this process, fixed-rate lanes or saturation, and its statistics. */
import autocannon from 'autocannon';
import { setTimeout as sleep } from 'node:timers/promises';
import type { LoadKind } from './cli.js';
import { message, round } from './common.js';
import { signedEvent } from './events.js';

export const WEBHOOK_PATH = '/webhooks/stripe';
/** Fixed-rate load is spread over this many single-connection lanes with staggered phases. */
export const FIXED_LANES = 100;

export interface LoadSpec {
  kind: LoadKind;
  /** fixed: events/s offered. */
  rate: number;
  /** saturation: concurrent connections, pipelining 1. */
  connections: number;
}

interface Lane {
  delayMs: number;
  connections: number;
  overallRate?: number;
}

export interface FireStats {
  seconds: number;
  ok2xx: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  statusCodes: Record<string, number>;
  /** Event ids of every 2xx response, in order. */
  acked: string[];
  /** 2xx answers saying the event was a duplicate (every event is unique: must be 0). */
  duplicates: number;
  latency: {
    p50: number | null;
    p99: number | null;
    max: number | null;
    mean: number | null;
  };
  /** autocannon's own (integer ms) histogram, for the saturation run. */
  autocannonLatency: { p50: number; p99: number } | null;
}

interface AckContext {
  eventId?: string;
}

const activeLoads = new Set<autocannon.Instance>();

/** On interrupt: stop every autocannon instance still firing. */
export function stopAllLoads(): void {
  for (const instance of activeLoads) instance.stop();
}

/**
 * autocannon's rate limit lets each connection send its per-second quota back to back at the
 * start of every second it measures from its creation, so a single instance at overallRate
 * 1000 fires all connections in one burst per second. Single-connection lanes created with
 * phases staggered across the second spread the same overallRate evenly.
 */
export function lanesFor(load: LoadSpec): Lane[] {
  if (load.kind === 'saturation') return [{ delayMs: 0, connections: load.connections }];
  const lanes = Math.min(FIXED_LANES, load.rate);
  return Array.from({ length: lanes }, (_, i) => ({
    delayMs: Math.round((i * 1000) / lanes),
    connections: 1,
    overallRate: Math.floor(load.rate / lanes) + (i < load.rate % lanes ? 1 : 0),
  }));
}

function runAutocannon(opts: autocannon.Options, latencies: number[]): Promise<autocannon.Result> {
  return new Promise((resolve, reject) => {
    // autocannon reports invalid options by calling back before it returns the instance.
    let instance: autocannon.Instance | undefined = undefined;
    instance = autocannon(opts, (err: unknown, result: autocannon.Result) => {
      if (instance !== undefined) activeLoads.delete(instance);
      if (err) reject(new Error(`autocannon: ${message(err)}`));
      else resolve(result);
    });
    activeLoads.add(instance);
    instance.on('response', (_client, statusCode, _bytes, responseTime) => {
      if (statusCode >= 200 && statusCode < 300) latencies.push(responseTime);
    });
  });
}

function percentile(sorted: Float64Array, q: number): number | null {
  if (sorted.length === 0) return null;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[i] ?? null;
}

export async function fire(
  base: string,
  secret: string,
  load: LoadSpec,
  seconds: number,
): Promise<FireStats> {
  const acked: string[] = [];
  const latencies: number[] = [];
  let duplicates = 0;
  // With pipelining 1 each connection has one request in flight, so the context (one per
  // connection, renewed per request) names the event its response acknowledges.
  const requests: autocannon.Request[] = [
    {
      setupRequest: (req, context) => {
        const ev = signedEvent(secret);
        (context as AckContext).eventId = ev.id;
        return {
          ...req,
          method: 'POST',
          path: WEBHOOK_PATH,
          headers: { 'content-type': 'application/json', 'stripe-signature': ev.signature },
          body: ev.body,
        };
      },
      onResponse: (status, body, context) => {
        if (status < 200 || status >= 300) return;
        const id = (context as AckContext).eventId;
        if (id !== undefined) acked.push(id);
        if (body.includes('"duplicate":true')) duplicates += 1;
      },
    },
  ];
  const results = await Promise.all(
    lanesFor(load).map(async (lane) => {
      await sleep(lane.delayMs);
      return runAutocannon(
        {
          url: `${base}${WEBHOOK_PATH}`,
          method: 'POST',
          connections: lane.connections,
          pipelining: 1,
          duration: seconds,
          timeout: 10,
          requests,
          // Each latency is the time from writing a request to its full response: autocannon's
          // correction for rate-limited runs would add made-up samples (1 ms apart) instead.
          ...(lane.overallRate !== undefined
            ? { overallRate: lane.overallRate, ignoreCoordinatedOmission: true }
            : {}),
        },
        latencies,
      );
    }),
  );
  const statusCodes: Record<string, number> = {};
  for (const r of results) {
    for (const [code, stat] of Object.entries(r.statusCodeStats ?? {})) {
      statusCodes[code] = (statusCodes[code] ?? 0) + (stat.count ?? 0);
    }
  }
  const sum = (f: (r: autocannon.Result) => number): number =>
    results.reduce((acc, r) => acc + f(r), 0);
  const sorted = Float64Array.from(latencies).sort();
  const only = results.length === 1 ? results[0] : undefined;
  return {
    // Lanes each run `seconds`; one instance reports its own measured duration.
    seconds: only?.duration ?? seconds,
    ok2xx: sum((r) => r['2xx']),
    non2xx: sum((r) => r.non2xx),
    errors: sum((r) => r.errors),
    timeouts: sum((r) => r.timeouts),
    statusCodes,
    acked,
    duplicates,
    latency: {
      p50: round(percentile(sorted, 0.5), 2),
      p99: round(percentile(sorted, 0.99), 2),
      max: round(sorted.length > 0 ? (sorted[sorted.length - 1] ?? null) : null, 2),
      mean: round(sorted.length > 0 ? sorted.reduce((a, b) => a + b, 0) / sorted.length : null, 2),
    },
    autocannonLatency: only ? { p50: only.latency.p50, p99: only.latency.p99 } : null,
  };
}
