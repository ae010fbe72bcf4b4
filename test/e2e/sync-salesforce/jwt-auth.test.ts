import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { generateKeyPairSync } from 'node:crypto';
import { SalesforceEmulator } from '../../../emulators/salesforce/salesforce-emulator.js';
import {
  SALESFORCE_CUSTOMER_FIELDS,
  SF_CLIENT_ID,
  startSyncHarness,
  type SyncHarness,
} from '../../support/sync-harness.js';

const TOKEN = '/services/oauth2/token';
const COLLECTIONS = '/services/data/v62.0/composite/sobjects';
const JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer';

const claimsOf = (assertion: string) =>
  JSON.parse(Buffer.from(assertion.split('.')[1] ?? '', 'base64url').toString()) as Record<
    string,
    unknown
  >;

/**
 * The bridge on the JWT bearer flow. The harness's own Salesforce emulator is set up for client
 * credentials and its URL is only known once started, so this org is started here, verifying
 * assertions against the public half of a key pair, and the bridge gets every SALESFORCE_*
 * setting through `env` (no client secret).
 */
describe('Salesforce through the JWT bearer flow', () => {
  let h: SyncHarness;
  let sf: SalesforceEmulator;
  const grants: Record<string, string>[] = [];

  beforeAll(async () => {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    sf = new SalesforceEmulator({
      clientId: SF_CLIENT_ID,
      jwtPublicKey: publicKey,
      customFields: {
        Contact: SALESFORCE_CUSTOMER_FIELDS,
        Account: [...SALESFORCE_CUSTOMER_FIELDS, { name: 'Stripe_Email__c', type: 'email' }],
      },
    });
    const handleToken = sf.auth.handleToken.bind(sf.auth);
    sf.auth.handleToken = (params) => {
      grants.push({ ...params });
      return handleToken(params);
    };
    const url = await sf.start();
    h = await startSyncHarness({
      crms: [],
      env: {
        SALESFORCE_INSTANCE_URL: url,
        SALESFORCE_LOGIN_URL: url,
        SALESFORCE_CLIENT_ID: SF_CLIENT_ID,
        SALESFORCE_USERNAME: sf.users[0]?.username ?? '',
        SALESFORCE_PRIVATE_KEY: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
      },
    });
  });
  afterAll(async () => {
    await h?.close();
    await sf?.stop();
  });

  const contactOf = (stripeId: string) => {
    const found = sf.records('Contact').filter((r) => r.Stripe_Customer_Id__c === stripeId);
    expect(found).toHaveLength(1);
    return found[0]!;
  };
  const writeCalls = () =>
    sf.http
      .requests({ path: COLLECTIONS })
      .filter((r) => r.method === 'POST' || r.method === 'PATCH').length;

  it('signs in with a signed assertion and syncs a customer; after the session expires, renews with a new assertion and writes once', async () => {
    const customer = await h.stripe.customers.create({ email: 'jwt@example.com', name: 'Jay Wit' });
    await h.settle();
    const contact = contactOf(customer.id);
    expect(contact).toMatchObject({ Email: 'jwt@example.com', FirstName: 'Jay', LastName: 'Wit' });
    // Written as the integration user the assertion named.
    expect(contact.LastModifiedById).toBe(sf.integrationUserId);
    const after = await h.stripe.customers.retrieve(customer.id);
    expect((after as { metadata: Record<string, string> }).metadata.salesforce_contact_id).toBe(
      contact.Id,
    );

    expect(grants).toHaveLength(1);
    // No client secret goes with it: the signature is the credential.
    expect(grants[0]).toEqual({
      grant_type: JWT_BEARER,
      client_id: SF_CLIENT_ID,
      assertion: expect.any(String),
    });
    const first = grants[0]?.assertion ?? '';
    expect(claimsOf(first)).toEqual({
      iss: SF_CLIENT_ID,
      sub: sf.users[0]?.username,
      aud: sf.instanceUrl.replace(/\/$/, ''),
      exp: expect.any(Number),
    });
    expect(sf.http.requests({ method: 'POST', path: TOKEN }).map((r) => r.status)).toEqual([200]);

    // An assertion carries its expiry in whole seconds: let the clock move on so a freshly
    // signed one differs from the first.
    await new Promise((r) => setTimeout(r, 1100));
    const writesBefore = writeCalls();
    const storedBefore = sf.writeCount('Contact');
    sf.expireSessions();
    await h.stripe.customers.update(customer.id, { name: 'Jay Renewed' });
    await h.settle();

    expect(contactOf(customer.id)).toMatchObject({
      Id: contact.Id,
      FirstName: 'Jay',
      LastName: 'Renewed',
    });
    expect(writeCalls()).toBe(writesBefore + 1);
    expect(sf.writeCount('Contact')).toBe(storedBefore + 1);
    expect(sf.http.requests({ method: 'POST', path: TOKEN }).map((r) => r.status)).toEqual([
      200, 200,
    ]);
    expect(grants).toHaveLength(2);
    const second = grants[1]?.assertion ?? '';
    expect(second).not.toBe(first);
    expect(claimsOf(second)).toMatchObject({ iss: SF_CLIENT_ID, sub: sf.users[0]?.username });
    expect(Number(claimsOf(second).exp)).toBeGreaterThan(Number(claimsOf(first).exp));
    // The expired session was refused once, before the renewal.
    const refused = sf.http.requests({ path: '/services/data/' }).filter((r) => r.status === 401);
    expect(refused).toHaveLength(1);

    const rows = await h.db.query<{ outcome: string; status: string }>(
      `SELECT status, outcome FROM inbox_events WHERE object_id = $1 ORDER BY received_at`,
      [customer.id],
    );
    expect(rows).toEqual([
      { status: 'done', outcome: 'salesforce:created' },
      { status: 'done', outcome: 'salesforce:echo' },
      { status: 'done', outcome: 'salesforce:updated' },
    ]);
  });
});
