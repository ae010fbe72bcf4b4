import { describe, expect, it } from '@jest/globals';
import { HttpException } from '@nestjs/common';
import pg from 'pg';
import Stripe from 'stripe';
import { QueryFailedError } from 'typeorm';
import { CrmError } from '../crm/crm-connector.js';
import { errorSummary, scrubMessage, serializeError, WITHHELD } from './safe-error.js';

/** What node-postgres throws: a DatabaseError with PostgreSQL's fields. */
function pgError(message: string, fields: Record<string, string>): pg.DatabaseError {
  return Object.assign(new pg.DatabaseError(message, 100, 'error'), {
    severity: 'ERROR',
    ...fields,
  });
}

const DUPLICATE = pgError(
  'duplicate key value violates unique constraint "links_connector_crm_object_crm_id_key"',
  {
    code: '23505',
    detail: 'Key (connector, crm_object, crm_id)=(hubspot, contacts, 901) already exists.',
    constraint: 'links_connector_crm_object_crm_id_key',
    table: 'links',
    schema: 'public',
  },
);
const INSERT = 'INSERT INTO "links"("connector", "email", "name") VALUES ($1, $2, $3)';
const PARAMS = ['hubspot', 'ada@example.com', 'Ada Lovelace'];

describe('scrubMessage', () => {
  it.each([
    // PostgreSQL: identifiers after "constraint", "column", "relation" stay; values go.
    [
      'duplicate key value violates unique constraint "links_connector_crm_object_crm_id_key"',
      'duplicate key value violates unique constraint "links_connector_crm_object_crm_id_key"',
    ],
    ['invalid input syntax for type integer: "abc"', 'invalid input syntax for type integer'],
    ['invalid input syntax for type uuid: "ada@example.com"', 'invalid input syntax for type uuid'],
    [
      'null value in column "email" of relation "customers" violates not-null constraint',
      'null value in column "email" of relation "customers" violates not-null constraint',
    ],
    [
      'value "5551234567" is out of range for type integer',
      'value … is out of range for type integer',
    ],
    ['syntax error at or near "Lovelace"', 'syntax error at or near …'],
    ['date/time field value out of range: "1815-12-10"', 'date/time field value out of range'],
    ['Key (lower(email::text))=(ada@example.com) already exists.', 'Key …'],
    [
      'value too long for type character varying(255)',
      'value too long for type character varying(255)',
    ],
    ['deadlock detected', 'deadlock detected'],
    // Stripe
    ['Invalid email address: ada@x', 'Invalid email address'],
    ["No such customer: 'cus_NffrFeUfNV2Hib'", 'No such customer'],
    [
      "You passed an empty string for 'email'. We assume empty values are an attempt to unset a parameter",
      'You passed an empty string for …. We assume empty values are an attempt to unset a parameter',
    ],
    [
      'Invalid string: Ada Lovelace; must be at most 5 characters',
      'Invalid string; must be at most 5 characters',
    ],
    // Salesforce (our recordError joins errorCode: message)
    ['Email: invalid email address: ada@x', 'Email: invalid email address'],
    [
      'INVALID_EMAIL_ADDRESS: Email: invalid email address: ada@x',
      'INVALID_EMAIL_ADDRESS: Email: invalid email address',
    ],
    [
      'STRING_TOO_LONG: Last Name: data value too large: Lovelace-Byron-King (max length=40)',
      'STRING_TOO_LONG: Last Name: data value too large',
    ],
    [
      'REQUIRED_FIELD_MISSING: Required fields are missing: [LastName]',
      'REQUIRED_FIELD_MISSING: Required fields are missing',
    ],
    // HubSpot (our rejected() prefixes what was called)
    [
      'contacts batch upsert: Property values were not valid: [{"isValid":false,"message":"\\"ada@x\\" is not a valid email","error":"INVALID_EMAIL","name":"email"}]',
      'contacts batch upsert: Property values were not valid',
    ],
    ['Contact already exists. Existing ID: 12345', 'Contact already exists. Existing ID'],
    // Ours, and Node's
    ['cus_1: HubSpot refused: HTTP 400', 'cus_1: HubSpot refused: HTTP 400'],
    ['HubSpot daily API limit reached', 'HubSpot daily API limit reached'],
    ['connect ECONNREFUSED 127.0.0.1:5432', 'connect ECONNREFUSED …'],
    ['boom: password=secret', 'boom'],
    ['could not authenticate with token=pat-na1-abc', 'could not authenticate with token=…'],
    ['ada@example.com', WITHHELD],
    ['"Ada Lovelace"', WITHHELD],
    ['phone +44 20 7946 0958 refused', 'phone … refused'],
    ["first line\nSQL: SELECT * FROM customers WHERE email = 'ada@x'", 'first line'],
    ['the customer\'s "name is', "the customer's …"],
    ['', ''],
  ])('%j → %j', (message, expected) => {
    expect(scrubMessage(message)).toBe(expected);
  });

  it('caps the length', () => {
    expect(scrubMessage('word '.repeat(200)).length).toBeLessThanOrEqual(301);
  });
});

