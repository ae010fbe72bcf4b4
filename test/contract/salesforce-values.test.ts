import { afterAll, beforeAll, beforeEach, describe, expect, test } from '@jest/globals';
import {
  externalIdField,
  SalesforceEmulator,
} from '../../emulators/salesforce/salesforce-emulator.js';
import type { CrmWriteResult } from '../../src/crm/crm-connector.js';
import { SalesforceCrmConnector } from '../../src/crm/salesforce/salesforce-crm-connector.js';

const API = '/services/data/v62.0';
const UPSERT = `${API}/composite/sobjects/Contact/Stripe_Customer_Id__c`;
const DESCRIBE = `${API}/sobjects/Contact/describe`;

function ok(r: CrmWriteResult | undefined) {
  if (!r?.ok) throw new Error(`expected success, got ${JSON.stringify(r)}`);
  return r.record;
}
function failed(r: CrmWriteResult | undefined) {
  if (!r || r.ok) throw new Error(`expected failure, got ${JSON.stringify(r)}`);
  return r.error;
}

/** Typed values through jsforce: what the connector puts in the JSON Salesforce deserializes. */
describe('SalesforceCrmConnector encodes values by the described field types', () => {
  const emu = new SalesforceEmulator({
    customFields: {
      Contact: [
        externalIdField('Stripe_Customer_Id__c'),
        { name: 'Stripe_Delinquent__c', type: 'boolean' },
        { name: 'Stripe_Balance__c', type: 'currency' },
        { name: 'Stripe_Since__c', type: 'date' },
        { name: 'Stripe_Created__c', type: 'datetime' },
        { name: 'Stripe_Code__c', type: 'string' },
      ],
    },
  });
  let crm: SalesforceCrmConnector;
  const connect = () =>
    new SalesforceCrmConnector({
      instanceUrl: new URL(emu.instanceUrl),
      accessToken: emu.issueToken(),
      retryBaseMs: 0,
    });
  const describes = () => emu.http.requests({ method: 'GET', path: DESCRIBE }).length;

  beforeAll(async () => {
    await emu.start(0);
    emu.http.recordBodies = true;
  });
  afterAll(() => emu.stop());
  beforeEach(() => {
    emu.reset();
    crm = connect();
  });

  test('checkboxes go as JSON booleans, number fields as JSON numbers, and read back typed', async () => {
    await crm.describe('Contact'); // the engine's check before a mapping's first write
    const [res] = await crm.upsert('Contact', 'Stripe_Customer_Id__c', [
      {
        ref: 'cus_1',
        key: 'cus_1',
        properties: {
          LastName: 'Typed',
          Stripe_Delinquent__c: 'false',
          Stripe_Balance__c: '123.45',
          Stripe_Since__c: '2024-11-27T23:30:00.000Z',
          Stripe_Created__c: '2024-11-27T10:00:00Z',
        },
      },
    ]);
    const [sent] = emu.http.requests({ method: 'PATCH', path: UPSERT });
    expect(sent?.body).toEqual({
      allOrNone: false,
      records: [
        {
          attributes: { type: 'Contact' },
          LastName: 'Typed',
          Stripe_Delinquent__c: false,
          Stripe_Balance__c: 123.45,
          Stripe_Since__c: '2024-11-27',
          Stripe_Created__c: '2024-11-27T10:00:00.000Z',
          Stripe_Customer_Id__c: 'cus_1',
        },
      ],
    });
    const record = ok(res);
    expect(record.properties).toMatchObject({
      Stripe_Delinquent__c: false,
      Stripe_Balance__c: 123.45,
      Stripe_Since__c: '2024-11-27',
    });
    const read = await crm.read(
      'Contact',
      [record.id],
      ['Stripe_Delinquent__c', 'Stripe_Balance__c'],
    );
    expect(read.get(record.id)?.properties).toEqual({
      Stripe_Delinquent__c: false,
      Stripe_Balance__c: 123.45,
    });
    // The describe the engine made is what the writes were encoded by: no describe of their own.
    expect(describes()).toBe(1);
  });

  test('without a describe first, the first write describes once and the next ones reuse it', async () => {
    for (const n of [1, 2, 3]) {
      const [res] = await crm.create('Contact', [
        { ref: `r${n}`, properties: { LastName: `N${n}`, Stripe_Delinquent__c: 'TRUE' } },
      ]);
      expect(ok(res).properties.Stripe_Delinquent__c).toBe(true);
    }
    expect(describes()).toBe(1);
  });

  test('a value its field cannot take fails that record only, unsent; the rest are written', async () => {
    await crm.describe('Contact');
    const results = await crm.create('Contact', [
      { ref: 'ok', properties: { LastName: 'Ok', Stripe_Balance__c: 5 } },
      { ref: 'bad', properties: { LastName: 'Bad', Stripe_Balance__c: 'twelve' } },
      { ref: 'bad-day', properties: { LastName: 'Day', Stripe_Since__c: 'soon' } },
    ]);
    expect(ok(results[0]).properties.Stripe_Balance__c).toBe(5);
    expect(failed(results[1])).toMatchObject({
      code: 'invalid_value',
      retryable: false,
      message:
        'Contact.Stripe_Balance__c (Salesforce currency field) takes a number; the value given cannot be converted',
    });
    expect(failed(results[2]).message).toBe(
      'Contact.Stripe_Since__c (Salesforce date field) takes a date (YYYY-MM-DD or an ISO 8601 datetime); the value given cannot be converted',
    );
    const [call] = emu.http.requests({ method: 'POST', path: `${API}/composite/sobjects` });
    expect((call?.body as { records: unknown[] }).records).toHaveLength(1);
    expect(emu.records('Contact').map((r) => r.LastName)).toEqual(['Ok']);
  });

  test('a field created after the describe is described again before it is sent', async () => {
    await crm.describe('Contact');
    emu.addCustomField('Contact', { name: 'Stripe_Vip__c', type: 'boolean' });
    const [res] = await crm.create('Contact', [
      { ref: 'vip', properties: { LastName: 'Vip', Stripe_Vip__c: 'true' } },
    ]);
    expect(ok(res).properties.Stripe_Vip__c).toBe(true);
    expect(describes()).toBe(2);
  });

  test('a field retyped since the describe: a retryable refusal, then the fresh types decide', async () => {
    await crm.describe('Contact');
    // The admin turns the text field into a checkbox; the cached types still say text.
    emu.addCustomField('Contact', { name: 'Stripe_Code__c', type: 'boolean' });
    const [first] = await crm.create('Contact', [
      { ref: 'a', properties: { LastName: 'A', Stripe_Code__c: 'gold' } },
    ]);
    const error = failed(first);
    expect(error).toMatchObject({ code: 'JSON_PARSER_ERROR', retryable: true });
    expect(error.message).not.toContain('gold');
    const [again] = await crm.create('Contact', [
      { ref: 'a', properties: { LastName: 'A', Stripe_Code__c: 'gold' } },
    ]);
    expect(failed(again)).toMatchObject({ code: 'invalid_value', retryable: false });
    const [fixed] = await crm.create('Contact', [
      { ref: 'a', properties: { LastName: 'A', Stripe_Code__c: 'true' } },
    ]);
    expect(ok(fixed).properties.Stripe_Code__c).toBe(true);
    expect(describes()).toBe(2);
  });
});

