import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { generateKeyPairSync, sign } from 'node:crypto';
import jsforce, { type Connection } from 'jsforce';
import {
  externalIdField,
  SalesforceEmulator,
} from '../../emulators/salesforce/salesforce-emulator.js';

const VERSION = '62.0';
const API = `/services/data/v${VERSION}`;
const keys = generateKeyPairSync('rsa', { modulusLength: 2048 });

interface SaveResult {
  id?: string;
  success: boolean;
  errors: { statusCode?: string; errorCode?: string; message: string; fields?: string[] }[];
  created?: boolean;
}
interface Row {
  Id: string;
  [field: string]: unknown;
}

const emu = new SalesforceEmulator({
  clientId: 'bridge-client',
  clientSecret: 'bridge-secret',
  customFields: {
    Contact: [externalIdField('Stripe_Customer_Id__c'), externalIdField('Legacy_Id__c', false)],
  },
  jwtPublicKey: keys.publicKey,
  replicationGranularityMs: 1,
});
let url: string;

const connect = (): Connection =>
  new jsforce.Connection({ instanceUrl: url, accessToken: emu.issueToken(), version: VERSION });

const contacts = (n: number, tag: string) =>
  Array.from({ length: n }, (_, i) => ({ LastName: `${tag}-${i}`, Email: `${tag}${i}@ex.com` }));

beforeAll(async () => {
  url = await emu.start();
});
afterAll(() => emu.stop());
beforeEach(() => emu.reset());

