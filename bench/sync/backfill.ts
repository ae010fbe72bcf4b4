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
 * `--crm salesforce` runs the CLI with `--connector salesforce` against a Salesforce emulator
 * (Contact with the mapping's custom fields, client credentials) instead, and no HubSpot at all:
 * Salesforce write calls (non-GET `/composite` and `/sobjects` requests, the sObject Collections
 * upserts apart from the rest) against the minimum ceil(N/200), the target ≤ 1.05×, and every
 * request grouped by method and path, to show where any extra calls come from.
 *
 *   npm run bench:backfill -- [--crm hubspot|salesforce] [--customers 100000] [--budget 190]
 *     [--concurrency 3] [--heap-mb 128]
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, openSync, closeSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { ROOT } from '../ingest/common.js';
import type { RequestLogEntry } from '../../emulators/core/emulator-http.js';
import type { StripeEmulator } from '../../emulators/stripe/stripe-emulator.js';
import {
  fmt,
  groupRequests,
  machine,
  runBench,
  sampleRss,
  startSalesforceStack,
  startStack,
} from './stack.js';

const CLI = join(ROOT, 'dist', 'sync', 'backfill', 'backfill-cli.js');
/** Salesforce's sObject Collections take at most 200 records a call. */
const SF_BATCH = 200;

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

interface SalesforceResult {
  n: number;
  wallS: number;
  /** Non-GET requests to /composite… or /sobjects… */
  writeCalls: number;
  /** Of those, sObject Collections calls (/composite/sobjects…: the batch upserts). */
  collectionCalls: number;
  /** Of those, every other write (single-record /sobjects writes, /composite requests). */
  otherWrites: number;
  minCalls: number;
  /** Every request the emulator logged (reads, sign-ins and writes). */
  allRequests: number;
  failedRequests: number;
  peakRssMb: number;
  linked: number;
  contacts: number;
  exitCode: number | null;
  log: string;
  /** Requests by method, normalized path and status, most frequent first. */
  groups: { key: string; count: number }[];
}

interface CliRun {
  wallS: number;
  peakRssMb: number;
  exitCode: number | null;
  log: string;
  logPath: string;
}

function seedCustomers(stripe: StripeEmulator, n: number): void {
  process.stderr.write(`bench:backfill: seeding ${n} Stripe customers\n`);
  for (let i = 0; i < n; i += 1) {
    stripe.state.create('customer', {
      email: `backfill-${i}@example.com`,
      name: `Backfill Customer ${i}`,
      balance: i % 7 === 0 ? -500 : 0,
      currency: 'usd',
    });
  }
}

/** Runs the backfill CLI as its own process in a scratch directory, sampling its RSS. */
async function runCli(
  env: Record<string, string>,
  extraArgs: string[],
  concurrency: number,
  heapMb: number,
): Promise<CliRun> {
  const dir = mkdtempSync(join(tmpdir(), 'bridge-bench-backfill-'));
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
      ...extraArgs,
      '--no-writeback',
      '--concurrency',
      String(concurrency),
    ],
    {
      cwd: dir,
      env: {
        PATH: process.env.PATH ?? '',
        ...(process.env.NODE_OPTIONS ? { NODE_OPTIONS: process.env.NODE_OPTIONS } : {}),
        ...env,
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
  return {
    wallS,
    peakRssMb,
    exitCode,
    logPath,
    log: readFileSync(logPath, 'utf8')
      .split('\n')
      .filter((l) => /objects —/.test(l))
      .join(' '),
  };
}

async function countLinks(url: string): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return Number(
      (await client.query<{ n: string }>(`SELECT count(*) AS n FROM links`)).rows[0]?.n ?? 0,
    );
  } finally {
    await client.end();
  }
}

async function runOnce(
  n: number,
  budget: number,
  concurrency: number,
  heapMb: number,
): Promise<Result> {
  const stack = await startStack(budget);
  try {
    seedCustomers(stack.stripe, n);
    const cli = await runCli(stack.env, [], concurrency, heapMb);
    const requests = stack.hubspot.http.requests();
    return {
      n,
      wallS: cli.wallS,
      floorS: (Math.ceil(n / 100) / budget) * 10,
      calls: requests.length,
      batchCalls: requests.filter((r) => r.path.endsWith('/batch/upsert')).length,
      refused: requests.filter((r) => r.status === 429).length,
      minCalls: Math.ceil(n / 100),
      peakRssMb: cli.peakRssMb,
      linked: await countLinks(stack.db.url),
      contacts: stack.hubspot.objects.live('contacts').length,
      exitCode: cli.exitCode,
      log: cli.log,
    };
  } finally {
    await stack.close();
  }
}

