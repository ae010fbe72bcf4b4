/**
 * `npm run bench:e2e`: Stripe change → HubSpot write latency through the whole bridge. The
 * service runs as `node dist/main.js` on a fresh Postgres database; the Stripe and HubSpot
 * emulators run in this process. Two phases at fixed rates through the Stripe SDK: new
 * customers (first sight: one search to match, one upsert), then edits of linked customers
 * (one batch read, one batch update). Latency runs from just before the Stripe call to the
 * HubSpot emulator stamping the write (createdate / hs_lastmodifieddate). Run once with
 * HubSpot answering at once and once at +50 ms per call.
 *
 * `--crm salesforce` runs the same phases against a Salesforce emulator instead (Contact with
 * the mapping's custom fields, client credentials; no HubSpot settings at all). Latency runs to
 * the moment the emulator commits the Contact write carrying the change (hooked in-process:
 * the write's CreatedDate / SystemModstamp, taken as the write lands, not by polling), and
 * every edit is measured on its own. Salesforce latency is added to every REST API call
 * (/services/data/…). Salesforce calls per change count every request the emulator served
 * from the phase's start to the next phase (the poller's included), grouped by path.
 *
 *   npm run bench:e2e -- [--crm hubspot|salesforce] [--create-rate 3] [--update-rate 5]
 *     [--duration 20] [--latencies 0,50]
 *
 * Rates are kept inside HubSpot's budget (19 calls/s, 5 searches/s): past it, latency is the
 * limiter's queue, which is a throughput question, not this benchmark's. Salesforce has no
 * such short-window limit; the same default rates keep the two runs comparable.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import Stripe from 'stripe';
import type { StripeEmulator } from '../../emulators/stripe/stripe-emulator.js';
import { freePort, startService, stopService } from '../ingest/service.js';
import {
  groupRequests,
  WEBHOOK_SECRET,
  STRIPE_KEY,
  fmt,
  hookSalesforceWrites,
  machine,
  percentile,
  runBench,
  startSalesforceStack,
  startStack,
} from './stack.js';

/**
 * The built service on its own port, as Stripe's webhook endpoint, and the Stripe SDK a user
 * drives it with.
 */
async function startBridge(stack: { stripe: StripeEmulator; env: Record<string, string> }) {
  const runDir = mkdtempSync(join(tmpdir(), 'bridge-bench-e2e-'));
  const svc = await startService(runDir, await freePort(), { ...stack.env, LOG_LEVEL: 'warn' });
  stack.stripe.addWebhookEndpoint(`${svc.base}/webhooks/stripe`, WEBHOOK_SECRET);
  const u = new URL(stack.env.STRIPE_API_BASE ?? '');
  const stripe = new Stripe(STRIPE_KEY, {
    host: u.hostname,
    port: Number(u.port),
    protocol: 'http',
  });
  return { svc, stripe };
}

interface Phase {
  name: string;
  rate: number;
  n: number;
  expected: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  hubspotCalls: number;
  refused: number;
}

