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