describe('Salesforce emulator through jsforce: records', () => {
  it('creates, retrieves, updates and deletes with 18-char prefixed ids', async () => {
    const conn = connect();
    const created = (await conn.sobject('Contact').create({
      FirstName: 'Ada',
      LastName: 'Lovelace',
      Email: 'ada@example.com',
    })) as SaveResult;
    expect(created).toEqual({
      id: expect.stringMatching(/^003\w{15}$/),
      success: true,
      errors: [],
    });
    const id = created.id!;
    const got = (await conn.sobject('Contact').retrieve(id)) as Row;
    expect(got).toMatchObject({
      attributes: { type: 'Contact', url: `${API}/sobjects/Contact/${id}` },
      Name: 'Ada Lovelace',
      IsDeleted: false,
      LastModifiedById: emu.integrationUserId,
    });
    expect(got.SystemModstamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+0000$/);

    await conn.sobject('Contact').update({ Id: id, Phone: '555' });
    const after = (await conn.retrieve('Contact', id, {
      fields: ['Phone', 'SystemModstamp'],
    })) as Row;
    expect(after.Phone).toBe('555');
    expect(Object.keys(after)).toEqual(['attributes', 'Phone', 'SystemModstamp']);
    expect(Date.parse(String(after.SystemModstamp))).toBeGreaterThan(
      Date.parse(String(got.SystemModstamp)),
    );

    await conn.sobject('Contact').destroy(id);
    await expect(conn.sobject('Contact').retrieve(id)).rejects.toMatchObject({
      errorCode: 'NOT_FOUND',
    });
    expect(emu.writeCount('Contact')).toBe(3);
    expect(conn.limitInfo.apiUsage).toEqual({ used: 6, limit: 100_000 });
  });

  it('rejects unknown fields, missing required fields and bad references', async () => {
    const conn = connect();
    await expect(
      conn.sobject('Contact').create({ LastName: 'X', Foo__c: 1 }),
    ).rejects.toMatchObject({
      errorCode: 'INVALID_FIELD',
      message: "No such column 'Foo__c' on sobject of type Contact",
    });
    await expect(conn.sobject('Contact').create({ FirstName: 'X' })).rejects.toMatchObject({
      errorCode: 'REQUIRED_FIELD_MISSING',
      data: { fields: ['LastName'] },
    });
    await expect(
      conn.sobject('Contact').create({ LastName: 'X', AccountId: '001000000000000AAA' }),
    ).rejects.toMatchObject({ errorCode: 'INVALID_CROSS_REFERENCE_KEY' });
    expect(emu.writeCount()).toBe(0);
  });

  it('describes objects, including custom external-id fields added at run time', async () => {
    const conn = connect();
    const res = await fetch(`${url}/_emulator/salesforce/fields`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ sobject: 'Account', field: externalIdField('Stripe_Customer_Id__c') }),
    });
    expect(res.status).toBe(200);
    const contact = await conn.describe('Contact');
    const field = (name: string) => contact.fields.find((f) => f.name === name);
    expect(contact.keyPrefix).toBe('003');
    expect(field('Stripe_Customer_Id__c')).toMatchObject({
      type: 'string',
      length: 255,
      externalId: true,
      unique: true,
      custom: true,
      createable: true,
    });
    expect(field('LastName')).toMatchObject({ nillable: false, createable: true });
    expect(field('SystemModstamp')).toMatchObject({ type: 'datetime', updateable: false });
    const account = await conn.describe('Account');
    expect(account.fields.some((f) => f.name === 'Stripe_Customer_Id__c' && f.externalId)).toBe(
      true,
    );
    const global = await conn.describeGlobal();
    expect(global.sobjects.map((s) => [s.name, s.keyPrefix])).toEqual(
      expect.arrayContaining([
        ['Account', '001'],
        ['Contact', '003'],
        ['Task', '00T'],
        ['Product2', '01t'],
        ['Opportunity', '006'],
      ]),
    );
  });

  it('upserts by external id: 201 created, 200 updated, 300 on multiple matches', async () => {
    const conn = connect();
    const c = conn.sobject('Contact');
    const first = (await c.upsert(
      { LastName: 'Stripe', Stripe_Customer_Id__c: 'cus_1' },
      'Stripe_Customer_Id__c',
    )) as SaveResult;
    expect(first).toMatchObject({ success: true, created: true });
    const second = (await c.upsert(
      { LastName: 'Stripe2', Stripe_Customer_Id__c: 'cus_1' },
      'Stripe_Customer_Id__c',
    )) as SaveResult;
    expect(second).toEqual({ id: first.id, success: true, errors: [], created: false });
    expect(emu.records('Contact')).toHaveLength(1);
    expect(emu.http.requests({ method: 'PATCH' }).map((r) => r.status)).toEqual([201, 200]);

    await c.create(contacts(2, 'dup').map((r) => ({ ...r, Legacy_Id__c: 'L1' })));
    const err = await c
      .upsert({ LastName: 'x', Legacy_Id__c: 'L1' }, 'Legacy_Id__c')
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ errorCode: 'MULTIPLE_CHOICES' });
    expect((err as { data: string[] }).data).toEqual([
      expect.stringMatching(new RegExp(`^${API}/sobjects/Contact/003`)),
      expect.stringMatching(new RegExp(`^${API}/sobjects/Contact/003`)),
    ]);
    await expect(c.upsert({ LastName: 'x', Email: 'a@b.co' }, 'Email')).rejects.toMatchObject({
      errorCode: 'INVALID_FIELD',
    });
    await expect(c.create({ LastName: 'x', Stripe_Customer_Id__c: 'CUS_1' })).rejects.toMatchObject(
      { errorCode: 'DUPLICATE_VALUE' },
    );
  });
});

