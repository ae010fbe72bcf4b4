/** What both sync benchmarks share: the emulators, a fresh database, stats and memory sampling. */
import { readFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import type { RequestLogEntry } from '../../emulators/core/emulator-http.js';
import { HubSpotEmulator } from '../../emulators/hubspot/hubspot-emulator.js';
import { bridgeCustomFields } from '../../emulators/salesforce/bridge-fields.js';
import { SalesforceEmulator } from '../../emulators/salesforce/salesforce-emulator.js';
import { parseSfDate } from '../../emulators/salesforce/util.js';
import { StripeEmulator } from '../../emulators/stripe/stripe-emulator.js';
import { createDatabase, dropDatabase } from '../ingest/storage.js';

export const STRIPE_KEY = 'sk_test_bench_000000000000';
export const WEBHOOK_SECRET = 'whsec_bench_0123456789abcdef';
export const HUBSPOT_TOKEN = 'pat-na1-bench';
export const SF_CLIENT_ID = 'bench-sf-client-id';
export const SF_CLIENT_SECRET = 'bench-sf-client-secret';
export const ADMIN_URL =
  process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** What every sync benchmark stack holds: a Stripe emulator, a fresh database, the env. */
interface BaseStack {
  stripe: StripeEmulator;
  db: { name: string; url: string };
  /** The service's environment for this stack. */
  env: Record<string, string>;
  close(): Promise<void>;
}

export interface Stack extends BaseStack {
  hubspot: HubSpotEmulator;
}

/** The service's environment: Stripe and Salesforce only (no HUBSPOT_* settings). */
export interface SalesforceStack extends BaseStack {
  salesforce: SalesforceEmulator;
}

/**
 * Stripe and one CRM emulator in this process and a fresh database; `crmEnv` turns the CRM's
 * URL into the service's settings for it.
 */
async function startBase<
  C extends { start(port?: number): Promise<string>; stop(): Promise<void> },
>(crm: C, crmEnv: (url: string) => Record<string, string>): Promise<BaseStack> {
  const stripe = new StripeEmulator();
  const [stripeUrl, crmUrl] = await Promise.all([stripe.start(), crm.start(0)]);
  const db = await createDatabase(ADMIN_URL);
  return {
    stripe,
    db,
    env: {
      DATABASE_URL: db.url,
      STRIPE_SECRET_KEY: STRIPE_KEY,
      STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET,
      STRIPE_API_BASE: stripeUrl,
      ...crmEnv(crmUrl),
    },
    async close() {
      await Promise.all([stripe.stop(), crm.stop()]);
      await dropDatabase(db.name);
    },
  };
}

/** Stripe and HubSpot emulators in this process (HubSpot at `budget` calls per 10 s). */
export async function startStack(budget: number): Promise<Stack> {
  const hubspot = new HubSpotEmulator({ tenSecondBudget: budget, searchPerSecond: 5 });
  const base = await startBase(hubspot, (url) => ({
    HUBSPOT_ACCESS_TOKEN: HUBSPOT_TOKEN,
    HUBSPOT_API_BASE: url,
    HUBSPOT_RATE_LIMIT_PER_10S: String(budget),
  }));
  return { ...base, hubspot };
}

/**
 * Stripe and Salesforce emulators in this process, the Contact carrying the mapping's custom
 * fields; the bridge signs in with client credentials, as a production integration user would.
 */
export async function startSalesforceStack(): Promise<SalesforceStack> {
  const salesforce = new SalesforceEmulator({
    clientId: SF_CLIENT_ID,
    clientSecret: SF_CLIENT_SECRET,
    customFields: bridgeCustomFields(),
  });
  const base = await startBase(salesforce, (url) => ({
    SALESFORCE_INSTANCE_URL: url,
    SALESFORCE_CLIENT_ID: SF_CLIENT_ID,
    SALESFORCE_CLIENT_SECRET: SF_CLIENT_SECRET,
  }));
  return { ...base, salesforce };
}

/** One record write the Salesforce emulator committed to its store. */
export interface SalesforceWrite {
  sobject: string;
  id: string;
  kind: 'create' | 'update';
  /** The stamp the emulator gave the write: CreatedDate for a create, SystemModstamp else. */
  at: number;
  /** The record's fields right after the write. */
  row: Record<string, unknown>;
}

/**
 * Calls `onWrite` synchronously as each record create or update lands in the emulator's store
 * (sObject Collections and single-record routes alike, upserts included: they go through
 * `create` and `update`). Writes that fail validation throw before the store and are not seen.
 */
export function hookSalesforceWrites(
  salesforce: SalesforceEmulator,
  onWrite: (w: SalesforceWrite) => void,
): void {
  const data = salesforce.data;
  const create = data.create.bind(data);
  const update = data.update.bind(data);
  const report = (type: string, id: string, kind: 'create' | 'update') => {
    const sobject = data.object(type).name;
    const row = salesforce.record(sobject, id) ?? {};
    const stamp = kind === 'create' ? row.CreatedDate : row.SystemModstamp;
    const at = typeof stamp === 'string' ? parseSfDate(stamp) : null;
    onWrite({ sobject, id, kind, at: at ?? Date.now(), row: { ...row } });
  };
  data.create = (type, input, userId, txn) => {
    const id = create(type, input, userId, txn);
    report(type, id, 'create');
    return id;
  };
  data.update = (type, rawId, input, userId, txn) => {
    const id = update(type, rawId, input, userId, txn);
    report(type, id, 'update');
    return id;
  };
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i] ?? Number.NaN;
}

/** Samples a process's resident memory (VmRSS) every `everyMs`; `stop()` gives the peak in MB. */
export function sampleRss(pid: number, everyMs = 200): { stop(): number; samples: number[] } {
  const samples: number[] = [];
  const read = () => {
    try {
      const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
      if (m?.[1]) samples.push(Number(m[1]) / 1024);
    } catch {
      // the process has exited
    }
  };
  read();
  const timer = setInterval(read, everyMs);
  return {
    samples,
    stop() {
      clearInterval(timer);
      return Math.max(0, ...samples);
    },
  };
}

export const machine = (): string =>
  `${cpus().length} cores (${cpus()[0]?.model ?? '?'}), ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`;

export const fmt = (n: number, digits = 0): string =>
  Number.isFinite(n) ? n.toFixed(digits) : 'n/a';

/** Runs a benchmark's main and exits: 0 when it finished, 1 with the error otherwise. */
export function runBench(name: string, main: () => Promise<void>): void {
  main().then(
    () => process.exit(0),
    (err: unknown) => {
      process.stderr.write(
        `${name} failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
      );
      process.exit(1);
    },
  );
}

/** The path with record ids, external id values and query locators replaced by `:id`. */
function normalizePath(path: string): string {
  return path
    .split('/')
    .map((seg) =>
      /^cus_/.test(seg) || (/\d/.test(seg) && /^[A-Za-z0-9-]{12,}$/.test(seg)) ? ':id' : seg,
    )
    .join('/');
}

/** Requests counted by method, normalised path and status, the most frequent first. */
export function groupRequests(requests: RequestLogEntry[]): { key: string; count: number }[] {
  const counts = new Map<string, number>();
  for (const r of requests) {
    const key = `${r.method} ${normalizePath(r.path)} → ${r.status}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return [...counts]
    .map(([key, count]) => ({ key, count }))
    .sort((a, b) => b.count - a.count || a.key.localeCompare(b.key));
}
