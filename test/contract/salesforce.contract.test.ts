import { afterAll, beforeAll, beforeEach, describe, expect, test } from '@jest/globals';
import { Txn } from '../../emulators/salesforce/data.js';
import {
  externalIdField,
  SalesforceEmulator,
} from '../../emulators/salesforce/salesforce-emulator.js';
import type { CrmWriteResult } from '../../src/crm/crm-connector.js';
import { SalesforceCrmConnector } from '../../src/crm/salesforce/salesforce-crm-connector.js';
import { describeCrmConnectorContract } from './crm-connector.contract.js';

describeCrmConnectorContract(
  'Salesforce (emulator, jsforce)',
  async () => {
    const type = 'Contact';
    // The custom fields an admin creates by following ensureProperties' instructions; the
    // emulator keeps its schema across reset(), as an org keeps its fields.
    const emu = new SalesforceEmulator({
      customFields: {
        Contact: [
          externalIdField('Stripe_Customer_Id__c'),
          { name: 'Stripe_Plan__c', type: 'string', length: 255 },
          { name: 'Stripe_Mrr__c', type: 'double' },
          { name: 'Stripe_Delinquent__c', type: 'boolean' },
        ],
      },
    });
    const base = await emu.start(0);
    const connector = new SalesforceCrmConnector({
      instanceUrl: new URL(base),
      accessToken: emu.issueToken(),
      apiVersion: '62.0',
      retryBaseMs: 0,
    });
    return {
      connector,
      objectType: type,
      editAsUser: (id, props) => Promise.resolve(void emu.editAsUser(type, id, props)),
      archive: (id) => Promise.resolve(void emu.data.remove(id, new Txn(), type)),
      reset: () => Promise.resolve(emu.reset()),
      close: () => emu.stop(),
      props: {
        email: 'Email',
        firstname: 'FirstName',
        stripe_customer_id: 'Stripe_Customer_Id__c',
        stripe_plan: 'Stripe_Plan__c',
        stripe_mrr: 'Stripe_Mrr__c',
        stripe_delinquent: 'Stripe_Delinquent__c',
      },
      requiredOnCreate: { LastName: 'Contract' },
      // A Salesforce checkbox is never null: unset reads as false.
      unsetBool: false,
      uniqueEmail: false,
    };
  },
  { propertyCreation: 'admin' },
);