describe('Salesforce emulator: unique and external-id lookups stay right as values move', () => {
  it('frees a value a rollback or an update released, and finds a value it took', async () => {
    const c = connect().sobject('Contact');
    // A rolled-back create never held its key.
    const rolled = (await c.create(
      [{ LastName: 'a', Stripe_Customer_Id__c: 'cus_roll' }, { FirstName: 'no last name' }],
      { allOrNone: true },
    )) as SaveResult[];
    expect(rolled.every((r) => !r.success)).toBe(true);
    const first = (await c.create({
      LastName: 'b',
      Stripe_Customer_Id__c: 'CUS_ROLL',
    })) as SaveResult;
    expect(first.success).toBe(true);
    // Moving the key to another value frees the old one and takes the new one.
    await c.update({ Id: first.id!, Stripe_Customer_Id__c: 'cus_moved' });
    const reused = (await c.create({
      LastName: 'c',
      Stripe_Customer_Id__c: 'cus_roll',
    })) as SaveResult;
    expect(reused.success).toBe(true);
    await expect(
      c.create({ LastName: 'd', Stripe_Customer_Id__c: 'Cus_Moved' }),
    ).rejects.toMatchObject({ errorCode: 'DUPLICATE_VALUE' });
    // Upserts find records by their current value only; a deleted record holds nothing.
    const up = (await c.upsert(
      { LastName: 'e', Stripe_Customer_Id__c: 'cus_moved' },
      'Stripe_Customer_Id__c',
    )) as SaveResult;
    expect(up).toMatchObject({ id: first.id, created: false });
    await c.destroy(first.id!);
    const fresh = (await c.upsert(
      { LastName: 'f', Stripe_Customer_Id__c: 'cus_moved' },
      'Stripe_Customer_Id__c',
    )) as SaveResult;
    expect(fresh).toMatchObject({ success: true, created: true });
    expect(fresh.id).not.toBe(first.id);
  });
});

describe('Salesforce emulator through jsforce: collections and composite', () => {
  it('chunks > 200 records with allowRecursive and rejects 201 without it', async () => {
    const conn = connect();
    const res = (await conn
      .sobject('Contact')
      .create(contacts(250, 'bulk'), { allowRecursive: true })) as SaveResult[];
    expect(res).toHaveLength(250);
    expect(res.every((r) => r.success)).toBe(true);
    expect(emu.http.requests({ method: 'POST', path: `${API}/composite/sobjects` })).toHaveLength(
      2,
    );

    await expect(conn.sobject('Contact').create(contacts(201, 'over'))).rejects.toMatchObject({
      errorCode: 'EXCEEDED_ID_LIMIT',
    });
    expect(emu.records('Contact')).toHaveLength(250);

    const ids = res.map((r) => r.id!);
    const updated = (await conn
      .sobject('Contact')
      .update(ids.slice(0, 3).map((Id) => ({ Id, Phone: '1' })))) as SaveResult[];
    expect(updated.map((r) => r.id)).toEqual(ids.slice(0, 3));
    const deleted = (await conn.sobject('Contact').destroy(ids.slice(0, 2))) as SaveResult[];
    expect(deleted.every((r) => r.success)).toBe(true);
    const again = (await conn.sobject('Contact').destroy(ids.slice(0, 1))) as SaveResult[];
    expect(again[0]).toMatchObject({
      success: false,
      errors: [{ statusCode: 'ENTITY_IS_DELETED' }],
    });
  });

  it('rolls everything back with allOrNone and keeps partial success without it', async () => {
    const conn = connect();
    const batch = [{ LastName: 'ok1' }, { FirstName: 'no last name' }, { LastName: 'ok2' }];
    const all = (await conn.sobject('Contact').create(batch, { allOrNone: true })) as SaveResult[];
    expect(all.map((r) => r.errors[0]?.statusCode)).toEqual([
      'ALL_OR_NONE_OPERATION_ROLLED_BACK',
      'REQUIRED_FIELD_MISSING',
      'ALL_OR_NONE_OPERATION_ROLLED_BACK',
    ]);
    expect(all.every((r) => !r.success)).toBe(true);
    expect(emu.records('Contact')).toHaveLength(0);
    expect(emu.writeCount('Contact')).toBe(0);

    const some = (await conn.sobject('Contact').create(batch)) as SaveResult[];
    expect(some.map((r) => r.success)).toEqual([true, false, true]);
    expect(emu.writeCount('Contact')).toBe(2);

    const upserts = (await conn.sobject('Contact').upsert(
      [
        { LastName: 'a', Stripe_Customer_Id__c: 'cus_a' },
        { LastName: 'b', Stripe_Customer_Id__c: 'cus_b' },
      ],
      'Stripe_Customer_Id__c',
    )) as SaveResult[];
    expect(upserts.map((r) => r.created)).toEqual([true, true]);
  });

  it('runs composite requests with @{ref} references and allOrNone rollback', async () => {
    const conn = connect();
    const res = await conn.requestPost<{
      compositeResponse: { httpStatusCode: number; referenceId: string; body: unknown }[];
    }>('/composite', {
      allOrNone: true,
      compositeRequest: [
        {
          method: 'POST',
          url: `${API}/sobjects/Account`,
          referenceId: 'acct',
          body: { Name: 'A' },
        },
        {
          method: 'POST',
          url: `${API}/sobjects/Contact`,
          referenceId: 'ct',
          body: { LastName: 'C', AccountId: '@{acct.id}' },
        },
        { method: 'GET', url: `${API}/sobjects/Contact/@{ct.id}`, referenceId: 'read' },
      ],
    });
    expect(res.compositeResponse.map((r) => r.httpStatusCode)).toEqual([201, 201, 200]);
    const acctId = (res.compositeResponse[0]!.body as SaveResult).id;
    expect(res.compositeResponse[2]!.body).toMatchObject({ LastName: 'C', AccountId: acctId });
    expect(emu.apiCallsToday()).toBe(1);

    const failed = await conn.requestPost<{
      compositeResponse: { httpStatusCode: number; body: { errorCode: string }[] }[];
    }>('/composite', {
      allOrNone: true,
      compositeRequest: [
        { method: 'POST', url: `${API}/sobjects/Account`, referenceId: 'a2', body: { Name: 'B' } },
        { method: 'POST', url: `${API}/sobjects/Contact`, referenceId: 'c2', body: {} },
      ],
    });
    expect(failed.compositeResponse.map((r) => r.body[0]?.errorCode)).toEqual([
      'PROCESSING_HALTED',
      'REQUIRED_FIELD_MISSING',
    ]);
    expect(emu.records('Account')).toHaveLength(1);
  });
});

