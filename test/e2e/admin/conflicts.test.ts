import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type Stripe from 'stripe';
import { ADMIN_ENV, adminClient } from '../../support/admin-client.js';
import { startSyncHarness, waitFor, type SyncHarness } from '../../support/sync-harness.js';

interface Conflict {
  id: string;
  status: string;
  field_mapping_id: string;
  stripe_value: unknown;
  crm_value: unknown;
}

/**
 * A field set to `manual`, edited on both sides: one open conflict, nothing overwritten. An
 * admin resolves it over the API and the value lands on both sides through the normal write
 * path, once.
 */
describe('admin API: resolving a manual conflict', () => {
  let h: SyncHarness;
  let admin: ReturnType<typeof adminClient>;
  let customer: Stripe.Customer;
  let contactId: string;

  beforeAll(async () => {
    h = await startSyncHarness({ env: ADMIN_ENV });
    admin = adminClient(h.bridge.url);
    await h.setMappingPolicy('hubspot-customer-phone', 'manual');
    customer = await h.stripe.customers.create({
      email: 'manual@example.com',
      name: 'Manual Case',
      phone: '+1 555 0100',
    });
    await h.settle();
    await h.poll(); // starts the poll cursor
    contactId = (await h.contactByStripeId(customer.id)).id;
  });
  afterAll(async () => {
    await h?.close();
  });

  /** Both sides change the phone before the bridge sees either: a parked conflict. */
  const conflictOnPhone = async (crmPhone: string, stripePhone: string): Promise<Conflict> => {
    h.hubspotEmu.editAsUser('contacts', contactId, { phone: crmPhone });
    await h.stripe.customers.update(customer.id, { phone: stripePhone });
    await h.settle();
    await h.poll();
    await h.settle();
    let open: Conflict[] = [];
    await waitFor('one open conflict', async () => {
      open = (await admin.get<{ data: Conflict[] }>('/conflicts?status=open')).body.data;
      return open.length === 1;
    });
    return open[0]!;
  };

  it('lists the open conflict, resolves it for the CRM: both sides hold the CRM value, one Stripe write', async () => {
    const c = await conflictOnPhone('+1 555 0111', '+1 555 0122');
    expect(c).toMatchObject({
      field_mapping_id: 'hubspot-customer-phone',
      stripe_value: '+1 555 0122',
      crm_value: '+1 555 0111',
      status: 'open',
    });
    // Parked: neither side was overwritten.
    expect((await h.contactByStripeId(customer.id)).phone).toBe('+1 555 0111');
    const writesBefore = h.stripeUpdateBodies(customer.id).length;

    const resolved = await admin.post<Conflict>(`/conflicts/${c.id}/resolve`, { winner: 'crm' });
    expect(resolved.status).toBe(200);
    expect(resolved.body.status).toBe('resolved');
    await waitFor('the CRM value in Stripe', async () => {
      const now = (await h.stripe.customers.retrieve(customer.id)) as Stripe.Customer;
      return now.phone === '+1 555 0111';
    });
    await h.settle();
    expect(h.stripeUpdateBodies(customer.id).slice(writesBefore)).toEqual([
      { phone: '+1 555 0111' },
    ]);
    expect((await h.contactByStripeId(customer.id)).phone).toBe('+1 555 0111');
    expect((await admin.get<{ data: Conflict[] }>('/conflicts')).body.data).toEqual([]);
    const done = await admin.get<{ data: Conflict[] }>('/conflicts?status=resolved');
    expect(done.body.data.map((x) => x.id)).toContain(c.id);

    // Once: a second resolve is refused, and nothing more is written.
    expect(await admin.post(`/conflicts/${c.id}/resolve`, { winner: 'stripe' })).toMatchObject({
      status: 409,
      body: { code: 'already_resolved' },
    });
    await h.settle();
    expect(h.stripeUpdateBodies(customer.id).length).toBe(writesBefore + 1);
  });

  it('resolves with a value of the admin’s own: written to both sides', async () => {
    await new Promise((r) => setTimeout(r, 1100));
    const c = await conflictOnPhone('+1 555 0133', '+1 555 0144');
    const resolved = await admin.post<Conflict>(`/conflicts/${c.id}/resolve`, {
      value: '+1 555 0155',
    });
    expect(resolved.status).toBe(200);
    await waitFor('the value in Stripe', async () => {
      const now = (await h.stripe.customers.retrieve(customer.id)) as Stripe.Customer;
      return now.phone === '+1 555 0155';
    });
    expect((await h.contactByStripeId(customer.id)).phone).toBe('+1 555 0155');
    const audit = await admin.get<{ data: { action: string; target_id: string }[] }>(
      '/audit?target_type=conflict',
    );
    expect(audit.body.data.map((a) => a.action)).toEqual(['conflict.resolve', 'conflict.resolve']);
  });

  it.each([
    ['neither winner nor value', 'VALID', {}, 400, 'validation_failed'],
    ['both winner and value', 'VALID', { winner: 'crm', value: 'x' }, 400, 'validation_failed'],
    ['a winner that is no side', 'VALID', { winner: 'both' }, 400, 'validation_failed'],
    ['a value that is an object', 'VALID', { value: { a: 1 } }, 400, 'validation_failed'],
    ['an id that is no UUID', 'not-a-uuid', { winner: 'crm' }, 400, 'validation_failed'],
    ['an unknown id', '00000000-0000-4000-8000-000000000000', { winner: 'crm' }, 404, 'not_found'],
  ])('%s: POST /conflicts/%s/resolve %j → %d %s', async (_name, id, body, status, code) => {
    const [any] = (await admin.get<{ data: Conflict[] }>('/conflicts?status=resolved')).body.data;
    const target = id === 'VALID' ? any!.id : id;
    expect(await admin.post(`/conflicts/${target}/resolve`, body)).toMatchObject({
      status,
      body: { code },
    });
  });
});
