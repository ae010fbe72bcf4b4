import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { MappingService } from '../../../src/mapping/mapping.service.js';
import { startSyncHarness, type SyncHarness } from '../../support/sync-harness.js';

/** B2B merchants bill companies: the seeded Account mapping, enabled instead of the Contact one. */
describe('Stripe customers ⇄ Salesforce Accounts', () => {
  let h: SyncHarness;

  const accountOf = (stripeId: string) => {
    const found = h.sfEmu.records('Account').filter((a) => a.Stripe_Customer_Id__c === stripeId);
    if (found.length !== 1) throw new Error(`expected one Account for ${stripeId}`);
    return found[0]!;
  };

  beforeAll(async () => {
    h = await startSyncHarness({ crms: ['salesforce'], webhooks: false });
    // The switch the README gives: one enabled mapping per CRM and Stripe object.
    await h.db.query(
      `UPDATE object_mappings SET enabled = (id = 'salesforce-customer-account')
        WHERE id IN ('salesforce-customer', 'salesforce-customer-account')`,
    );
    h.bridge.app.get(MappingService).invalidate();
    h.registerWebhooks();
  });
  afterAll(async () => {
    await h?.close();
  });

  it('a customer becomes an Account named after it, and an Account edit flows back', async () => {
    const customer = await h.stripe.customers.create({
      email: 'Billing@Acme.example',
      name: 'Acme Rockets Ltd',
      phone: '+1 555 0100',
      address: { line1: '1 Desert Road', city: 'Phoenix', country: 'US' },
    });
    await h.settle();
    const account = accountOf(customer.id);
    expect(account).toMatchObject({
      Name: 'Acme Rockets Ltd',
      Stripe_Email__c: 'billing@acme.example',
      Phone: '+1 555 0100',
      BillingStreet: '1 Desert Road',
      BillingCity: 'Phoenix',
      BillingCountry: 'US',
    });
    expect(h.sfEmu.records('Contact')).toEqual([]);
    const after = await h.stripe.customers.retrieve(customer.id);
    expect((after as { metadata: Record<string, string> }).metadata).toEqual({
      salesforce_account_id: account.Id,
    });

    await h.poll(); // the Account cursor starts
    await new Promise((r) => setTimeout(r, 5));
    h.sfEmu.editAsUser('Account', String(account.Id), { Name: 'Acme Rockets Inc' });
    expect(await h.poll()).toEqual([
      expect.objectContaining({ crmObject: 'Account', status: 'polled', queued: 1 }),
    ]);
    await h.settle();
    const renamed = await h.stripe.customers.retrieve(customer.id);
    expect((renamed as { name: string }).name).toBe('Acme Rockets Inc');
    const links = await h.db.query(
      `SELECT crm_object, crm_id, status FROM links WHERE stripe_id = $1`,
      [customer.id],
    );
    expect(links).toEqual([{ crm_object: 'Account', crm_id: account.Id, status: 'active' }]);
  });

  it('a customer without a name gets the required Name placeholder, which never reaches Stripe', async () => {
    const customer = await h.stripe.customers.create({ email: 'anon@acme.example' });
    await h.settle();
    const account = accountOf(customer.id);
    expect(account.Name).toBe('[not provided]');
    await h.poll();
    await new Promise((r) => setTimeout(r, 5));
    h.sfEmu.editAsUser('Account', String(account.Id), { Phone: '+1 555 0199' });
    await h.poll();
    await h.settle();
    const after = (await h.stripe.customers.retrieve(customer.id)) as {
      name: string | null;
      phone: string | null;
    };
    expect(after.phone).toBe('+1 555 0199');
    expect(after.name).toBeNull();
  });

  it('reports the org API usage Salesforce announces in /metrics', async () => {
    const metrics = await (await fetch(`${h.bridge.url}/metrics`)).text();
    const used = /bridge_crm_daily_api_used\{connector="salesforce"\} (\d+)/.exec(metrics);
    const limit = /bridge_crm_daily_api_limit\{connector="salesforce"\} (\d+)/.exec(metrics);
    expect(Number(limit?.[1])).toBe(100_000);
    // The last figure the bridge saw: at most what the org has counted so far, and not zero.
    expect(Number(used?.[1])).toBeGreaterThan(0);
    expect(Number(used?.[1])).toBeLessThanOrEqual(h.sfEmu.apiCallsToday());
  });
});
