import { describe, expect, it } from '@jest/globals';
import { pino } from 'pino';
import { pinoHttp, type Options } from 'pino-http';
import pg from 'pg';
import Stripe from 'stripe';
import { QueryFailedError } from 'typeorm';
import { Writable } from 'node:stream';
import { loggerParams, REDACT_PATHS } from './logging.js';

function sink(): { stream: Writable; lines: () => Record<string, unknown>[]; text: () => string } {
  let out = '';
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      out += chunk.toString();
      done();
    },
  });
  return {
    stream,
    text: () => out,
    lines: () =>
      out
        .split('\n')
        .filter((l) => l !== '')
        .map((l) => JSON.parse(l) as Record<string, unknown>),
  };
}

/** The logger the service runs with: nestjs-pino builds it with pinoHttp from these params. */
function serviceLogger() {
  const out = sink();
  const logger = pinoHttp(loggerParams('info').pinoHttp as Options, out.stream).logger;
  return { logger, ...out };
}

function capture(obj: object): string {
  const out = sink();
  pino({ redact: { paths: REDACT_PATHS, censor: '[redacted]' } }, out.stream).info(obj, 'msg');
  return out.text();
}

describe('log redaction', () => {
  it.each([
    [
      {
        req: {
          headers: { authorization: 'Bearer pat-na1-SECRET', 'stripe-signature': 't=1,v1=SECRET' },
        },
      },
    ],
    [{ config: { secretKey: 'sk_live_SECRET', webhookSecrets: ['whsec_SECRET'] } }],
    [{ hubspot: { accessToken: 'pat-SECRET' } }],
    [{ salesforce: { privateKey: '-----BEGIN SECRET' } }],
    [{ payment_method: { card: { number: '4242424242424242SECRET', cvc: 'SECRET' } } }],
    [{ event: { data: { card: { number: '4242SECRET' } } } }],
  ])('blanks credentials and card data in %j', (obj) => {
    const line = capture(obj);
    expect(line).not.toContain('SECRET');
    expect(line).toContain('[redacted]');
  });

  it('keeps redacting in the service logger', () => {
    const { logger, text } = serviceLogger();
    logger.info({ config: { secretKey: 'sk_live_SECRET' } }, 'config');
    expect(text()).not.toContain('SECRET');
  });
});

/** A failed batch insert, as TypeORM throws it: SQL, parameters and pg's detail included. */
function failedInsert(): QueryFailedError {
  const driverError = Object.assign(
    new pg.DatabaseError(
      'duplicate key value violates unique constraint "links_connector_crm_object_crm_id_key"',
      120,
      'error',
    ),
    {
      severity: 'ERROR',
      code: '23505',
      detail:
        'Key (connector, crm_object, crm_id)=(hubspot, contacts, ada@example.com) already exists.',
      constraint: 'links_connector_crm_object_crm_id_key',
      table: 'links',
      schema: 'public',
    },
  );
  return new QueryFailedError(
    'INSERT INTO "links"("connector", "crm_object", "crm_id", "email") VALUES ($1, $2, $3, $4)',
    ['hubspot', 'contacts', '901', 'ada@example.com'],
    driverError,
  );
}

describe('error logging', () => {
  const LEAKS = [
    'ada@example.com',
    'INSERT INTO',
    'VALUES',
    '"901"',
    'Key (',
    'parameters',
    'query',
  ];

  it.each([
    [
      '{ err } with a message',
      (l: pino.Logger) => l.error({ err: failedInsert(), worker: 0 }, 'sync batch failed'),
    ],
    ['{ err } alone', (l: pino.Logger) => l.error({ err: failedInsert() })],
    ['the error itself', (l: pino.Logger) => l.error(failedInsert())],
    ['{ error }', (l: pino.Logger) => l.warn({ error: failedInsert() }, 'write-back failed')],
  ])('%s: the code and constraint, never the row, the SQL or its parameters', (_label, log) => {
    const { logger, text, lines } = serviceLogger();
    log(logger);
    for (const leak of LEAKS) expect(text()).not.toContain(leak);
    const [line] = lines();
    const logged = (line?.err ?? line?.error) as Record<string, unknown>;
    expect(logged).toMatchObject({
      type: 'QueryFailedError',
      code: '23505',
      constraint: 'links_connector_crm_object_crm_id_key',
      table: 'links',
    });
    expect(line?.msg).toEqual(expect.any(String));
  });

  it('a Stripe error: code, param and request id, never raw, headers or the value', () => {
    const { logger, text, lines } = serviceLogger();
    const err = Stripe.errors.StripeError.generate({
      type: 'invalid_request_error',
      code: 'email_invalid',
      param: 'email',
      message: 'Invalid email address: ada@example.com',
      statusCode: 400,
      requestId: 'req_8m3kL2',
      headers: { 'set-cookie': 'session=s3cr3t' },
    } as unknown as Parameters<typeof Stripe.errors.StripeError.generate>[0]);
    logger.warn({ err, stripeId: 'cus_1' }, 'write-back failed; will retry');
    expect(text()).not.toMatch(/ada@example\.com|s3cr3t|headers|"raw"/);
    expect(lines()[0]?.err).toMatchObject({
      type: 'StripeInvalidRequestError',
      code: 'email_invalid',
      status: 400,
      param: 'email',
      requestId: 'req_8m3kL2',
      message: 'Invalid email address',
    });
  });

  it.each([
    ['{ err }', (l: pino.Logger, e: Error) => l.error({ err: e })],
    ['the error itself', (l: pino.Logger, e: Error) => l.error(e)],
  ])('%s without a message: the msg of the line is the scrubbed message', (_label, log) => {
    const { logger, text, lines } = serviceLogger();
    log(logger, new Error('Invalid email address: ada@example.com'));
    expect(text()).not.toContain('ada@example.com');
    expect(lines()[0]?.msg).toBe('Invalid email address');
  });

  it('a joined error string under `error` stays a string, scrubbed', () => {
    const { logger, lines } = serviceLogger();
    logger.warn(
      {
        error:
          'cus_1: contacts batch upsert: Property values were not valid: [{"name":"email","value":"ada@x"}]',
      },
      'sync job parked as a dead letter',
    );
    expect(lines()[0]?.error).toBe('cus_1: contacts batch upsert: Property values were not valid');
  });
});
