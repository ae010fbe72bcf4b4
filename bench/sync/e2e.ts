/**
 * `npm run bench:e2e`: Stripe change → HubSpot write latency through the whole bridge. The
 * service runs as `node dist/main.js` on a fresh Postgres database; the Stripe and HubSpot
 * emulators run in this process. Two phases at fixed rates through the Stripe SDK: new
 * customers (first sight: one search to match, one upsert), then edits of linked customers
 * (one batch read, one batch update). Latency runs from just before the Stripe call to the
 * HubSpot emulator stamping the write (createdate / hs_lastmodifieddate). Run once with
 * HubSpot answering at once and once at +50 ms per call.
 *
 *   npm run bench:e2e -- [--create-rate 3] [--update-rate 5] [--duration 20] [--latencies 0,50]
 *
 * Rates are kept inside HubSpot's budget (19 calls/s, 5 searches/s): past it, latency is the
 * limiter's queue, which is a throughput question, not this benchmark's.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import Stripe from 'stripe';
import { freePort, startService, stopService } from '../ingest/service.js';
import { WEBHOOK_SECRET, STRIPE_KEY, fmt, machine, percentile, startStack } from './stack.js';

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
  const runDir = mkdtempSync(join(tmpdir(), 'bridge-bench-e2e-'));
  const svc = await startService(runDir, await freePort(), { ...stack.env, LOG_LEVEL: 'warn' });
  try {
    stack.stripe.addWebhookEndpoint(`${svc.base}/webhooks/stripe`, WEBHOOK_SECRET);
    const u = new URL(stack.env.STRIPE_API_BASE ?? '');
    const stripe = new Stripe(STRIPE_KEY, {
      host: u.hostname,
      port: Number(u.port),
      protocol: 'http',
    });
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

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
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
      `rerun: npm run bench:e2e${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`,
    ].join('\n'),
  );
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(
      `bench:e2e failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
    );
    process.exit(1);
  },
);
