import { Client } from '@hubspot/api-client';
import jsforce from 'jsforce';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Stripe from 'stripe';
import { DataSource } from 'typeorm';
import {
  HubSpotEmulator,
  type HubSpotEmulatorOptions,
} from '../../emulators/hubspot/hubspot-emulator.js';
import {
  BRIDGE_CUSTOMER_FIELDS,
  bridgeCustomFields,
} from '../../emulators/salesforce/bridge-fields.js';
import {
  SalesforceEmulator,
  type SalesforceEmulatorOptions,
} from '../../emulators/salesforce/salesforce-emulator.js';
import { type FieldSpec } from '../../emulators/salesforce/schema.js';
import { StripeEmulator } from '../../emulators/stripe/stripe-emulator.js';
import { MappingService } from '../../src/mapping/mapping.service.js';
import { CrmPoller, type PollReport } from '../../src/sync/poller/crm-poller.js';
import { startBridge, type RunningBridge } from './bridge.js';
import { createTestDatabase, type TestDatabase } from './postgres.js';
import { TEST_SECRET, sign } from './signing.js';
import { stripeSdk } from './stripe-sdk.js';

export const STRIPE_KEY = 'sk_test_sync_e2e_0000';
export const HUBSPOT_TOKEN = 'pat-na1-sync-e2e';
export const SF_CLIENT_ID = 'sync-e2e-client';
export const SF_CLIENT_SECRET = 'sync-e2e-secret';

/** The custom fields the seeded Salesforce customer mappings need, as an admin creates them. */
export const SALESFORCE_CUSTOMER_FIELDS: FieldSpec[] = BRIDGE_CUSTOMER_FIELDS;

/** Fields of a Contact the Salesforce tests read back. */
const SF_CONTACT_FIELDS = [
  'Id',
  'Email',
  'FirstName',
  'LastName',
  'Phone',
  'MailingStreet',
  'Stripe_Address_Line2__c',
  'MailingCity',
  'MailingPostalCode',
  'MailingState',
  'MailingCountry',
  'Description',
  'Stripe_Customer_Id__c',
  'Stripe_Deleted__c',
  'Stripe_Balance__c',
  'Stripe_Currency__c',
  'LastModifiedById',
];

export type CrmName = 'hubspot' | 'salesforce';
const CONTACT_PROPERTIES = [
  'email',
  'firstname',
  'lastname',
  'phone',
  'address',
  'stripe_address_line2',
  'city',
  'zip',
  'state',
  'country',
  'stripe_description',
  'stripe_customer_id',
  'stripe_deleted',
  'stripe_balance',
  'stripe_currency',
] as const;

