import { createPrivateKey, type KeyObject, sign } from 'node:crypto';
import jsforce from 'jsforce';
import { type SalesforceConfig } from '../../config/app-config.js';
import { CrmError } from '../crm-connector.js';

/** A session: the token, and the user it acts as when the grant says (its identity URL). */
export interface SessionGrant {
  accessToken: string;
  userId: string | null;
}

/** Gets a new session; the connector calls it at first use and on INVALID_SESSION_ID. */
export type TokenSource = () => Promise<SessionGrant>;

/** JWT bearer assertions are valid for three minutes, the most Salesforce accepts. */
const ASSERTION_SECONDS = 180;

const b64url = (v: object) => Buffer.from(JSON.stringify(v)).toString('base64url');

/** An RS256-signed assertion for the OAuth 2.0 JWT bearer flow. */
export function jwtAssertion(
  opts: { clientId: string; username: string; audience: string; key: KeyObject },
  nowMs = Date.now(),
): string {
  const head = b64url({ alg: 'RS256', typ: 'JWT' });
  const claims = b64url({
    iss: opts.clientId,
    sub: opts.username,
    aud: opts.audience,
    exp: Math.floor(nowMs / 1000) + ASSERTION_SECONDS,
  });
  const signature = sign('RSA-SHA256', Buffer.from(`${head}.${claims}`), opts.key);
  return `${head}.${claims}.${signature.toString('base64url')}`;
}

/**
 * The token grant the configuration describes, through jsforce's OAuth2 client: client
 * credentials, or the JWT bearer flow with a freshly signed assertion each time. A fixed access
 * token cannot be renewed, so it has no source (null).
 */
export function tokenSource(config: SalesforceConfig): TokenSource | null {
  const { auth } = config;
  if (auth.kind === 'access_token') return null;
  const loginUrl = config.loginUrl.origin;
  if (auth.kind === 'client_credentials') {
    const oauth = new jsforce.OAuth2({
      loginUrl,
      clientId: auth.clientId,
      clientSecret: auth.clientSecret,
    });
    return () => grant(oauth, { grant_type: 'client_credentials' }, 'client credentials');
  }
  // Parsed at boot by the config loader, which names SALESFORCE_PRIVATE_KEY if it fails.
  const key = createPrivateKey(auth.privateKey);
  const oauth = new jsforce.OAuth2({ loginUrl, clientId: auth.clientId });
  return () =>
    grant(
      oauth,
      {
        grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer',
        assertion: jwtAssertion({
          clientId: auth.clientId,
          username: auth.username,
          audience: loginUrl,
          key,
        }),
      },
      'JWT bearer',
    );
}

async function grant(
  oauth: InstanceType<typeof jsforce.OAuth2>,
  params: { grant_type: string; [name: string]: string },
  flow: string,
): Promise<SessionGrant> {
  let res: { access_token?: unknown; id?: unknown };
  try {
    res = await oauth.requestToken(params);
  } catch (err) {
    const e = err as { name?: string; message?: string };
    // A refused grant (wrong client, unapproved user) needs the operator; it is still
    // retryable so the work waits for the fix instead of being dropped.
    throw new CrmError(
      'auth_failed',
      `Salesforce refused the ${flow} token request (${e.name ?? 'error'}: ${e.message ?? String(err)}): check the SALESFORCE_* credentials and the connected app's policies`,
      true,
      60_000,
    );
  }
  const token = res.access_token;
  if (typeof token !== 'string' || token === '') {
    throw new CrmError('auth_failed', `Salesforce's ${flow} answer had no access_token`, true);
  }
  // The identity URL ends in the user's id: https://login…/id/<org id>/<user id>.
  const userId = typeof res.id === 'string' ? (res.id.split('/').pop() ?? null) : null;
  return { accessToken: token, userId: userId || null };
}
