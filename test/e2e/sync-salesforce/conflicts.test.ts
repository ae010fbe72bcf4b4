import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startSyncHarness, type SyncHarness } from '../../support/sync-harness.js';

const PHONE_FIELD = 'salesforce-customer-phone';
const later = () => new Promise((r) => setTimeout(r, 1100)); // the next `created` second

describe('the same Salesforce field edited on both sides between two syncs', () => {
  let h: SyncHarness;

  beforeAll(async () => {
    h = await startSyncHarness({ crms: ['salesforce'] });
  });
  afterAll(async () => {
    await h?.close();
  });

  /**
   * Links a fresh customer, then edits its phone in Stripe (webhook held back) and in Salesforce
   * (a UI user's edit), in the given order with a second between them, and lets one poll and the
   * held webhook in.
   */
  async function editBothSides(policy: string, first: 'stripe' | 'salesforce', n: number) {
    await h.setMappingPolicy(PHONE_FIELD, policy);
    const tag = `${policy}-${first}`;
    const customer = await h.stripe.customers.create({
      email: `${tag}@example.com`,
      name: 'Both Sides',
      phone: `+1 555 010${n}`,
    });
    await h.settle();
    const contact = h.sfContactByStripeId(customer.id);
    expect(contact.Phone).toBe(`+1 555 010${n}`);
    await h.poll();
    const sfWrites = h.sfEmu.writeCount('Contact');

    const stripePhone = `+1 555 020${n}`;
    const crmPhone = `+1 555 030${n}`;
    h.stripeEmu.setDeliveryMode('reverse'); // hold Stripe's webhooks until flushed
    const editStripe = () => h.stripe.customers.update(customer.id, { phone: stripePhone });
    const editSalesforce = () => h.sfEmu.editAsUser('Contact', contact.Id, { Phone: crmPhone });
    if (first === 'stripe') {
      await editStripe();
      await later();
      editSalesforce();
    } else {
      editSalesforce();
      await later();
      await editStripe();
    }
    await h.poll();
    await h.stripeEmu.flushDeliveries();
    h.stripeEmu.setDeliveryMode('normal');
    await h.settle();
    await h.poll(); // whatever came back must be recognised as ours
    await h.settle();

    const stripeValue = ((await h.stripe.customers.retrieve(customer.id)) as { phone: string })
      .phone;
    const crmValue = h.sfContactByStripeId(customer.id).Phone;
    const conflicts = await h.db.query<{
      policy: string;
      winner: string;
      status: string;
      stripe_value: string;
      crm_value: string;
      field_mapping_id: string;
    }>(
      `SELECT c.policy, c.winner, c.status, c.stripe_value, c.crm_value, c.field_mapping_id
         FROM sync_conflicts c JOIN links l ON l.id = c.link_id
        WHERE l.stripe_id = $1 AND l.connector = 'salesforce'`,
      [customer.id],
    );
    return {
      stripePhone,
      crmPhone,
      stripeValue,
      crmValue,
      conflicts,
      crmWrites: h.sfEmu.writeCount('Contact') - sfWrites,
    };
  }

  it('stripe_wins: Salesforce gets Stripe’s value', async () => {
    const r = await editBothSides('stripe_wins', 'stripe', 1);
    expect(r.stripeValue).toBe(r.stripePhone);
    expect(r.crmValue).toBe(r.stripePhone);
    expect(r.conflicts).toEqual([
      expect.objectContaining({
        policy: 'stripe_wins',
        winner: 'stripe',
        status: 'resolved',
        field_mapping_id: PHONE_FIELD,
      }),
    ]);
    expect(r.crmWrites).toBe(1);
  });

  it('crm_wins: Stripe gets Salesforce’s value', async () => {
    const r = await editBothSides('crm_wins', 'salesforce', 2);
    expect(r.stripeValue).toBe(r.crmPhone);
    expect(r.crmValue).toBe(r.crmPhone);
    expect(r.conflicts).toEqual([
      expect.objectContaining({
        policy: 'crm_wins',
        winner: 'crm',
        status: 'resolved',
        field_mapping_id: PHONE_FIELD,
      }),
    ]);
    expect(r.crmWrites).toBe(0);
  });

  it('newest_wins: the later edit wins, whichever side made it', async () => {
    const crmLater = await editBothSides('newest_wins', 'stripe', 3);
    expect(crmLater.stripeValue).toBe(crmLater.crmPhone);
    expect(crmLater.crmValue).toBe(crmLater.crmPhone);
    expect(crmLater.conflicts).toEqual([
      expect.objectContaining({ policy: 'newest_wins', winner: 'crm' }),
    ]);
    expect(crmLater.crmWrites).toBe(0);

    const stripeLater = await editBothSides('newest_wins', 'salesforce', 4);
    expect(stripeLater.stripeValue).toBe(stripeLater.stripePhone);
    expect(stripeLater.crmValue).toBe(stripeLater.stripePhone);
    expect(stripeLater.conflicts).toEqual([
      expect.objectContaining({ policy: 'newest_wins', winner: 'stripe' }),
    ]);
    expect(stripeLater.crmWrites).toBe(1);
  });

  it('manual: neither side is overwritten and an open conflict waits for an admin', async () => {
    const r = await editBothSides('manual', 'stripe', 5);
    expect(r.stripeValue).toBe(r.stripePhone);
    expect(r.crmValue).toBe(r.crmPhone);
    expect(r.crmWrites).toBe(0);
    expect(r.conflicts).toEqual([
      {
        policy: 'manual',
        winner: 'none',
        status: 'open',
        stripe_value: r.stripePhone,
        crm_value: r.crmPhone,
        field_mapping_id: PHONE_FIELD,
      },
    ]);
  });
});
