import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type Stripe from 'stripe';
import { startSyncHarness, type SyncHarness } from '../../support/sync-harness.js';

const ADDRESS = {
  line1: '12 St James Square',
  line2: 'Floor 3',
  city: 'London',
  postal_code: 'SW1Y 4JH',
  state: 'Westminster',
  country: 'GB',
};

/**
 * Stripe replaces a nested hash such as `address` whole on update: a CRM edit of one part must
 * reach Stripe as the whole address, or every other part would be nulled there. One bridge
 * with both CRMs: an edit made in either reaches Stripe, then the other CRM.
 */
/** The hash as sent: Stripe's form encoding leaves null parts out. */
const without = (o: Record<string, unknown>, ...keys: string[]) =>
  Object.fromEntries(Object.entries(o).filter(([k]) => !keys.includes(k)));

describe('an edit of one address part in a CRM (HubSpot and Salesforce at once)', () => {
  let h: SyncHarness;
  let customer: Stripe.Customer;
  let hubspotId: string;
  let salesforceId: string;

  beforeAll(async () => {
    h = await startSyncHarness({ crms: ['hubspot', 'salesforce'] });
    customer = await h.stripe.customers.create({
      email: 'address@example.com',
      name: 'Ada Lovelace',
      address: ADDRESS,
    });
    await h.settle();
    hubspotId = (await h.contactByStripeId(customer.id)).id;
    salesforceId = h.sfContactByStripeId(customer.id).Id;
    await h.poll(); // the cursors start before the edits
  });
  afterAll(async () => {
    await h?.close();
  });

  const address = async () =>
    ((await h.stripe.customers.retrieve(customer.id)) as Stripe.Customer).address;
  /** Polls both CRMs until quiet: the edit reaches Stripe, then the other CRM. */
  const pollAndSettle = async () => {
    await h.poll();
    await h.settle();
    await h.poll();
    await h.settle();
  };
  const lastStripeUpdate = () => h.stripeUpdateBodies(customer.id).at(-1);

  it('HubSpot: a city-only edit keeps every other part in Stripe, and Stripe received the whole address', async () => {
    const writes = h.stripeWritesTo(customer.id);
    await new Promise((r) => setTimeout(r, 5)); // a modified time strictly after the cursor
    h.hubspotEmu.editAsUser('contacts', hubspotId, { city: 'Cambridge' });
    await pollAndSettle();

    expect(await address()).toEqual({ ...ADDRESS, city: 'Cambridge' });
    expect(h.stripeWritesTo(customer.id)).toBe(writes + 1);
    expect(lastStripeUpdate()).toEqual({ address: { ...ADDRESS, city: 'Cambridge' } });
    // …and on to Salesforce, whose other parts were never touched either.
    expect(h.sfContactByStripeId(customer.id)).toMatchObject({
      MailingStreet: ADDRESS.line1,
      Stripe_Address_Line2__c: ADDRESS.line2,
      MailingCity: 'Cambridge',
      MailingPostalCode: ADDRESS.postal_code,
      MailingCountry: ADDRESS.country,
    });
  });

  it('Salesforce: a city-only edit keeps every other part in Stripe, and Stripe received the whole address', async () => {
    await new Promise((r) => setTimeout(r, 5));
    h.sfEmu.editAsUser('Contact', salesforceId, { MailingCity: 'Oxford' });
    await pollAndSettle();

    expect(await address()).toEqual({ ...ADDRESS, city: 'Oxford' });
    expect(lastStripeUpdate()).toEqual({ address: { ...ADDRESS, city: 'Oxford' } });
    expect(await h.contactByStripeId(customer.id)).toMatchObject({
      address: ADDRESS.line1,
      stripe_address_line2: ADDRESS.line2,
      city: 'Oxford',
      zip: ADDRESS.postal_code,
      country: ADDRESS.country,
    });
  });

  it('blanking one part (blank_overwrites on): that part alone is unset, from either CRM', async () => {
    await h.setFieldMapping('hubspot-customer-address-line2', { blank_overwrites: true });
    await h.setFieldMapping('salesforce-customer-state', { blank_overwrites: true });

    await new Promise((r) => setTimeout(r, 5));
    h.hubspotEmu.editAsUser('contacts', hubspotId, { stripe_address_line2: '' });
    await pollAndSettle();
    const noLine2 = { ...ADDRESS, city: 'Oxford', line2: null };
    expect(await address()).toEqual(noLine2);
    // The whole address without line2: Stripe nulls what the hash leaves out.
    expect(lastStripeUpdate()).toEqual({ address: without(noLine2, 'line2') });

    await new Promise((r) => setTimeout(r, 5));
    h.sfEmu.editAsUser('Contact', salesforceId, { MailingState: null });
    await pollAndSettle();
    const noState = { ...noLine2, state: null };
    expect(await address()).toEqual(noState);
    expect(lastStripeUpdate()).toEqual({ address: without(noState, 'line2', 'state') });
    expect(await h.db.query(`SELECT event_id FROM inbox_events WHERE status = 'dead'`)).toEqual([]);
  });
});
