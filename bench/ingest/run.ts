/** One run: fresh database, fresh service, warm-up, measured load, shutdown, count, notes. */
import { mkdirSync, rmSync } from 'node:fs';
import { join, relative } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Args, LoadKind, Mode } from './cli.js';
import { message, randomAlnum, round } from './common.js';
import { fire, lanesFor, type FireStats, type LoadSpec } from './load.js';
import {
  STOP_TIMEOUT_MS,
  cpuSnapshot,
  cpuUse,
  fmtExit,
  freePort,
  killService,
  startService,
  stopService,
  type CpuUse,
  type Service,
  type StopReport,
} from './service.js';
import {
  createDatabase,
  dropDatabase,
  scrapeMetrics,
  storedOnEmbedded,
  storedOnPostgres,
  type ScrapedMetrics,
} from './storage.js';

/** A load's counters without its acked ids and latencies. */
type LoadCounts = Omit<FireStats, 'acked' | 'latency' | 'autocannonLatency'>;

export interface RunResult {
  mode: Mode;
  load: LoadKind;
  offered: string;
  status: 'ok' | 'failed';
  error?: string;
  logPath?: string;
  bootSeconds?: number;
  seconds?: number;
  acceptedPerSec?: number;
  latencyMs?: FireStats['latency'];
  autocannonLatencyMs?: FireStats['autocannonLatency'];
  measured?: LoadCounts;
  warmup?: LoadCounts | null;
  /** 2xx over warm-up and measured run. */
  acked?: number;
  rows?: number;
  /** Acknowledged events whose id is not in inbox_events. */
  lost?: number;
  lostSample?: string[];
  /** Rows whose request got no answer before the load stopped (informational). */
  unacknowledgedRows?: number;
  metrics?: ScrapedMetrics | null;
  cpuCores?: CpuUse;
  stop?: StopReport;
  warnings: string[];
}

function counts(s: FireStats): LoadCounts {
  return {
    seconds: s.seconds,
    ok2xx: s.ok2xx,
    non2xx: s.non2xx,
    errors: s.errors,
    timeouts: s.timeouts,
    statusCodes: s.statusCodes,
    duplicates: s.duplicates,
  };
}

