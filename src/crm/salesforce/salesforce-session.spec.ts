import { describe, expect, it } from '@jest/globals';
import { generateKeyPairSync, verify } from 'node:crypto';
import { type SalesforceConfig } from '../../config/app-config.js';
import { jwtAssertion, tokenSource } from './salesforce-session.js';

const base = (auth: SalesforceConfig['auth']): SalesforceConfig => ({
  instanceUrl: new URL('https://acme.my.salesforce.com'),
  loginUrl: new URL('https://login.salesforce.com'),
  auth,
  apiVersion: '62.0',
  dailyApiShare: 0.5,
  budgetPauseMs: 300_000,
});

describe('Salesforce sessions', () => {
  it('signs a JWT bearer assertion Salesforce can verify with the certificate key', () => {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const now = Date.parse('2026-11-27T10:00:00Z');
    const jwt = jwtAssertion(
      {
        clientId: 'cid',
        username: 'int@acme.example',
        audience: 'https://login.salesforce.com',
        key: privateKey,
      },
      now,
    );
    const [head, claims, sig] = jwt.split('.');
    const decode = (part: string | undefined) =>
      JSON.parse(Buffer.from(part ?? '', 'base64url').toString()) as unknown;
    expect(decode(head)).toEqual({ alg: 'RS256', typ: 'JWT' });
    expect(decode(claims)).toEqual({
      iss: 'cid',
      sub: 'int@acme.example',
      aud: 'https://login.salesforce.com',
      exp: now / 1000 + 180,
    });
    const signed = Buffer.from(`${head}.${claims}`);
    expect(verify('RSA-SHA256', signed, publicKey, Buffer.from(sig ?? '', 'base64url'))).toBe(true);
  });

  it('a fixed access token has no source to renew it from', () => {
    expect(tokenSource(base({ kind: 'access_token', accessToken: 'tok' }))).toBeNull();
    expect(
      tokenSource(base({ kind: 'client_credentials', clientId: 'a', clientSecret: 'b' })),
    ).toBeInstanceOf(Function);
  });
});
