import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startSyncHarness, type SyncHarness } from '../../support/sync-harness.js';

const EMAIL_FIELD = 'hubspot-customer-email';
const later = () => new Promise((r) => setTimeout(r, 1100)); // the next `created` second

describe('the same field edited on both sides between two syncs', () => {
  let h: SyncHarness;

  beforeAll(async () => {
    h = await startSyncHarness();
  });
  afterAll(async () => {
    await h?.close();
  });

  /**
   * Links a fresh customer, then edits its email in Stripe (webhook held back) and in HubSpot,
   * in the given order with a second between them, and lets one poll and the held webhook in.
   */
  async function editBothSides(policy: string, first: 'stripe' | 'hubspot') {
    await h.setMappingPolicy(EMAIL_FIELD, policy);
    const tag = `${policy}-${first}`;
    const customer = await h.stripe.customers.create({
      email: `${tag}@example.com`,
      name: 'Both Sides',
    });
    await h.settle();
    const contact = await h.contactByStripeId(customer.id);
    await h.poll();
    const hubspotWrites = h.hubspotEmu.writeCount('contacts');

    h.stripeEmu.setDeliveryMode('reverse'); // hold Stripe's webhooks until flushed
    const editStripe = () =>
      h.stripe.customers.update(customer.id, { email: `stripe-${tag}@example.com` });
    const editHubSpot = () =>
      h.hubspotEmu.editAsUser('contacts', contact.id, { email: `crm-${tag}@example.com` });
    if (first === 'stripe') {
      await editStripe();
      await later();
      editHubSpot();
    } else {
      editHubSpot();
      await later();
      await editStripe();
    }
    await h.poll();
    await h.stripeEmu.flushDeliveries();
    h.stripeEmu.setDeliveryMode('normal');
    await h.settle();
    await h.poll(); // whatever came back must be recognised as ours
    await h.settle();

    const stripeEmail = ((await h.stripe.customers.retrieve(customer.id)) as { email: string })
      .email;
    const crmEmail = (await h.contactByStripeId(customer.id)).email;
    const conflicts = await h.db.query<{
      policy: string;
      winner: string;
      status: string;
      stripe_value: string;
      crm_value: string;
    }>(
      `SELECT c.policy, c.winner, c.status, c.stripe_value, c.crm_value FROM sync_conflicts c
         JOIN links l ON l.id = c.link_id WHERE l.stripe_id = $1`,
      [customer.id],
    );
    return {
      tag,
      stripeEmail,
      crmEmail,
      conflicts,
      crmWrites: h.hubspotEmu.writeCount('contacts') - hubspotWrites,
    };
  }

  it('stripe_wins: HubSpot gets Stripe’s value', async () => {
    const r = await editBothSides('stripe_wins', 'stripe');
    expect(r.stripeEmail).toBe(`stripe-${r.tag}@example.com`);
    expect(r.crmEmail).toBe(`stripe-${r.tag}@example.com`);
    expect(r.conflicts).toEqual([
      expect.objectContaining({ policy: 'stripe_wins', winner: 'stripe', status: 'resolved' }),
    ]);
    expect(r.crmWrites).toBe(1);
  });

  it('crm_wins: Stripe gets HubSpot’s value', async () => {
    const r = await editBothSides('crm_wins', 'hubspot');
    expect(r.stripeEmail).toBe(`crm-${r.tag}@example.com`);
    expect(r.crmEmail).toBe(`crm-${r.tag}@example.com`);
    expect(r.conflicts).toEqual([
      expect.objectContaining({ policy: 'crm_wins', winner: 'crm', status: 'resolved' }),
    ]);
    expect(r.crmWrites).toBe(0);
  });

  it('newest_wins: the later edit wins, whichever side made it', async () => {
    const crmLater = await editBothSides('newest_wins', 'stripe');
    expect(crmLater.stripeEmail).toBe(`crm-${crmLater.tag}@example.com`);
    expect(crmLater.crmEmail).toBe(`crm-${crmLater.tag}@example.com`);
    expect(crmLater.conflicts).toEqual([expect.objectContaining({ winner: 'crm' })]);

    const stripeLater = await editBothSides('newest_wins', 'hubspot');
    expect(stripeLater.stripeEmail).toBe(`stripe-${stripeLater.tag}@example.com`);
    expect(stripeLater.crmEmail).toBe(`stripe-${stripeLater.tag}@example.com`);
    expect(stripeLater.conflicts).toEqual([expect.objectContaining({ winner: 'stripe' })]);
  });

  it('manual: neither side is overwritten and an open conflict waits for an admin', async () => {
    const r = await editBothSides('manual', 'stripe');
    expect(r.stripeEmail).toBe(`stripe-${r.tag}@example.com`);
    expect(r.crmEmail).toBe(`crm-${r.tag}@example.com`);
    expect(r.crmWrites).toBe(0);
    expect(r.conflicts).toEqual([
      {
        policy: 'manual',
        winner: 'none',
        status: 'open',
        stripe_value: `stripe-${r.tag}@example.com`,
        crm_value: `crm-${r.tag}@example.com`,
      },
    ]);
  });
});
