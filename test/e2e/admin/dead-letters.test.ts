import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type DeadLetterView } from '../../../src/admin/operations/dead-letters.service.js';
import { ADMIN_ENV, adminClient } from '../../support/admin-client.js';
import { startSyncHarness, waitFor, type SyncHarness } from '../../support/sync-harness.js';

type DeadLetter = DeadLetterView;
type Page<T> = { data: T[]; next_cursor: string | null };

// Writes only: HubSpot's batch reads (same prefix) keep working while the writes are refused.
const CONTACT_WRITES = '^/crm/v3/objects/contacts/batch/(create|upsert|update)';
const REFUSAL = {
  status: 'error',
  category: 'VALIDATION_ERROR',
  message: 'Property values were not valid: [{"name":"phone","error":"INVALID_PHONE"}]',
};

/**
 * Dead letters through the admin API: a contact HubSpot refuses for good is listed with
 * HubSpot's error, replayed once the cause is gone (it syncs, once), or discarded with a reason.
 */
describe('admin API: dead letters', () => {
  let h: SyncHarness;
  let admin: ReturnType<typeof adminClient>;

  beforeAll(async () => {
    h = await startSyncHarness({ env: ADMIN_ENV });
    admin = adminClient(h.bridge.url);
    // Custom properties in place first, as after any first sync.
    await h.stripe.customers.create({ email: 'warmup@example.com' });
    await h.settle();
  });
  afterAll(async () => {
    await h?.close();
  });

  const deadLetters = async (query = '') =>
    (await admin.get<Page<DeadLetter>>(`/dead-letters${query}`)).body.data;

  it('lists a refused contact with HubSpot’s error; replayed after the fix, it syncs once', async () => {
    h.hubspotEmu.http.faults.addFault({
      path: CONTACT_WRITES,
      count: 50,
      fault: { kind: 'status', status: 400, body: REFUSAL },
    });
    const kept = await h.stripe.customers.create({
      email: 'refused@example.com',
      name: 'Re Fused',
    });
    const dropped = await h.stripe.customers.create({ email: 'dropped@example.com' });
    await h.settle();
    await waitFor('both dead letters', async () => (await deadLetters()).length === 2);

    const list = await deadLetters('?stripe_object=customer');
    expect(list.map((d) => d.object_id).sort()).toEqual([kept.id, dropped.id].sort());
    const one = list.find((d) => d.object_id === kept.id)!;
    expect(one).toMatchObject({
      type: 'customer.created',
      object_type: 'customer',
      connector: null,
      attempts: 1,
    });
    expect(one.id).toMatch(/^evt_/);
    expect(one.last_error).toContain('Property values were not valid');
    expect(Date.parse(one.updated_at)).toBeGreaterThanOrEqual(Date.parse(one.received_at));
    expect(await deadLetters('?connector=salesforce')).toEqual([]);
    // Pages of one walk both.
    const first = await admin.get<Page<DeadLetter>>('/dead-letters?limit=1');
    expect(first.body.data).toHaveLength(1);
    const second = await admin.get<Page<DeadLetter>>(
      `/dead-letters?limit=1&cursor=${first.body.next_cursor ?? ''}`,
    );
    expect(second.body.data.map((d) => d.id)).not.toEqual(first.body.data.map((d) => d.id));
    expect(second.body.next_cursor).toBeNull();
    expect((await admin.get('/dead-letters?cursor=nope!')).body).toMatchObject({
      code: 'invalid_cursor',
    });

    // Discard one: bad inputs first.
    const other = list.find((d) => d.object_id === dropped.id)!;
    const path = `/dead-letters/${other.id}`;
    const noReason = await admin.call('DELETE', path, {});
    expect(noReason.status).toBe(400);
    expect(noReason.body).toMatchObject({ code: 'validation_failed' });
    expect((await admin.call('DELETE', path)).status).toBe(400);
    expect((await admin.call('DELETE', path, { reason: '   ' })).status).toBe(400);
    expect((await admin.call('DELETE', path, { reason: 'x'.repeat(501) })).status).toBe(400);
    expect((await admin.call('DELETE', path, { reason: 'ok', extra: 1 })).status).toBe(400);
    const unknown = await admin.call('DELETE', '/dead-letters/evt_unknown', { reason: 'test' });
    expect(unknown.status).toBe(404);
    expect(unknown.body).toMatchObject({ code: 'not_found' });
    const malformed = await admin.call(
      'DELETE',
      `/dead-letters/${encodeURIComponent("x' OR 1=1")}`,
      {
        reason: 'test',
      },
    );
    expect(malformed.status).toBe(400);
    const discarded = await admin.call('DELETE', path, { reason: 'A test customer, on purpose' });
    expect(discarded.status).toBe(204);
    const row = await h.db.query(
      `SELECT status, discard_reason, discarded_by, discarded_at IS NOT NULL AS at
         FROM inbox_events WHERE event_id = $1`,
      [other.id],
    );
    expect(row).toEqual([
      {
        status: 'discarded',
        discard_reason: 'A test customer, on purpose',
        discarded_by: 'ops',
        at: true,
      },
    ]);
    const again = await admin.post(`${path}/replay`);
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ code: 'not_dead' });
    expect((await admin.post('/dead-letters/evt_unknown/replay')).status).toBe(404);

    // The cause is gone: replayed, it syncs once.
    h.hubspotEmu.http.faults.reset();
    const replayed = await admin.post(`/dead-letters/${one.id}/replay`);
    expect(replayed.status).toBe(200);
    expect(replayed.body).toEqual({ replayed: 1 });
    await h.settle();
    const contact = await h.contactByStripeId(kept.id);
    expect(contact).toMatchObject({ email: 'refused@example.com', firstname: 'Re' });
    const search = await h.hubspot.crm.contacts.searchApi.doSearch({
      filterGroups: [
        { filters: [{ propertyName: 'stripe_customer_id', operator: 'EQ', value: kept.id }] },
      ],
      properties: ['stripe_customer_id'],
      limit: 10,
      after: '0',
      sorts: [],
    } as Parameters<typeof h.hubspot.crm.contacts.searchApi.doSearch>[0]);
    expect(search.results).toHaveLength(1);
    expect(await deadLetters()).toEqual([]);
    expect((await admin.post('/dead-letters/replay', {})).body).toEqual({ replayed: 0 });

    const audit = await admin.get<Page<{ action: string; target_id: string; actor: string }>>(
      '/audit?target_type=dead_letter',
    );
    expect(audit.body.data.map((a) => [a.action, a.target_id, a.actor])).toEqual([
      ['dead_letter.replay', one.id, 'ops'],
      ['dead_letter.discard', other.id, 'ops'],
    ]);
  });

  it('replays every dead letter at once', async () => {
    h.hubspotEmu.http.faults.addFault({
      path: CONTACT_WRITES,
      count: 50,
      fault: { kind: 'status', status: 400, body: REFUSAL },
    });
    const c = await h.stripe.customers.create({ email: 'bulk@example.com' });
    await h.settle();
    await waitFor('a dead letter', async () => (await deadLetters()).length === 1);
    h.hubspotEmu.http.faults.reset();
    expect((await admin.post('/dead-letters/replay', { ids: ['not a valid id'] })).status).toBe(
      400,
    );
    const all = await admin.post('/dead-letters/replay');
    expect(all.status).toBe(200);
    expect(all.body).toEqual({ replayed: 1 });
    await h.settle();
    expect((await h.contactByStripeId(c.id)).email).toBe('bulk@example.com');
    expect(await deadLetters()).toEqual([]);
  });
});
