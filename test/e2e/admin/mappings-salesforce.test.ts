import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ADMIN_ENV, adminClient } from '../../support/admin-client.js';
import { startSyncHarness, waitFor, type SyncHarness } from '../../support/sync-harness.js';

interface Mapping {
  id: string;
  version: number;
  enabled: boolean;
  fields: { id: string; crm_property: string }[];
}

/**
 * On Salesforce an admin creates custom fields (the data API cannot): a field mapping naming
 * one that does not exist is a 422 listing what to create, accepted once it exists; and the
 * Contact mapping can be swapped for the Account one through the API.
 */
describe('admin API on Salesforce', () => {
  let h: SyncHarness;
  let admin: ReturnType<typeof adminClient>;

  beforeAll(async () => {
    h = await startSyncHarness({ crms: ['salesforce'], env: ADMIN_ENV });
    admin = adminClient(h.bridge.url);
  });
  afterAll(async () => {
    await h?.close();
  });

  it('a field that does not exist in the org is a 422 naming it; accepted once an admin creates it', async () => {
    const field = {
      stripe_path: 'metadata.tier',
      crm_property: 'Stripe_Tier__c',
      direction: 'to_crm',
    };
    const refused = await admin.post('/mappings/salesforce-customer/fields', field);
    expect(refused).toMatchObject({
      status: 422,
      body: {
        code: 'crm_fields_missing',
        message: expect.stringMatching(
          /Create these fields on Contact: Stripe_Tier__c \(Text\(255\)\)/,
        ) as unknown,
      },
    });
    expect((await admin.get<Mapping>('/mappings/salesforce-customer')).body.version).toBe(1);

    h.sfEmu.addCustomField('Contact', { name: 'Stripe_Tier__c', type: 'string', length: 255 });
    const accepted = await admin.post<Mapping>('/mappings/salesforce-customer/fields', field);
    expect(accepted.status).toBe(201);
    expect(accepted.body.version).toBe(2);

    const c = await h.stripe.customers.create({
      email: 'tier@example.com',
      name: 'Tier Gold',
      metadata: { tier: 'gold' },
    });
    await h.settle();
    expect(h.sfEmu.records('Contact').find((r) => r.Stripe_Customer_Id__c === c.id)).toMatchObject({
      Stripe_Tier__c: 'gold',
    });
  });

  it('switches the Contact mapping for the Account one: 409 without replace, then both flip', async () => {
    const clash = await admin.patch('/mappings/salesforce-customer-account', { enabled: true });
    expect(clash).toMatchObject({ status: 409, body: { code: 'mapping_conflict' } });
    expect(String((clash.body as { message: string }).message)).toContain('salesforce-customer');

    const swapped = await admin.patch<Mapping>('/mappings/salesforce-customer-account', {
      enabled: true,
      replace: true,
    });
    expect(swapped.status).toBe(200);
    expect(swapped.body.enabled).toBe(true);
    const contact = await admin.get<Mapping>('/mappings/salesforce-customer');
    expect(contact.body).toMatchObject({ enabled: false, version: 3 });

    const c = await h.stripe.customers.create({ email: 'acme@example.com', name: 'Acme Ltd' });
    await waitFor('the Account', () =>
      h.sfEmu.records('Account').some((a) => a.Stripe_Customer_Id__c === c.id),
    );
    await h.settle();
    expect(h.sfEmu.records('Contact').filter((r) => r.Stripe_Customer_Id__c === c.id)).toEqual([]);
    const audit = await admin.get<{ data: { action: string; target_id: string }[] }>('/audit');
    expect(audit.body.data.slice(0, 2).map((a) => [a.action, a.target_id])).toEqual([
      ['mapping.update', 'salesforce-customer-account'],
      ['mapping.replaced', 'salesforce-customer'],
    ]);
  });
});