const SF_DATA = /^\/services\/data\/v\d+\.\d+(\/.*)?$/;

/** A Salesforce write call: a non-GET request to the REST API's /composite… or /sobjects… */
function isSalesforceWrite(r: RequestLogEntry): boolean {
  const rest = SF_DATA.exec(r.path)?.[1] ?? '';
  return r.method !== 'GET' && /^\/(composite|sobjects)(\/|$)/.test(rest);
}

async function runSalesforce(
  n: number,
  concurrency: number,
  heapMb: number,
): Promise<SalesforceResult> {
  const stack = await startSalesforceStack();
  try {
    seedCustomers(stack.stripe, n);
    const cli = await runCli(stack.env, ['--connector', 'salesforce'], concurrency, heapMb);
    const requests = stack.salesforce.http.requests();
    const writes = requests.filter(isSalesforceWrite);
    const collections = writes.filter((r) => /\/composite\/sobjects(\/|$)/.test(r.path));
    return {
      n,
      wallS: cli.wallS,
      writeCalls: writes.length,
      collectionCalls: collections.length,
      otherWrites: writes.length - collections.length,
      minCalls: Math.ceil(n / SF_BATCH),
      allRequests: requests.length,
      failedRequests: requests.filter((r) => r.status >= 400).length,
      peakRssMb: cli.peakRssMb,
      linked: await countLinks(stack.db.url),
      contacts: stack.salesforce.records('Contact').length,
      exitCode: cli.exitCode,
      log: cli.log || `exit ${String(cli.exitCode)} (log: ${cli.logPath})`,
      groups: groupRequests(requests),
    };
  } finally {
    await stack.close();
  }
}

const rerun = (): string =>
  `rerun: npm run bench:backfill${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`;

async function mainSalesforce(sizes: number[], concurrency: number, heapMb: number) {
  const results: SalesforceResult[] = [];
  for (const n of sizes) results.push(await runSalesforce(n, concurrency, heapMb));
  const within = (r: SalesforceResult) => r.writeCalls <= 1.05 * r.minCalls;
  const ok = (r: SalesforceResult) =>
    r.exitCode === 0 && r.linked === r.n && r.contacts === r.n && within(r) && r.peakRssMb <= 200;
  console.log(
    [
      '# bench:backfill --crm salesforce — every Stripe customer linked to a Salesforce Contact',
      `machine: ${machine()}; CLI: node dist/sync/backfill/backfill-cli.js --connector salesforce on PostgreSQL; emulators in the bench process`,
      `write calls = non-GET /services/data/v*/composite… and /sobjects… requests; minimum = ceil(N/${SF_BATCH}) (sObject Collections upserts of ${SF_BATCH})`,
      '',
      '| customers | wall s | SF write calls | collection upserts | other writes | minimum | calls/min | ≤1.05× | all SF requests | 4xx/5xx | peak RSS MB | linked | contacts | target ≤1.05× calls, ≤200 MB |',
      '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
      ...results.map(
        (r) =>
          `| ${r.n} | ${fmt(r.wallS, 1)} | ${r.writeCalls} | ${r.collectionCalls} | ${r.otherWrites} | ${r.minCalls} | ${fmt(r.writeCalls / r.minCalls, 3)} | ${within(r) ? 'yes' : 'no'} | ${r.allRequests} | ${r.failedRequests} | ${fmt(r.peakRssMb)} | ${r.linked} | ${r.contacts} | ${ok(r) ? 'PASS' : 'MISS'} |`,
      ),
      '',
      ...results.map((r) => `CLI (${r.n}): ${r.log}`),
      '',
      ...results.flatMap((r) => [
        `Salesforce requests by method, path and status (${r.n} customers):`,
        ...r.groups.map((g) => `  ${String(g.count).padStart(7)}  ${g.key}`),
        '',
      ]),
      rerun(),
    ].join('\n'),
  );
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      crm: { type: 'string', default: 'hubspot' },
      customers: { type: 'string', default: '100000' },
      budget: { type: 'string', default: '190' },
      concurrency: { type: 'string', default: '3' },
      'heap-mb': { type: 'string', default: process.env.BACKFILL_HEAP_MB ?? '128' },
    },
  });
  const sizes = values.customers.split(',').map(Number);
  if (values.crm === 'salesforce') {
    await mainSalesforce(sizes, Number(values.concurrency), Number(values['heap-mb']));
    return;
  }
  if (values.crm !== 'hubspot')
    throw new Error(`--crm ${values.crm}: expected hubspot or salesforce`);
  const budget = Number(values.budget);
  const results: Result[] = [];
  for (const n of sizes) {
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
      rerun(),
    ].join('\n'),
  );
}

runBench('bench:backfill', main);
