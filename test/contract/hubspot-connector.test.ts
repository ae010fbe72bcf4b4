import { afterEach, describe, expect, test } from '@jest/globals';
import { Client } from '@hubspot/api-client';
import { rateLimitBody } from '../../emulators/hubspot/errors.js';
import {
  HubSpotEmulator,
  type HubSpotEmulatorOptions,
} from '../../emulators/hubspot/hubspot-emulator.js';
import { CrmError, type CrmWriteResult } from '../../src/crm/crm-connector.js';
import {
  HubSpotCrmConnector,
  type HubSpotConnectorOptions,
} from '../../src/crm/hubspot/hubspot-crm-connector.js';

const TYPE = 'contacts';
const BATCH_CREATE = '/crm/v3/objects/contacts/batch/create';
const BATCH_UPDATE = '/crm/v3/objects/contacts/batch/update';
const SEARCH = '/crm/v3/objects/contacts/search';

const running: HubSpotEmulator[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((e) => e.stop()));
});

async function start(
  emulator: HubSpotEmulatorOptions = {},
  connector: Partial<HubSpotConnectorOptions> = {},
) {
  const emu = new HubSpotEmulator(emulator);
  running.push(emu);
  const base = await emu.start(0);
  const warnings: string[] = [];
  const crm = new HubSpotCrmConnector({
    accessToken: 'pat-na1-test',
    apiBase: new URL(base),
    tenSecondBudget: 190,
    logger: { warn: (_obj, msg) => warnings.push(msg) },
    ...connector,
  });
  return { emu, crm, warnings };
}

const statuses = (emu: HubSpotEmulator, path: string) =>
  emu.http.requests({ method: 'POST', path }).map((r) => r.status);
const liveContacts = (emu: HubSpotEmulator) => emu.objects.live(TYPE);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function ok(result: CrmWriteResult | undefined) {
  if (!result?.ok) throw new Error(`expected success, got ${JSON.stringify(result)}`);
  return result;
}
function failed(result: CrmWriteResult | undefined) {
  if (!result || result.ok) throw new Error(`expected failure, got ${JSON.stringify(result)}`);
  return result;
}

const createOne = (crm: HubSpotCrmConnector, i: number) =>
  crm.create(TYPE, [{ ref: `r${i}`, properties: { email: `c${i}@example.com` } }]);