describe('Salesforce emulator through jsforce: queries and replication', () => {
  it('filters and orders on SystemModstamp, Id and pages over 2000 rows', async () => {
    const conn = connect();
    const since = new Date(Date.now() - 1000).toISOString();
    await conn.sobject('Contact').create(contacts(2300, 'page'), { allowRecursive: true });
    const soql = `SELECT Id, SystemModstamp FROM Contact WHERE SystemModstamp >= ${since} ORDER BY SystemModstamp, Id`;

    const first = await conn.query<Row>(soql);
    expect(first).toMatchObject({ totalSize: 2300, done: false });
    expect(first.records).toHaveLength(2000);
    expect(first.nextRecordsUrl).toMatch(new RegExp(`${API}/query/01g\\w{15}-2000$`));
    const rest = await conn.queryMore<Row>(first.nextRecordsUrl!);
    expect(rest).toMatchObject({ done: true, totalSize: 2300 });
    expect(rest.records).toHaveLength(300);

    const all = await conn.query<Row>(soql).autoFetch(true).maxFetch(5000).execute();
    expect(all.records).toHaveLength(2300);
    const stamps = all.records.map((r) => Date.parse(String(r.SystemModstamp)));
    expect(stamps).toEqual([...stamps].sort((a, b) => a - b));

    const small = await conn.request<{ records: Row[]; nextRecordsUrl: string }>({
      method: 'GET',
      url: `${API}/query?q=${encodeURIComponent(soql)}`,
      headers: { 'Sforce-Query-Options': 'batchSize=500' },
    });
    expect(small.records).toHaveLength(500);
    expect(small.nextRecordsUrl).toMatch(new RegExp(`^${API}/query/01g\\w{15}-500$`));

    const filtered = await conn.query<Row>(
      "SELECT Id, LastName FROM Contact WHERE (LastName LIKE 'page-1%' AND Email != null) OR LastName IN ('page-7', 'page-8') ORDER BY LastName DESC LIMIT 3",
    );
    expect(filtered.records.map((r) => r.LastName)).toEqual(['page-8', 'page-7', 'page-1999']);
    const count = await conn.query('SELECT COUNT() FROM Contact');
    expect(count.totalSize).toBe(2300);
  });

  it('answers MALFORMED_QUERY and INVALID_FIELD for bad SOQL', async () => {
    const conn = connect();
    await expect(conn.query('SELECT Id FROM Contact WHERE')).rejects.toMatchObject({
      errorCode: 'MALFORMED_QUERY',
    });
    await expect(conn.query('SELECT Id FROM Contact GROUP BY Id')).rejects.toMatchObject({
      errorCode: 'MALFORMED_QUERY',
    });
    await expect(conn.query('SELECT Foo FROM Contact')).rejects.toMatchObject({
      errorCode: 'INVALID_FIELD',
    });
    await expect(
      conn.query("SELECT Id FROM Contact WHERE SystemModstamp > '2026-01-01T00:00:00Z'"),
    ).rejects.toMatchObject({ errorCode: 'INVALID_FIELD' });
  });

  it('shows deleted rows to queryAll, getDeleted and UI edits to getUpdated', async () => {
    const conn = connect();
    const start = new Date(Date.now() - 60_000);
    const [a, b] = (await conn.sobject('Contact').create(contacts(2, 'rep'))) as SaveResult[];
    await conn.sobject('Contact').destroy(a!.id!);
    const soql = 'SELECT Id, IsDeleted FROM Contact WHERE IsDeleted = true';
    expect((await conn.query<Row>(soql)).totalSize).toBe(0);
    expect((await conn.query<Row>(soql, { scanAll: true })).records).toEqual([
      expect.objectContaining({ Id: a!.id, IsDeleted: true }),
    ]);

    const before = (await conn.sobject('Contact').retrieve(b!.id!)) as Row;
    emu.editAsUser('Contact', b!.id!, { Phone: '999' });
    const edited = (
      await conn.query<Row>(
        `SELECT Id, LastModifiedById FROM Contact WHERE SystemModstamp > ${String(before.SystemModstamp)}`,
      )
    ).records;
    expect(edited).toEqual([
      expect.objectContaining({ Id: b!.id, LastModifiedById: emu.uiUserId }),
    ]);

    const end = new Date(Date.now() + 60_000);
    const updated = await conn.sobject('Contact').updated(start, end);
    expect(updated.ids).toEqual([b!.id]);
    const deleted = await conn.sobject('Contact').deleted(start, end);
    expect(deleted.deletedRecords).toEqual([{ id: a!.id, deletedDate: expect.any(String) }]);
    expect(deleted.latestDateCovered).toMatch(/\.\d{3}\+0000$/);
  });
});

