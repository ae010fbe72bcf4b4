import { describe, expect, it } from '@jest/globals';
import { generateKeyPairSync } from 'node:crypto';
import { ConfigError } from './config.error.js';
import { LOCAL_PLACEHOLDER_STRIPE_KEY, loadConfig } from './load-config.js';

const PROD = {
  STRIPE_SECRET_KEY: 'sk_test_abcdefgh12345678',
  STRIPE_WEBHOOK_SECRET: 'whsec_abcdefgh12345678',
};
const PEM = generateKeyPairSync('rsa', { modulusLength: 2048 })
  .privateKey.export({ type: 'pkcs8', format: 'pem' })
  .toString();
const noLocalSecrets = () => {
  throw new Error('the production profile must not generate secrets');
};

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env, { localSecrets: noLocalSecrets });
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('applies the documented defaults', () => {
    const c = loadConfig(PROD, { localSecrets: noLocalSecrets });
    expect(c).toMatchObject({
      profile: 'production',
      port: 3000,
      host: '0.0.0.0',
      logLevel: 'info',
      migrationsRun: true,
      webhookBodyLimitBytes: 1024 * 1024,
      crmPollIntervalSeconds: 30,
      hubspot: null,
      salesforce: null,
      adminApiTokens: [],
    });
    expect(c.database.kind).toBe('embedded');
    expect(c.stripe.apiBase.href).toBe('https://api.stripe.com/');
  });

  it.each([
    [{}, ['STRIPE_SECRET_KEY', 'STRIPE_WEBHOOK_SECRET']],
    [{ STRIPE_SECRET_KEY: PROD.STRIPE_SECRET_KEY }, ['STRIPE_WEBHOOK_SECRET']],
    [{ ...PROD, DATABASE_URL: 'mysql://x@y/z' }, ['DATABASE_URL']],
    [{ ...PROD, DATABASE_URL: 'not a url' }, ['DATABASE_URL']],
    [{ ...PROD, PORT: '70000' }, ['PORT']],
    [{ ...PROD, PORT: 'eighty' }, ['PORT']],
    [{ ...PROD, LOG_LEVEL: 'loud' }, ['LOG_LEVEL']],
    [{ ...PROD, STRIPE_WEBHOOK_SECRET: 'secret123456789' }, ['STRIPE_WEBHOOK_SECRET']],
    [{ ...PROD, STRIPE_SECRET_KEY: 'pk_test_abcdefgh12345678' }, ['STRIPE_SECRET_KEY']],
    [{ ...PROD, STRIPE_API_BASE: 'ftp://example.com' }, ['STRIPE_API_BASE']],
    [{ ...PROD, MIGRATIONS_RUN: 'maybe' }, ['MIGRATIONS_RUN']],
    [{ ...PROD, ADMIN_API_TOKEN: 'short' }, ['ADMIN_API_TOKEN']],
    [{ ...PROD, CRM_POLL_INTERVAL_SECONDS: '0' }, ['CRM_POLL_INTERVAL_SECONDS']],
    [{ ...PROD, SALESFORCE_ACCESS_TOKEN: 'tok' }, ['SALESFORCE_INSTANCE_URL']],
    [
      { ...PROD, SALESFORCE_INSTANCE_URL: 'https://acme.my.salesforce.com' },
      ['SALESFORCE_ACCESS_TOKEN'],
    ],
    [{ ...PROD, SALESFORCE_DAILY_API_SHARE: '0' }, ['SALESFORCE_DAILY_API_SHARE']],
    [{ ...PROD, SALESFORCE_API_VERSION: 'v62' }, ['SALESFORCE_API_VERSION']],
    [
      {
        ...PROD,
        SALESFORCE_INSTANCE_URL: 'https://acme.my.salesforce.com',
        SALESFORCE_CLIENT_ID: 'cid',
        SALESFORCE_USERNAME: 'integration@acme.example',
        SALESFORCE_PRIVATE_KEY: 'not a key',
      },
      ['SALESFORCE_PRIVATE_KEY'],
    ],
    [{ APP_PROFILE: 'staging' }, ['APP_PROFILE']],
  ])('refuses %j naming %j', (env, names) => {
    const problems = problemsOf(env);
    expect(problems.map((p) => p.split(':')[0])).toEqual(names);
    // Every line says what is expected, not just that something is wrong.
    for (const p of problems) expect(p.length).toBeGreaterThan(p.indexOf(':') + 15);
  });

  it('lists every problem at once, one line each', () => {
    const problems = problemsOf({ PORT: '-1', LOG_LEVEL: 'x', DATABASE_URL: 'x' });
    expect(problems).toHaveLength(3);
  });

  it('never echoes a rejected secret', () => {
    const bad = 'whsec_' + '!'.repeat(20);
    const err = (() => {
      try {
        loadConfig({
          ...PROD,
          STRIPE_WEBHOOK_SECRET: bad,
          STRIPE_SECRET_KEY: 'sk_live_$$$$secret',
        });
      } catch (e) {
        return e as Error;
      }
      return null;
    })();
    expect(err).toBeInstanceOf(ConfigError);
    expect(err?.message).not.toContain(bad);
    expect(err?.message).not.toContain('$$$$secret');
  });

  it('never echoes Salesforce secrets, nor puts them in what the service logs', () => {
    const key =
      '-----BEGIN PRIVATE KEY-----\\nnot-really-a-key-0123456789\\n-----END PRIVATE KEY-----';
    const problems = problemsOf({
      ...PROD,
      SALESFORCE_INSTANCE_URL: 'https://acme.my.salesforce.com',
      SALESFORCE_CLIENT_ID: 'cid',
      SALESFORCE_USERNAME: 'int@acme.example',
      SALESFORCE_PRIVATE_KEY: key,
    }).join('\n');
    expect(problems).toContain('SALESFORCE_PRIVATE_KEY');
    expect(problems).not.toContain('not-really-a-key');
    const c = loadConfig({
      ...PROD,
      SALESFORCE_INSTANCE_URL: 'https://acme.my.salesforce.com',
      SALESFORCE_CLIENT_ID: 'cid',
      SALESFORCE_CLIENT_SECRET: 'csecret-do-not-print',
    });
    expect(c.notices.join('\n')).not.toContain('csecret-do-not-print');
  });

  it('accepts two webhook secrets during rotation', () => {
    const c = loadConfig(
      { ...PROD, STRIPE_WEBHOOK_SECRET: 'whsec_old12345678, whsec_new12345678' },
      { localSecrets: noLocalSecrets },
    );
    expect(c.stripe.webhookSecrets).toEqual(['whsec_old12345678', 'whsec_new12345678']);
  });

  it('treats blank values as unset', () => {
    const c = loadConfig(
      { ...PROD, PORT: '', DATABASE_URL: '  ' },
      { localSecrets: noLocalSecrets },
    );
    expect(c.port).toBe(3000);
    expect(c.database.kind).toBe('embedded');
  });

  it('uses Postgres when DATABASE_URL is set', () => {
    const c = loadConfig({
      ...PROD,
      DATABASE_URL: 'postgres://u:p@db:5432/bridge',
      DATABASE_POOL_SIZE: '7',
    });
    expect(c.database).toEqual({
      kind: 'postgres',
      url: 'postgres://u:p@db:5432/bridge',
      poolSize: 7,
    });
  });

  it('enables a connector by its credentials', () => {
    const c = loadConfig({
      ...PROD,
      HUBSPOT_ACCESS_TOKEN: 'pat-na1-123',
      SALESFORCE_INSTANCE_URL: 'https://acme.my.salesforce.com',
      SALESFORCE_CLIENT_ID: 'cid',
      SALESFORCE_CLIENT_SECRET: 'csecret',
    });
    expect(c.hubspot?.apiBase.href).toBe('https://api.hubapi.com/');
    expect(c.salesforce?.auth).toEqual({
      kind: 'client_credentials',
      clientId: 'cid',
      clientSecret: 'csecret',
    });
    // Client credentials are served by the org's own host; the defaults are taken.
    expect(c.salesforce?.loginUrl.href).toBe('https://acme.my.salesforce.com/');
    expect(c.salesforce?.apiVersion).toBe('62.0');
    expect(c.salesforce?.dailyApiShare).toBe(0.5);
    expect(c.salesforce?.budgetPauseMs).toBe(300_000);
  });

  it('reads the JWT bearer settings and the Salesforce budget share', () => {
    const c = loadConfig({
      ...PROD,
      SALESFORCE_INSTANCE_URL: 'https://acme.my.salesforce.com',
      SALESFORCE_CLIENT_ID: 'cid',
      SALESFORCE_USERNAME: 'integration@acme.example',
      SALESFORCE_PRIVATE_KEY: PEM.replace(/\n/g, '\\n'),
      SALESFORCE_DAILY_API_SHARE: '20',
      SALESFORCE_API_VERSION: '60.0',
    });
    expect(c.salesforce?.auth).toEqual({
      kind: 'jwt_bearer',
      clientId: 'cid',
      username: 'integration@acme.example',
      privateKey: PEM,
    });
    expect(c.salesforce?.loginUrl.href).toBe('https://login.salesforce.com/');
    expect(c.salesforce?.dailyApiShare).toBe(0.2);
    expect(c.salesforce?.apiVersion).toBe('60.0');
  });

  it('the local profile generates what it needs and says so', () => {
    const c = loadConfig(
      { APP_PROFILE: 'local', DATA_DIR: '/tmp/x' },
      {
        localSecrets: (dir) => ({
          stripeWebhookSecret: 'whsec_generated123',
          adminApiToken: 'adm_generated_token_0123456789',
          file: `${dir}/local-secrets.json`,
          created: true,
        }),
      },
    );
    expect(c.stripe.webhookSecrets).toEqual(['whsec_generated123']);
    expect(c.stripe.secretKey).toBe(LOCAL_PLACEHOLDER_STRIPE_KEY);
    expect(c.host).toBe('127.0.0.1');
    expect(c.notices.join('\n')).toMatch(/generated local secret in \/tmp\/x\/local-secrets.json/);
    expect(c.notices.join('\n')).not.toContain('whsec_generated123');
  });

  it('a process that receives no webhooks needs no signing secret, in either profile', () => {
    const prod = loadConfig(
      { STRIPE_SECRET_KEY: PROD.STRIPE_SECRET_KEY },
      { localSecrets: noLocalSecrets, listens: false },
    );
    expect(prod.stripe.webhookSecrets).toEqual([]);
    const local = loadConfig(
      { APP_PROFILE: 'local', DATA_DIR: '/tmp/x' },
      { localSecrets: noLocalSecrets, listens: false },
    );
    expect(local.stripe.webhookSecrets).toEqual([]);
    expect(problemsOf({ STRIPE_SECRET_KEY: PROD.STRIPE_SECRET_KEY })).toEqual([
      expect.stringMatching(/^STRIPE_WEBHOOK_SECRET: required/),
    ]);
  });

  it('says a Stripe key is too short when its prefix is right, without echoing it', () => {
    const [problem] = problemsOf({ ...PROD, STRIPE_SECRET_KEY: 'sk_test_x' });
    expect(problem).toMatch(/^STRIPE_SECRET_KEY: too short: after its prefix \(sk_test_\)/);
    expect(problem).not.toContain('sk_test_x');
    expect(problemsOf({ ...PROD, STRIPE_SECRET_KEY: 'pk_test_abcdefgh12345678' })).toEqual([
      expect.stringMatching(/^STRIPE_SECRET_KEY: expected a Stripe secret or restricted key/),
    ]);
  });

  it('reads admin tokens with labels, and labels bare ones by position', () => {
    const c = loadConfig(
      {
        ...PROD,
        ADMIN_API_TOKEN: 'deploy:tok_deploy_0123456789abcdefghij, tok_bare_0123456789abcdefghijk',
      },
      { localSecrets: noLocalSecrets },
    );
    expect(c.adminApiTokens).toEqual([
      { label: 'deploy', token: 'tok_deploy_0123456789abcdefghij' },
      { label: 'token-2', token: 'tok_bare_0123456789abcdefghijk' },
    ]);
    expect(loadConfig(PROD, { localSecrets: noLocalSecrets }).adminApiTokens).toEqual([]);
    expect(problemsOf({ ...PROD, ADMIN_API_TOKEN: 'short' })).toEqual([
      expect.stringMatching(/^ADMIN_API_TOKEN: expected one or more tokens of at least 24/),
    ]);
  });

  it('the local profile generates an admin token and says where it is kept, not what it is', () => {
    const c = loadConfig(
      { APP_PROFILE: 'local', DATA_DIR: '/tmp/x' },
      {
        localSecrets: (dir) => ({
          stripeWebhookSecret: 'whsec_generated123',
          adminApiToken: 'adm_generated_token_0123456789',
          file: `${dir}/local-secrets.json`,
          created: true,
        }),
      },
    );
    expect(c.adminApiTokens).toEqual([{ label: 'local', token: 'adm_generated_token_0123456789' }]);
    expect(c.notices.join('\n')).toMatch(/admin API token in \/tmp\/x\/local-secrets.json/);
    expect(c.notices.join('\n')).not.toContain('adm_generated_token_0123456789');
  });
});
