/**
 * `npm run demo`: the bridge and the three emulators on this machine, no credentials, no
 * network. Seeds Stripe, then prints a live feed of what reaches the bridge. Ctrl-C stops it.
 *
 * PORT (default 3000) is the bridge's port; DATA_DIR (default ./data/demo) its embedded
 * database; DEMO_SECONDS stops the demo by itself after that many seconds.
 *
 * Every run starts clean: the emulators keep nothing between runs (their ids start over), so
 * links kept from a previous run would pair new customers with records that no longer exist.
 */
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { type NestFastifyApplication } from '@nestjs/platform-fastify';
import { setTimeout as sleep } from 'node:timers/promises';
import { DataSource } from 'typeorm';
import { HubSpotEmulator } from '../emulators/hubspot/hubspot-emulator.js';
import { bridgeCustomFields } from '../emulators/salesforce/bridge-fields.js';
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
  source: string;
  type: string;
  object_id: string | null;
  at: Date;
  outcome: string | null;
  last_error: string | null;
}

interface Cursor {
  at: Date;
  id: string;
}

/** Prints inbox rows as they arrive: what Stripe sent (or a poll found) and the bridge stored. */
async function printNewInboxRows(ds: DataSource, cursor: Cursor): Promise<void> {
  const rows: InboxRow[] = await ds.query(
    `SELECT event_id, source, type, object_id, received_at AS at FROM inbox_events
      WHERE (received_at, event_id) > ($1, $2) ORDER BY received_at, event_id`,
    [cursor.at, cursor.id],
  );
  for (const r of rows) {
    const from = SOURCE_NAMES[r.source] ?? r.source;
    say(`${from} ${r.type.padEnd(34)} ${r.object_id ?? ''}  → bridge inbox (${r.event_id})`);
    cursor.at = r.at;
    cursor.id = r.event_id;
  }
}

/** Prints what the sync workers made of each row (created, updated, echo, stale, …). */
async function printSynced(ds: DataSource, cursor: Cursor): Promise<void> {
  const rows: InboxRow[] = await ds.query(
    `SELECT event_id, source, type, object_id, processed_at AS at, outcome, last_error
       FROM inbox_events WHERE processed_at IS NOT NULL AND (processed_at, event_id) > ($1, $2)
      ORDER BY processed_at, event_id`,
    [cursor.at, cursor.id],
  );
  for (const r of rows) {
    const what = r.outcome === 'dead_letter' ? `dead letter: ${r.last_error ?? ''}` : r.outcome;
    say(`   synced ${r.type.padEnd(27)} ${r.object_id ?? ''}  ${what ?? ''}`);
    cursor.at = r.at;
    cursor.id = r.event_id;
  }
}

const SOURCE_NAMES: Record<string, string> = {
  stripe: 'Stripe',
  hubspot: 'HubSpot',
  salesforce: 'Salesforce',
};

/** Marks a directory as the demo's own, so a later run may wipe it (and nothing else). */
const MARKER = '.stripe-crm-bridge-demo';

/**
 * Empties the demo's data directory. Refuses a non-empty directory the demo did not create
 * (DATA_DIR pointed at a real database by mistake) rather than deleting it.
 */
function startClean(dir: string): 'fresh' | 'wiped' {
  if (existsSync(dir) && readdirSync(dir).length > 0) {
    if (!existsSync(join(dir, MARKER))) {
      throw new Error(
        `${dir} is not empty and was not created by the demo; the demo starts clean each run, so point DATA_DIR at an empty or demo-only directory`,
      );
    }
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, MARKER), 'created by npm run demo; wiped at each start\n');
    return 'wiped';
  }
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, MARKER), 'created by npm run demo; wiped at each start\n');
  return 'fresh';
}