describe('Salesforce emulator through jsforce: auth and limits', () => {
  const oauth2 = () =>
    new jsforce.OAuth2({ loginUrl: url, clientId: 'bridge-client', clientSecret: 'bridge-secret' });

  it('logs in with client credentials and rejects a bad secret', async () => {
    const conn = new jsforce.Connection({ oauth2: oauth2(), version: VERSION });
    const info = await conn.authorize({ grant_type: 'client_credentials' });
    expect(info.id).toBe(emu.integrationUserId);
    expect(conn.instanceUrl).toBe(url);
    expect((await conn.query('SELECT Id FROM User')).totalSize).toBe(2);

    const bad = new jsforce.OAuth2({
      loginUrl: url,
      clientId: 'bridge-client',
      clientSecret: 'no',
    });
    await expect(bad.requestToken({ grant_type: 'client_credentials' })).rejects.toMatchObject({
      name: 'invalid_client',
    });
  });

  it('accepts a signed JWT bearer assertion and rejects a foreign signature', async () => {
    const jwt = (key: typeof keys.privateKey, sub = 'integration@emulator.example') => {
      const enc = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
      const head = `${enc({ alg: 'RS256' })}.${enc({ iss: 'bridge-client', sub, aud: url, exp: Math.floor(Date.now() / 1000) + 300 })}`;
      return `${head}.${sign('RSA-SHA256', Buffer.from(head), key).toString('base64url')}`;
    };
    const grant = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
    const conn = new jsforce.Connection({ oauth2: oauth2(), version: VERSION });
    await conn.authorize({ grant_type: grant, assertion: jwt(keys.privateKey) });
    expect(conn.accessToken).toBeTruthy();
    const other = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
    await expect(
      oauth2().requestToken({ grant_type: grant, assertion: jwt(other) }),
    ).rejects.toMatchObject({ name: 'invalid_grant' });
  });

  it('refreshes an expired session once and the create happens exactly once', async () => {
    const conn = new jsforce.Connection({
      oauth2: oauth2(),
      instanceUrl: url,
      accessToken: emu.issueToken(),
      refreshToken: emu.issueRefreshToken(),
      version: VERSION,
    });
    let refreshed = 0;
    conn.on('refresh', () => (refreshed += 1));
    emu.expireSessions();
    const res = (await conn.sobject('Contact').create({ LastName: 'After refresh' })) as SaveResult;
    expect(res.success).toBe(true);
    expect(refreshed).toBe(1);
    expect(emu.writeCount('Contact')).toBe(1);
    expect(emu.http.requests({ path: `${API}/sobjects/Contact` }).map((r) => r.status)).toEqual([
      401, 201,
    ]);

    const stale = new jsforce.Connection({
      instanceUrl: url,
      accessToken: 'nope',
      version: VERSION,
    });
    await expect(stale.query('SELECT Id FROM Contact')).rejects.toMatchObject({
      errorCode: 'INVALID_SESSION_ID',
    });
  });

  it('answers REQUEST_LIMIT_EXCEEDED once the daily budget is spent', async () => {
    const small = new SalesforceEmulator({ dailyApiBudget: 2 });
    const base = await small.start();
    try {
      const conn = new jsforce.Connection({
        instanceUrl: base,
        accessToken: small.issueToken(),
        version: VERSION,
      });
      // Default replication granularity is a minute, as in Salesforce.
      const window = await conn
        .sobject('Contact')
        .updated(new Date(Date.now() - 120_000), new Date());
      expect(window.latestDateCovered).toMatch(/:00\.000\+0000$/);
      await conn.query('SELECT Id FROM Contact');
      expect(conn.limitInfo.apiUsage).toEqual({ used: 2, limit: 2 });
      await expect(conn.query('SELECT Id FROM Contact')).rejects.toMatchObject({
        errorCode: 'REQUEST_LIMIT_EXCEEDED',
        message: 'TotalRequests Limit exceeded.',
      });
      expect(small.apiCallsToday()).toBe(2);
    } finally {
      await small.stop();
    }
  });

  it('applies the shared control API (faults) and expires sessions over HTTP', async () => {
    const token = emu.issueToken();
    await fetch(`${url}/_emulator/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ path: `${API}/query`, status: 503, count: 1 }),
    });
    const call = () =>
      fetch(`${url}${API}/query?q=${encodeURIComponent('SELECT Id FROM Account')}`, {
        headers: { authorization: `Bearer ${token}` },
      });
    expect((await call()).status).toBe(503);
    const ok = await call();
    expect(ok.status).toBe(200);
    expect(ok.headers.get('sforce-limit-info')).toMatch(/^api-usage=\d+\/100000$/);
    await fetch(`${url}/_emulator/salesforce/expire-sessions`, { method: 'POST' });
    const expired = await call();
    expect(expired.status).toBe(401);
    expect(await expired.json()).toEqual([
      { message: 'Session expired or invalid', errorCode: 'INVALID_SESSION_ID' },
    ]);
  });
});