/** Field-level security: standard fields hidden from the integration user, through jsforce. */
describe('SalesforceCrmConnector and fields hidden from the integration user', () => {
  const emu = new SalesforceEmulator({
    customFields: { Contact: [externalIdField('Stripe_Customer_Id__c')] },
    hiddenFields: { Contact: ['MailingStreet', 'Phone'] },
  });
  let crm: SalesforceCrmConnector;
  const grant =
    'grant the integration user read and edit access (field-level security, in its profile or a permission set) to';

  beforeAll(async () => {
    const base = await emu.start(0);
    crm = new SalesforceCrmConnector({
      instanceUrl: new URL(base),
      accessToken: emu.issueToken(),
      retryBaseMs: 0,
    });
  });
  afterAll(() => emu.stop());

  const needed = [
    { name: 'Stripe_Customer_Id__c', label: 'Stripe id', type: 'string' as const, unique: true },
    { name: 'MailingStreet', label: 'Street', type: 'string' as const },
    { name: 'Stripe_Balance__c', label: 'Balance', type: 'number' as const },
  ];

  test('describe leaves them out; ensureProperties says to create the custom field and grant access to the standard one', async () => {
    const names = (await crm.describe('Contact')).map((f) => f.name);
    expect(names).toContain('MailingCity');
    expect(names).not.toContain('MailingStreet');
    await expect(crm.ensureProperties('Contact', needed)).rejects.toMatchObject({
      code: 'missing_fields',
      retryable: false,
      message: `Create these fields on Contact: Stripe_Balance__c (Number(15,3)); and ${grant} Contact.MailingStreet`,
    });
  });

  test('reading a hidden field fails as Salesforce fails it (INVALID_FIELD), until access is granted', async () => {
    const [made] = await crm.create('Contact', [{ ref: 'c', properties: { LastName: 'Hidden' } }]);
    const id = ok(made).id;
    await expect(crm.read('Contact', [id], ['MailingStreet'])).rejects.toMatchObject({
      code: 'INVALID_FIELD',
      message: expect.stringContaining("No such column 'MailingStreet' on entity 'Contact'"),
    });
    emu.grantFieldAccess('Contact', ['MailingStreet']);
    try {
      await expect(
        crm.ensureProperties('Contact', [needed[0]!, needed[1]!]),
      ).resolves.toBeUndefined();
      const read = await crm.read('Contact', [id], ['MailingStreet']);
      expect(read.get(id)?.properties).toEqual({ MailingStreet: null });
    } finally {
      emu.hideFields('Contact', ['MailingStreet']);
    }
  });
});
