/**
 * Ingest benchmark (`npm run bench:ingest`): signed Stripe webhooks fired by autocannon from
 * this process at a fresh `node dist/main.js` child, on real Postgres and on the embedded
 * database, at a fixed rate and at saturation. Reports events/s acknowledged, ack latency, and
 * whether every acknowledged event is in `inbox_events` afterwards (lost must be 0).
 *
 *   npm run bench:ingest -- [--duration 20] [--only postgres|embedded] [--load fixed|saturation]
 *                           [--rate 1000] [--connections 100] [--warmup 2]
 *
 * Env: BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres) is where a fresh
 * database is created and dropped per Postgres run. DATABASE_POOL_SIZE, NODE_OPTIONS and
 * UV_THREADPOOL_SIZE are passed through to the service when set; nothing else is inherited.
 *
 * Exits 1 when an acknowledged event is missing or a run fails; missed performance targets are
 * reported (PASS/MISS) but do not fail it.
 *
 * The parts live in ingest/: cli (options), events (signed bodies), service (the child process
 * and CPU), load (autocannon), storage (databases, stored rows, metrics), run (one run), report.
 */
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { USAGE, parseCli } from './ingest/cli.js';
import { BenchError } from './ingest/common.js';
import { stopAllLoads } from './ingest/load.js';
import { describeMachine, report } from './ingest/report.js';
import { runOnce, type RunResult } from './ingest/run.js';
import { MAIN_JS, killAllServices, stopAllServices } from './ingest/service.js';
import { dropPendingDatabases } from './ingest/storage.js';

async function cleanupAndExit(code: number): Promise<never> {
  stopAllLoads();
  await stopAllServices(5_000);
  await Promise.race([dropPendingDatabases(), sleep(5_000)]);
  process.exit(code);
}

async function main(): Promise<number> {
  const args = parseCli(process.argv.slice(2));
  if (args === null) {
    console.log(USAGE);
    return 0;
  }
  if (!existsSync(MAIN_JS)) throw new BenchError(`${MAIN_JS} is missing: run npm run build`);

  const startedAt = new Date();
  const tmp = mkdtempSync(join(tmpdir(), 'bridge-bench-'));
  const log = (s: string): void => void process.stderr.write(`${s}\n`);
  const machine = await describeMachine(args);
  const command = `npm run bench:ingest${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`;
  log(
    `ingest bench: ${args.modes.join(' + ')}, ${args.loads.join(' + ')}, ${args.duration} s each`,
  );

  const results: RunResult[] = [];
  for (const mode of args.modes) {
    for (const load of args.loads) results.push(await runOnce(mode, load, args, tmp, log));
  }
  console.log(report({ startedAt, command, machine, args, results, logs: tmp }));

  const failed = results.some((r) => r.status === 'failed');
  const lost = results.some((r) => (r.lost ?? 0) > 0);
  return failed || lost ? 1 : 0;
}

process.on('SIGINT', () => {
  process.stderr.write('\ninterrupted: stopping the service and dropping bench databases\n');
  void cleanupAndExit(130);
});
process.on('exit', killAllServices);

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(
      `bench:ingest: ${err instanceof BenchError ? err.message : String(err)}\n`,
    );
    void cleanupAndExit(1);
  },
);
