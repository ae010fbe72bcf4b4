import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Connection } from 'jsforce';
import { Txn } from '../../../emulators/salesforce/data.js';
import { startSyncHarness, waitFor, type SyncHarness } from '../../support/sync-harness.js';

type Meta = { metadata: Record<string, string> };

describe('Stripe customers ⇄ Salesforce Contacts (real SDKs, emulators, Postgres)', () => {
  let h: SyncHarness;
  /** A Salesforce user's own API client (not the bridge's integration user). */
  let user: Connection;

  beforeAll(async () => {
    h = await startSyncHarness({ crms: ['salesforce'] });
    user = h.sfUser();
  });
  afterAll(async () => {
    await h?.close();
  });

  const stripeWritesTo = (id: string) => h.stripeWritesTo(id);

  const lastUpdateOutcome = async (id: string) =>
    (
      await h.db.query<{ outcome: string }>(
        `SELECT outcome FROM inbox_events WHERE object_id = $1 AND type = 'customer.updated'
           ORDER BY event_created_at DESC, received_at DESC LIMIT 1`,
        [id],
      )
    )[0]?.outcome;

  /** Creates a Contact as the UI user, through their own API client. */
  async function userCreatesContact(fields: Record<string, unknown>): Promise<string> {
    const res = await user.sobject('Contact').create(fields);
    if (!res.success || !res.id) throw new Error(`contact create failed: ${JSON.stringify(res)}`);
    return res.id;
  }

  it('a new Stripe customer becomes a Contact, and the ids are written back both ways', async () => {
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

    const contact = h.sfContactByStripeId(customer.id);
    expect(contact).toMatchObject({
      Email: 'ada.lovelace@example.com',
      FirstName: 'Ada King',
      LastName: 'Lovelace',
      Phone: '+44 20 7946 0000',
      MailingCity: 'London',
      Stripe_Customer_Id__c: customer.id,
      Stripe_Deleted__c: false,
      LastModifiedById: h.sfEmu.integrationUserId,
    });
    expect(Number(contact.Stripe_Balance__c)).toBe(-12.5);
    const stored = h.sfEmu.record('Contact', contact.Id);
    expect(stored).toMatchObject({
      MailingStreet: '12 St James Square',
      MailingPostalCode: 'SW1Y 4JH',
      MailingCountry: 'GB',
    });
    expect(Date.parse(String(stored?.Stripe_Created__c))).toBe(customer.created * 1000);

    const after = await h.stripe.customers.retrieve(customer.id);
    expect(after.deleted).toBeUndefined();
    expect((after as unknown as Meta).metadata.salesforce_contact_id).toBe(contact.Id);

    // The write-back's own customer.updated webhook is an echo: no Salesforce write follows.
    const writes = h.sfEmu.writeCount('Contact');
    const calls = h.sfWriteCalls();
    await h.settle();
    expect(h.sfEmu.writeCount('Contact')).toBe(writes);
    expect(h.sfWriteCalls()).toBe(calls);
    expect(await lastUpdateOutcome(customer.id)).toBe('salesforce:echo');
    const links = await h.db.query(
      `SELECT connector, crm_id, status, matched_by FROM links WHERE stripe_id = $1`,
      [customer.id],
    );
    expect(links).toEqual([
      { connector: 'salesforce', crm_id: contact.Id, status: 'active', matched_by: 'created' },
    ]);
  });

  it('an email edited in Salesforce reaches Stripe within one poll, and the loop closes after one write per side', async () => {
    const customer = await h.stripe.customers.create({
      email: 'grace@example.com',
      name: 'Grace Hopper',
    });
    await h.settle();
    const contact = h.sfContactByStripeId(customer.id);
    await h.poll(); // the cursor starts (or moves) before the edit
    const sfWrites = h.sfEmu.writeCount('Contact');
    const sfCalls = h.sfWriteCalls();
    const stripeBefore = stripeWritesTo(customer.id);

    await new Promise((r) => setTimeout(r, 5)); // a modified time strictly after the cursor
    h.sfEmu.editAsUser('Contact', contact.Id, { Email: 'grace.hopper@navy.mil' });
    const report = await h.poll();
    expect(report.find((r) => r.connector === 'salesforce')).toMatchObject({
      crmObject: 'Contact',
      status: 'polled',
      queued: 1,
    });
    await h.settle();

    const updated = await h.stripe.customers.retrieve(customer.id);
    expect((updated as { email: string }).email).toBe('grace.hopper@navy.mil');
    expect(stripeWritesTo(customer.id)).toBe(stripeBefore + 1);

    // Stripe's customer.updated comes back: an echo. And the next poll sees nothing new.
    await h.settle();
    const next = await h.poll();
    expect(next.find((r) => r.connector === 'salesforce')).toMatchObject({ queued: 0 });
    await h.settle();
    expect(h.sfEmu.writeCount('Contact')).toBe(sfWrites);
    expect(h.sfWriteCalls()).toBe(sfCalls);
    expect(stripeWritesTo(customer.id)).toBe(stripeBefore + 1);
    expect(h.sfContactByStripeId(customer.id)).toMatchObject({
      Id: contact.Id,
      Email: 'grace.hopper@navy.mil',
      LastModifiedById: h.sfEmu.uiUserId,
    });
    expect(await lastUpdateOutcome(customer.id)).toBe('salesforce:echo');
  });

  it('an older event delivered after a newer one (and twice) never overwrites newer state', async () => {
    const customer = await h.stripe.customers.create({
      email: 'order@example.com',
      name: 'First Name',
    });
    await h.settle();
    const contact = h.sfContactByStripeId(customer.id);
    const writes = h.sfEmu.writeCount('Contact');

    h.stripeEmu.setDeliveryMode('reverse');
    await h.stripe.customers.update(customer.id, { name: 'Second Name', phone: '+1 555 0101' });
    await new Promise((r) => setTimeout(r, 1100)); // a later `created` second for update #2
    await h.stripe.customers.update(customer.id, { name: 'Third Name', phone: '+1 555 0202' });
    await h.stripeEmu.flushDeliveries(); // #2 then #1
    h.stripeEmu.setDeliveryMode('normal');
    await h.settle();
    const events = await h.stripe.events.list({ type: 'customer.updated', limit: 20 });
    const first = events.data.find(
      (e) =>
        (e.data.object as { id: string; name?: string }).id === customer.id &&
        (e.data.object as { name?: string }).name === 'Second Name',
    );
    expect(first).toBeDefined();
    const seen = h.stripeEmu.deliveries().filter((d) => d.eventId === first?.id).length;
    expect(await h.redeliver(first?.id ?? '')).toBe(200); // #1 once more
    expect(seen).toBe(1);
    await h.settle();

    expect(h.sfContactByStripeId(customer.id)).toMatchObject({
      Id: contact.Id,
      FirstName: 'Third',
      LastName: 'Name',
      Phone: '+1 555 0202',
    });
    expect(h.sfEmu.writeCount('Contact')).toBe(writes + 1);
    const stale = await h.db.query<{ outcome: string }>(
      `SELECT outcome FROM inbox_events WHERE event_id = $1`,
      [first?.id],
    );
    expect(stale[0]?.outcome).toBe('salesforce:stale');
  });

  it('matches an existing Contact by email in another case instead of creating a duplicate', async () => {
    // LastName is required in Salesforce: the existing Contact lacks a first name instead.
    const existingId = await userCreatesContact({
      Email: 'linus@example.com',
      LastName: 'Torvalds',
    });
    const customer = await h.stripe.customers.create({
      email: 'LINUS@Example.com',
      name: 'Linus Torvalds',
    });
    await h.settle();
    const contact = h.sfContactByStripeId(customer.id);
    expect(contact.Id).toBe(existingId);
    expect(contact).toMatchObject({
      FirstName: 'Linus',
      LastName: 'Torvalds',
      Email: 'linus@example.com',
    });
    expect(
      h.sfEmu
        .records('Contact')
        .filter((r) => String(r.Email).toLowerCase() === 'linus@example.com'),
    ).toHaveLength(1);
    const links = await h.db.query(`SELECT crm_id, matched_by FROM links WHERE stripe_id = $1`, [
      customer.id,
    ]);
    expect(links).toEqual([{ crm_id: existingId, matched_by: 'email' }]);
    const after = (await h.stripe.customers.retrieve(customer.id)) as unknown as Meta & {
      name: string;
    };
    expect(after.metadata.salesforce_contact_id).toBe(existingId);
    expect(after.name).toBe('Linus Torvalds');
  });

  /*
   * On a first link an existing Contact's '[not provided]' LastName is no value: even when the
   * Contact was touched after the Stripe customer (newest_wins would favour it), Stripe fills it
   * and the Stripe name keeps its last part.
   */
  it('an existing Contact’s LastName placeholder is filled from Stripe and never truncates the Stripe name', async () => {
    h.stripeEmu.setDeliveryMode('reverse'); // hold the webhook until the Contact exists
    const customer = await h.stripe.customers.create({
      email: 'ken@example.com',
      name: 'Ken Thompson',
    });
    await new Promise((r) => setTimeout(r, 1100)); // the Contact is modified after the customer
    const existingId = await userCreatesContact({
      Email: 'ken@example.com',
      FirstName: 'Ken',
      LastName: '[not provided]',
    });
    await h.stripeEmu.flushDeliveries();
    h.stripeEmu.setDeliveryMode('normal');
    await h.settle();

    const contact = h.sfContactByStripeId(customer.id);
    expect(contact.Id).toBe(existingId);
    const after = (await h.stripe.customers.retrieve(customer.id)) as { name: string };
    expect(after.name).toBe('Ken Thompson');
    expect(contact).toMatchObject({ FirstName: 'Ken', LastName: 'Thompson' });
  });

  it('two Contacts holding one email: no guess, a duplicate-candidates record, no link, no write', async () => {
    const a = await userCreatesContact({ Email: 'twin@example.com', LastName: 'Twin A' });
    const b = await userCreatesContact({ Email: 'TWIN@example.com', LastName: 'Twin B' });
    const writes = h.sfEmu.writeCount('Contact');
    const calls = h.sfWriteCalls();
    const customer = await h.stripe.customers.create({ email: 'twin@example.com', name: 'Twin' });
    await h.settle();
    expect(h.sfEmu.writeCount('Contact')).toBe(writes);
    expect(h.sfWriteCalls()).toBe(calls);
    expect(await h.db.query(`SELECT 1 FROM links WHERE stripe_id = $1`, [customer.id])).toEqual([]);
    const dup = await h.db.query<{ candidate_ids: string[]; matched_by: string; status: string }>(
      `SELECT candidate_ids, matched_by, status FROM duplicate_candidates WHERE stripe_id = $1`,
      [customer.id],
    );
    expect(dup).toEqual([{ candidate_ids: [a, b].sort(), matched_by: 'email', status: 'open' }]);
    expect(
      h.sfEmu.records('Contact').filter((r) => r.Stripe_Customer_Id__c === customer.id),
    ).toEqual([]);
    const after = await h.stripe.customers.retrieve(customer.id);
    expect((after as unknown as Meta).metadata.salesforce_contact_id).toBeUndefined();
  });

  it('a Contact deleted in Salesforce never deletes the Stripe customer; the next poll marks the link', async () => {
    const customer = await h.stripe.customers.create({
      email: 'archie@example.com',
      name: 'Archie Leach',
    });
    await h.settle();
    const contact = h.sfContactByStripeId(customer.id);
    await h.poll(); // the cursor moves past the creation

    // Deleted by a user in the UI: into the recycle bin, visible to queryAll only.
    await new Promise((r) => setTimeout(r, 5));
    h.sfEmu.data.remove(contact.Id, new Txn(), 'Contact');
    expect(h.sfEmu.records('Contact').some((r) => r.Id === contact.Id)).toBe(false);
    const writes = h.sfEmu.writeCount('Contact');
    const queryAllCalls = () =>
      h.sfEmu.http.requests().filter((r) => r.method === 'GET' && /\/queryAll\b/.test(r.path))
        .length;
    const queryAllBefore = queryAllCalls();
    const report = await h.poll();
    const sf = report.find((r) => r.connector === 'salesforce');
    expect(sf?.status).toBe('polled');
    expect(sf?.queued).toBeGreaterThanOrEqual(1);
    expect(queryAllCalls()).toBeGreaterThan(queryAllBefore);
    await h.settle();

    const after = await h.stripe.customers.retrieve(customer.id);
    expect(after.deleted).toBeUndefined();
    expect((after as { name: string }).name).toBe('Archie Leach');
    const links = await h.db.query(`SELECT crm_id, status FROM links WHERE stripe_id = $1`, [
      customer.id,
    ]);
    expect(links).toEqual([{ crm_id: contact.Id, status: 'crm_archived' }]);

    // A later Stripe edit neither resurrects nor recreates the Contact.
    await h.stripe.customers.update(customer.id, { name: 'Archie Again' });
    await h.settle();
    expect(h.sfEmu.writeCount('Contact')).toBe(writes);
    expect(
      h.sfEmu.records('Contact', true).filter((r) => r.Stripe_Customer_Id__c === customer.id),
    ).toHaveLength(1);
    expect(((await h.stripe.customers.retrieve(customer.id)) as { name: string }).name).toBe(
      'Archie Again',
    );
    expect(
      await h.db.query(`SELECT status FROM links WHERE stripe_id = $1`, [customer.id]),
    ).toEqual([{ status: 'crm_archived' }]);
  });

  it('a Contact deleted through the API by a user is noticed the same way', async () => {
    const customer = await h.stripe.customers.create({ email: 'destroyed@example.com' });
    await h.settle();
    const contact = h.sfContactByStripeId(customer.id);
    await h.poll();
    await new Promise((r) => setTimeout(r, 5));
    const res = await user.sobject('Contact').destroy(contact.Id);
    expect(res.success).toBe(true);
    const report = await h.poll();
    expect(report.find((r) => r.connector === 'salesforce')?.queued).toBeGreaterThanOrEqual(1);
    await h.settle();
    const after = await h.stripe.customers.retrieve(customer.id);
    expect(after.deleted).toBeUndefined();
    const links = await h.db.query(`SELECT crm_id, status FROM links WHERE stripe_id = $1`, [
      customer.id,
    ]);
    expect(links).toEqual([{ crm_id: contact.Id, status: 'crm_archived' }]);
  });

  it('a deleted Stripe customer flags the Contact and keeps the link', async () => {
    const customer = await h.stripe.customers.create({ email: 'gone@example.com' });
    await h.settle();
    const contact = h.sfContactByStripeId(customer.id);
    expect(contact.Stripe_Deleted__c).toBe(false);
    await h.stripe.customers.del(customer.id);
    await h.settle();
    await waitFor(
      'the deleted flag',
      () => h.sfContactByStripeId(customer.id).Stripe_Deleted__c === true,
    );
    expect(h.sfContactByStripeId(customer.id).Id).toBe(contact.Id);
    const links = await h.db.query(`SELECT crm_id, status FROM links WHERE stripe_id = $1`, [
      customer.id,
    ]);
    expect(links).toEqual([{ crm_id: contact.Id, status: 'stripe_deleted' }]);
  });

  it('a one-word name gets Salesforce’s LastName placeholder, which never flows back to Stripe', async () => {
    const customer = await h.stripe.customers.create({ email: 'cher@example.com', name: 'Cher' });
    await h.settle();
    const contact = h.sfContactByStripeId(customer.id);
    expect(contact).toMatchObject({ LastName: '[not provided]' });
    expect(contact.FirstName).toBe('Cher');
    await h.poll();
    const stripeBefore = stripeWritesTo(customer.id);

    await new Promise((r) => setTimeout(r, 5));
    h.sfEmu.editAsUser('Contact', contact.Id, { Phone: '+1 555 0303' });
    const report = await h.poll();
    expect(report.find((r) => r.connector === 'salesforce')?.queued).toBe(1);
    await h.settle();

    const after = (await h.stripe.customers.retrieve(customer.id)) as {
      name: string | null;
      phone: string | null;
    };
    expect(after.phone).toBe('+1 555 0303');
    expect(after.name).toBe('Cher');
    expect(stripeWritesTo(customer.id)).toBe(stripeBefore + 1);
    expect(h.sfContactByStripeId(customer.id)).toMatchObject({
      LastName: '[not provided]',
      Phone: '+1 555 0303',
    });
  });
});