async function main(): Promise<void> {
  const dataDir = resolve(process.env.DATA_DIR ?? './data/demo');
  const start = startClean(dataDir);
  const stripeEmulator = new StripeEmulator();
  const hubspot = new HubSpotEmulator();
  // An org whose admin created the custom fields the bridge asks for (see the README).
  const salesforce = new SalesforceEmulator({ customFields: bridgeCustomFields() });
  const [stripeUrl, hubspotUrl, salesforceUrl] = await Promise.all([
    stripeEmulator.start(),
    hubspot.start(),
    salesforce.start(),
  ]);

  const config = loadConfig({
    APP_PROFILE: 'local',
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
    PORT: process.env.PORT ?? '3000',
    DATA_DIR: dataDir,
    STRIPE_API_BASE: stripeUrl,
    STRIPE_SECRET_KEY: 'sk_test_demo_emulator_key',
    // Both CRMs at once, each two-way; Salesforce through the client credentials flow.
    HUBSPOT_ACCESS_TOKEN: 'pat-demo-emulator',
    CRM_POLL_INTERVAL_SECONDS: '5',
    CRM_POLL_OVERLAP_SECONDS: '5',
    HUBSPOT_API_BASE: hubspotUrl,
    SALESFORCE_INSTANCE_URL: salesforceUrl,
    SALESFORCE_CLIENT_ID: 'emulator-client-id',
    SALESFORCE_CLIENT_SECRET: 'emulator-client-secret',
  });
  const app: NestFastifyApplication = await createApp(config);
  await app.listen({ port: config.port, host: '127.0.0.1' });
  const bridgeUrl = await app.getUrl();
  const [secret] = config.stripe.webhookSecrets;
  stripeEmulator.addWebhookEndpoint(`${bridgeUrl}/webhooks/stripe`, secret);

  say(
    start === 'wiped'
      ? `starting clean: removed the previous run's database in ${config.dataDir} (the emulators keep nothing between runs)`
      : `starting clean: a new database in ${config.dataDir}`,
  );
  say(`bridge      ${bridgeUrl}  (embedded database in ${config.dataDir})`);
  say(`Stripe      ${stripeUrl}  (emulator; webhooks go to ${bridgeUrl}/webhooks/stripe)`);
  say(`HubSpot     ${hubspotUrl}  (emulator)`);
  say(`Salesforce  ${salesforceUrl}  (emulator)`);
  // A trial's own generated token (kept in DATA_DIR/local-secrets.json): shown so it can be used.
  const [admin] = config.adminApiTokens;
  if (admin) {
    say(`admin API   ${bridgeUrl}/docs  (token ${admin.token}); list the mappings with:`);
    say(`  curl -H "Authorization: Bearer ${admin.token}" ${bridgeUrl}/mappings`);
  }
  say('The feed shows what reaches the bridge and what the sync made of it: Stripe customers');
  say('become HubSpot contacts and Salesforce Contacts, and a contact edited in either CRM');
  say('flows back to Stripe within a poll (5 s here), and on to the other CRM. Ctrl-C stops it.');

  const ds = app.get(DataSource);
  const stripe = app.get(StripeClient).api;
  let running = true;

  // The feed: seed once, then print what arrives and now and then edit a customer in Stripe.
  const feed = (async () => {
    const customers = await seedStripe(stripe, say);
    const cursor = { at: new Date(0), id: '' };
    const synced = { at: new Date(0), id: '' };
    for (let tick = 1; running; tick++) {
      await printNewInboxRows(ds, cursor);
      await printSynced(ds, synced);
      await sleep(300);
      // About every 9 s, a HubSpot user edits a synced contact's phone number.
      const contact = hubspot.objects.live('contacts')[Math.floor(tick / 30)];
      if (running && tick % 30 === 20 && contact) {
        const phone = `+1 555 01${String(tick % 100).padStart(2, '0')}`;
        say(`(HubSpot) a user edits contact ${contact.id}: phone → ${phone}`);
        hubspot.editAsUser('contacts', contact.id, { phone });
      }
      // About every 9 s too, a Salesforce user edits a synced Contact's phone number.
      const sfContact = salesforce.records('Contact')[Math.floor(tick / 30)];
      if (running && tick % 30 === 5 && sfContact) {
        const phone = `+1 555 02${String(tick % 100).padStart(2, '0')}`;
        say(`(Salesforce) a user edits Contact ${String(sfContact.Id)}: Phone → ${phone}`);
        salesforce.editAsUser('Contact', String(sfContact.Id), { Phone: phone });
      }
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
