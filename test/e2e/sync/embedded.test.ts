import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startSyncHarness, type SyncHarness } from '../../support/sync-harness.js';

describe('two-way sync on the embedded database (no DATABASE_URL)', () => {
  let h: SyncHarness;

  beforeAll(async () => {
    h = await startSyncHarness({ embedded: true });
  });
  afterAll(async () => {
    await h?.close();
  });

  it('syncs a burst of customers to HubSpot and an edit back, one worker at a time', async () => {
    const customers = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        h.stripe.customers.create({ email: `embedded-${i}@example.com`, name: `Embedded ${i}` }),
      ),
    );
    await h.settle(30_000);
    for (const c of customers) expect((await h.contactByStripeId(c.id)).email).toBe(c.email);

    const target = customers[3];
    const contact = await h.contactByStripeId(target?.id ?? '');
    await h.poll();
    await new Promise((r) => setTimeout(r, 5));
    h.hubspotEmu.editAsUser('contacts', contact.id, { phone: '+33 1 23 45 67 89' });
    await h.poll();
    await h.settle();
    const after = await h.stripe.customers.retrieve(target?.id ?? '');
    expect((after as { phone: string }).phone).toBe('+33 1 23 45 67 89');
    const links = await h.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM links`);
    expect(links).toEqual([{ n: 20 }]);
  });
});

describe('both CRMs on the embedded database', () => {
  let h: SyncHarness;

  beforeAll(async () => {
    h = await startSyncHarness({ embedded: true, crms: ['hubspot', 'salesforce'] });
  });
  afterAll(async () => {
    await h?.close();
  });

  it('syncs customers to HubSpot and Salesforce, and a Salesforce edit back to Stripe and HubSpot', async () => {
    const customers = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        h.stripe.customers.create({ email: `both-${i}@example.com`, name: `Both ${i}` }),
      ),
    );
    await h.settle(30_000);
    for (const c of customers) {
      expect((await h.contactByStripeId(c.id)).email).toBe(c.email);
      expect(h.sfContactByStripeId(c.id).Email).toBe(c.email);
    }
    const target = customers[2]?.id ?? '';
    const sf = h.sfContactByStripeId(target);
    await h.poll();
    await new Promise((r) => setTimeout(r, 5));
    h.sfEmu.editAsUser('Contact', sf.Id, { Phone: '+49 30 1234567' });
    await h.poll();
    await h.settle();
    const after = await h.stripe.customers.retrieve(target);
    expect((after as { phone: string }).phone).toBe('+49 30 1234567');
    expect((await h.contactByStripeId(target)).phone).toBe('+49 30 1234567');
    const links = await h.db.query(
      `SELECT connector, count(*)::int AS n FROM links GROUP BY connector ORDER BY connector`,
    );
    expect(links).toEqual([
      { connector: 'hubspot', n: 10 },
      { connector: 'salesforce', n: 10 },
    ]);
  });
});