export async function runOnce(
  mode: Mode,
  kind: LoadKind,
  args: Args,
  tmp: string,
  log: (s: string) => void,
): Promise<RunResult> {
  const load: LoadSpec = { kind, rate: args.rate, connections: args.connections };
  const offered =
    kind === 'fixed'
      ? `${args.rate}/s (${lanesFor(load).length} lanes)`
      : `sat c=${args.connections}`;
  const result: RunResult = { mode, load: kind, offered, status: 'ok', warnings: [] };
  const runDir = join(tmp, `${mode}-${kind}`);
  const dataDir = join(runDir, 'data');
  mkdirSync(dataDir, { recursive: true });
  const secret = `whsec_${randomAlnum(32)}`;
  let db: { name: string; url: string } | null = null;
  let svc: Service | null = null;
  try {
    const env: Record<string, string> = { STRIPE_WEBHOOK_SECRET: secret, DATA_DIR: dataDir };
    if (mode === 'postgres') {
      db = await createDatabase(args.adminUrl);
      env.DATABASE_URL = db.url;
    }
    log(`[${mode} ${kind}] starting the service (log ${relative(process.cwd(), runDir)}/...)`);
    svc = await startService(runDir, await freePort(), env);
    result.logPath = svc.logPath;
    result.bootSeconds = round(svc.bootMs / 1000, 2) ?? 0;

    const warm = args.warmup > 0 ? await fire(svc.base, secret, load, args.warmup) : null;
    log(`[${mode} ${kind}] ready in ${result.bootSeconds} s; measuring ${args.duration} s`);
    const before = cpuSnapshot(svc.pid);
    const run = await fire(svc.base, secret, load, args.duration);
    const after = cpuSnapshot(svc.pid);
    result.cpuCores = cpuUse(before, after);
    // Let requests still in flight when the load stopped finish before scraping.
    await sleep(500);
    result.metrics = svc.exit === null ? await scrapeMetrics(svc.base).catch(() => null) : null;
    result.stop = await stopService(svc);
    svc = null;

    const stored = db !== null ? await storedOnPostgres(db.url) : await storedOnEmbedded(dataDir);
    const acked = [...(warm?.acked ?? []), ...run.acked];
    const missing = acked.filter((id) => !stored.ids.has(id));
    const ackedSet = new Set(acked);

    result.seconds = run.seconds;
    result.acceptedPerSec = Math.round(run.ok2xx / run.seconds);
    result.latencyMs = run.latency;
    result.autocannonLatencyMs = run.autocannonLatency;
    result.measured = counts(run);
    result.warmup = warm ? counts(warm) : null;
    result.acked = acked.length;
    result.rows = stored.rows;
    result.lost = missing.length;
    result.lostSample = missing.slice(0, 10);
    result.unacknowledgedRows = [...stored.ids].filter((id) => !ackedSet.has(id)).length;

    // Totals over warm-up and measured run.
    const total = (f: (s: FireStats) => number): number => f(run) + (warm ? f(warm) : 0);
    const w = result.warnings;
    if (ackedSet.size !== acked.length)
      w.push(`${acked.length - ackedSet.size} event ids acked twice`);
    if (missing.length > 0) {
      w.push(`LOST: ${missing.length} acknowledged events not in inbox_events`);
    }
    const nonOk = total((s) => s.non2xx);
    if (nonOk > 0) {
      const merged: Record<string, number> = { ...run.statusCodes };
      for (const [code, n] of Object.entries(warm?.statusCodes ?? {})) {
        merged[code] = (merged[code] ?? 0) + n;
      }
      const codes = Object.entries(merged)
        .filter(([code]) => !code.startsWith('2'))
        .map(([code, n]) => `${code}x${n}`)
        .join(', ');
      const reasons = Object.entries(result.metrics?.rejected ?? {})
        .map(([r, n]) => `${r}=${n}`)
        .join(', ');
      w.push(`${nonOk} non-2xx responses (${codes}); rejected by reason: ${reasons || 'none'}`);
    }
    const errors = total((s) => s.errors);
    if (errors > 0) {
      const timeouts = total((s) => s.timeouts);
      w.push(`${errors} connection errors (${timeouts} of them timeouts after 10 s)`);
    }
    const duplicates = total((s) => s.duplicates);
    if (duplicates > 0) w.push(`${duplicates} unique events answered as duplicate`);
    if (result.metrics && result.metrics.stored < acked.length) {
      w.push(
        `metrics: bridge_webhooks_received_total{outcome="stored"} ${result.metrics.stored} < ${acked.length} acked`,
      );
    }
    if (result.metrics === null) w.push('GET /metrics failed');
    if (result.unacknowledgedRows > 0) {
      w.push(
        `info: ${result.unacknowledgedRows} rows stored for requests still in flight when the load stopped (never acked, not lost)`,
      );
    }
    if (kind === 'fixed' && result.acceptedPerSec < args.rate * 0.95) {
      w.push(`accepted ${result.acceptedPerSec} ev/s of the ${args.rate} ev/s offered`);
    }
    const stop = result.stop;
    if (stop.crashed) w.push(`the service died during the run (${fmtExit(stop)})`);
    else if (stop.killed) w.push(`no exit within ${STOP_TIMEOUT_MS / 1000} s of SIGTERM: killed`);
    else if (stop.code !== 0) {
      w.push(
        `exit after SIGTERM was ${fmtExit(stop)} (not code 0) after ${Math.round(stop.ms)} ms`,
      );
    }
    if (result.bootSeconds > 10) w.push(`slow startup: ${result.bootSeconds} s to ready`);
  } catch (err) {
    result.status = 'failed';
    result.error = message(err);
    if (svc !== null) result.warnings.push(`service log: ${svc.logPath}`);
  } finally {
    if (svc !== null) await killService(svc);
    if (db !== null) {
      await dropDatabase(db.name).catch((err: unknown) =>
        result.warnings.push(`could not drop database ${db?.name}: ${message(err)}`),
      );
    }
    rmSync(dataDir, { recursive: true, force: true });
  }
  return result;
}