/** Salesforce-specific behaviour the shared contract cannot express: codes, auth, limits. */
describe('SalesforceCrmConnector against the emulator', () => {
  const API = '/services/data/v62.0';
  const emu = new SalesforceEmulator({
    customFields: {
      Contact: [
        externalIdField('Stripe_Customer_Id__c'),
        // Not unique: two records can share a key, which makes an upsert ambiguous.
        externalIdField('Legacy_Id__c', false),
      ],
    },
  });
  let crm: SalesforceCrmConnector;
  let refreshes = 0;

  beforeAll(async () => {
    const base = await emu.start(0);
    crm = new SalesforceCrmConnector({
      instanceUrl: new URL(base),
      accessToken: emu.issueToken(),
      budgetPauseMs: 0,
      refreshToken: () => {
        refreshes += 1;
        return Promise.resolve({ accessToken: emu.issueToken(), userId: null });
      },
      retryBaseMs: 0,
    });
  });
  afterAll(() => emu.stop());
  beforeEach(() => {
    emu.reset();
    refreshes = 0;
  });

  const failure = (r: CrmWriteResult | undefined) => {
    if (!r || r.ok) throw new Error(`expected a failure, got ${JSON.stringify(r)}`);
    return r.error;
  };
  const serverUnavailable = (method: string, path: string, count: number) =>
    emu.http.faults.addFault({
      method,
      path,
      count,
      fault: {
        kind: 'status',
        status: 503,
        body: [{ errorCode: 'SERVER_UNAVAILABLE', message: 'Server temporarily unavailable' }],
      },
    });

  test("per-record errors carry Salesforce's errorCode and are not retryable", async () => {
    const [made] = await crm.create('Contact', [
      { ref: 'x', properties: { LastName: 'X', Stripe_Customer_Id__c: 'cus_1' } },
    ]);
    const gone = made?.ok ? made.record.id : '';
    emu.data.remove(gone, new Txn(), 'Contact');
    const created = await crm.create('Contact', [
      { ref: 'no-last', properties: { FirstName: 'Ada' } },
      { ref: 'bad-field', properties: { LastName: 'B', Nope__c: 1 } },
      { ref: 'ok', properties: { LastName: 'C', Stripe_Customer_Id__c: 'cus_2' } },
      { ref: 'dup', properties: { LastName: 'D', Stripe_Customer_Id__c: 'CUS_2' } },
    ]);
    expect(created.map((r) => (r.ok ? 'ok' : r.error.code))).toEqual([
      'REQUIRED_FIELD_MISSING',
      'INVALID_FIELD',
      'ok',
      'DUPLICATE_VALUE',
    ]);
    expect(created.filter((r) => !r.ok).every((r) => !r.ok && !r.error.retryable)).toBe(true);
    const other = '001000000000001AAA'; // an Account-shaped id: no Contact can have it
    const updated = await crm.update('Contact', [
      { ref: 'deleted', id: gone, properties: { FirstName: 'Z' } },
      { ref: 'foreign', id: other, properties: { FirstName: 'Z' } },
    ]);
    expect(updated.map((r) => failure(r).code)).toEqual(['not_found', 'not_found']);
  });

  test('upsert: created flag, one key twice applies both in order, ambiguous keys fail', async () => {
    const res = await crm.upsert('Contact', 'Stripe_Customer_Id__c', [
      { ref: 'a1', key: 'cus_a', properties: { LastName: 'First' } },
      { ref: 'a2', key: 'CUS_A', properties: { LastName: 'Second' } },
    ]);
    expect(res.map((r) => r.ok && [r.created, r.record.properties.LastName])).toEqual([
      [true, 'First'],
      [false, 'Second'],
    ]);
    expect(res[0]?.ok && res[1]?.ok && res[0].record.id === res[1].record.id).toBe(true);

    await crm.create('Contact', [
      { ref: 'l1', properties: { LastName: 'L1', Legacy_Id__c: 'L-1' } },
      { ref: 'l2', properties: { LastName: 'L2', Legacy_Id__c: 'L-1' } },
    ]);
    const [ambiguous] = await crm.upsert('Contact', 'Legacy_Id__c', [
      { ref: 'l', key: 'L-1', properties: { FirstName: 'Which' } },
    ]);
    expect(failure(ambiguous)).toMatchObject({ code: 'multiple_matches', retryable: false });
  });

  test('values are escaped in SOQL', async () => {
    const email = "o'brien\\x@example.com";
    await crm.create('Contact', [{ ref: 'o', properties: { LastName: "O'Brien", Email: email } }]);
    const found = await crm.findByProperty('Contact', 'Email', [email.toUpperCase()], ['LastName']);
    expect(found.get(email.toUpperCase())?.map((r) => r.properties.LastName)).toEqual(["O'Brien"]);
  });

  test('refreshes an expired session once and carries on', async () => {
    emu.expireSessions();
    await expect(crm.scan('Contact', [])).resolves.toEqual({ records: [], after: null });
    expect(refreshes).toBe(1);
  });

  test('a spent daily API allocation is a retryable request_limit_exceeded error', async () => {
    emu.setApiUsage(100_000);
    await expect(crm.read('Contact', ['003000000000001AAA'], [])).rejects.toMatchObject({
      code: 'request_limit_exceeded',
      retryable: true,
    });
    const [res] = await crm.create('Contact', [{ ref: 'r', properties: { LastName: 'R' } }]);
    expect(failure(res)).toMatchObject({ code: 'request_limit_exceeded', retryable: true });
    expect(crm.budget.lastUsage).toEqual({ used: 100_000, limit: 100_000 });
  });

  test('several lookups cost one SOQL query', async () => {
    await crm.upsert('Contact', 'Stripe_Customer_Id__c', [
      { ref: 'a', key: 'cus_lookup_a', properties: { LastName: 'A', Email: 'a@lookup.example' } },
      { ref: 'b', key: 'cus_lookup_b', properties: { LastName: 'B', Email: 'b@lookup.example' } },
    ]);
    const queries = () => emu.http.requests({ method: 'GET', path: `${API}/query` }).length;
    const before = queries();
    const found = await crm.findByProperties(
      'Contact',
      [
        { property: 'Stripe_Customer_Id__c', values: ['cus_lookup_a', 'cus_none'] },
        { property: 'Email', values: ['B@Lookup.example'] },
      ],
      ['LastName'],
    );
    expect(queries()).toBe(before + 1);
    const names = (property: string, value: string) =>
      found
        .get(property)
        ?.get(value)
        ?.map((r) => r.properties.LastName);
    expect(names('Stripe_Customer_Id__c', 'cus_lookup_a')).toEqual(['A']);
    expect(names('Stripe_Customer_Id__c', 'cus_none')).toEqual([]);
    expect(names('Email', 'B@Lookup.example')).toEqual(['B']);
  });

  test('a call Salesforce never answers fails as a retryable timeout', async () => {
    const impatient = new SalesforceCrmConnector({
      instanceUrl: new URL(emu.instanceUrl),
      accessToken: emu.issueToken(),
      requestTimeoutMs: 300,
    });
    emu.http.faults.addFault({
      method: 'GET',
      path: `${API}/query`,
      count: 1,
      fault: { kind: 'timeout' },
    });
    const started = Date.now();
    await expect(impatient.scan('Contact', [])).rejects.toMatchObject({
      code: 'timeout',
      retryable: true,
    });
    expect(Date.now() - started).toBeLessThan(5000);
    // The next call is answered as usual.
    await expect(impatient.scan('Contact', [])).resolves.toMatchObject({ after: null });
  });

  test('starts without a token, and marks the changes its own user made', async () => {
    const own = new SalesforceCrmConnector({
      instanceUrl: new URL(emu.instanceUrl),
      refreshToken: () =>
        Promise.resolve({ accessToken: emu.issueToken(), userId: emu.integrationUserId }),
    });
    const since = new Date(Date.now() - 1000);
    const [mine] = await own.create('Contact', [{ ref: 'a', properties: { LastName: 'Mine' } }]);
    const [theirs] = await own.create('Contact', [
      { ref: 'b', properties: { LastName: 'Theirs' } },
    ]);
    if (!mine?.ok || !theirs?.ok) throw new Error('creates failed');
    emu.editAsUser('Contact', theirs.record.id, { LastName: 'Edited' });
    const page = await own.listChanges('Contact', since, ['LastName']);
    const flags = Object.fromEntries(
      page.records.map((r) => [r.properties.LastName, r.modifiedBySelf]),
    );
    expect(flags).toMatchObject({ Mine: true, Edited: false });
  });

  test('reads Sforce-Limit-Info and holds calls past its share of the daily allocation', async () => {
    const shared = new SalesforceCrmConnector({
      instanceUrl: new URL(emu.instanceUrl),
      accessToken: emu.issueToken(),
      dailyApiShare: 0.5,
      budgetPauseMs: 60_000,
    });
    emu.setApiUsage(40_000);
    await shared.scan('Contact', []);
    expect(shared.budget.lastUsage).toEqual({ used: 40_001, limit: 100_000 });
    expect(shared.pollSlowdown()).toBe(4);
    emu.setApiUsage(49_999);
    await shared.scan('Contact', []); // the 50,000th call: the share is now spent
    expect(shared.pollSlowdown()).toBe(Number.POSITIVE_INFINITY);
    await shared.scan('Contact', []); // one probe goes through…
    const calls = emu.apiCallsToday();
    await expect(shared.scan('Contact', [])).rejects.toMatchObject({
      code: 'api_budget',
      retryable: true,
    });
    expect(emu.apiCallsToday()).toBe(calls); // …and the next waits without calling
  });

  test('a write whose read-back fails still reports the written record', async () => {
    await crm.describe('Contact'); // as the engine does before a mapping's first write
    emu.setApiUsage(100_000 - 1); // the create is the last call the org allows today
    const before = Date.now();
    const [res] = await crm.create('Contact', [
      { ref: 'last', properties: { LastName: 'Last', Email: 'last@example.com' } },
    ]);
    if (!res?.ok) throw new Error(`expected success, got ${JSON.stringify(res)}`);
    expect(res.record.properties).toEqual({ LastName: 'Last', Email: 'last@example.com' });
    expect(res.record.modifiedAt.getTime()).toBeLessThanOrEqual(before + 1000);
    const stored = emu.record('Contact', res.record.id);
    expect(stored?.LastName).toBe('Last');
    // A lower bound: the stored stamp is not before the reported one.
    expect(Date.parse(String(stored?.SystemModstamp))).toBeGreaterThanOrEqual(
      res.record.modifiedAt.getTime(),
    );
  });

  test('updates retry a 5xx and a dropped connection; creates do not repeat themselves', async () => {
    const [made] = await crm.create('Contact', [{ ref: 'm', properties: { LastName: 'M' } }]);
    const id = made?.ok ? made.record.id : '';
    serverUnavailable('PATCH', `${API}/composite/sobjects`, 1);
    emu.http.faults.addFault({
      method: 'PATCH',
      path: `${API}/composite/sobjects`,
      count: 1,
      fault: { kind: 'reset' },
    });
    const [updated] = await crm.update('Contact', [
      { ref: 'm', id, properties: { FirstName: 'Third time' } },
    ]);
    expect(updated?.ok && updated.record.properties.FirstName).toBe('Third time');

    serverUnavailable('POST', `${API}/composite/sobjects`, 1);
    const [created] = await crm.create('Contact', [{ ref: 'n', properties: { LastName: 'N' } }]);
    expect(failure(created)).toMatchObject({ code: 'SERVER_UNAVAILABLE', retryable: true });
    expect(emu.records('Contact')).toHaveLength(1);

    serverUnavailable('PATCH', `${API}/composite/sobjects`, 3);
    const [exhausted] = await crm.update('Contact', [
      { ref: 'm', id, properties: { FirstName: 'Never' } },
    ]);
    expect(failure(exhausted)).toMatchObject({ code: 'SERVER_UNAVAILABLE', retryable: true });
    expect(
      emu.http.requests({ path: `${API}/composite/sobjects` }).filter((r) => r.status === 503),
    ).toHaveLength(5);
  });
});
