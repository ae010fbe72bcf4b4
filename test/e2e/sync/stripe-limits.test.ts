import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type Stripe from 'stripe';
import { startSyncHarness, type SyncHarness } from '../../support/sync-harness.js';

const LONG_PHONE = '+44 (0)20 7946 0000 ext 123'; // 27 characters: Stripe allows 20
const LONG_NOTE = 'n'.repeat(600); // Stripe metadata values hold 500

interface FieldErrorRow {
  field_mapping_id: string;
  direction: string;
  code: string;
  limit_text: string;
  status: string;
}

/**
 * A CRM value Stripe cannot hold is that field's outcome: the other fields of the same edit
 * sync, the refused one is recorded with the limit it broke, nothing is truncated and nothing
 * is dead-lettered. (The Stripe emulator refuses such values as Stripe does, so without the
 * bridge's own check the whole customer would be refused.)
 */
describe('CRM values longer than Stripe allows', () => {
  let h: SyncHarness;
  let customer: Stripe.Customer;

  beforeAll(async () => {
    h = await startSyncHarness({ crms: ['hubspot', 'salesforce'] });
    h.sfEmu.addCustomField('Contact', { name: 'Stripe_Notes__c', type: 'textarea' });
    // A note kept in Stripe metadata, edited from either CRM.
    await h.addFieldMapping('hubspot-customer', {
      id: 'hubspot-customer-notes',
      stripePath: 'metadata.notes',
      crmProperty: 'stripe_notes',
    });
    await h.addFieldMapping('salesforce-customer', {
      id: 'salesforce-customer-notes',
      stripePath: 'metadata.notes',
      crmProperty: 'Stripe_Notes__c',
    });
    customer = await h.stripe.customers.create({
      email: 'limits@example.com',
      name: 'Lim Its',
      phone: '+1 555 0100',
      address: { line1: '1 Main St', city: 'Boston', country: 'US' },
    });
    await h.settle();
    await h.poll();
  });
  afterAll(async () => {
    await h?.close();
  });

  const fieldErrors = () =>
    h.db.query<FieldErrorRow>(
      `SELECT e.field_mapping_id, e.direction, e.code, e.limit_text, e.status
         FROM field_errors e JOIN links l ON l.id = e.link_id
        WHERE l.stripe_id = $1 ORDER BY e.field_mapping_id, e.status`,
      [customer.id],
    );
  const pollAndSettle = async () => {
    await new Promise((r) => setTimeout(r, 5));
    await h.poll();
    await h.settle();
    await h.poll();
    await h.settle();
  };
  const stripeCustomer = async () =>
    (await h.stripe.customers.retrieve(customer.id)) as Stripe.Customer;

  it('HubSpot: a 27-character phone and a 600-character note are refused field by field; the city syncs', async () => {
    const contact = await h.contactByStripeId(customer.id);
    await new Promise((r) => setTimeout(r, 5));
    h.hubspotEmu.editAsUser('contacts', contact.id, {
      phone: LONG_PHONE,
      stripe_notes: LONG_NOTE,
      city: 'Cambridge',
    });
    await pollAndSettle();

    const after = await stripeCustomer();
    expect(after.address?.city).toBe('Cambridge');
    expect(after.phone).toBe('+1 555 0100');
    expect(after.metadata.notes).toBeUndefined();
    expect(await fieldErrors()).toEqual([
      {
        field_mapping_id: 'hubspot-customer-notes',
        direction: 'to_stripe',
        code: 'too_long',
        limit_text: 'metadata values of at most 500 characters',
        status: 'open',
      },
      {
        field_mapping_id: 'hubspot-customer-phone',
        direction: 'to_stripe',
        code: 'too_long',
        limit_text: 'at most 20 characters',
        status: 'open',
      },
    ]);
    // Nothing dead-lettered, and the CRM keeps what the user typed.
    expect(await h.db.query(`SELECT event_id FROM inbox_events WHERE status = 'dead'`)).toEqual([]);
    expect(await h.contactByStripeId(customer.id)).toMatchObject({ phone: LONG_PHONE });
    expect(h.sfContactByStripeId(customer.id)).toMatchObject({ MailingCity: 'Cambridge' });
    const metrics = await (await fetch(`${h.bridge.url}/metrics`)).text();
    expect(metrics).toMatch(
      /bridge_field_errors_total\{connector="hubspot",object="customer",direction="to_stripe",code="too_long"\} 2/,
    );
  });

  it('the user shortens the phone: it syncs and its field error is resolved; the note stays refused', async () => {
    const contact = await h.contactByStripeId(customer.id);
    await new Promise((r) => setTimeout(r, 5));
    h.hubspotEmu.editAsUser('contacts', contact.id, { phone: '+44 20 7946 0000' });
    await pollAndSettle();
    expect((await stripeCustomer()).phone).toBe('+44 20 7946 0000');
    expect((await fieldErrors()).map((e) => [e.field_mapping_id, e.status])).toEqual([
      ['hubspot-customer-notes', 'open'],
      ['hubspot-customer-phone', 'resolved'],
    ]);
  });

  it('Salesforce: a 27-character Phone is refused, the city syncs, nothing is dead-lettered', async () => {
    const sfId = h.sfContactByStripeId(customer.id).Id;
    await new Promise((r) => setTimeout(r, 5));
    h.sfEmu.editAsUser('Contact', sfId, { Phone: LONG_PHONE, MailingCity: 'Oxford' });
    await pollAndSettle();
    const after = await stripeCustomer();
    expect(after.address).toMatchObject({ line1: '1 Main St', city: 'Oxford', country: 'US' });
    expect(after.phone).toBe('+44 20 7946 0000');
    expect(await fieldErrors()).toContainEqual({
      field_mapping_id: 'salesforce-customer-phone',
      direction: 'to_stripe',
      code: 'too_long',
      limit_text: 'at most 20 characters',
      status: 'open',
    });
    expect(await h.db.query(`SELECT event_id FROM inbox_events WHERE status = 'dead'`)).toEqual([]);
  });
});
