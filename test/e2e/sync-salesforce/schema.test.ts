import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { externalIdField } from '../../../emulators/salesforce/salesforce-emulator.js';
import { type FieldSpec } from '../../../emulators/salesforce/schema.js';
import { WorkSignal } from '../../../src/sync/inbox/work-signal.js';
import {
  SALESFORCE_CUSTOMER_FIELDS,
  startSyncHarness,
  waitFor,
  type SyncHarness,
} from '../../support/sync-harness.js';

interface InboxRow {
  event_id: string;
  status: string;
  attempts: number;
  outcome: string | null;
  last_error: string | null;
}

const MISSING = ['Stripe_Balance__c', 'Stripe_Created__c'];
const fieldsWithout = (names: string[]): FieldSpec[] =>
  SALESFORCE_CUSTOMER_FIELDS.filter((f) => !names.includes(f.name));

/** The inbox rows of one Stripe object, oldest first. */
const inboxOf = (h: SyncHarness, id: string) =>
  h.db.query<InboxRow>(
    `SELECT event_id, status, attempts, outcome, last_error FROM inbox_events
      WHERE object_id = $1 ORDER BY event_created_at, received_at`,
    [id],
  );

/** Makes deferred jobs due now and wakes the workers, instead of waiting out the delay. */
async function retryDeferredNow(h: SyncHarness): Promise<void> {
  await h.db.query(
    `UPDATE inbox_events SET next_attempt_at = now() WHERE status = 'pending'
       AND outcome LIKE 'mapping_refused:%'`,
  );
  h.bridge.app.get(WorkSignal).notify();
}

describe('a Salesforce org missing custom fields the Contact mapping writes', () => {
  let h: SyncHarness;

  beforeAll(async () => {
    h = await startSyncHarness({
      crms: ['salesforce'],
      salesforce: { customFields: { Contact: fieldsWithout(MISSING) } },
    });
  });
  afterAll(async () => {
    await h?.close();
  });

  it('refuses the mapping, naming each missing field and its type; the job waits, then syncs once an admin adds them', async () => {
    expect(h.sfEmu.schema.field(h.sfEmu.data.object('Contact'), 'Stripe_Balance__c')).toBe(
      undefined,
    );
    const customer = await h.stripe.customers.create({
      email: 'schema@example.com',
      name: 'Schema Waits',
      balance: 4200,
    });
    await h.stripeEmu.flushDeliveries();
    await waitFor('the refusal', async () =>
      (await inboxOf(h, customer.id)).some((r) => r.outcome?.startsWith('mapping_refused:')),
    );

    const rows = await inboxOf(h, customer.id);
    expect(rows).toEqual([
      {
        event_id: expect.any(String),
        status: 'pending',
        attempts: 0,
        outcome:
          'mapping_refused: Create these fields on Contact: Stripe_Balance__c (Number(15,3)), Stripe_Created__c (Date/Time)',
        last_error: null,
      },
    ]);
    expect(h.sfWriteCalls()).toBe(0);
    expect(h.sfEmu.writeCount('Contact')).toBe(0);
    expect(h.sfEmu.records('Contact')).toEqual([]);
    expect(await h.db.query(`SELECT 1 FROM links WHERE stripe_id = $1`, [customer.id])).toEqual([]);
    expect(await h.db.query(`SELECT event_id FROM inbox_events WHERE status = 'dead'`)).toEqual([]);
    const after = (await h.stripe.customers.retrieve(customer.id)) as {
      metadata: Record<string, string>;
    };
    expect(after.metadata.salesforce_contact_id).toBeUndefined();

    // Retried while the fields are still missing: refused again, still no attempt spent.
    await retryDeferredNow(h);
    await waitFor('a second refusal', async () => {
      const [row] = await h.db.query<{ next_attempt_at: Date }>(
        `SELECT next_attempt_at FROM inbox_events WHERE object_id = $1`,
        [customer.id],
      );
      return row !== undefined && row.next_attempt_at.getTime() > Date.now() + 30_000;
    });
    expect(await inboxOf(h, customer.id)).toEqual([
      expect.objectContaining({
        status: 'pending',
        attempts: 0,
        outcome: expect.stringMatching(/^mapping_refused: Create these fields on Contact: /),
      }),
    ]);
    expect(h.sfWriteCalls()).toBe(0);

    // The admin creates the fields in Setup; the waiting job goes through.
    h.sfEmu.addCustomField('Contact', { name: 'Stripe_Balance__c', type: 'currency' });
    h.sfEmu.addCustomField('Contact', { name: 'Stripe_Created__c', type: 'datetime' });
    await retryDeferredNow(h);
    await h.settle();

    const contact = h.sfContactByStripeId(customer.id);
    expect(contact).toMatchObject({ Email: 'schema@example.com', LastName: 'Waits' });
    expect(Number(contact.Stripe_Balance__c)).toBe(42);
    const stored = h.sfEmu.record('Contact', contact.Id);
    expect(Date.parse(String(stored?.Stripe_Created__c))).toBe(customer.created * 1000);
    expect(await inboxOf(h, customer.id)).toEqual([
      expect.objectContaining({ status: 'done', outcome: 'salesforce:created' }),
      expect.objectContaining({ status: 'done', outcome: 'salesforce:echo' }),
    ]);
    expect(await h.db.query(`SELECT event_id FROM inbox_events WHERE status = 'dead'`)).toEqual([]);
  });
});

