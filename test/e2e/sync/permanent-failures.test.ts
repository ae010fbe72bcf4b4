import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type Stripe from 'stripe';
import { mapLimit } from '../../../src/common/map-limit.js';
import { SyncWorker } from '../../../src/sync/worker/sync-worker.js';
import { startSyncHarness, waitFor, type SyncHarness } from '../../support/sync-harness.js';

const N = 100;

/**
 * An error that cannot pass on retry belongs to one record: that record is set aside (a
 * dead letter with its reason, or a duplicate-candidates row), and the rest of its batch goes
 * through. Workers are off (SYNC_WORKERS=0) so each test drains one batch of 100 itself.
 */
describe('a permanent failure inside a 100-record batch', () => {
  let h: SyncHarness;

  beforeAll(async () => {
    h = await startSyncHarness({ env: { SYNC_WORKERS: '0', SYNC_BATCH_SIZE: '100' } });
    // One customer first, so the bridge has created its HubSpot properties.
    await h.stripe.customers.create({ email: 'warm-up@example.com', name: 'Warm Up' });
    await h.stripeEmu.flushDeliveries();
    await waitFor('the warm-up event', async () => (await pendingCount()) > 0);
    await h.bridge.app.get(SyncWorker).drain();
  });
  afterAll(async () => {
    await h?.close();
  });

  const drain = () => h.bridge.app.get(SyncWorker).drain();
  const pendingCount = async () =>
    Number(
      (
        await h.db.query<{ n: string }>(
          `SELECT count(*) AS n FROM inbox_events WHERE status = 'pending'`,
        )
      )[0]?.n,
    );
  /** N new customers whose customer.created events wait in the inbox, undrained. */
  const createCustomers = async (tag: string): Promise<Stripe.Customer[]> => {
    const before = await pendingCount();
    const customers = await mapLimit(
      Array.from({ length: N }, (_, i) => i),
      8,
      (i) => h.stripe.customers.create({ email: `${tag}-${i}@example.com`, name: `${tag} ${i}` }),
    );
    await h.stripeEmu.flushDeliveries();
    await waitFor('the events stored', async () => (await pendingCount()) === before + N);
    return customers;
  };
  const linkedCount = async (ids: string[]) =>
    Number(
      (
        await h.db.query<{ n: string }>(
          `SELECT count(*) AS n FROM links WHERE stripe_id = ANY($1)`,
          [ids],
        )
      )[0]?.n,
    );

  it('a CRM record already linked to another Stripe object: a duplicate-candidates row, the other 99 sync', async () => {
    const customers = await createCustomers('taken');
    const victim = customers[42]!;
    // A contact holding the victim's Stripe id, but linked (stale, from an earlier setup) to
    // a Stripe customer that is not this one.
    const contact = await h.hubspot.crm.contacts.basicApi.create({
      properties: { email: 'stale@example.com', stripe_customer_id: victim.id },
      associations: [],
    });
    await h.db.query(
      `INSERT INTO links (connector, stripe_object, stripe_id, crm_object, crm_id, matched_by)
       VALUES ('hubspot', 'customer', 'cus_from_an_earlier_setup', 'contacts', $1, 'created')`,
      [contact.id],
    );

    await drain();
    expect(await linkedCount(customers.map((c) => c.id))).toBe(N - 1);
    expect(
      await h.db.query(
        `SELECT stripe_id, matched_by, candidate_ids, status FROM duplicate_candidates
          WHERE stripe_id = $1`,
        [victim.id],
      ),
    ).toEqual([
      {
        stripe_id: victim.id,
        matched_by: 'crm_record_linked_elsewhere',
        candidate_ids: [contact.id],
        status: 'open',
      },
    ]);
    expect(await h.db.query(`SELECT event_id FROM inbox_events WHERE status = 'dead'`)).toEqual([]);
    // The stale link is left as it was: a person decides which pairing is right.
    expect(await h.db.query(`SELECT stripe_id FROM links WHERE crm_id = $1`, [contact.id])).toEqual(
      [{ stripe_id: 'cus_from_an_earlier_setup' }],
    );
  });

  it('a record that violates a database constraint: a dead letter with the reason, the other 99 sync, no loop', async () => {
    const customers = await createCustomers('poison');
    const poison = customers[17]!;
    // A constraint only this one record breaks when its link is stored.
    await h.db.query(
      `ALTER TABLE links ADD CONSTRAINT test_poison_record CHECK (stripe_id <> '${poison.id}')`,
    );
    try {
      await drain();
      expect(await linkedCount(customers.map((c) => c.id))).toBe(N - 1);
      // Each of its events (the creation, then the write-back's update, which was sent before
      // the link could not be stored) is parked on its first attempt; nothing else is.
      const dead = await h.db.query<{ object_id: string; last_error: string; attempts: number }>(
        `SELECT object_id, last_error, attempts FROM inbox_events WHERE status = 'dead'`,
      );
      expect(dead.length).toBeGreaterThanOrEqual(1);
      for (const row of dead) {
        expect(row).toEqual({
          object_id: poison.id,
          last_error: expect.stringMatching(
            /^constraint_violation: test_poison_record \(SQLSTATE 23514\)/,
          ) as unknown as string,
          attempts: 1,
        });
      }
      // Nothing is left to retry: the batch does not come back.
      await drain();
      expect(await pendingCount()).toBe(0);
    } finally {
      await h.db.query(`ALTER TABLE links DROP CONSTRAINT test_poison_record`);
    }
  });
});
