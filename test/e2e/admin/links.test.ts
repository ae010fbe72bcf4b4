import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type LinkView } from '../../../src/admin/operations/links.service.js';
import { ADMIN_ENV, adminClient } from '../../support/admin-client.js';
import { startSyncHarness, waitFor, type SyncHarness } from '../../support/sync-harness.js';

interface Candidate {
  id: string;
  stripe_id: string;
  candidate_ids: string[];
  matched_by: string;
  status: string;
}
type Page<T> = { data: T[]; next_cursor: string | null };

/**
 * Links through the admin API: a pair linked by hand syncs its values, a linked side is not
 * linked twice, an unlink removes only the link, and duplicate candidates are listed and
 * settled by a manual link.
 */
describe('admin API: links and duplicate candidates', () => {
  let h: SyncHarness;
  let admin: ReturnType<typeof adminClient>;

  beforeAll(async () => {
    // Webhooks off at first: a customer and a contact exist unlinked. A short grace, since the
    // contact was modified just before it is linked (see job-inputs.ts, awaitStripeEvent).
    h = await startSyncHarness({
      webhooks: false,
      env: { ...ADMIN_ENV, SYNC_STRIPE_EVENT_GRACE_MS: '200' },
    });
    admin = adminClient(h.bridge.url);
  });
  afterAll(async () => {
    await h?.close();
  });

  const linksOf = async (stripeId: string) =>
    (await admin.get<Page<LinkView>>(`/links?stripe_id=${stripeId}`)).body.data;

  it('links an unlinked pair by hand: 201, then the values sync; refused when linked; unlinked again', async () => {
    const customer = await h.stripe.customers.create({
      email: 'manual@example.com',
      name: 'Manual Person',
    });
    const contact = await h.hubspot.crm.contacts.basicApi.create({
      properties: { email: 'manual.crm@example.com' },
      associations: [],
    });
    expect(await linksOf(customer.id)).toEqual([]);
    const body = {
      connector: 'hubspot',
      stripe_object: 'customer',
      stripe_id: customer.id,
      crm_id: contact.id,
    };

    expect((await admin.post('/links', { ...body, stripe_id: 'cus_missing' })).body).toMatchObject({
      code: 'stripe_object_not_found',
    });
    expect((await admin.post('/links', { ...body, crm_id: '999999999' })).body).toMatchObject({
      code: 'crm_record_not_found',
    });
    expect((await admin.post('/links', { ...body, connector: 'nope' })).status).toBe(400);
    expect((await admin.post('/links', { ...body, stripe_object: 'invoice' })).status).toBe(422);

    const made = await admin.post<LinkView>('/links', body);
    expect(made.status).toBe(201);
    expect(made.body).toMatchObject({
      connector: 'hubspot',
      stripe_object: 'customer',
      stripe_id: customer.id,
      crm_object: 'contacts',
      crm_id: contact.id,
      status: 'active',
      matched_by: 'manual',
    });
    await h.settle();
    await waitFor('the values to sync', async () => {
      const c = await h.hubspot.crm.contacts.basicApi.getById(contact.id, [
        'stripe_customer_id',
        'firstname',
      ]);
      return c.properties.stripe_customer_id === customer.id && c.properties.firstname === 'Manual';
    });
    const synced = await h.contactByStripeId(customer.id);
    expect(synced).toMatchObject({ id: contact.id, firstname: 'Manual', lastname: 'Person' });
    const after = (await h.stripe.customers.retrieve(customer.id)) as {
      metadata: Record<string, string>;
    };
    expect(after.metadata.hubspot_contact_id).toBe(contact.id);

    const listed = await linksOf(customer.id);
    expect(listed).toEqual([expect.objectContaining({ id: made.body.id, crm_id: contact.id })]);
    expect(
      (await admin.get<Page<LinkView>>(`/links?crm_id=${contact.id}&connector=hubspot`)).body.data,
    ).toEqual(listed);

    const twice = await admin.post('/links', body);
    expect(twice.status).toBe(409);
    expect(twice.body).toMatchObject({ code: 'already_linked' });
    const other = await h.stripe.customers.create({ email: 'other@example.com' });
    expect((await admin.post('/links', { ...body, stripe_id: other.id })).status).toBe(409);

    const resync = await admin.post(`/links/${made.body.id}/resync`);
    expect(resync.status).toBe(202);
    expect(resync.body).toEqual({ queued: true });
    await h.settle();
    expect(
      await h.db.query(`SELECT count(*)::int AS n FROM inbox_events WHERE status = 'dead'`),
    ).toEqual([{ n: 0 }]);

    expect((await admin.delete('/links/not-a-uuid')).status).toBe(400);
    expect((await admin.delete('/links/00000000-0000-4000-8000-000000000000')).status).toBe(404);
    expect((await admin.post('/links/00000000-0000-4000-8000-000000000000/resync')).status).toBe(
      404,
    );
    const unlinked = await admin.delete(`/links/${made.body.id}`);
    expect(unlinked.status).toBe(204);
    expect(await linksOf(customer.id)).toEqual([]);
    // Nothing deleted on either side.
    expect((await h.hubspot.crm.contacts.basicApi.getById(contact.id)).id).toBe(contact.id);
    expect((await h.stripe.customers.retrieve(customer.id)).id).toBe(customer.id);

    const audit = await admin.get<Page<{ action: string; target_id: string }>>(
      `/audit?target_type=link&target_id=${made.body.id}`,
    );
    expect(audit.body.data.map((a) => a.action)).toEqual([
      'link.delete',
      'link.resync',
      'link.create',
    ]);
  });

  it('lists duplicate candidates; a manual link settles them', async () => {
    h.registerWebhooks();
    const a = await h.hubspot.crm.contacts.basicApi.create({
      properties: { email: 'twin@example.com' },
      associations: [],
    });
    const b = await h.hubspot.crm.contacts.basicApi.create({
      properties: { email: 'twin.other@example.com', hs_additional_emails: 'twin@example.com' },
      associations: [],
    });
    const customer = await h.stripe.customers.create({ email: 'twin@example.com', name: 'Twin' });
    await h.settle();
    await waitFor('a duplicate candidate', async () => {
      const open = await admin.get<Page<Candidate>>('/duplicate-candidates?connector=hubspot');
      return open.body.data.some((c) => c.stripe_id === customer.id);
    });
    const open = await admin.get<Page<Candidate>>('/duplicate-candidates');
    expect(open.body.data).toEqual([
      expect.objectContaining({
        stripe_id: customer.id,
        candidate_ids: [a.id, b.id].sort(),
        matched_by: 'email',
        status: 'open',
      }),
    ]);
    expect((await admin.get('/duplicate-candidates?status=closed')).status).toBe(400);

    const made = await admin.post<LinkView>('/links', {
      connector: 'hubspot',
      stripe_object: 'customer',
      stripe_id: customer.id,
      crm_id: a.id,
    });
    expect(made.status).toBe(201);
    expect((await admin.get<Page<Candidate>>('/duplicate-candidates')).body.data).toEqual([]);
    const resolved = await admin.get<Page<Candidate>>('/duplicate-candidates?status=resolved');
    expect(resolved.body.data.map((c) => [c.stripe_id, c.status])).toEqual([
      [customer.id, 'resolved'],
    ]);
    await h.settle();
    await waitFor('the linked contact to hold the Stripe id', async () => {
      const c = await h.hubspot.crm.contacts.basicApi.getById(a.id, ['stripe_customer_id']);
      return c.properties.stripe_customer_id === customer.id;
    });
  });
});