describe('HubSpotCrmConnector against the emulator (real @hubspot/api-client)', () => {
  test('honours HubSpot’s refusals when its own budget is too high: every write lands once', async () => {
    const { emu, crm, warnings } = await start(
      { tenSecondBudget: 10, rateWindowMs: 1_000 },
      { tenSecondBudget: 20, rateWindowMs: 1_000, coalesceMs: 0 },
    );
    const results = await Promise.all(Array.from({ length: 60 }, (_, i) => createOne(crm, i)));
    expect(results.flat().every((r) => r.ok)).toBe(true);

    const codes = statuses(emu, BATCH_CREATE);
    expect(codes.filter((s) => s === 429).length).toBeGreaterThan(0);
    expect(codes.filter((s) => s === 201)).toHaveLength(60);
    expect(warnings).toContain('HubSpot refused a call for its rate limit');
    const emails = liveContacts(emu).map((r) => r.data.email);
    expect(emails).toHaveLength(60);
    expect(new Set(emails).size).toBe(60);
  }, 20_000);

  test('with a budget equal to HubSpot’s it is never refused', async () => {
    const { emu, crm } = await start(
      { tenSecondBudget: 10, rateWindowMs: 1_000 },
      { tenSecondBudget: 10, rateWindowMs: 1_000, coalesceMs: 0 },
    );
    const results = await Promise.all(Array.from({ length: 30 }, (_, i) => createOne(crm, i)));
    expect(results.flat().every((r) => r.ok)).toBe(true);
    expect(emu.http.requests().filter((r) => r.status === 429)).toEqual([]);
    expect(liveContacts(emu)).toHaveLength(30);
  }, 20_000);

  test('retries 5xx with backoff: three 500s then success writes the record once', async () => {
    const { emu, crm } = await start({}, { maxAttempts: 4, retryDelayMs: 5 });
    emu.http.faults.addFault({
      method: 'POST',
      path: BATCH_CREATE,
      count: 3,
      fault: { kind: 'status', status: 500 },
    });
    const [result] = await createOne(crm, 1);
    expect(ok(result).record.properties.email).toBe('c1@example.com');
    expect(statuses(emu, BATCH_CREATE)).toEqual([500, 500, 500, 201]);
    expect(liveContacts(emu)).toHaveLength(1);
  });

  test('gives up after maxAttempts 5xx with a retryable error and writes nothing', async () => {
    const { emu, crm } = await start({}, { retryDelayMs: 5 });
    emu.http.faults.addFault({
      method: 'POST',
      path: BATCH_CREATE,
      count: 3,
      fault: { kind: 'status', status: 503 },
    });
    const [result] = await createOne(crm, 1);
    expect(failed(result).error).toMatchObject({ code: 'server_error', retryable: true });
    expect(statuses(emu, BATCH_CREATE)).toEqual([503, 503, 503]);
    expect(liveContacts(emu)).toHaveLength(0);
  });

  test('a HubSpot that does not answer in time counts as a network failure, retryable', async () => {
    const { emu, crm } = await start(
      {},
      { requestTimeoutMs: 100, retryDelayMs: 5, maxAttempts: 2 },
    );
    emu.http.faults.setLatency({ path: '/crm/v3/objects', ms: 400 });
    const started = Date.now();
    const read = await crm.read(TYPE, ['1'], ['email']).catch((err: unknown) => err);
    expect(read).toMatchObject({ code: 'network_error', retryable: true });
    expect((read as Error).message).toMatch(/no answer within 100 ms/);
    expect(Date.now() - started).toBeLessThan(400 * 2);
  });

  test('a Client built later with SDK retries does not add them to the connector’s calls', async () => {
    const { emu, crm } = await start({}, { retryDelayMs: 5 });
    // The SDK's retry setting is process-wide: the last `new Client()` sets it for every API
    // object created afterwards, unless the connector's client pinned its APIs first.
    expect(new Client({ numberOfApiCallRetries: 5 })).toBeInstanceOf(Client);
    const path = '/crm/v3/properties/contacts';
    emu.http.faults.addFault({
      method: 'GET',
      path,
      count: 5,
      fault: { kind: 'status', status: 502 },
    });
    await expect(crm.describe(TYPE)).rejects.toMatchObject({
      code: 'server_error',
      retryable: true,
    });
    expect(emu.http.requests({ method: 'GET', path }).map((r) => r.status)).toEqual([
      502, 502, 502,
    ]);
  });

  test('a daily 429 fails fast, later calls fail without HTTP until dailyRetryMs passes', async () => {
    const { emu, crm } = await start({}, { dailyRetryMs: 400 });
    emu.http.faults.addFault({
      method: 'POST',
      path: BATCH_CREATE,
      count: 1,
      fault: {
        kind: 'status',
        status: 429,
        body: rateLimitBody('DAILY', 'publicapi:private-app:1'),
      },
    });
    const [result] = await createOne(crm, 1);
    const error = failed(result).error;
    expect(error).toMatchObject({ code: 'rate_limited_daily', retryable: true });
    expect(error.retryAfterMs).toBeGreaterThan(0);
    expect(error.retryAfterMs).toBeLessThanOrEqual(400);

    const calls = emu.callCount();
    const started = Date.now();
    await expect(crm.read(TYPE, ['1'], ['email'])).rejects.toMatchObject({
      code: 'rate_limited_daily',
    });
    await expect(crm.listChanges(TYPE, new Date(0), [])).rejects.toBeInstanceOf(CrmError);
    const [again] = await createOne(crm, 2);
    expect(failed(again).error.code).toBe('rate_limited_daily');
    expect(Date.now() - started).toBeLessThan(200);
    expect(emu.callCount()).toBe(calls);

    await sleep(450);
    const [later] = await createOne(crm, 3);
    expect(ok(later).created).toBe(true);
    expect(liveContacts(emu)).toHaveLength(1);
  });

  test('coalesces 250 concurrent single-record updates into 3 batch calls', async () => {
    const { emu, crm } = await start();
    const ids = Array.from(
      { length: 250 },
      (_, i) => emu.objects.create(TYPE, { email: `u${i}@example.com` }).id,
    );
    const results = await Promise.all(
      ids.map((id, i) =>
        crm.update(TYPE, [{ ref: `u${i}`, id, properties: { firstname: `Name ${i}` } }]),
      ),
    );
    expect(statuses(emu, BATCH_UPDATE)).toEqual([200, 200, 200]);
    results.forEach(([r], i) => {
      expect(ok(r).ref).toBe(`u${i}`);
      expect(ok(r).record.id).toBe(ids[i]);
      expect(ok(r).record.properties).toEqual({ firstname: `Name ${i}` });
    });
    expect(liveContacts(emu).every((r, i) => r.data.firstname === `Name ${i}`)).toBe(true);
  });

  test('two coalesced writes to one record go out in order, in separate calls', async () => {
    const { emu, crm } = await start();
    const id = emu.objects.create(TYPE, { firstname: 'Start' }).id;
    const other = emu.objects.create(TYPE, { firstname: 'Other' }).id;
    const [first, second, third] = await Promise.all([
      crm.update(TYPE, [{ ref: 'a', id, properties: { firstname: 'First' } }]),
      crm.update(TYPE, [
        { ref: 'b', id, properties: { firstname: 'Second' } },
        { ref: 'c', id: other, properties: { firstname: 'Changed' } },
      ]),
      crm.update(TYPE, [{ ref: 'd', id: '987654', properties: { firstname: 'Nobody' } }]),
    ]);
    expect(first.map((r) => r.ok)).toEqual([true]);
    expect(second.map((r) => r.ref)).toEqual(['b', 'c']);
    expect(failed(third[0]).error).toMatchObject({ code: 'not_found', retryable: false });
    expect(statuses(emu, BATCH_UPDATE)).toEqual([207, 200]);
    expect(emu.objects.lookup(TYPE, id)?.data.firstname).toBe('Second');
    expect(emu.objects.lookup(TYPE, other)?.data.firstname).toBe('Changed');
  });

  test('listChanges walks past HubSpot’s 10,000-result search window and terminates', async () => {
    const { emu, crm } = await start(
      { tenSecondBudget: 1_000, searchPerSecond: 25 },
      { tenSecondBudget: 1_000, searchPerSecond: 20 },
    );
    // Seeded in-process (no HTTP): the store dates each write 1 ms after the previous one.
    const records = Array.from({ length: 10_300 }, (_, i) =>
      emu.objects.create(TYPE, { firstname: `n${i}` }),
    );
    // 450 records share one instant (as a bulk import would): more than a page of ties.
    const tie = records[5_000]!.updatedAt;
    const tieIso = new Date(tie).toISOString();
    for (const rec of records.slice(5_000, 5_450)) {
      rec.updatedAt = tie;
      rec.data.hs_lastmodifieddate = tieIso;
      rec.data.lastmodifieddate = tieIso;
    }

    const seen = new Set<string>();
    const times: number[] = [];
    let after: string | null = null;
    let pages = 0;
    do {
      const page = await crm.listChanges(TYPE, new Date(0), ['firstname'], after);
      for (const r of page.records) {
        seen.add(r.id);
        times.push(r.modifiedAt.getTime());
      }
      after = page.after;
      pages += 1;
    } while (after !== null && pages < 200);

    expect(after).toBeNull();
    expect(seen.size).toBe(10_300);
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect(times.filter((t) => t === tie).length).toBeGreaterThanOrEqual(450);
    // One search per page; none was refused for paging past 10,000.
    expect(statuses(emu, SEARCH).every((s) => s === 200)).toBe(true);
  }, 20_000);
});
