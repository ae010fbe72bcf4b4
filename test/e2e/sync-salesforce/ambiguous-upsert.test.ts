import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { externalIdField } from '../../../emulators/salesforce/salesforce-emulator.js';
import { BRIDGE_CUSTOMER_FIELDS } from '../../../emulators/salesforce/bridge-fields.js';
import { startSyncHarness, waitFor, type SyncHarness } from '../../support/sync-harness.js';

const UPSERT = '/services/data/v62.0/composite/sobjects/Contact/Stripe_Customer_Id__c';

/**
 * Salesforce answers an upsert whose External ID matches several records with 300 Multiple
 * Choices (in a collection: DUPLICATE_EXTERNAL_ID). That needs a non-unique External ID and two
 * records made between the bridge's match and its write: the bridge must not guess.
 */
describe('an upsert Salesforce finds ambiguous', () => {
  let h: SyncHarness;

  beforeAll(async () => {
    h = await startSyncHarness({
      crms: ['salesforce'],
      salesforce: {
        customFields: {
          Contact: [
            externalIdField('Stripe_Customer_Id__c', false),
            ...BRIDGE_CUSTOMER_FIELDS.filter((f) => f.name !== 'Stripe_Customer_Id__c'),
          ],
        },
      },
    });
  });
  afterAll(async () => {
    await h?.close();
  });

  it('becomes a duplicate-candidates row naming both records: no link, no guess', async () => {
    const user = h.sfUser();
    // The bridge's upsert waits a second on the way in; meanwhile two records take its key.
    h.sfEmu.http.faults.setLatency({ method: 'PATCH', path: UPSERT, ms: 1000 });
    const queriesBefore = h.sfEmu.http.requests({ method: 'GET' }).length;
    const customer = await h.stripe.customers.create({ email: 'race@example.com', name: 'Ra Ce' });
    // The match lookups (by Stripe id, by email) have found nothing…
    await waitFor(
      'the match lookups',
      () => h.sfEmu.http.requests({ method: 'GET' }).length >= queriesBefore + 2,
    );
    // …and the upsert is in flight when a user (or another integration) makes two records.
    const ids: string[] = [];
    for (const email of ['race.one@example.com', 'race.two@example.com']) {
      const res = await user
        .sobject('Contact')
        .create({ LastName: 'Race', Email: email, Stripe_Customer_Id__c: customer.id });
      if (!res.success) throw new Error(JSON.stringify(res));
      ids.push(res.id);
    }
    await h.settle();
    h.sfEmu.http.faults.setLatency({ method: 'PATCH', path: UPSERT, ms: 0 });

    const dup = await h.db.query<{ candidate_ids: string[]; matched_by: string }>(
      `SELECT candidate_ids, matched_by FROM duplicate_candidates WHERE stripe_id = $1`,
      [customer.id],
    );
    expect(dup).toEqual([{ candidate_ids: ids.sort(), matched_by: 'stripe_id' }]);
    expect(await h.db.query(`SELECT 1 FROM links WHERE stripe_id = $1`, [customer.id])).toEqual([]);
    // Neither record was written by the bridge, and no third one was made.
    const holding = h.sfEmu
      .records('Contact')
      .filter((r) => r.Stripe_Customer_Id__c === customer.id);
    expect(holding.map((r) => r.Email).sort()).toEqual([
      'race.one@example.com',
      'race.two@example.com',
    ]);
    const outcome = await h.db.query<{ outcome: string; status: string }>(
      `SELECT outcome, status FROM inbox_events WHERE object_id = $1 AND type = 'customer.created'`,
      [customer.id],
    );
    expect(outcome).toEqual([{ outcome: 'salesforce:ambiguous', status: 'done' }]);
    // It was the upsert that found the ambiguity (the match lookups had found nothing): one
    // upsert call, answered per record, and not repeated.
    expect(h.sfEmu.http.requests({ method: 'PATCH', path: UPSERT })).toHaveLength(1);
  });
});
