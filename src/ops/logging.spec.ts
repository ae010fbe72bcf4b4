import { describe, expect, it } from '@jest/globals';
import { pino } from 'pino';
import { Writable } from 'node:stream';
import { REDACT_PATHS } from './logging.js';

function capture(obj: object): string {
  let out = '';
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      out += chunk.toString();
      done();
    },
  });
  pino({ redact: { paths: REDACT_PATHS, censor: '[redacted]' } }, sink).info(obj, 'msg');
  return out;
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
});
