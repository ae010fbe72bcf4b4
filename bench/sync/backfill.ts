/**
 * `npm run bench:backfill -- --customers 100000`: the backfill CLI (`node
 * dist/sync/backfill/backfill-cli.js --object customer`) as its own process, on a fresh Postgres
 * database, against a Stripe emulator seeded with N customers and an empty HubSpot emulator
 * holding HubSpot's budget (190 calls per 10 s). Reports wall time against the budget's floor
 * (ceil(N/100) batch calls at 19 per second), HubSpot calls against the minimum ceil(N/100),
 * and the CLI's peak RSS. Several sizes (`--customers 10000,100000`) show whether memory stays
 * flat as N grows. The CRM id write-back to Stripe is left to its own, Stripe-paced phase
 * (`--no-writeback`), which this benchmark does not time.
 *
 *   npm run bench:backfill -- [--customers 100000] [--budget 190] [--concurrency 3] [--heap-mb 128]
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, openSync, closeSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { ROOT } from '../ingest/common.js';
import { fmt, machine, sampleRss, startStack } from './stack.js';

const CLI = join(ROOT, 'dist', 'sync', 'backfill', 'backfill-cli.js');

interface Result {
  n: number;
  wallS: number;
  floorS: number;
  calls: number;
  batchCalls: number;
  refused: number;
  minCalls: number;
  peakRssMb: number;
  linked: number;
  contacts: number;
  exitCode: number | null;
  log: string;
}

async function runOnce(
  n: number,
  budget: number,
  concurrency: number,
  heapMb: number,
): Promise<Result> {
  const stack = await startStack(budget);
  const dir = mkdtempSync(join(tmpdir(), 'bridge-bench-backfill-'));
  try {
    process.stderr.write(`bench:backfill: seeding ${n} Stripe customers\n`);
    for (let i = 0; i < n; i += 1) {
      stack.stripe.state.create('customer', {
        email: `backfill-${i}@example.com`,
        name: `Backfill Customer ${i}`,
        balance: i % 7 === 0 ? -500 : 0,
        currency: 'usd',
      });
    }
    const logPath = join(dir, 'backfill.log');
    const fd = openSync(logPath, 'a');
    process.stderr.write(`bench:backfill: running the backfill CLI (log: ${logPath})\n`);
    const t0 = performance.now();
    const child = spawn(
      process.execPath,
      // As `npm run backfill` starts it: a capped heap keeps RSS flat (the work streams).
      [
        `--max-old-space-size=${heapMb}`,
        CLI,
        '--object',
        'customer',
        '--no-writeback',
        '--concurrency',
        String(concurrency),
      ],
      {
        cwd: dir,
        env: {
          PATH: process.env.PATH ?? '',
          ...(process.env.NODE_OPTIONS ? { NODE_OPTIONS: process.env.NODE_OPTIONS } : {}),
          ...stack.env,
          LOG_LEVEL: 'info',
        },
        stdio: ['ignore', fd, fd],
      },
    );
    closeSync(fd);
    const rss = sampleRss(child.pid ?? -1);
    const exitCode = await new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    const wallS = (performance.now() - t0) / 1000;
    const peakRssMb = rss.stop();

    const requests = stack.hubspot.http.requests();
    const client = new pg.Client({ connectionString: stack.db.url });
    await client.connect();
    const linked = Number(
      (await client.query<{ n: string }>(`SELECT count(*) AS n FROM links`)).rows[0]?.n ?? 0,
    );
    await client.end();
    return {
      n,
      wallS,
      floorS: (Math.ceil(n / 100) / budget) * 10,
      calls: requests.length,
      batchCalls: requests.filter((r) => r.path.endsWith('/batch/upsert')).length,
      refused: requests.filter((r) => r.status === 429).length,
      minCalls: Math.ceil(n / 100),
      peakRssMb,
      linked,
      contacts: stack.hubspot.objects.live('contacts').length,
      exitCode,
      log: readFileSync(logPath, 'utf8')
        .split('\n')
        .filter((l) => /objects —/.test(l))
        .join(' '),
    };
  } finally {
    await stack.close();
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      customers: { type: 'string', default: '100000' },
      budget: { type: 'string', default: '190' },
      concurrency: { type: 'string', default: '3' },
      'heap-mb': { type: 'string', default: process.env.BACKFILL_HEAP_MB ?? '128' },
    },
  });
  const budget = Number(values.budget);
  const results: Result[] = [];
  for (const n of values.customers.split(',').map(Number)) {
    results.push(await runOnce(n, budget, Number(values.concurrency), Number(values['heap-mb'])));
  }
  const ok = (r: Result) =>
    r.exitCode === 0 &&
    r.linked === r.n &&
    r.contacts === r.n &&
    r.wallS <= 1.1 * r.floorS &&
    r.calls <= 1.05 * r.minCalls &&
    r.peakRssMb <= 200;
  console.log(
    [
      '# bench:backfill — every Stripe customer linked to a HubSpot contact',
      `machine: ${machine()}; CLI: node dist/sync/backfill/backfill-cli.js on PostgreSQL; emulators in the bench process`,
      `HubSpot emulator budget ${budget} calls / 10 s; floor = ceil(N/100) / ${budget / 10} per s`,
      '',
      '| customers | wall s | floor s | wall/floor | HubSpot calls (batch upserts) | minimum | calls/min | 429s | peak RSS MB | linked | contacts | target ≤1.1× floor, ≤1.05× calls, ≤200 MB |',
      '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
      ...results.map(
        (r) =>
          `| ${r.n} | ${fmt(r.wallS, 1)} | ${fmt(r.floorS, 1)} | ${fmt(r.wallS / r.floorS, 2)} | ${r.calls} (${r.batchCalls}) | ${r.minCalls} | ${fmt(r.calls / r.minCalls, 3)} | ${r.refused} | ${fmt(r.peakRssMb)} | ${r.linked} | ${r.contacts} | ${ok(r) ? 'PASS' : 'MISS'} |`,
      ),
      '',
      ...results.map((r) => `CLI (${r.n}): ${r.log || `exit ${String(r.exitCode)}`}`),
      '',
      `rerun: npm run bench:backfill${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`,
    ].join('\n'),
  );
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(
      `bench:backfill failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
    );
    process.exit(1);
  },
);
