import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startSyncHarness, type SyncHarness } from '../../support/sync-harness.js';

describe('smoke: Stripe customers → Salesforce contacts', () => {
  let h: SyncHarness;
  beforeAll(async () => {
    h = await startSyncHarness({ crms: ['salesforce'] });
  });
  afterAll(async () => {
    await h?.close();
  });

  it('creates a contact', async () => {
    const customer = await h.stripe.customers.create({
      email: 'Ada@Example.com',
      name: 'Ada Lovelace',
      balance: -1250,
    });
    await h.settle();
    const c = h.sfContactByStripeId(customer.id);
    expect(c).toMatchObject({ Email: 'ada@example.com', FirstName: 'Ada', LastName: 'Lovelace' });
    const after = await h.stripe.customers.retrieve(customer.id);
    expect((after as { metadata: Record<string, string> }).metadata.salesforce_contact_id).toBe(c.Id);
    const rows = await h.db.query(`SELECT event_id, status, outcome, last_error FROM inbox_events`);
    console.log(rows);
  });
});