export interface SyncHarness {
  stripeEmu: StripeEmulator;
  hubspotEmu: HubSpotEmulator;
  /** Started for every harness; the bridge only uses it when 'salesforce' is among the CRMs. */
  sfEmu: SalesforceEmulator;
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
  /** The Salesforce Contact holding this Stripe id (read straight from the emulator's store). */
  sfContactByStripeId(id: string): Record<string, unknown> & { Id: string };
  /** Salesforce API calls the bridge made that write records (collections, composite, sObject). */
  sfWriteCalls(): number;
  /** A Salesforce user's own API client (not the bridge's integration user). */
  sfUser(): jsforce.Connection;
  /** Updates of one Stripe customer Stripe has served (the bridge's writes, and the tests'). */
  stripeWritesTo(customerId: string): number;
  /** The params of those updates as Stripe received them, oldest first. */
  stripeUpdateBodies(customerId: string): Record<string, unknown>[];
  setMappingPolicy(field: string, policy: string): Promise<void>;
  /** Changes columns of one field mapping (`blank_overwrites`, …) as an admin would. */
  setFieldMapping(field: string, columns: Record<string, unknown>): Promise<void>;
  /** Adds a field mapping to an object mapping, as an admin would. */
  addFieldMapping(
    mapping: string,
    field: { id: string; stripePath: string; crmProperty: string; direction?: string },
  ): Promise<void>;
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
    /** The CRMs the bridge is configured for (default HubSpot only). */
    crms?: CrmName[];
    salesforce?: SalesforceEmulatorOptions;
  } = {},
): Promise<SyncHarness> {
  const stripeEmu = new StripeEmulator({ retryDelaysMs: [50, 100, 200] });
  const hubspotEmu = new HubSpotEmulator(opts.hubspot);
  const sfEmu = new SalesforceEmulator({
    clientId: SF_CLIENT_ID,
    clientSecret: SF_CLIENT_SECRET,
    customFields: bridgeCustomFields(),
    ...opts.salesforce,
  });
  const [stripeUrl, hubspotUrl, sfUrl] = await Promise.all([
    stripeEmu.start(),
    hubspotEmu.start(),
    sfEmu.start(),
  ]);
  const crms = opts.crms ?? ['hubspot'];
  const crmEnv: Record<string, string> = {
    ...(crms.includes('hubspot')
      ? { HUBSPOT_ACCESS_TOKEN: HUBSPOT_TOKEN, HUBSPOT_API_BASE: hubspotUrl }
      : {}),
    ...(crms.includes('salesforce')
      ? {
          // Client credentials, as a production org's integration user would run.
          SALESFORCE_INSTANCE_URL: sfUrl,
          SALESFORCE_CLIENT_ID: SF_CLIENT_ID,
          SALESFORCE_CLIENT_SECRET: SF_CLIENT_SECRET,
        }
      : {}),
  };
  const pg = opts.embedded ? null : await createTestDatabase();
  const dataDir = opts.embedded ? mkdtempSync(join(tmpdir(), 'bridge-sync-')) : null;
  const bridge = await startBridge({
    ...(pg ? { DATABASE_URL: pg.url } : { DATA_DIR: dataDir ?? '' }),
    STRIPE_SECRET_KEY: STRIPE_KEY,
    STRIPE_API_BASE: stripeUrl,
    ...crmEnv,
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
  const stripe = stripeSdk(stripeUrl, STRIPE_KEY);
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
    sfEmu,
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
      ...crmEnv,
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
    sfContactByStripeId(id) {
      const found = sfEmu.records('Contact').filter((r) => r.Stripe_Customer_Id__c === id);
      if (found.length !== 1) {
        throw new Error(`expected one Contact for ${id}, found ${found.length}`);
      }
      const row = found[0]!;
      return Object.fromEntries(SF_CONTACT_FIELDS.map((f) => [f, row[f] ?? null])) as Record<
        string,
        unknown
      > & { Id: string };
    },
    sfUser() {
      return new jsforce.Connection({
        instanceUrl: sfEmu.instanceUrl,
        accessToken: sfEmu.auth.issueAccessToken(sfEmu.uiUserId),
        version: '62.0',
      });
    },
    stripeWritesTo(customerId) {
      return stripeEmu.http
        .requests()
        .filter((r) => r.method === 'POST' && r.path === `/v1/customers/${customerId}`).length;
    },
    stripeUpdateBodies(customerId) {
      return stripeEmu.http
        .requests({ method: 'POST', path: `/v1/customers/${customerId}` })
        .filter((r) => r.path === `/v1/customers/${customerId}`)
        .map((r) => (r.body ?? {}) as Record<string, unknown>);
    },
    async setFieldMapping(field, columns) {
      const entries = Object.entries(columns);
      const set = entries.map(([c], i) => `${c} = $${i + 2}`).join(', ');
      await db.query(`UPDATE field_mappings SET ${set} WHERE id = $1`, [
        field,
        ...entries.map(([, v]) => v),
      ]);
      bridge.app.get(MappingService).invalidate();
    },
    async addFieldMapping(mapping, f) {
      await db.query(
        `INSERT INTO field_mappings (id, object_mapping_id, stripe_path, crm_property, direction,
           transforms, position) VALUES ($1, $2, $3, $4, $5, '[]', 100)`,
        [f.id, mapping, f.stripePath, f.crmProperty, f.direction ?? 'both'],
      );
      bridge.app.get(MappingService).invalidate();
    },
    sfWriteCalls() {
      return sfEmu.http
        .requests()
        .filter(
          (r) =>
            r.method !== 'GET' && /^\/services\/data\/v[\d.]+\/(composite|sobjects)/.test(r.path),
        ).length;
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
      await Promise.all([stripeEmu.stop(), hubspotEmu.stop(), sfEmu.stop()]);
      await pg?.drop();
    },
  };
  return harness;
}