interface Result {
  latencyMs: number;
  phases: Phase[];
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Fires `total` calls at `rate` per second; returns each call's id and its start time. */
async function paced(
  total: number,
  rate: number,
  call: (i: number) => Promise<string>,
): Promise<Map<string, number>> {
  const started = new Map<string, number>();
  const t0 = Date.now();
  const calls: Promise<void>[] = [];
  for (let i = 0; i < total; i += 1) {
    const wait = t0 + (i * 1000) / rate - Date.now();
    if (wait > 0) await sleep(wait);
    const at = Date.now();
    calls.push(call(i).then((id) => void started.set(id, at)));
  }
  await Promise.all(calls);
  return started;
}

async function runOnce(
  latencyMs: number,
  opts: { createRate: number; updateRate: number; seconds: number },
): Promise<Result> {
  const stack = await startStack(190);
  const { svc, stripe } = await startBridge(stack);
  try {
    if (latencyMs > 0) stack.hubspot.http.faults.setLatency({ path: '/crm', ms: latencyMs });
    const contacts = () => stack.hubspot.objects.live('contacts');

    // Warm-up: the first sync creates HubSpot's custom properties.
    const warm = await stripe.customers.create({ email: 'warmup@example.com' });
    for (
      let i = 0;
      i < 600 && !contacts().some((r) => r.data.stripe_customer_id === warm.id);
      i += 1
    ) {
      await sleep(50);
    }

    /** Waits until every started id has landed; `landedAt` reads the CRM time, or null. */
    const measure = async (
      name: string,
      rate: number,
      started: Map<string, number>,
      callsBefore: number,
      landedAt: (id: string, data: Record<string, string>) => number | null,
    ): Promise<Phase> => {
      const deadline = Date.now() + 60_000;
      const landed = new Map<string, number>();
      while (landed.size < started.size && Date.now() < deadline) {
        for (const r of contacts()) {
          const id = r.data.stripe_customer_id;
          if (!id || !started.has(id) || landed.has(id)) continue;
          const at = landedAt(id, r.data);
          if (at !== null) landed.set(id, at);
        }
        await sleep(50);
      }
      const latencies = [...landed]
        .map(([id, at]) => at - (started.get(id) ?? at))
        .sort((a, b) => a - b);
      const requests = stack.hubspot.http.requests().slice(callsBefore);
      return {
        name,
        rate,
        n: latencies.length,
        expected: started.size,
        p50: percentile(latencies, 50),
        p90: percentile(latencies, 90),
        p99: percentile(latencies, 99),
        max: latencies.at(-1) ?? Number.NaN,
        hubspotCalls: requests.length,
        refused: requests.filter((r) => r.status === 429).length,
      };
    };

    // New customers: first sight → match (one search) → create.
    let before = stack.hubspot.callCount();
    const created = await paced(opts.createRate * opts.seconds, opts.createRate, async (i) => {
      const c = await stripe.customers.create({
        email: `e2e-${i}@example.com`,
        name: `New Customer ${i}`,
      });
      return c.id;
    });
    const creates = await measure('new customer', opts.createRate, created, before, (_id, d) =>
      Date.parse(d.createdate ?? ''),
    );
    await sleep(1000); // let the write-back echoes pass

    // Edits of linked customers: read the contact, update it.
    const ids = [...created.keys()];
    before = stack.hubspot.callCount();
    const updated = await paced(opts.updateRate * opts.seconds, opts.updateRate, async (i) => {
      const id = ids[i % ids.length] ?? '';
      await stripe.customers.update(id, { name: `Edited ${i} Customer` });
      return id;
    });
    const wanted = new Map([...updated.keys()].map((id) => [id, true]));
    const updates = await measure(
      'edit of a linked customer',
      opts.updateRate,
      updated,
      before,
      (id, d) =>
        wanted.has(id) && /^Edited \d+$/.test(d.firstname ?? '') && d.firstname === lastEdit(id)
          ? Date.parse(d.hs_lastmodifieddate ?? '')
          : null,
    );
    return { latencyMs, phases: [creates, updates] };

    function lastEdit(id: string): string | null {
      let last: string | null = null;
      for (let i = 0; i < opts.updateRate * opts.seconds; i += 1) {
        if (ids[i % ids.length] === id) last = `Edited ${i}`;
      }
      return last;
    }
  } finally {
    await stopService(svc);
    await stack.close();
  }
}

interface SalesforcePhase {
  name: string;
  rate: number;
  n: number;
  expected: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  /** Requests the Salesforce emulator served from this phase's start to the next phase's. */
  calls: number;
  failed: number;
  /** Contact creates and updates the emulator committed in that window. */
  contactWrites: number;
  groups: { key: string; count: number }[];
}

interface SalesforceResult {
  latencyMs: number;
  phases: SalesforcePhase[];
}

async function runSalesforceOnce(
  latencyMs: number,
  opts: { createRate: number; updateRate: number; seconds: number },
): Promise<SalesforceResult> {
  const stack = await startSalesforceStack();
  const sf = stack.salesforce;
  // Contact writes as the emulator commits them: the first write carrying each Stripe id (a new
  // customer's), and the first carrying each (Stripe id, FirstName) pair (an edit's new value).
  const firstWrite = new Map<string, number>();
  const valueWrite = new Map<string, number>();
  let contactWrites = 0;
  hookSalesforceWrites(sf, (w) => {
    if (w.sobject !== 'Contact') return;
    contactWrites += 1;
    const id = w.row.Stripe_Customer_Id__c;
    if (typeof id !== 'string') return;
    if (!firstWrite.has(id)) firstWrite.set(id, w.at);
    const key = `${id}|${String(w.row.FirstName)}`;
    if (!valueWrite.has(key)) valueWrite.set(key, w.at);
  });
  const { svc, stripe } = await startBridge(stack);
  try {
    if (latencyMs > 0) sf.http.faults.setLatency({ path: '/services/data/', ms: latencyMs });

    /** Waits (up to 60 s) until every key has landed; the times come from the write hook. */
    const settle = async (keys: string[], landed: (key: string) => number | undefined) => {
      const deadline = Date.now() + 60_000;
      while (keys.some((k) => landed(k) === undefined) && Date.now() < deadline) await sleep(50);
    };

    // Warm-up: the first sync describes Contact and signs in.
    const warm = await stripe.customers.create({ email: 'warmup@example.com' });
    await settle([warm.id], (id) => firstWrite.get(id));
    await sleep(1000); // its read-back follows the write: keep it out of the first phase's calls

    const phase = (
      name: string,
      rate: number,
      started: Map<string, number>,
      landed: (key: string) => number | undefined,
      window: { calls: [number, number]; writes: number },
    ): SalesforcePhase => {
      const latencies = [...started]
        .flatMap(([key, at]) => {
          const t = landed(key);
          return t === undefined ? [] : [t - at];
        })
        .sort((a, b) => a - b);
      const requests = sf.http.requests().slice(...window.calls);
      return {
        name,
        rate,
        n: latencies.length,
        expected: started.size,
        p50: percentile(latencies, 50),
        p90: percentile(latencies, 90),
        p99: percentile(latencies, 99),
        max: latencies.at(-1) ?? Number.NaN,
        calls: requests.length,
        failed: requests.filter((r) => r.status >= 400).length,
        contactWrites: window.writes,
        groups: groupRequests(requests),
      };
    };

    // New customers: first sight → match (queries on the Stripe id and the email) → upsert.
    const calls0 = sf.http.requests().length;
    const writes0 = contactWrites;
    const created = await paced(opts.createRate * opts.seconds, opts.createRate, async (i) => {
      const c = await stripe.customers.create({
        email: `e2e-${i}@example.com`,
        name: `New Customer ${i}`,
      });
      return c.id;
    });
    const createdAt = (id: string) => firstWrite.get(id);
    await settle([...created.keys()], createdAt);
    await sleep(1000); // let the write-back echoes pass
    const calls1 = sf.http.requests().length;
    const writes1 = contactWrites;

    // Edits of linked customers, each with its own FirstName ("Edited <i>"), measured one by one.
    const ids = [...created.keys()];
    const edited = await paced(opts.updateRate * opts.seconds, opts.updateRate, async (i) => {
      const id = ids[i % ids.length] ?? '';
      await stripe.customers.update(id, { name: `Edited ${i} Customer` });
      return `${id}|Edited ${i}`;
    });
    const editedAt = (key: string) => valueWrite.get(key);
    await settle([...edited.keys()], editedAt);
    await sleep(1000);
    const calls2 = sf.http.requests().length;

    return {
      latencyMs,
      phases: [
        phase('new customer', opts.createRate, created, createdAt, {
          calls: [calls0, calls1],
          writes: writes1 - writes0,
        }),
        phase('edit of a linked customer', opts.updateRate, edited, editedAt, {
          calls: [calls1, calls2],
          writes: contactWrites - writes1,
        }),
      ],
    };
  } finally {
    await stopService(svc);
    await stack.close();
  }
}

const rerun = (): string =>
  `rerun: npm run bench:e2e${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`;

async function mainSalesforce(
  latencies: number[],
  opts: { createRate: number; updateRate: number; seconds: number },
): Promise<void> {
  const results: SalesforceResult[] = [];
  for (const l of latencies) {
    process.stderr.write(`bench:e2e: Salesforce latency ${l} ms\n`);
    results.push(await runSalesforceOnce(l, opts));
  }
  const rows = results.flatMap((r) =>
    r.phases.map(
      (p) =>
        `| ${r.latencyMs} ms | ${p.name} | ${p.rate}/s | ${p.n}/${p.expected} | ${fmt(p.p50)} | ${fmt(p.p90)} | ${fmt(p.p99)} | ${fmt(p.max)} | ${p.calls} | ${fmt(p.calls / p.expected, 2)} | ${p.contactWrites} | ${p.failed} | ${p.p50 <= 300 && p.p99 <= 1000 && p.n === p.expected ? 'PASS' : 'MISS'} |`,
    ),
  );
  console.log(
    [
      '# bench:e2e --crm salesforce — Stripe change → Salesforce Contact write, through the whole bridge',
      `machine: ${machine()}; service: node dist/main.js on PostgreSQL, Salesforce connector (client credentials), no HubSpot; emulators in the bench process`,
      `load: Stripe SDK calls for ${opts.seconds} s per phase; Salesforce latency added to every /services/data/ call`,
      'latency: from just before the Stripe call to the Salesforce emulator committing the Contact write carrying the change (its CreatedDate / SystemModstamp, hooked in-process); each edit measured on its own',
      "SF calls: every request the emulator served from the phase's start to the next phase's (1 s after the last write; poller and sign-ins included); per change = SF calls / changes",
      '',
      '| Salesforce latency | change | rate | samples | p50 ms | p90 ms | p99 ms | max ms | SF calls | SF calls per change | Contact writes | 4xx/5xx | target p50 ≤ 300, p99 ≤ 1000 |',
      '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
      ...rows,
      '',
      ...results.flatMap((r) =>
        r.phases.flatMap((p) => [
          `Salesforce requests, ${r.latencyMs} ms, ${p.name} (method, path, status):`,
          ...p.groups.map((g) => `  ${String(g.count).padStart(6)}  ${g.key}`),
          '',
        ]),
      ),
      rerun(),
    ].join('\n'),
  );
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      crm: { type: 'string', default: 'hubspot' },
      help: { type: 'boolean', short: 'h', default: false },
      'create-rate': { type: 'string', default: '3' },
      'update-rate': { type: 'string', default: '5' },
      duration: { type: 'string', default: '20' },
      latencies: { type: 'string', default: '0,50' },
    },
  });
  const opts = {
    createRate: Number(values['create-rate']),
    updateRate: Number(values['update-rate']),
    seconds: Number(values.duration),
  };
  if (values.help) {
    console.log(
      [
        'npm run bench:e2e -- [--crm hubspot|salesforce] [--create-rate 3] [--update-rate 5]',
        '  [--duration 20] [--latencies 0,50]',
        '',
        '  --crm          the CRM to sync to (default hubspot)',
        '  --create-rate  new customers per second (default 3)',
        '  --update-rate  edits of linked customers per second (default 5)',
        '  --duration     seconds per phase (default 20)',
        '  --latencies    CRM latencies to add per call, ms, one run each (default 0,50)',
      ].join('\n'),
    );
    return;
  }
  if (values.crm === 'salesforce') {
    await mainSalesforce(values.latencies.split(',').map(Number), opts);
    return;
  }
  if (values.crm !== 'hubspot')
    throw new Error(`--crm ${values.crm}: expected hubspot or salesforce`);
  const results: Result[] = [];
  for (const l of values.latencies.split(',').map(Number)) {
    process.stderr.write(`bench:e2e: HubSpot latency ${l} ms\n`);
    results.push(await runOnce(l, opts));
  }
  const rows = results.flatMap((r) =>
    r.phases.map(
      (p) =>
        `| ${r.latencyMs} ms | ${p.name} | ${p.rate}/s | ${p.n}/${p.expected} | ${fmt(p.p50)} | ${fmt(p.p90)} | ${fmt(p.p99)} | ${fmt(p.max)} | ${p.hubspotCalls} | ${p.refused} | ${p.p50 <= 300 && p.p99 <= 1000 && p.n === p.expected ? 'PASS' : 'MISS'} |`,
    ),
  );
  console.log(
    [
      '# bench:e2e — Stripe change → HubSpot write, through the whole bridge',
      `machine: ${machine()}; service: node dist/main.js on PostgreSQL; emulators in the bench process`,
      `load: Stripe SDK calls for ${opts.seconds} s per phase; HubSpot budget 190/10 s, search 5/s`,
      'latency: from just before the Stripe call to the HubSpot emulator stamping the write',
      '',
      '| HubSpot latency | change | rate | samples | p50 ms | p90 ms | p99 ms | max ms | HubSpot calls | 429s | target p50 ≤ 300, p99 ≤ 1000 |',
      '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
      ...rows,
      '',
      rerun(),
    ].join('\n'),
  );
}

runBench('bench:e2e', main);