describe('a Salesforce org whose Stripe id field is a plain text field', () => {
  let h: SyncHarness;

  beforeAll(async () => {
    h = await startSyncHarness({
      crms: ['salesforce'],
      salesforce: {
        customFields: {
          Contact: [
            { name: 'Stripe_Customer_Id__c', type: 'string', length: 255 },
            ...fieldsWithout(['Stripe_Customer_Id__c']),
          ],
        },
      },
    });
  });
  afterAll(async () => {
    await h?.close();
  });

  it('refuses to upsert on a key that is neither unique nor an External ID, until it is made one', async () => {
    const customer = await h.stripe.customers.create({
      email: 'plain@example.com',
      name: 'Plain Key',
    });
    await h.stripeEmu.flushDeliveries();
    await waitFor('the refusal', async () =>
      (await inboxOf(h, customer.id)).some((r) => r.outcome?.startsWith('mapping_refused:')),
    );
    expect(await inboxOf(h, customer.id)).toEqual([
      expect.objectContaining({
        status: 'pending',
        attempts: 0,
        outcome:
          'mapping_refused: Contact.Stripe_Customer_Id__c exists but is not unique: make it an External ID (Unique) field, the key the bridge upserts on',
      }),
    ]);
    expect(h.sfWriteCalls()).toBe(0);
    expect(h.sfEmu.records('Contact')).toEqual([]);
    expect(await h.db.query(`SELECT event_id FROM inbox_events WHERE status = 'dead'`)).toEqual([]);

    // The admin ticks External ID (Unique) on the field.
    h.sfEmu.addCustomField('Contact', externalIdField('Stripe_Customer_Id__c'));
    await retryDeferredNow(h);
    await h.settle();
    const contact = h.sfContactByStripeId(customer.id);
    expect(contact).toMatchObject({ Email: 'plain@example.com', LastName: 'Key' });
    expect((await inboxOf(h, customer.id))[0]).toMatchObject({
      status: 'done',
      outcome: 'salesforce:created',
    });
  });
});

describe('an org whose integration user cannot see a standard field (field-level security)', () => {
  let h: SyncHarness;

  beforeAll(async () => {
    h = await startSyncHarness({
      crms: ['salesforce'],
      salesforce: { hiddenFields: { Contact: ['MailingStreet'] } },
    });
  });
  afterAll(async () => {
    await h?.close();
  });

  it('says to grant access (not to create the field), and the refused mapping spends no poll calls', async () => {
    const customer = await h.stripe.customers.create({
      email: 'fls@example.com',
      name: 'Hidden Street',
    });
    await waitFor('the job to wait for the mapping', async () =>
      (await inboxOf(h, customer.id)).some((r) => r.outcome?.startsWith('mapping_refused')),
    );
    const [row] = await inboxOf(h, customer.id);
    expect(row?.status).toBe('pending');
    expect(row?.outcome).toMatch(
      /Grant the integration user read and edit access \(field-level security, in its profile or a permission set\) to Contact\.MailingStreet/,
    );
    expect(row?.outcome).not.toMatch(/Create these fields/);

    const before = h.sfEmu.http.requests().length;
    const reports = await h.poll();
    expect(reports).toEqual([
      expect.objectContaining({ connector: 'salesforce', status: 'refused' }),
    ]);
    // The refusal was decided from the describe already held: not a query, not a describe.
    expect(h.sfEmu.http.requests().slice(before)).toEqual([]);
    expect(await h.poll()).toEqual([expect.objectContaining({ status: 'refused' })]);
    expect(h.sfEmu.http.requests().length).toBe(before);

    // An admin grants access: the mapping is checked again and the customer syncs.
    h.sfEmu.grantFieldAccess('Contact', ['MailingStreet']);
    await h.db.query(
      `UPDATE inbox_events SET next_attempt_at = now() WHERE status = 'pending'
         AND outcome LIKE 'mapping_refused:%'`,
    );
    h.bridge.app.get(WorkSignal).notify();
    await waitFor(
      'the customer to sync',
      () => h.sfEmu.records('Contact').some((c) => c.Stripe_Customer_Id__c === customer.id),
      30_000,
    );
  });
});
