import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ADMIN_ENV, ADMIN_TOKEN_2, adminClient } from '../../support/admin-client.js';
import { startSyncHarness, type SyncHarness } from '../../support/sync-harness.js';

interface Mapping {
  id: string;
  version: number;
  enabled: boolean;
  fields: { id: string; stripe_path: string; crm_property: string }[];
}

/**
 * The mapping lifecycle on HubSpot through the admin API: add a field (its property is created
 * in HubSpot), it syncs, versions are kept, a rollback removes it again — and every change is
 * audited by its token's label.
 */
describe('admin API: a HubSpot mapping’s lifecycle', () => {
  let h: SyncHarness;
  let admin: ReturnType<typeof adminClient>;

  beforeAll(async () => {
    h = await startSyncHarness({ env: ADMIN_ENV });
    admin = adminClient(h.bridge.url);
  });
  afterAll(async () => {
    await h?.close();
  });

  it('lists and reads the seeded mappings, with their fields and versions', async () => {
    const list = await admin.get<{ data: Mapping[]; next_cursor: string | null }>(
      '/mappings?connector=hubspot',
    );
    expect(list.status).toBe(200);
    expect(list.body.data.map((m) => m.id)).toEqual(['hubspot-customer']);
    const one = await admin.get<Mapping>('/mappings/hubspot-customer');
    expect(one.status).toBe(200);
    expect(one.body).toMatchObject({
      id: 'hubspot-customer',
      connector: 'hubspot',
      stripe_object: 'customer',
      crm_object: 'contacts',
      stripe_id_property: 'stripe_customer_id',
      enabled: true,
      version: 1,
    });
    expect(one.headers.get('etag')).toBe('"1"');
    expect(one.body.fields).toContainEqual(
      expect.objectContaining({ id: 'hubspot-customer-email', stripe_path: 'email' }),
    );
    // Pages of one: the cursor walks every mapping once.
    const ids: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { body: { data: Mapping[]; next_cursor: string | null } } = await admin.get(
        `/mappings?limit=1${cursor ? `&cursor=${cursor}` : ''}`,
      );
      ids.push(...page.body.data.map((m) => m.id));
      cursor = page.body.next_cursor;
    } while (cursor);
    expect(ids).toEqual([...ids].sort());
    expect(ids).toContain('salesforce-customer');
  });

  it('previews a proposed field on an existing customer: the exact write, and nothing stored or created', async () => {
    const early = await h.stripe.customers.create({
      email: 'early@example.com',
      metadata: { tier: 'gold' },
    });
    await h.settle();
    const current = (await admin.get<Mapping & { fields: object[] }>('/mappings/hubspot-customer'))
      .body;
    const crmWritesBefore = h.hubspotEmu.writeCount('contacts');
    const preview = await admin.post<{
      crm: { id: string; action: string; properties: Record<string, unknown> };
      stripe: { id: string; params: Record<string, unknown> };
      conflicts: unknown[];
      properties_to_create: string[];
    }>('/mappings/hubspot-customer/preview', {
      stripe_id: early.id,
      mapping: {
        fields: [
          ...current.fields.map(({ id: _id, ...f }: Record<string, unknown>) => ({
            ...f,
            id: _id,
          })),
          { stripe_path: 'metadata.tier', crm_property: 'stripe_tier', direction: 'to_crm' },
        ],
      },
    });
    expect(preview.status).toBe(200);
    expect(preview.body).toMatchObject({
      crm: { action: 'update', properties: { stripe_tier: 'gold' } },
      stripe: { id: early.id, params: {} },
      conflicts: [],
      properties_to_create: ['stripe_tier'],
    });
    // Nothing was written: no property, no contact write, no new version.
    await expect(
      h.hubspot.crm.properties.coreApi.getByName('contacts', 'stripe_tier'),
    ).rejects.toThrow();
    expect(h.hubspotEmu.writeCount('contacts')).toBe(crmWritesBefore);
    expect((await admin.get<Mapping>('/mappings/hubspot-customer')).body.version).toBe(1);
    // By the CRM id too, under the stored mapping: nothing to write.
    const byCrm = await admin.post<{ crm: { action: string } }>(
      '/mappings/hubspot-customer/preview',
      {
        crm_id: preview.body.crm.id,
      },
    );
    expect(byCrm).toMatchObject({ status: 200, body: { crm: { action: 'none' } } });
  });

  it('adds metadata.tier → stripe_tier: the property is created, the value syncs, a rollback takes it away', async () => {
    const added = await admin.post<Mapping>(
      '/mappings/hubspot-customer/fields',
      { stripe_path: 'metadata.tier', crm_property: 'stripe_tier', direction: 'to_crm' },
      { 'if-match': '"1"' },
    );
    expect(added.status).toBe(201);
    expect(added.body.version).toBe(2);
    expect(added.body.fields).toContainEqual(
      expect.objectContaining({
        id: 'hubspot-customer-metadata-tier',
        crm_property: 'stripe_tier',
      }),
    );
    const property = await h.hubspot.crm.properties.coreApi.getByName('contacts', 'stripe_tier');
    expect(property.type).toBe('string');

    // The customer synced before the change has no tier in HubSpot until the mapping is
    // applied: the change alone re-syncs nothing.
    const early = (await h.stripe.customers.list({ email: 'early@example.com' })).data[0]!;
    const earlyContact = () =>
      h.hubspot.crm.contacts.basicApi.getById(
        early.id,
        ['stripe_tier'],
        undefined,
        undefined,
        false,
        'stripe_customer_id',
      );
    expect((await earlyContact()).properties.stripe_tier ?? null).toBeNull();
    const applied = await admin.post<{ id: string; total: number }>(
      '/mappings/hubspot-customer/apply',
    );
    expect(applied.status).toBe(202);
    expect(applied.body.total).toBeGreaterThanOrEqual(1);
    await h.settle();
    expect((await earlyContact()).properties.stripe_tier).toBe('gold');
    // Its jobs all synced, the run no longer holds the scope: another apply, or a backfill,
    // may start even though nobody read the first run's progress.
    const again = await admin.post<{ id: string }>('/mappings/hubspot-customer/apply');
    expect(again.status).toBe(202);
    await h.settle();
    const run = await admin.get<{ kind: string; status: string; done: number; total: number }>(
      `/backfills/${applied.body.id}`,
    );
    expect(run.body).toMatchObject({ kind: 'apply', status: 'done', total: applied.body.total });
    expect(run.body.done).toBe(run.body.total);

    const gold = await h.stripe.customers.create({
      email: 'gold@example.com',
      metadata: { tier: 'gold' },
    });
    await h.settle();
    const contact = await h.hubspot.crm.contacts.basicApi.getById(
      gold.id,
      ['stripe_tier'],
      undefined,
      undefined,
      false,
      'stripe_customer_id',
    );
    expect(contact.properties.stripe_tier).toBe('gold');

    const versions = await admin.get<{ data: { version: number; actor: string }[] }>(
      '/mappings/hubspot-customer/versions',
    );
    expect(versions.body.data.map((v) => v.version)).toEqual([1, 2]);
    expect(versions.body.data[1]?.actor).toBe('ops');
    const v1 = await admin.get<{ mapping: Mapping }>('/mappings/hubspot-customer/versions/1');
    expect(v1.body.mapping.fields.some((f) => f.stripe_path === 'metadata.tier')).toBe(false);

    // A stale If-Match is refused; the rollback itself is a new version, made with the rotated
    // token (both work during a rotation).
    const stale = await admin.post(
      '/mappings/hubspot-customer/rollback',
      { version: 1 },
      { 'if-match': '1' },
    );
    expect(stale).toMatchObject({ status: 409, body: { code: 'version_conflict' } });
    const rolled = await adminClient(h.bridge.url, ADMIN_TOKEN_2).post<Mapping>(
      '/mappings/hubspot-customer/rollback',
      { version: 1 },
      { 'if-match': '2' },
    );
    expect(rolled.status).toBe(200);
    expect(rolled.body.version).toBe(3);
    expect(rolled.body.fields.some((f) => f.stripe_path === 'metadata.tier')).toBe(false);

    const silver = await h.stripe.customers.create({
      email: 'silver@example.com',
      metadata: { tier: 'silver' },
    });
    await h.settle();
    const after = await h.hubspot.crm.contacts.basicApi.getById(
      silver.id,
      ['stripe_tier', 'email'],
      undefined,
      undefined,
      false,
      'stripe_customer_id',
    );
    expect(after.properties.email).toBe('silver@example.com');
    expect(after.properties.stripe_tier ?? null).toBeNull();

    const audit = await admin.get<{ data: { action: string; actor: string; target_id: string }[] }>(
      '/audit?target_id=hubspot-customer',
    );
    expect(audit.body.data.map((a) => [a.action, a.actor])).toEqual([
      ['mapping.rollback', 'token-2'],
      ['mapping.apply', 'ops'],
      ['mapping.apply', 'ops'],
      ['mapping.field.create', 'ops'],
    ]);
  });

  it('a field whose Stripe path does not exist, or that sends a read-only field to Stripe, is a 422 naming it', async () => {
    const unknown = await admin.post('/mappings/hubspot-customer/fields', {
      stripe_path: 'favourite_colour',
      crm_property: 'colour',
      direction: 'to_crm',
    });
    expect(unknown).toMatchObject({
      status: 422,
      body: {
        code: 'unknown_stripe_field',
        message: expect.stringContaining('favourite_colour') as unknown,
      },
    });
    const readOnly = await admin.patch(
      '/mappings/hubspot-customer/fields/hubspot-customer-delinquent',
      {
        direction: 'both',
      },
    );
    expect(readOnly).toMatchObject({
      status: 422,
      body: {
        code: 'stripe_refuses_mapping',
        message: expect.stringContaining('"delinquent" is read-only in Stripe') as unknown,
      },
    });
    // Nothing was stored by either.
    expect((await admin.get<Mapping>('/mappings/hubspot-customer')).body.version).toBe(3);
  });
});
