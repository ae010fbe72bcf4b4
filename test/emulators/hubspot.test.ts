import { afterAll, beforeAll, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { Client } from '@hubspot/api-client';
import { HubSpotEmulator } from '../../emulators/hubspot/hubspot-emulator.js';
import { rateLimitBody } from '../../emulators/hubspot/errors.js';

const TOKEN = 'pat-emulator';

interface ApiError {
  code: number;
  body: Record<string, unknown>;
  headers: Record<string, string>;
}
const caught = async (p: Promise<unknown>): Promise<ApiError> => {
  try {
    await p;
  } catch (err) {
    return err as ApiError;
  }
  throw new Error('expected the call to fail');
};
const sdk = (basePath: string, numberOfApiCallRetries = 0, accessToken = TOKEN) =>
  new Client({ accessToken, basePath, numberOfApiCallRetries });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
// The SDK types sorts/association categories loosely; these are the wire values.
const HUBSPOT_DEFINED = 'HUBSPOT_DEFINED' as never;

describe('HubSpot emulator through the real @hubspot/api-client', () => {
  const emu = new HubSpotEmulator();
  let base: string;
  let client: Client;

  beforeAll(async () => {
    base = await emu.start();
    client = sdk(base);
  });
  afterAll(() => emu.stop());
  beforeEach(() => emu.reset());

  const api = (path: string, init: RequestInit = {}, token: string | null = TOKEN) =>
    fetch(`${base}${path}`, {
      ...init,
      headers: {
        'content-type': 'application/json',
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
    });

  it('creates, reads, updates and archives a contact with HubSpot shapes', async () => {
    const created = await client.crm.contacts.basicApi.create({
      properties: { email: 'Ada@Example.com', firstname: 'Ada' },
      associations: [],
    });
    expect(created.id).toMatch(/^\d+$/);
    expect(created.properties).toMatchObject({
      email: 'ada@example.com',
      firstname: 'Ada',
      hs_object_id: created.id,
    });
    expect(created.properties.createdate).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(created.createdAt).toBeInstanceOf(Date);

    const got = await client.crm.contacts.basicApi.getById(created.id, ['email', 'phone']);
    expect(got.properties.phone).toBeNull();
    expect(got.archived).toBe(false);
    const byEmail = await client.crm.contacts.basicApi.getById(
      'ada@example.com',
      undefined,
      undefined,
      undefined,
      false,
      'email',
    );
    expect(byEmail.id).toBe(created.id);

    const updated = await client.crm.contacts.basicApi.update(created.id, {
      properties: { lastname: 'Lovelace' },
    });
    expect(updated.properties.lastname).toBe('Lovelace');
    expect(updated.updatedAt.getTime()).toBeGreaterThan(created.updatedAt.getTime());
    expect(Date.parse(updated.properties.hs_lastmodifieddate!)).toBe(updated.updatedAt.getTime());
    expect(updated.properties.lastmodifieddate).toBe(updated.properties.hs_lastmodifieddate);

    await client.crm.contacts.basicApi.archive(created.id);
    expect((await caught(client.crm.contacts.basicApi.getById(created.id))).code).toBe(404);
    const archived = await client.crm.contacts.basicApi.getById(
      created.id,
      undefined,
      undefined,
      undefined,
      true,
    );
    expect(archived.archived).toBe(true);
    expect(emu.writeCount('contacts')).toBe(3);
  });

  it('stores numbers as strings and serves tasks, deals and products through crm.objects', async () => {
    const deal = await client.crm.deals.basicApi.create({
      properties: { dealname: 'Pro', amount: 1200 as unknown as string },
    });
    expect(deal.properties.amount).toBe('1200');
    const task = await client.crm.objects.basicApi.create('tasks', {
      properties: { hs_task_subject: 'Call', hs_timestamp: '2025-01-01T00:00:00.000Z' },
    });
    const read = await client.crm.objects.basicApi.getById('tasks', task.id, ['hs_task_subject']);
    expect(read.properties.hs_task_subject).toBe('Call');
    const product = await client.crm.products.basicApi.create({
      properties: { name: 'Plan', price: '10' },
    });
    const page = await client.crm.products.basicApi.getPage(10, undefined, ['price']);
    expect(page.results.map((p) => p.id)).toEqual([product.id]);
    // A custom object type goes through the generic route once its property exists.
    await client.crm.properties.coreApi.create('p_widgets', {
      name: 'widget_name',
      label: 'Widget',
      type: 'string' as never,
      fieldType: 'text' as never,
      groupName: 'widgets',
    });
    const widget = await client.crm.objects.basicApi.create('p_widgets', {
      properties: { widget_name: 'w1' },
    });
    const readWidget = await client.crm.objects.basicApi.getById('p_widgets', widget.id, [
      'widget_name',
    ]);
    expect(readWidget.properties.widget_name).toBe('w1');
  });

  it('accepts a batch of 100 and rejects 101 with HubSpot’s error body', async () => {
    const inputs = (n: number, from = 0) =>
      Array.from({ length: n }, (_, i) => ({
        properties: { email: `b${from + i}@example.com` },
        associations: [],
      }));
    const ok = await client.crm.contacts.batchApi.create({ inputs: inputs(100) });
    expect(ok.status).toBe('COMPLETE');
    expect(ok.results).toHaveLength(100);

    const err = await caught(client.crm.contacts.batchApi.create({ inputs: inputs(101, 200) }));
    expect(err.code).toBe(400);
    expect(err.body).toMatchObject({ status: 'error', category: 'VALIDATION_ERROR' });
    expect(typeof err.body.correlationId).toBe('string');
    expect(err.body.message).toMatch(/100/);

    const ids = ok.results.slice(0, 3).map((r) => ({ id: r.id }));
    const read = await client.crm.contacts.batchApi.read({
      inputs: [...ids, { id: '999999' }],
      properties: ['email'],
      propertiesWithHistory: [],
    });
    expect(read.results).toHaveLength(3);
    expect('numErrors' in read && read.numErrors).toBe(1);
    const upd = await client.crm.contacts.batchApi.update({
      inputs: ids.map((i) => ({ ...i, properties: { city: 'Paris' } })),
    });
    expect(upd.results.every((r) => r.properties.city === 'Paris')).toBe(true);
  });

  it('creates a unique property and upserts by it; a duplicate create is a 409', async () => {
    await client.crm.properties.coreApi.create('contacts', {
      name: 'stripe_customer_id',
      label: 'Stripe customer id',
      type: 'string' as never,
      fieldType: 'text' as never,
      groupName: 'contactinformation',
      hasUniqueValue: true,
    });
    const all = await client.crm.properties.coreApi.getAll('contacts');
    expect(all.results.find((p) => p.name === 'stripe_customer_id')?.hasUniqueValue).toBe(true);
    expect(all.results.map((p) => p.name)).toEqual(expect.arrayContaining(['email', 'firstname']));

    const upsert = (email: string) =>
      client.crm.contacts.batchApi.upsert({
        inputs: [{ id: 'cus_1', idProperty: 'stripe_customer_id', properties: { email } }],
      });
    const first = await upsert('u1@example.com');
    expect(first.results[0]).toMatchObject({ _new: true });
    const second = await upsert('u2@example.com');
    expect(second.results[0]).toMatchObject({ _new: false, id: first.results[0]!.id });
    expect(second.results[0]!.properties.email).toBe('u2@example.com');

    const conflict = await caught(
      client.crm.contacts.basicApi.create({
        properties: { stripe_customer_id: 'cus_1' },
        associations: [],
      }),
    );
    expect(conflict.code).toBe(409);
    expect(conflict.body).toMatchObject({ status: 'error', category: 'CONFLICT' });
    const dupEmail = await caught(
      client.crm.contacts.basicApi.create({ properties: { email: 'U2@example.com' } }),
    );
    expect(dupEmail.body.message).toBe(
      `Contact already exists. Existing ID: ${first.results[0]!.id}`,
    );
  });

  it('searches with GTE on hs_lastmodifieddate, ascending sort and paging', async () => {
    const made = [];
    for (let i = 0; i < 5; i += 1) {
      made.push(await client.crm.contacts.basicApi.create({ properties: { firstname: `c${i}` } }));
    }
    // Touch c0 last so sort order differs from creation order.
    await client.crm.contacts.basicApi.update(made[0]!.id, { properties: { city: 'Oslo' } });
    const since = String(Date.parse(made[3]!.properties.hs_lastmodifieddate!));
    const search = (after?: string) =>
      client.crm.contacts.searchApi.doSearch({
        filterGroups: [
          {
            filters: [
              { propertyName: 'hs_lastmodifieddate', operator: 'GTE' as never, value: since },
            ],
          },
        ],
        sorts: [{ propertyName: 'hs_lastmodifieddate', direction: 'ASCENDING' }] as never,
        properties: ['firstname'],
        limit: 2,
        ...(after ? { after } : {}),
      });
    const page1 = await search();
    expect(page1.total).toBe(3);
    expect(page1.results.map((r) => r.properties.firstname)).toEqual(['c3', 'c4']);
    const page2 = await search(page1.paging!.next!.after);
    expect(page2.results.map((r) => r.properties.firstname)).toEqual(['c0']);
    expect(page2.paging).toBeUndefined();

    const or = await client.crm.contacts.searchApi.doSearch({
      filterGroups: [
        { filters: [{ propertyName: 'firstname', operator: 'EQ' as never, value: 'C1' }] },
        { filters: [{ propertyName: 'city', operator: 'HAS_PROPERTY' as never }] },
      ],
      limit: 10,
    });
    expect(or.total).toBe(2);
  });

  it('rejects searches past 10,000 results and limits above 200', async () => {
    const past = await caught(
      client.crm.contacts.searchApi.doSearch({ limit: 100, after: '9950' }),
    );
    expect(past.code).toBe(400);
    expect(past.body).toMatchObject({ status: 'error', category: 'VALIDATION_ERROR' });
    const big = await caught(client.crm.contacts.searchApi.doSearch({ limit: 201 }));
    expect(big.code).toBe(400);
    const edge = await client.crm.contacts.searchApi.doSearch({ limit: 100, after: '9900' });
    expect(edge.results).toEqual([]);
  });

  it('rejects an invalid email and an unknown property with VALIDATION_ERROR', async () => {
    const bad = await caught(
      client.crm.contacts.basicApi.create({ properties: { email: 'nope' } }),
    );
    expect(bad.code).toBe(400);
    expect(bad.body).toMatchObject({ status: 'error', category: 'VALIDATION_ERROR' });
    expect(bad.body.message).toContain('INVALID_EMAIL');
    const unknown = await caught(
      client.crm.contacts.basicApi.create({ properties: { favorite_color: 'red' } }),
    );
    expect(unknown.code).toBe(400);
    expect(unknown.body.message).toContain('Property \\"favorite_color\\" does not exist');
    expect(unknown.body.message).toContain('PROPERTY_DOESNT_EXIST');
    expect(emu.writeCount()).toBe(0);
  });

  it('requires a bearer token (401 with HubSpot’s body)', async () => {
    const res = await api('/crm/v3/objects/contacts', {}, null);
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({
      status: 'error',
      category: 'INVALID_AUTHENTICATION',
      message: expect.stringContaining('Authentication credentials not found'),
    });
    const viaSdk = await caught(sdk(base, 0, 'wrong').crm.contacts.basicApi.getPage());
    expect(viaSdk.code).toBe(401);
  });

  it('editAsUser bumps hs_lastmodifieddate without an API write and is found by search', async () => {
    const c = await client.crm.contacts.basicApi.create({ properties: { firstname: 'Eve' } });
    const before = c.properties.hs_lastmodifieddate!;
    await sleep(5);
    emu.editAsUser('contacts', c.id, { lastname: 'UI' });
    const res = await fetch(`${base}/_emulator/hubspot/edit`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ objectType: 'contacts', id: c.id, properties: { city: 'Rome' } }),
    });
    expect(res.status).toBe(200);
    expect(emu.writeCount('contacts')).toBe(1);
    const found = await client.crm.contacts.searchApi.doSearch({
      filterGroups: [
        {
          filters: [
            { propertyName: 'hs_lastmodifieddate', operator: 'GT' as never, value: before },
          ],
        },
      ],
      properties: ['lastname', 'city'],
      limit: 10,
    });
    expect(found.results.map((r) => [r.id, r.properties.lastname, r.properties.city])).toEqual([
      [c.id, 'UI', 'Rome'],
    ]);
    expect(Date.parse(found.results[0]!.properties.hs_lastmodifieddate!)).toBeGreaterThan(
      Date.parse(before),
    );
  });

  it('associates records (default, labelled, batch) and reads them back', async () => {
    const contact = await client.crm.contacts.basicApi.create({ properties: { firstname: 'A' } });
    const company = await client.crm.companies.basicApi.create({ properties: { name: 'Acme' } });
    const deal = await client.crm.deals.basicApi.create({ properties: { dealname: 'D' } });
    const v4 = client.crm.associations.v4;
    await v4.basicApi.createDefault('contacts', contact.id, 'companies', company.id);
    const fromContact = await v4.basicApi.getPage('contacts', contact.id, 'companies');
    expect(fromContact.results).toHaveLength(1);
    expect(String(fromContact.results[0]!.toObjectId)).toBe(company.id);
    expect(fromContact.results[0]!.associationTypes[0]).toMatchObject({ typeId: 279 });
    const fromCompany = await v4.basicApi.getPage('companies', company.id, 'contacts');
    expect(fromCompany.results[0]!.associationTypes[0]).toMatchObject({ typeId: 280 });

    const labelled = await v4.basicApi.create('deals', deal.id, 'contacts', contact.id, [
      { associationCategory: HUBSPOT_DEFINED, associationTypeId: 3 },
    ]);
    expect(String(labelled.toObjectId)).toBe(contact.id);
    await v4.batchApi.create('deals', 'companies', {
      inputs: [
        {
          _from: { id: deal.id },
          to: { id: company.id },
          types: [{ associationCategory: HUBSPOT_DEFINED, associationTypeId: 5 }],
        },
      ],
    });
    const batch = await v4.batchApi.getPage('companies', 'deals', {
      inputs: [{ id: company.id }],
    });
    expect(batch.results[0]!.to.map((t) => String(t.toObjectId))).toEqual([deal.id]);
    expect(batch.results[0]!.to[0]!.associationTypes[0]).toMatchObject({
      typeId: 6,
      label: 'Primary',
    });
  });

  it('applies the search secondly limit (5/s)', async () => {
    const statuses = [];
    for (let i = 0; i < 6; i += 1) {
      const r = await api('/crm/v3/objects/contacts/search', { method: 'POST', body: '{}' });
      statuses.push(r.status);
      if (r.status === 429) {
        expect(await r.json()).toMatchObject({ message: 'You have reached your secondly limit.' });
      }
    }
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429]);
  });

  it('answers 500 from an injected fault', async () => {
    await fetch(`${base}/_emulator/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ method: 'GET', path: '/crm/v3/objects/contacts', status: 500 }),
    });
    const err = await caught(client.crm.contacts.basicApi.getPage());
    expect(err.code).toBe(500);
    expect((await client.crm.contacts.basicApi.getPage()).results).toEqual([]);
  });
});

describe('HubSpot rate limits', () => {
  const get = (base: string) =>
    fetch(`${base}/crm/v3/objects/contacts?limit=1`, {
      headers: { authorization: `Bearer ${TOKEN}` },
    });

  it('refuses exactly the calls beyond 190 in a 10 s window with HubSpot’s 429', async () => {
    const emu = new HubSpotEmulator({ tenSecondBudget: 190 });
    const base = await emu.start();
    try {
      const responses = [];
      for (let i = 0; i < 300; i += 1) responses.push(await get(base));
      const statuses = responses.map((r) => r.status);
      expect(statuses.slice(0, 190).every((s) => s === 200)).toBe(true);
      expect(statuses.slice(190).every((s) => s === 429)).toBe(true);
      expect(responses[0]!.headers.get('x-hubspot-ratelimit-remaining')).toBe('189');
      const refused = responses[250]!;
      expect(await refused.json()).toMatchObject({
        status: 'error',
        message: 'You have reached your ten_secondly_rolling limit.',
        errorType: 'RATE_LIMIT',
        policyName: 'TEN_SECONDLY_ROLLING',
        groupName: expect.stringMatching(/^publicapi:private-app:/),
        correlationId: expect.any(String),
      });
      expect(refused.headers.get('x-hubspot-ratelimit-max')).toBe('190');
      expect(refused.headers.get('x-hubspot-ratelimit-remaining')).toBe('0');
      expect(refused.headers.get('x-hubspot-ratelimit-interval-milliseconds')).toBe('10000');
      expect(refused.headers.get('x-hubspot-ratelimit-daily')).toBe('1000000');
      expect(refused.headers.get('x-hubspot-ratelimit-daily-remaining')).toBe('999810');
      expect(refused.headers.get('x-hubspot-ratelimit-secondly')).toBe('19');
      expect(refused.headers.get('x-hubspot-ratelimit-secondly-remaining')).not.toBeNull();
    } finally {
      await emu.stop();
    }
  });

  it('rolls the window: calls are allowed again once it has passed', async () => {
    const emu = new HubSpotEmulator({ tenSecondBudget: 3, rateWindowMs: 200 });
    const base = await emu.start();
    try {
      const first = [];
      for (let i = 0; i < 4; i += 1) first.push((await get(base)).status);
      expect(first).toEqual([200, 200, 200, 429]);
      await sleep(250);
      expect((await get(base)).status).toBe(200);
    } finally {
      await emu.stop();
    }
  });

  it('enforces the daily budget with policyName DAILY', async () => {
    const emu = new HubSpotEmulator({ dailyBudget: 3 });
    const base = await emu.start();
    try {
      for (let i = 0; i < 3; i += 1) expect((await get(base)).status).toBe(200);
      const over = await get(base);
      expect(over.status).toBe(429);
      expect(await over.json()).toMatchObject({ policyName: 'DAILY', errorType: 'RATE_LIMIT' });
      expect(over.headers.get('x-hubspot-ratelimit-daily-remaining')).toBe('0');
    } finally {
      await emu.stop();
    }
  });

  it('lets the SDK (numberOfApiCallRetries: 3) recover from one TEN_SECONDLY_ROLLING 429', async () => {
    const emu = new HubSpotEmulator();
    const base = await emu.start();
    const realSetTimeout = globalThis.setTimeout;
    const waits: number[] = [];
    const log = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      const created = await sdk(base).crm.contacts.basicApi.create({
        properties: { firstname: 'R' },
      });
      const addFault = () =>
        fetch(`${base}/_emulator/faults`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({
            method: 'GET',
            path: `/crm/v3/objects/contacts/${created.id}`,
            status: 429,
            body: rateLimitBody('TEN_SECONDLY_ROLLING', 'publicapi:private-app:4242424'),
          }),
        });
      // Without retries the 429 surfaces with HubSpot's body.
      await addFault();
      const plain = await caught(sdk(base).crm.contacts.basicApi.getById(created.id));
      expect(plain.code).toBe(429);
      expect(plain.body.policyName).toBe('TEN_SECONDLY_ROLLING');

      // The SDK sleeps 10 s before its retry: record that wait, then shorten it.
      globalThis.setTimeout = ((fn: () => void, ms?: number) => {
        if (ms === 10_000) waits.push(ms);
        return realSetTimeout(fn, ms === 10_000 ? 5 : ms);
      }) as typeof setTimeout;
      await addFault();
      const retrying = sdk(base, 3).crm.contacts.basicApi; // decorators bind at creation
      const got = await retrying.getById(created.id);
      expect(got.id).toBe(created.id);
      expect(waits).toEqual([10_000]);
      expect(String(log.mock.calls[0]?.[0])).toContain('status code [429]');
      const statuses = emu.http.requests({ path: `/crm/v3/objects/contacts/${created.id}` });
      expect(statuses.map((r) => r.status)).toEqual([429, 429, 200]);
    } finally {
      globalThis.setTimeout = realSetTimeout;
      log.mockRestore();
      sdk(base); // the SDK keeps decorators in a singleton: restore "no retries"
      await emu.stop();
    }
  });
});
