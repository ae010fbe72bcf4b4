import { Client } from '@hubspot/api-client';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Stripe from 'stripe';
import { DataSource } from 'typeorm';
import {
  HubSpotEmulator,
  type HubSpotEmulatorOptions,
} from '../../emulators/hubspot/hubspot-emulator.js';
import { StripeEmulator } from '../../emulators/stripe/stripe-emulator.js';
import { MappingService } from '../../src/mapping/mapping.service.js';
import { CrmPoller, type PollReport } from '../../src/sync/poller/crm-poller.js';
import { startBridge, type RunningBridge } from './bridge.js';
import { createTestDatabase, type TestDatabase } from './postgres.js';
import { TEST_SECRET, sign } from './signing.js';

export const STRIPE_KEY = 'sk_test_sync_e2e_0000';
export const HUBSPOT_TOKEN = 'pat-na1-sync-e2e';
const CONTACT_PROPERTIES = [
  'email',
  'firstname',
  'lastname',
  'phone',
  'city',
  'stripe_customer_id',
  'stripe_deleted',
  'stripe_balance',
  'stripe_currency',
] as const;

export interface SyncHarness {
  stripeEmu: StripeEmulator;
  hubspotEmu: HubSpotEmulator;
  /** The bridge's database (a throwaway Postgres one, or the embedded one through the app). */
  db: Pick<TestDatabase, 'query'>;
  bridge: RunningBridge;
  /** The real SDKs, as a user (or their other tools) would drive Stripe and HubSpot. */
  stripe: Stripe;
  hubspot: Client;
  poll(): Promise<PollReport[]>;
  registerWebhooks(): void;
  /** What another process (the backfill CLI) needs to reach the same database and emulators. */
  env: Record<string, string>;
  /** Waits until the inbox has nothing pending or processing (and deliveries are flushed). */
  settle(timeoutMs?: number): Promise<void>;
  /** Re-sends a stored Stripe event to the bridge, signed, as a duplicate delivery would. */
  redeliver(eventId: string): Promise<number>;
  contactByStripeId(id: string): Promise<Record<string, string | null> & { id: string }>;
  setMappingPolicy(field: string, policy: string): Promise<void>;
  close(): Promise<void>;
}

export async function waitFor(
  what: string,
  check: () => Promise<boolean> | boolean,
  timeoutMs = 20_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/**
 * Stripe and HubSpot emulators, a fresh Postgres database and the whole bridge in this
 * process, wired the way a user would: the bridge's URL registered as a Stripe webhook
 * endpoint, HubSpot reached through its access token and API base.
 */
export async function startSyncHarness(
  opts: {
    env?: Record<string, string>;
    hubspot?: HubSpotEmulatorOptions;
    /** Register the bridge as a webhook endpoint now (default) or later (registerWebhooks). */
    webhooks?: boolean;
    /** Run on the embedded PGlite database instead of a fresh Postgres one. */
    embedded?: boolean;
  } = {},
): Promise<SyncHarness> {
  const stripeEmu = new StripeEmulator({ retryDelaysMs: [50, 100, 200] });
  const hubspotEmu = new HubSpotEmulator(opts.hubspot);
  const [stripeUrl, hubspotUrl] = await Promise.all([stripeEmu.start(), hubspotEmu.start()]);
  const pg = opts.embedded ? null : await createTestDatabase();
  const dataDir = opts.embedded ? mkdtempSync(join(tmpdir(), 'bridge-sync-')) : null;
  const bridge = await startBridge({
    ...(pg ? { DATABASE_URL: pg.url } : { DATA_DIR: dataDir ?? '' }),
    STRIPE_SECRET_KEY: STRIPE_KEY,
    STRIPE_API_BASE: stripeUrl,
    HUBSPOT_ACCESS_TOKEN: HUBSPOT_TOKEN,
    HUBSPOT_API_BASE: hubspotUrl,
    // Polls are driven by the tests (poll()), so each assertion knows when one happened.
    CRM_POLL_INTERVAL_SECONDS: '3600',
    CRM_POLL_OVERLAP_SECONDS: '5',
    SYNC_RETRY_BASE_MS: '100',
    SYNC_RETRY_MAX_MS: '1000',
    ...opts.env,
  });
  const registerWebhooks = () => {
    stripeEmu.addWebhookEndpoint(`${bridge.url}/webhooks/stripe`, TEST_SECRET);
  };
  if (opts.webhooks !== false) registerWebhooks();
  const su = new URL(stripeUrl);
  const stripe = new Stripe(STRIPE_KEY, {
    host: su.hostname,
    port: Number(su.port),
    protocol: 'http',
    maxNetworkRetries: 0,
  });
  const hubspot = new Client({
    accessToken: HUBSPOT_TOKEN,
    basePath: hubspotUrl.replace(/\/$/, ''),
  });
  const poller = bridge.app.get(CrmPoller);
  const appDataSource = bridge.app.get(DataSource);
  const db: Pick<TestDatabase, 'query'> = pg ?? {
    query: <T>(sql: string, params?: unknown[]) => appDataSource.query<T[]>(sql, params),
  };

  const busy = async () => {
    const rows = await db.query<{ n: string }>(
      `SELECT count(*) AS n FROM inbox_events WHERE status IN ('pending', 'processing')`,
    );
    return Number(rows[0]?.n ?? 0);
  };
  const harness: SyncHarness = {
    stripeEmu,
    hubspotEmu,
    db,
    bridge,
    stripe,
    hubspot,
    poll: () => poller.pollAll(),
    registerWebhooks,
    env: {
      ...(pg ? { DATABASE_URL: pg.url } : {}),
      STRIPE_SECRET_KEY: STRIPE_KEY,
      STRIPE_WEBHOOK_SECRET: TEST_SECRET,
      STRIPE_API_BASE: stripeUrl,
      HUBSPOT_ACCESS_TOKEN: HUBSPOT_TOKEN,
      HUBSPOT_API_BASE: hubspotUrl,
    },
    async settle(timeoutMs = 20_000) {
      await stripeEmu.flushDeliveries();
      await waitFor('the inbox to drain', async () => (await busy()) === 0, timeoutMs);
    },
    async redeliver(eventId) {
      const event = await stripe.events.retrieve(eventId);
      const body = JSON.stringify(event);
      const res = await fetch(`${bridge.url}/webhooks/stripe`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'stripe-signature': sign(body) },
        body,
      });
      return res.status;
    },
    async contactByStripeId(id) {
      // A read by unique property: not a search, so it does not spend the 5/s search budget
      // the bridge itself needs.
      const c = await hubspot.crm.contacts.basicApi.getById(
        id,
        [...CONTACT_PROPERTIES],
        undefined,
        undefined,
        false,
        'stripe_customer_id',
      );
      return { ...c.properties, id: c.id };
    },
    async setMappingPolicy(field, policy) {
      await db.query(`UPDATE field_mappings SET conflict_policy = $2 WHERE id = $1`, [
        field,
        policy,
      ]);
      bridge.app.get(MappingService).invalidate();
    },
    async close() {
      await bridge.close();
      await Promise.all([stripeEmu.stop(), hubspotEmu.stop()]);
      await pg?.drop();
    },
  };
  return harness;
}
