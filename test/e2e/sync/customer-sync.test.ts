import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startSyncHarness, waitFor, type SyncHarness } from '../../support/sync-harness.js';

describe('Stripe customers ⇄ HubSpot contacts (real SDKs, emulators, Postgres)', () => {
  let h: SyncHarness;

  beforeAll(async () => {
    h = await startSyncHarness();
  });
  afterAll(async () => {
    await h?.close();
  });

  it('a new Stripe customer becomes a HubSpot contact, and the ids are written back both ways', async () => {
    const customer = await h.stripe.customers.create({
      email: 'Ada.Lovelace@Example.com',
      name: 'Ada King Lovelace',
      phone: '+44 20 7946 0000',
      address: {
        line1: '12 St James Square',
        city: 'London',
        postal_code: 'SW1Y 4JH',
        country: 'GB',
      },
      balance: -1250,
    });
    await h.settle();

    const contact = await h.contactByStripeId(customer.id);
    expect(contact).toMatchObject({
      email: 'ada.lovelace@example.com',
      firstname: 'Ada King',
      lastname: 'Lovelace',
      phone: '+44 20 7946 0000',
      city: 'London',
      stripe_customer_id: customer.id,
      stripe_balance: '-12.5',
    });
    const after = await h.stripe.customers.retrieve(customer.id);
    expect(after.deleted).toBeUndefined();
    expect((after as { metadata: Record<string, string> }).metadata.hubspot_contact_id).toBe(
      contact.id,
    );

    // The write-back's own customer.updated webhook is an echo: no HubSpot write follows.
    const writes = h.hubspotEmu.writeCount('contacts');
    await h.settle();
    expect(h.hubspotEmu.writeCount('contacts')).toBe(writes);
    const links = await h.db.query(
      `SELECT crm_id, status, matched_by FROM links WHERE stripe_id = $1`,
      [customer.id],
    );
    expect(links).toEqual([{ crm_id: contact.id, status: 'active', matched_by: 'created' }]);
  });

  it('an email edited in HubSpot reaches Stripe within one poll, and the loop closes after one write per side', async () => {
    const customer = await h.stripe.customers.create({
      email: 'grace@example.com',
      name: 'Grace Hopper',
    });
    await h.settle();
    const contact = await h.contactByStripeId(customer.id);
    await h.poll(); // the cursor starts (or moves) before the edit
    const hubspotWrites = h.hubspotEmu.writeCount('contacts');
    const stripeWrites = () => h.stripeWritesTo(customer.id);
    const stripeBefore = stripeWrites();

    await new Promise((r) => setTimeout(r, 5)); // a modified time strictly after the cursor
    h.hubspotEmu.editAsUser('contacts', contact.id, { email: 'grace.hopper@navy.mil' });
    const report = await h.poll();
    expect(report[0]).toMatchObject({ connector: 'hubspot', status: 'polled', queued: 1 });
    await h.settle();

    const updated = await h.stripe.customers.retrieve(customer.id);
    expect((updated as { email: string }).email).toBe('grace.hopper@navy.mil');
    expect(stripeWrites()).toBe(stripeBefore + 1);

    // Stripe's customer.updated comes back: an echo. And the next poll sees nothing new.
    await h.settle();
    await h.poll();
    await h.settle();
    expect(h.hubspotEmu.writeCount('contacts')).toBe(hubspotWrites);
    expect(stripeWrites()).toBe(stripeBefore + 1);
    const outcomes = await h.db.query<{ outcome: string }>(
      `SELECT outcome FROM inbox_events WHERE object_id = $1 AND type = 'customer.updated' ORDER BY event_created_at DESC LIMIT 1`,
      [customer.id],
    );
    expect(outcomes[0]?.outcome).toBe('hubspot:echo');
  });

  it('an older event delivered after a newer one (and twice) never overwrites newer state', async () => {
    const customer = await h.stripe.customers.create({
      email: 'order@example.com',
      name: 'First Name',
    });
    await h.settle();
    const contact = await h.contactByStripeId(customer.id);
    const writes = h.hubspotEmu.writeCount('contacts');

    h.stripeEmu.setDeliveryMode('reverse');
    await h.stripe.customers.update(customer.id, { name: 'Second Name', phone: '+1 555 0101' });
    await new Promise((r) => setTimeout(r, 1100)); // a later `created` second for update #2
    await h.stripe.customers.update(customer.id, { name: 'Third Name', phone: '+1 555 0202' });
    await h.stripeEmu.flushDeliveries(); // #2 then #1
    h.stripeEmu.setDeliveryMode('normal');
    await h.settle();
    const events = await h.stripe.events.list({ type: 'customer.updated', limit: 10 });
    const first = events.data.find(
      (e) => (e.data.object as { id: string; name?: string }).name === 'Second Name',
    );
    expect(first).toBeDefined();
    const seen = h.stripeEmu.deliveries().filter((d) => d.eventId === first?.id).length;
    expect(await h.redeliver(first?.id ?? '')).toBe(200); // #1 once more
    expect(seen).toBe(1);
    await h.settle();

    const now = await h.contactByStripeId(customer.id);
    expect(now).toMatchObject({
      id: contact.id,
      firstname: 'Third',
      lastname: 'Name',
      phone: '+1 555 0202',
    });
    expect(h.hubspotEmu.writeCount('contacts')).toBe(writes + 1);
    const stale = await h.db.query<{ outcome: string }>(
      `SELECT outcome FROM inbox_events WHERE event_id = $1`,
      [first?.id],
    );
    expect(stale[0]?.outcome).toBe('hubspot:stale');
  });

  it('matches an existing contact by email in another case instead of creating a duplicate', async () => {
    const existing = await h.hubspot.crm.contacts.basicApi.create({
      properties: { email: 'linus@example.com', firstname: 'Linus' },
      associations: [],
    });
    const customer = await h.stripe.customers.create({
      email: 'LINUS@Example.com',
      name: 'Linus Torvalds',
    });
    await h.settle();
    const contact = await h.contactByStripeId(customer.id);
    expect(contact.id).toBe(existing.id);
    expect(contact).toMatchObject({ firstname: 'Linus', lastname: 'Torvalds' });
    const links = await h.db.query(`SELECT crm_id, matched_by FROM links WHERE stripe_id = $1`, [
      customer.id,
    ]);
    expect(links).toEqual([{ crm_id: existing.id, matched_by: 'email' }]);
  });

  it('two contacts holding one email: no guess, a duplicate-candidates record, no link, no write', async () => {
    const a = await h.hubspot.crm.contacts.basicApi.create({
      properties: { email: 'twin@example.com' },
      associations: [],
    });
    const b = await h.hubspot.crm.contacts.basicApi.create({
      properties: { email: 'twin.other@example.com', hs_additional_emails: 'twin@example.com' },
      associations: [],
    });
    const writes = h.hubspotEmu.writeCount('contacts');
    const customer = await h.stripe.customers.create({ email: 'twin@example.com', name: 'Twin' });
    await h.settle();
    expect(h.hubspotEmu.writeCount('contacts')).toBe(writes);
    expect(await h.db.query(`SELECT 1 FROM links WHERE stripe_id = $1`, [customer.id])).toEqual([]);
    const dup = await h.db.query<{ candidate_ids: string[]; matched_by: string; status: string }>(
      `SELECT candidate_ids, matched_by, status FROM duplicate_candidates WHERE stripe_id = $1`,
      [customer.id],
    );
    expect(dup).toEqual([
      { candidate_ids: [a.id, b.id].sort(), matched_by: 'email', status: 'open' },
    ]);
    const after = await h.stripe.customers.retrieve(customer.id);
    expect(
      (after as { metadata: Record<string, string> }).metadata.hubspot_contact_id,
    ).toBeUndefined();
  });

  it('an archived HubSpot contact never deletes the Stripe customer; the link is marked', async () => {
    const customer = await h.stripe.customers.create({
      email: 'archie@example.com',
      name: 'Archie',
    });
    await h.settle();
    const contact = await h.contactByStripeId(customer.id);
    await h.hubspot.crm.contacts.basicApi.archive(contact.id);
    const writes = h.hubspotEmu.writeCount('contacts');
    await h.stripe.customers.update(customer.id, { name: 'Archie Again' });
    await h.settle();
    expect(h.hubspotEmu.writeCount('contacts')).toBe(writes);
    const after = await h.stripe.customers.retrieve(customer.id);
    expect(after.deleted).toBeUndefined();
    expect((after as { name: string }).name).toBe('Archie Again');
    const links = await h.db.query(`SELECT crm_id, status FROM links WHERE stripe_id = $1`, [
      customer.id,
    ]);
    expect(links).toEqual([{ crm_id: contact.id, status: 'crm_archived' }]);
  });

  it('a deleted Stripe customer flags the contact and keeps the link', async () => {
    const customer = await h.stripe.customers.create({ email: 'gone@example.com' });
    await h.settle();
    const contact = await h.contactByStripeId(customer.id);
    await h.stripe.customers.del(customer.id);
    await h.settle();
    await waitFor(
      'the deleted flag',
      async () => (await h.contactByStripeId(customer.id)).stripe_deleted === 'true',
    );
    const links = await h.db.query(`SELECT crm_id, status FROM links WHERE stripe_id = $1`, [
      customer.id,
    ]);
    expect(links).toEqual([{ crm_id: contact.id, status: 'stripe_deleted' }]);
  });
});
