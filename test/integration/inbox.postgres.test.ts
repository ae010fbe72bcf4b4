import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  type BridgeDataSource,
  openBridgeDataSource,
} from '../../src/database/bridge-data-source.js';
import {
  summarizeStripeEvent,
  type StripeEventSummary,
} from '../../src/domain/stripe-event-summary.js';
import { MetricsService } from '../../src/ops/metrics.service.js';
import { WorkSignal } from '../../src/sync/inbox/work-signal.js';
import { InboxService } from '../../src/sync/inbox/inbox.service.js';
import { stripeEvent } from '../support/fixtures.js';
import { createTestDatabase, type TestDatabase } from '../support/postgres.js';

function summary(event: unknown): StripeEventSummary {
  const r = summarizeStripeEvent(event);
  if (!r.ok) throw new Error(r.message);
  return r.summary;
}

describe('inbox on PostgreSQL', () => {
  let db: TestDatabase;
  let ds: BridgeDataSource;
  let inbox: InboxService;

  beforeAll(async () => {
    db = await createTestDatabase();
    ds = await openBridgeDataSource(
      { kind: 'postgres', url: db.url, poolSize: 6 },
      { migrate: true },
    );
    inbox = new InboxService(ds, new MetricsService(), new WorkSignal());
  });
  afterAll(async () => {
    await ds?.destroy();
    await db?.drop();
  });

  it('stores an event once with what workers need, and reports a repeat as duplicate', async () => {
    const e = stripeEvent('customer.updated');
    const raw = JSON.stringify(e);
    await expect(inbox.store(summary(e), raw)).resolves.toBe('stored');
    await expect(inbox.store(summary(e), raw)).resolves.toBe('duplicate');
    const rows = await db.query(
      `SELECT type, object_type, object_id, event_created_at, livemode, api_version, status, attempts,
              payload->>'id' AS payload_id
         FROM inbox_events WHERE event_id = $1`,
      [e.id],
    );
    expect(rows).toEqual([
      {
        type: 'customer.updated',
        object_type: 'customer',
        object_id: 'cus_QXg1o8vcGmoR32',
        event_created_at: new Date(e.created * 1000),
        livemode: false,
        api_version: '2026-10-28.endive',
        status: 'pending',
        attempts: 0,
        payload_id: e.id,
      },
    ]);
  });

  it('keeps every event of a concurrent burst, duplicates included, exactly once', async () => {
    const events = Array.from({ length: 600 }, () => stripeEvent('invoice.paid'));
    // Every event delivered twice at once, as Stripe may do.
    const deliveries = [...events, ...events].map((e) =>
      inbox.store(summary(e), JSON.stringify(e)),
    );
    const outcomes = await Promise.all(deliveries);
    expect(outcomes.filter((o) => o === 'stored')).toHaveLength(600);
    expect(outcomes.filter((o) => o === 'duplicate')).toHaveLength(600);
    const [row] = await db.query<{ n: string }>(
      `SELECT count(*) AS n FROM inbox_events WHERE event_id = ANY($1)`,
      [events.map((e) => e.id)],
    );
    expect(Number(row?.n)).toBe(600);
    await expect(inbox.pendingCount()).resolves.toBeGreaterThanOrEqual(600);
  });

  it('migrations go down and up again cleanly', async () => {
    const table = async (name: string) =>
      (await db.query<{ t: string | null }>(`SELECT to_regclass($1) AS t`, [name]))[0]?.t;
    const count = async (sql: string) => (await db.query<{ n: number }>(sql))[0]?.n;
    await ds.revertLast(); // discarded dead letters, cancellable runs
    expect(await ds.migrationsApplied()).toBe(false);
    await ds.revertLast(); // mapping versions and the admin audit log
    expect(await table('admin_audit')).toBeNull();
    expect(await table('mapping_versions')).toBeNull();
    await ds.revertLast(); // first-link policy, money opt-in, field errors
    expect(await table('field_errors')).toBeNull();
    await ds.revertLast(); // the Salesforce mappings
    expect(await count(`SELECT count(*)::int AS n FROM object_mappings`)).toBe(1);
    await ds.revertLast(); // the sync engine's tables
    expect(await table('links')).toBeNull();
    expect(await table('inbox_events')).toBe('inbox_events');
    await ds.revertLast(); // the inbox
    expect(await table('inbox_events')).toBeNull();
    await ds.migrateLatest();
    expect(await ds.migrationsApplied()).toBe(true);
    expect(await table('links')).toBe('links');
    expect(await table('field_errors')).toBe('field_errors');
    expect(await table('admin_audit')).toBe('admin_audit');
    const policies = await db.query(
      `SELECT DISTINCT first_link_policy FROM object_mappings ORDER BY 1`,
    );
    expect(policies).toEqual([{ first_link_policy: 'stripe_wins' }]);
    // HubSpot's 16 customer fields, Salesforce's 16 (Contact) and 15 (Account: one name field).
    expect(await count(`SELECT count(*)::int AS n FROM field_mappings`)).toBe(47);
    const enabled = await db.query(`SELECT id FROM object_mappings WHERE enabled ORDER BY id`);
    expect(enabled).toEqual([{ id: 'hubspot-customer' }, { id: 'salesforce-customer' }]);
    // One enabled mapping per CRM and Stripe object: enabling the Account one beside the
    // Contact one is refused by the database.
    await expect(
      db.query(
        `UPDATE object_mappings SET enabled = true WHERE id = 'salesforce-customer-account'`,
      ),
    ).rejects.toThrow(/object_mappings_one_enabled/);
  });
});
