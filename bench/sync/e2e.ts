/**
 * `npm run bench:e2e`: Stripe event → HubSpot write latency through the whole bridge. The
 * service runs as `node dist/main.js` on a fresh Postgres database; the Stripe and HubSpot
 * emulators run in this process. Customers are created through the Stripe SDK at a fixed rate;
 * a customer's latency is from just before its create call to the HubSpot emulator stamping
 * the contact's `createdate`. Run once with HubSpot answering at once and once at +50 ms.
 *
 *   npm run bench:e2e -- [--rate 10] [--duration 20] [--latencies 0,50]
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import Stripe from 'stripe';
import { freePort, startService, stopService } from '../ingest/service.js';
import { WEBHOOK_SECRET, STRIPE_KEY, fmt, machine, percentile, startStack } from './stack.js';

interface Result {
  latencyMs: number;
  n: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  hubspotCalls: number;
  refused: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function runOnce(latencyMs: number, rate: number, seconds: number): Promise<Result> {
  const stack = await startStack(190);
  const runDir = mkdtempSync(join(tmpdir(), 'bridge-bench-e2e-'));
  const svc = await startService(runDir, await freePort(), { ...stack.env, LOG_LEVEL: 'warn' });
  try {
    stack.stripe.addWebhookEndpoint(`${svc.base}/webhooks/stripe`, WEBHOOK_SECRET);
    const u = new URL(stack.env.STRIPE_API_BASE ?? '');
    const stripe = new Stripe(STRIPE_KEY, { host: u.hostname, port: Number(u.port), protocol: 'http' });
    if (latencyMs > 0) stack.hubspot.http.faults.setLatency({ path: '/crm', ms: latencyMs });

    const contactFor = (id: string) =>
      stack.hubspot.objects.live('contacts').find((r) => r.data.stripe_customer_id === id);
    // Warm-up: the first sync creates HubSpot's custom properties.
    const warm = await stripe.customers.create({ email: 'warmup@example.com' });
    for (let i = 0; !contactFor(warm.id) && i < 600; i += 1) await sleep(50);

    const callsBefore = stack.hubspot.callCount();
    const started = new Map<string, number>();
    const total = rate * seconds;
    const t0 = Date.now();
    const creates: Promise<void>[] = [];
    for (let i = 0; i < total; i += 1) {
      const due = t0 + (i * 1000) / rate;
      const wait = due - Date.now();
      if (wait > 0) await sleep(wait);
      const at = Date.now();
      creates.push(
        stripe.customers
          .create({ email: `e2e-${i}@example.com`, name: `Bench Customer ${i}` })
          .then((c) => void started.set(c.id, at)),
      );
    }
    await Promise.all(creates);
    const deadline = Date.now() + 60_000;
    const landed = new Map<string, number>();
    while (landed.size < started.size && Date.now() < deadline) {
      for (const r of stack.hubspot.objects.live('contacts')) {
        const id = r.data.stripe_customer_id;
        if (id && started.has(id) && !landed.has(id)) landed.set(id, Date.parse(r.data.createdate ?? ''));
      }
      await sleep(100);
    }
    const latencies = [...landed].map(([id, at]) => at - (started.get(id) ?? at)).sort((a, b) => a - b);
    const requests = stack.hubspot.http.requests().slice(callsBefore);
    return {
      latencyMs,
      n: latencies.length,
      p50: percentile(latencies, 50),
      p90: percentile(latencies, 90),
      p99: percentile(latencies, 99),
      max: latencies.at(-1) ?? Number.NaN,
      hubspotCalls: requests.length,
      refused: requests.filter((r) => r.status === 429).length,
    };
  } finally {
    await stopService(svc);
    await stack.close();
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      rate: { type: 'string', default: '10' },
      duration: { type: 'string', default: '20' },
      latencies: { type: 'string', default: '0,50' },
    },
  });
  const rate = Number(values.rate);
  const seconds = Number(values.duration);
  const results: Result[] = [];
  for (const l of values.latencies.split(',').map(Number)) {
    process.stderr.write(`bench:e2e: HubSpot latency ${l} ms, ${rate} customers/s for ${seconds} s\n`);
    results.push(await runOnce(l, rate, seconds));
  }
  const lines = [
    `# bench:e2e — Stripe customer created → HubSpot contact written`,
    `machine: ${machine()}; service: node dist/main.js on PostgreSQL; emulators in the bench process`,
    `load: ${rate} customers/s for ${seconds} s through the Stripe SDK; HubSpot budget 190/10 s`,
    '',
    '| HubSpot latency | samples | p50 ms | p90 ms | p99 ms | max ms | HubSpot calls | 429s | target p50 ≤ 300, p99 ≤ 1000 |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    ...results.map(
      (r) =>
        `| ${r.latencyMs} ms | ${r.n}/${rate * seconds} | ${fmt(r.p50)} | ${fmt(r.p90)} | ${fmt(r.p99)} | ${fmt(r.max)} | ${r.hubspotCalls} | ${r.refused} | ${r.p50 <= 300 && r.p99 <= 1000 && r.n === rate * seconds ? 'PASS' : 'MISS'} |`,
    ),
    '',
    `rerun: npm run bench:e2e${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`,
  ];
  console.log(lines.join('\n'));
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`bench:e2e failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
