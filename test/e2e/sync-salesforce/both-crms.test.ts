import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startSyncHarness, type SyncHarness } from '../../support/sync-harness.js';

describe('HubSpot and Salesforce side by side', () => {
  let h: SyncHarness;

  beforeAll(async () => {
    h = await startSyncHarness({ crms: ['hubspot', 'salesforce'] });
  });
  afterAll(async () => {
    await h?.close();
  });

  const stripeWrites = (id: string) => h.stripeWritesTo(id);

  async function updatedOutcomes(id: string): Promise<string[]> {
    const rows = await h.db.query<{ outcome: string }>(
      `SELECT outcome FROM inbox_events WHERE object_id = $1 AND type = 'customer.updated'
        ORDER BY event_created_at, received_at`,
      [id],
    );
    return rows.map((r) => r.outcome);
  }

  it('a new Stripe customer gets a HubSpot contact and a Salesforce Contact', async () => {
    const customer = await h.stripe.customers.create({
      email: 'both@example.com',
      name: 'Bo Th',
    });
    await h.settle();
    const hs = await h.contactByStripeId(customer.id);
    const sf = h.sfContactByStripeId(customer.id);
    expect(hs).toMatchObject({ email: 'both@example.com', firstname: 'Bo', lastname: 'Th' });
    expect(sf).toMatchObject({ Email: 'both@example.com', FirstName: 'Bo', LastName: 'Th' });
    const after = await h.stripe.customers.retrieve(customer.id);
    expect((after as { metadata: Record<string, string> }).metadata).toEqual({
      hubspot_contact_id: hs.id,
      salesforce_contact_id: sf.Id,
    });
    const links = await h.db.query<{ connector: string; crm_id: string; status: string }>(
      `SELECT connector, crm_id, status FROM links WHERE stripe_id = $1 ORDER BY connector`,
      [customer.id],
    );
    expect(links).toEqual([
      { connector: 'hubspot', crm_id: hs.id, status: 'active' },
      { connector: 'salesforce', crm_id: sf.Id, status: 'active' },
    ]);
    const created = await h.db.query<{ outcome: string }>(
      `SELECT outcome FROM inbox_events WHERE object_id = $1 AND type = 'customer.created'`,
      [customer.id],
    );
    expect(created.map((r) => r.outcome)).toEqual(['hubspot:created,salesforce:created']);
    // Each connector writes its id back to Stripe on its own; both updates are echoes to both.
    expect(await updatedOutcomes(customer.id)).toEqual([
      'hubspot:echo,salesforce:echo',
      'hubspot:echo,salesforce:echo',
    ]);
  });

  it('a HubSpot edit reaches Stripe after a poll, and from Stripe Salesforce: one write each', async () => {
    const customer = await h.stripe.customers.create({
      email: 'hs-edit@example.com',
      name: 'Hub Spot',
    });
    await h.settle();
    const hs = await h.contactByStripeId(customer.id);
    const sfId = h.sfContactByStripeId(customer.id).Id;
    await h.poll(); // the cursors start (or move) before the edit
    await h.settle();
    const hubspotBefore = h.hubspotEmu.writeCount('contacts');
    const sfBefore = h.sfWriteCalls();
    const sfStoredBefore = h.sfEmu.writeCount('Contact');
    const stripeBefore = stripeWrites(customer.id);
    const outcomesBefore = await updatedOutcomes(customer.id);

    await new Promise((r) => setTimeout(r, 5)); // a modified time strictly after the cursor
    h.hubspotEmu.editAsUser('contacts', hs.id, { firstname: 'Edited', lastname: 'InHubSpot' });
    expect(await h.poll()).toEqual([
      expect.objectContaining({ connector: 'hubspot', status: 'polled', queued: 1 }),
      expect.objectContaining({ connector: 'salesforce', status: 'polled', queued: 0 }),
    ]);
    await h.settle();
    // Salesforce's write comes back on its next poll as its own echo: nothing is queued.
    expect(await h.poll()).toEqual([
      expect.objectContaining({ connector: 'hubspot', queued: 0 }),
      expect.objectContaining({ connector: 'salesforce', queued: 0 }),
    ]);
    await h.settle();

    const after = await h.stripe.customers.retrieve(customer.id);
    expect((after as { name: string }).name).toBe('Edited InHubSpot');
    expect(h.sfContactByStripeId(customer.id)).toMatchObject({
      Id: sfId,
      FirstName: 'Edited',
      LastName: 'InHubSpot',
    });
    expect(stripeWrites(customer.id)).toBe(stripeBefore + 1);
    expect(h.hubspotEmu.writeCount('contacts')).toBe(hubspotBefore);
    expect(h.sfWriteCalls()).toBe(sfBefore + 1);
    expect(h.sfEmu.writeCount('Contact')).toBe(sfStoredBefore + 1);
    // The customer.updated the HubSpot edit caused: an echo to HubSpot, a write to Salesforce.
    expect(await updatedOutcomes(customer.id)).toEqual([
      ...outcomesBefore,
      'hubspot:echo,salesforce:updated',
    ]);
  });

  it('a Salesforce edit reaches Stripe after a poll, and from Stripe HubSpot: one write each', async () => {
    const customer = await h.stripe.customers.create({
      email: 'sf-edit@example.com',
      name: 'Sales Force',
    });
    await h.settle();
    const hsId = (await h.contactByStripeId(customer.id)).id;
    const sfId = h.sfContactByStripeId(customer.id).Id;
    await h.poll();
    await h.settle();
    const hubspotBefore = h.hubspotEmu.writeCount('contacts');
    const sfBefore = h.sfWriteCalls();
    const stripeBefore = stripeWrites(customer.id);
    const outcomesBefore = await updatedOutcomes(customer.id);

    await new Promise((r) => setTimeout(r, 5));
    h.sfEmu.editAsUser('Contact', sfId, { FirstName: 'Edited', LastName: 'InSalesforce' });
    expect(await h.poll()).toEqual([
      expect.objectContaining({ connector: 'hubspot', status: 'polled', queued: 0 }),
      expect.objectContaining({ connector: 'salesforce', status: 'polled', queued: 1 }),
    ]);
    await h.settle();
    expect(await h.poll()).toEqual([
      expect.objectContaining({ connector: 'hubspot', queued: 0 }),
      expect.objectContaining({ connector: 'salesforce', queued: 0 }),
    ]);
    await h.settle();

    const after = await h.stripe.customers.retrieve(customer.id);
    expect((after as { name: string }).name).toBe('Edited InSalesforce');
    expect(await h.contactByStripeId(customer.id)).toMatchObject({
      id: hsId,
      firstname: 'Edited',
      lastname: 'InSalesforce',
    });
    expect(stripeWrites(customer.id)).toBe(stripeBefore + 1);
    expect(h.sfWriteCalls()).toBe(sfBefore);
    expect(h.hubspotEmu.writeCount('contacts')).toBe(hubspotBefore + 1);
    expect(await updatedOutcomes(customer.id)).toEqual([
      ...outcomesBefore,
      'hubspot:updated,salesforce:echo',
    ]);
  });

  it('an email typed in mixed case in Salesforce reaches Stripe and HubSpot, and is not rewritten', async () => {
    const customer = await h.stripe.customers.create({ email: 'case@example.com', name: 'Ca Se' });
    await h.settle();
    const sfId = h.sfContactByStripeId(customer.id).Id;
    await h.poll();
    await h.settle();
    const sfBefore = h.sfWriteCalls();
    const hubspotBefore = h.hubspotEmu.writeCount('contacts');
    const stripeBefore = stripeWrites(customer.id);
    const outcomesBefore = await updatedOutcomes(customer.id);

    await new Promise((r) => setTimeout(r, 5));
    h.sfEmu.editAsUser('Contact', sfId, { Email: 'New.Address@Example.com' });
    await h.poll();
    await h.settle();
    await h.poll(); // the user's casing is the same address: nothing new
    await h.settle();

    // Stripe and HubSpot get the mapping's (lower-case) form; the user's Contact keeps the case
    // they typed, with no write from the bridge to "correct" it.
    const after = await h.stripe.customers.retrieve(customer.id);
    expect((after as { email: string }).email).toBe('new.address@example.com');
    expect((await h.contactByStripeId(customer.id)).email).toBe('new.address@example.com');
    expect(h.sfContactByStripeId(customer.id).Email).toBe('New.Address@Example.com');
    expect(stripeWrites(customer.id)).toBe(stripeBefore + 1);
    expect(h.hubspotEmu.writeCount('contacts')).toBe(hubspotBefore + 1);
    expect(h.sfWriteCalls()).toBe(sfBefore);
    expect(await updatedOutcomes(customer.id)).toEqual([
      ...outcomesBefore,
      'hubspot:updated,salesforce:echo',
    ]);
  });
});
