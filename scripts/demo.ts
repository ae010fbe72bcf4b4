/**
 * `npm run demo`: the bridge and the three emulators on this machine, no credentials, no
 * network. Seeds Stripe, then prints a live feed of what reaches the bridge. Ctrl-C stops it.
 *
 * PORT (default 3000) is the bridge's port; DATA_DIR (default ./data/demo) its embedded
 * database; DEMO_SECONDS stops the demo by itself after that many seconds.
 */
import { type NestFastifyApplication } from '@nestjs/platform-fastify';
import { setTimeout as sleep } from 'node:timers/promises';
import { DataSource } from 'typeorm';
import { HubSpotEmulator } from '../emulators/hubspot/hubspot-emulator.js';
import { SalesforceEmulator } from '../emulators/salesforce/salesforce-emulator.js';
import { StripeEmulator } from '../emulators/stripe/stripe-emulator.js';
import { createApp } from '../src/app.factory.js';
import { loadConfig } from '../src/config/load-config.js';
import { StripeClient } from '../src/stripe/stripe.client.js';
import { seedStripe } from './demo-seed.js';

const say = (line: string) => {
  const time = new Date().toISOString().slice(11, 19);
  process.stdout.write(`${time}  ${line}\n`);
};

interface InboxRow {
  event_id: string;
  type: string;
  object_type: string | null;
  object_id: string | null;
  received_at: Date;
}

/** Prints inbox rows as they arrive: what Stripe sent and the bridge stored. */
async function printNewInboxRows(ds: DataSource, cursor: { at: Date; id: string }): Promise<void> {
  const rows: InboxRow[] = await ds.query(
    `SELECT event_id, type, object_type, object_id, received_at FROM inbox_events
      WHERE (received_at, event_id) > ($1, $2) ORDER BY received_at, event_id`,
    [cursor.at, cursor.id],
  );
  for (const r of rows) {
    say(`Stripe ${r.type.padEnd(34)} ${r.object_id ?? ''}  → bridge inbox (${r.event_id})`);
    cursor.at = r.received_at;
    cursor.id = r.event_id;
  }
}

async function main(): Promise<void> {
  const stripeEmulator = new StripeEmulator();
  const hubspot = new HubSpotEmulator();
  const salesforce = new SalesforceEmulator();
  const [stripeUrl, hubspotUrl, salesforceUrl] = await Promise.all([
    stripeEmulator.start(),
    hubspot.start(),
    salesforce.start(),
  ]);

  const config = loadConfig({
    APP_PROFILE: 'local',
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
    PORT: process.env.PORT ?? '3000',
    DATA_DIR: process.env.DATA_DIR ?? './data/demo',
    STRIPE_API_BASE: stripeUrl,
    STRIPE_SECRET_KEY: 'sk_test_demo_emulator_key',
    // The CRM connectors are configured; they start writing when the sync engine lands.
    HUBSPOT_ACCESS_TOKEN: 'pat-demo-emulator',
    HUBSPOT_API_BASE: hubspotUrl,
    SALESFORCE_INSTANCE_URL: salesforceUrl,
    SALESFORCE_ACCESS_TOKEN: salesforce.issueToken(),
  });
  const app: NestFastifyApplication = await createApp(config);
  await app.listen({ port: config.port, host: '127.0.0.1' });
  const bridgeUrl = await app.getUrl();
  const [secret] = config.stripe.webhookSecrets;
  stripeEmulator.addWebhookEndpoint(`${bridgeUrl}/webhooks/stripe`, secret);

  say(`bridge      ${bridgeUrl}  (embedded database in ${config.dataDir})`);
  say(`Stripe      ${stripeUrl}  (emulator; webhooks go to ${bridgeUrl}/webhooks/stripe)`);
  say(`HubSpot     ${hubspotUrl}  (emulator)`);
  say(`Salesforce  ${salesforceUrl}  (emulator)`);
  say('The sync engine is not built yet: for now the feed shows Stripe events the bridge has');
  say('verified and stored. Ctrl-C stops the demo.');

  const ds = app.get(DataSource);
  const stripe = app.get(StripeClient).api;
  let running = true;

  // The feed: seed once, then print what arrives and now and then edit a customer in Stripe.
  const feed = (async () => {
    const customers = await seedStripe(stripe, say);
    const cursor = { at: new Date(0), id: '' };
    for (let tick = 1; running; tick++) {
      await printNewInboxRows(ds, cursor);
      await sleep(300);
      // About every 4.5 s (15 ticks), the next customer in turn.
      const c = customers[Math.floor(tick / 15) % customers.length];
      if (running && tick % 15 === 0 && c) {
        const email = `${c.name.toLowerCase().replace(/\W+/g, '.')}+${tick}@example.com`;
        say(`(Stripe) updating customer ${c.id}: email → ${email}`);
        await stripe.customers.update(c.id, { email });
      }
    }
  })();

  const stop = async (why: string, code = 0) => {
    if (!running) return;
    running = false;
    say(`${why}: stopping`);
    await feed.catch(() => undefined);
    await app.close();
    await Promise.all([stripeEmulator.stop(), hubspot.stop(), salesforce.stop()]);
    say('stopped');
    process.exit(code);
  };
  process.once('SIGINT', () => void stop('Ctrl-C'));
  process.once('SIGTERM', () => void stop('SIGTERM'));
  const seconds = Number(process.env.DEMO_SECONDS ?? 0);
  if (seconds > 0) setTimeout(() => void stop(`${seconds} s elapsed`), seconds * 1000).unref();
  feed.catch((err: unknown) => {
    process.stderr.write(`demo feed failed: ${String(err)}\n`);
    void stop('error', 1);
  });
}

main().catch((err: unknown) => {
  process.stderr.write(
    `demo failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
  );
  process.exit(1);
});
