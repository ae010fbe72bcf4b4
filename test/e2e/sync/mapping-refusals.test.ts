import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { WorkSignal } from '../../../src/sync/inbox/work-signal.js';
import { startSyncHarness, waitFor, type SyncHarness } from '../../support/sync-harness.js';

interface InboxRow {
  status: string;
  attempts: number;
  outcome: string | null;
}

/**
 * A mapping that would have Stripe refuse every write, or silently drop a field, is refused
 * when it is loaded, naming the field and the fix: its work waits (attempts kept, nothing
 * written, nothing dead-lettered), the mapping is not polled, and the work flows once an
 * admin fixes it.
 */
describe('mappings checked when they load', () => {
  let h: SyncHarness;

  beforeAll(async () => {
    h = await startSyncHarness();
  });
  afterAll(async () => {
    await h?.close();
  });

  const inboxOf = (id: string) =>
    h.db.query<InboxRow>(
      `SELECT status, attempts, outcome FROM inbox_events WHERE object_id = $1
        ORDER BY event_created_at, received_at`,
      [id],
    );
  const refusedWith = async (id: string, pattern: RegExp) => {
    await waitFor('the job to wait for the mapping', async () =>
      (await inboxOf(id)).some((r) => r.outcome?.startsWith('mapping_refused')),
    );
    const rows = await inboxOf(id);
    expect(rows).toEqual([
      expect.objectContaining({
        status: 'pending',
        attempts: 0,
        outcome: expect.stringMatching(pattern) as unknown,
      }),
    ]);
    const searches = () => h.hubspotEmu.http.requests({ path: '/crm/v3/objects/contacts/search' });
    const before = searches().length;
    expect(await h.poll()).toEqual([expect.objectContaining({ status: 'refused' })]);
    expect(searches()).toHaveLength(before); // not polled: no search spent
  };
  /** The admin's fix is read within the cache's life; the waiting work is made due now. */
  const fixedThenSynced = async (id: string) => {
    await h.db.query(
      `UPDATE inbox_events SET next_attempt_at = now() WHERE status = 'pending'
         AND outcome LIKE 'mapping_refused:%'`,
    );
    h.bridge.app.get(WorkSignal).notify();
    await waitFor('the customer to sync', async () =>
      (await inboxOf(id)).every((r) => r.status === 'done'),
    );
    expect(await h.db.query(`SELECT 1 FROM links WHERE stripe_id = $1`, [id])).toHaveLength(1);
  };

  it('a read-only Stripe field mapped toward Stripe: refused, naming it', async () => {
    await h.setFieldMapping('hubspot-customer-delinquent', { direction: 'both' });
    const c = await h.stripe.customers.create({ email: 'readonly@example.com' });
    await refusedWith(
      c.id,
      /^mapping_refused: .*field hubspot-customer-delinquent \(delinquent ↔ stripe_delinquent\): "delinquent" is read-only in Stripe: map it to_crm/,
    );
    expect(h.hubspotEmu.writeCount('contacts')).toBe(0);
    await h.setFieldMapping('hubspot-customer-delinquent', { direction: 'to_crm' });
    await fixedThenSynced(c.id);
  });

  it('a transform typo: refused, instead of the field being dropped', async () => {
    await h.setFieldMapping('hubspot-customer-city', {
      transforms: JSON.stringify([{ kind: 'uppercase' }]),
    });
    const c = await h.stripe.customers.create({
      email: 'typo@example.com',
      address: { city: 'Lyon' },
    });
    await refusedWith(c.id, /field hubspot-customer-city \(address\.city ↔ city\): .*uppercase/);
    await h.setFieldMapping('hubspot-customer-city', {
      transforms: JSON.stringify([{ kind: 'trim' }]),
    });
    await fixedThenSynced(c.id);
    expect((await h.contactByStripeId(c.id)).city).toBe('Lyon');
  });

  it('balance toward Stripe only with allow_money_write; then a CRM edit sets it', async () => {
    const transforms = JSON.stringify([{ kind: 'cents_to_decimal', exponent: 2 }]);
    await h.setFieldMapping('hubspot-customer-balance', { direction: 'both', transforms });
    const c = await h.stripe.customers.create({ email: 'balance@example.com' });
    await refusedWith(c.id, /"balance" moves money in Stripe .*set allow_money_write/);

    await h.setFieldMapping('hubspot-customer-balance', { allow_money_write: true });
    await fixedThenSynced(c.id);
    const contact = await h.contactByStripeId(c.id);
    await h.poll(); // the first poll of a mapping starts its cursor
    await new Promise((r) => setTimeout(r, 5));
    h.hubspotEmu.editAsUser('contacts', contact.id, { stripe_balance: '12.5' });
    await h.poll();
    await h.settle();
    expect((await h.stripe.customers.retrieve(c.id)) as { balance?: number }).toMatchObject({
      balance: 1250,
    });
  });
});