describe('errorSummary', () => {
  it('a TypeORM QueryFailedError: SQLSTATE, constraint and table, no SQL, parameters or detail', () => {
    const err = new QueryFailedError(INSERT, PARAMS, DUPLICATE);
    const summary = errorSummary(err);
    expect(summary).toEqual({
      type: 'QueryFailedError',
      code: '23505',
      constraint: 'links_connector_crm_object_crm_id_key',
      table: 'links',
      message:
        'duplicate key value violates unique constraint "links_connector_crm_object_crm_id_key"',
    });
    const text = JSON.stringify(summary);
    for (const leak of ['INSERT', 'ada@example.com', 'Ada Lovelace', 'Key (', '901']) {
      expect(text).not.toContain(leak);
    }
  });

  it('a pg error on its own, with a column', () => {
    const err = pgError(
      'null value in column "email" of relation "customers" violates not-null constraint',
      {
        code: '23502',
        table: 'customers',
        column: 'email',
        detail: 'Failing row contains (1, null, Ada Lovelace).',
      },
    );
    expect(errorSummary(err)).toMatchObject({
      type: 'DatabaseError',
      code: '23502',
      table: 'customers',
      column: 'email',
    });
    expect(JSON.stringify(errorSummary(err))).not.toContain('Lovelace');
  });

  it('a Stripe SDK error: type, code, status, param and request id; no raw or headers', () => {
    const err = Stripe.errors.StripeError.generate({
      type: 'invalid_request_error',
      code: 'email_invalid',
      param: 'email',
      message: 'Invalid email address: ada@x',
      statusCode: 400,
      requestId: 'req_8m3kL2',
      headers: { 'request-id': 'req_8m3kL2', authorization: 'Bearer sk_test_SECRET' },
    } as unknown as Parameters<typeof Stripe.errors.StripeError.generate>[0]);
    const summary = errorSummary(err);
    expect(summary).toEqual({
      type: 'StripeInvalidRequestError',
      code: 'email_invalid',
      status: 400,
      param: 'email',
      requestId: 'req_8m3kL2',
      message: 'Invalid email address',
    });
    expect(JSON.stringify(summary)).not.toMatch(/ada@x|SECRET/);
  });

  it.each([
    [
      new CrmError('INVALID_EMAIL_ADDRESS', 'Email: invalid email address: ada@x', false),
      { type: 'CrmError', code: 'INVALID_EMAIL_ADDRESS', message: 'Email: invalid email address' },
    ],
    [
      // HubSpot's ApiException: the HTTP status is its `code`, the body is in its message.
      Object.assign(
        new Error('HTTP-Code: 400\nMessage: An error occurred.\nBody: {"email":"ada@x"}'),
        {
          code: 400,
          body: '{"email":"ada@x"}',
        },
      ),
      { type: 'Error', status: 400, message: 'HTTP-Code' },
    ],
    [
      Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }),
      { type: 'Error', code: 'ECONNREFUSED', message: 'connect ECONNREFUSED …' },
    ],
    [new HttpException('Gone', 410), { type: 'HttpException', status: 410, message: 'Gone' }],
    [
      'cus_1: Invalid email address: ada@x',
      { type: 'string', message: 'cus_1: Invalid email address' },
    ],
    [42, { type: 'number', message: WITHHELD }],
  ])('%p → %j', (err, expected) => {
    expect(errorSummary(err)).toEqual(expected);
  });
});

describe('serializeError', () => {
  it('keeps code locations from the stack, never its first line', () => {
    const err = new QueryFailedError(INSERT, PARAMS, DUPLICATE);
    err.stack = `QueryFailedError: invalid input syntax for type uuid: "ada@example.com"\n    at PostgresQueryRunner.query (/app/node_modules/typeorm/x.js:1:2)`;
    const out = serializeError(err) as { stack: string };
    expect(out.stack).toBe('at PostgresQueryRunner.query (/app/node_modules/typeorm/x.js:1:2)');
  });

  it('passes a summary through unchanged instead of scrubbing it twice', () => {
    const summary = errorSummary(new Error('Email: invalid email address: ada@x'));
    expect(serializeError(summary)).toBe(summary);
  });

  it('scrubs a string and leaves nothing else', () => {
    expect(serializeError('cus_1: Email: invalid email address: ada@x')).toBe(
      'cus_1: Email: invalid email address',
    );
    expect(serializeError(undefined)).toBeUndefined();
  });
});
