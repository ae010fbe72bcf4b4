import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ADMIN_ENV, adminClient } from '../../support/admin-client.js';
import { startSyncHarness, waitFor, type SyncHarness } from '../../support/sync-harness.js';

interface Status {
  at: string;
  inbox: {
    pending: number;
    processing: number;
    oldest_pending_age_s: number | null;
    dead_letters: number;
  };
  open_conflicts: number;
  error_rate_5m: { settled: number; failed: number; rate: number | null };
  connectors: {
    name: string;
    polls: { crm_object: string; cursor_at: string; lag_s: number; last_polled_at: string }[];
    last_successful_poll_at: string | null;
    inbox_pending: number;
    open_conflicts: number;
    api_budget: {
      used: number | null;
      limit: number | null;
      left: number | null;
      poll_slowdown: number | null;
    };
  }[];
}

/** GET /status: the counts an operator checks first, true to what the database holds. */
describe('admin API: status', () => {
  let h: SyncHarness;
  let admin: ReturnType<typeof adminClient>;

  beforeAll(async () => {
    h = await startSyncHarness({ webhooks: false, env: ADMIN_ENV });
    admin = adminClient(h.bridge.url);
  });
  afterAll(async () => {
    await h?.close();
  });

  it('reports the configured CRM, its poll cursor, dead letters, conflicts and inbox depth', async () => {
    const empty = await admin.get<Status>('/status');
    expect(empty.status).toBe(200);
    expect(empty.body).toMatchObject({
      inbox: { pending: 0, processing: 0, oldest_pending_age_s: null, dead_letters: 0 },
      open_conflicts: 0,
      error_rate_5m: { settled: 0, failed: 0, rate: null },
      connectors: [
        {
          name: 'hubspot',
          polls: [],
          last_successful_poll_at: null,
          inbox_pending: 0,
          open_conflicts: 0,
          // HubSpot does not report a daily usage to the bridge.
          api_budget: { used: null, limit: null, left: null, poll_slowdown: 1 },
        },
      ],
    });

    // One synced customer (so a link exists), then a conflict parked on it.
    h.registerWebhooks();
    const customer = await h.stripe.customers.create({ email: 'status@example.com', name: 'S' });
    await h.settle();
    await waitFor('the link', async () => {
      const rows = await h.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM links`);
      return rows[0]?.n === 1;
    });
    const [link] = await h.db.query<{ id: string }>(`SELECT id FROM links`);
    await h.db.query(
      `INSERT INTO sync_conflicts (link_id, field_mapping_id, stripe_path, crm_property,
         policy, winner, status) VALUES ($1, 'hubspot-customer-phone', 'phone', 'phone',
         'manual', 'none', 'open')`,
      [link?.id],
    );
    // A dead letter and a row waiting for a retry an hour away (no worker takes it now).
    await h.db.query(
      `INSERT INTO inbox_events (event_id, type, event_created_at, livemode, payload, status,
         processed_at, attempts, received_at, next_attempt_at) VALUES
         ('evt_status_dead', 'customer.updated', now(), false, '{}', 'dead', now(), 10,
          now() - interval '1 minute', now()),
         ('evt_status_wait', 'customer.updated', now(), false, '{}', 'pending', NULL, 1,
          now() - interval '2 minutes', now() + interval '1 hour')`,
    );
    await h.poll(); // the first poll starts the cursor

    const now = await admin.get<Status>('/status');
    expect(now.status).toBe(200);
    expect(now.body.inbox).toMatchObject({ pending: 1, dead_letters: 1 });
    expect(now.body.inbox.oldest_pending_age_s).toBeGreaterThanOrEqual(110);
    expect(now.body.open_conflicts).toBe(1);
    // The customer's event was processed and the dead letter settled in the last 5 minutes.
    expect(now.body.error_rate_5m.failed).toBe(1);
    expect(now.body.error_rate_5m.settled).toBeGreaterThanOrEqual(2);
    expect(now.body.error_rate_5m.rate).toBeGreaterThan(0);
    const [hubspot] = now.body.connectors;
    expect(hubspot).toMatchObject({ name: 'hubspot', open_conflicts: 1, inbox_pending: 0 });
    expect(hubspot?.polls).toEqual([
      expect.objectContaining({ crm_object: 'contacts', lag_s: expect.any(Number) as unknown }),
    ]);
    expect(hubspot?.polls[0]?.lag_s).toBeLessThan(60);
    expect(hubspot?.last_successful_poll_at).toBe(hubspot?.polls[0]?.last_polled_at);
    expect(customer.id).toMatch(/^cus_/);
  }, 60_000);

  it('needs a token', async () => {
    expect(await adminClient(h.bridge.url, null).get('/status')).toMatchObject({ status: 401 });
  });
});
