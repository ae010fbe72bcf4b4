import { createPrivateKey } from 'node:crypto';
import 'reflect-metadata';
import { plainToInstance } from 'class-transformer';
import { validateSync, type ValidationError } from 'class-validator';
import { resolve } from 'node:path';
import {
  type AdminToken,
  type AppConfig,
  type DatabaseConfig,
  type HubSpotConfig,
  type Profile,
  type SalesforceConfig,
} from './app-config.js';
import { ConfigError } from './config.error.js';
import { EnvironmentVariables } from './env.schema.js';
import { loadOrCreateLocalSecrets, type LocalSecrets } from './local-profile.js';

type Env = Record<string, string | undefined>;

/** A key that only works against a local emulator: real Stripe rejects it. */
export const LOCAL_PLACEHOLDER_STRIPE_KEY = 'sk_test_local_placeholder_key';

/** One line per variable: several failed rules on one value say the same thing once. */
function describe(errors: ValidationError[]): string[] {
  return errors.map((e) => {
    const messages = new Set(
      Object.values(e.constraints ?? {}).map((m) => m.replace(`${e.property} `, '')),
    );
    return `${e.property}: ${[...messages].join('; ')}`;
  });
}

/**
 * A key with the right prefix but too few characters after it is a truncated copy: say so,
 * rather than only what a key looks like. The key itself is never echoed.
 */
function stripeKeyProblem(key: string | undefined, generic: string): string {
  const m = /^(sk|rk)_(test|live)_(.*)$/.exec(key ?? '');
  if (!m || !/^[A-Za-z0-9_]*$/.test(m[3] ?? '') || (m[3] ?? '').length >= 8) return generic;
  return `STRIPE_SECRET_KEY: too short: after its prefix (${m[1]}_${m[2]}_) a Stripe key has at least 8 more characters (real ones about 100); copy the whole key from the Stripe dashboard (Developers → API keys)`;
}

/** `label:token` entries, or bare tokens labelled by their position (token-1, token-2…). */
function adminTokens(raw: string | undefined): AdminToken[] {
  return splitList(raw ?? '').map((entry, i) => {
    const at = entry.indexOf(':');
    return at > 0
      ? { label: entry.slice(0, at), token: entry.slice(at + 1) }
      : { label: `token-${i + 1}`, token: entry };
  });
}

const splitList = (v: string): string[] =>
  v
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);

function hubspotConfig(env: EnvironmentVariables): HubSpotConfig | null {
  if (!env.HUBSPOT_ACCESS_TOKEN) return null;
  return {
    accessToken: env.HUBSPOT_ACCESS_TOKEN,
    apiBase: new URL(env.HUBSPOT_API_BASE ?? 'https://api.hubapi.com'),
    tenSecondBudget: env.HUBSPOT_RATE_LIMIT_PER_10S ?? 100,
    dailyRetryMs: (env.HUBSPOT_DAILY_RETRY_SECONDS ?? 900) * 1000,
  };
}

function isPrivateKey(pem: string): boolean {
  try {
    createPrivateKey(pem);
    return true;
  } catch {
    return false;
  }
}

function salesforceConfig(env: EnvironmentVariables, problems: string[]): SalesforceConfig | null {
  const any =
    env.SALESFORCE_INSTANCE_URL ??
    env.SALESFORCE_ACCESS_TOKEN ??
    env.SALESFORCE_CLIENT_ID ??
    env.SALESFORCE_CLIENT_SECRET ??
    env.SALESFORCE_USERNAME ??
    env.SALESFORCE_PRIVATE_KEY;
  if (!any) return null;
  if (!env.SALESFORCE_INSTANCE_URL) {
    problems.push(
      'SALESFORCE_INSTANCE_URL: required when any SALESFORCE_* setting is given (your org URL, e.g. https://acme.my.salesforce.com)',
    );
    return null;
  }
  const instanceUrl = new URL(env.SALESFORCE_INSTANCE_URL);
  // The client credentials flow is only served by the org's own (My Domain) host; the JWT
  // bearer flow also works through login.salesforce.com, its documented default.
  const clientCredentials = !env.SALESFORCE_ACCESS_TOKEN && !env.SALESFORCE_PRIVATE_KEY;
  const loginUrl = new URL(
    env.SALESFORCE_LOGIN_URL ??
      (clientCredentials ? instanceUrl.href : 'https://login.salesforce.com'),
  );
  const common = {
    instanceUrl,
    loginUrl,
    apiVersion: env.SALESFORCE_API_VERSION ?? '62.0',
    dailyApiShare: (env.SALESFORCE_DAILY_API_SHARE ?? 50) / 100,
    budgetPauseMs: (env.SALESFORCE_BUDGET_PAUSE_SECONDS ?? 300) * 1000,
  };
  if (env.SALESFORCE_ACCESS_TOKEN) {
    return {
      ...common,
      auth: { kind: 'access_token', accessToken: env.SALESFORCE_ACCESS_TOKEN },
    };
  }
  if (env.SALESFORCE_CLIENT_ID && env.SALESFORCE_PRIVATE_KEY && env.SALESFORCE_USERNAME) {
    const privateKey = env.SALESFORCE_PRIVATE_KEY.replace(/\\n/g, '\n');
    if (!isPrivateKey(privateKey)) {
      problems.push(
        'SALESFORCE_PRIVATE_KEY: expected a PEM private key (-----BEGIN PRIVATE KEY----- or -----BEGIN RSA PRIVATE KEY-----); "\\n" sequences are accepted as line breaks',
      );
      return null;
    }
    return {
      ...common,
      auth: {
        kind: 'jwt_bearer',
        clientId: env.SALESFORCE_CLIENT_ID,
        username: env.SALESFORCE_USERNAME,
        // Keys passed through env files often carry literal "\n" sequences.
        privateKey,
      },
    };
  }
  if (env.SALESFORCE_CLIENT_ID && env.SALESFORCE_CLIENT_SECRET) {
    return {
      ...common,
      auth: {
        kind: 'client_credentials',
        clientId: env.SALESFORCE_CLIENT_ID,
        clientSecret: env.SALESFORCE_CLIENT_SECRET,
      },
    };
  }
  problems.push(
    'SALESFORCE_ACCESS_TOKEN: Salesforce needs credentials: SALESFORCE_ACCESS_TOKEN, or SALESFORCE_CLIENT_ID + SALESFORCE_CLIENT_SECRET (client credentials), or SALESFORCE_CLIENT_ID + SALESFORCE_USERNAME + SALESFORCE_PRIVATE_KEY (JWT bearer)',
  );
  return null;
}

export interface LoadConfigOptions {
  /** Where the local profile keeps generated values; injectable for tests. */
  localSecrets?: (dataDir: string) => LocalSecrets;
  /**
   * False for processes that serve no HTTP (the backfill CLI): they receive no webhooks and
   * serve no admin API, so production demands no signing secret and local generates neither.
   */
  listens?: boolean;
}

/**
 * Validates the environment and builds the typed configuration, or throws a ConfigError
 * listing every problem at once (one line each, naming the variable and what is expected).
 */
export function loadConfig(rawEnv: Env, options: LoadConfigOptions = {}): AppConfig {
  const env = plainToInstance(
    EnvironmentVariables,
    { ...rawEnv },
    { excludeExtraneousValues: false },
  );
  const problems = describe(
    validateSync(env, { skipMissingProperties: false, forbidUnknownValues: false }),
  ).map((p) =>
    p.startsWith('STRIPE_SECRET_KEY:') ? stripeKeyProblem(env.STRIPE_SECRET_KEY, p) : p,
  );
  if (problems.length > 0) throw new ConfigError(problems);

  const profile: Profile = env.APP_PROFILE ?? 'production';
  const dataDir = resolve(env.DATA_DIR ?? './data');
  const notices: string[] = [];
  // Read (or generated) once per boot, and only by the local profile.
  let local: LocalSecrets | undefined;
  const localSecrets = () =>
    (local ??= (options.localSecrets ?? loadOrCreateLocalSecrets)(dataDir));

  let webhookSecrets = env.STRIPE_WEBHOOK_SECRET ? splitList(env.STRIPE_WEBHOOK_SECRET) : [];
  let secretKey = env.STRIPE_SECRET_KEY;
  if (profile === 'production') {
    if (!secretKey) {
      problems.push(
        'STRIPE_SECRET_KEY: required in the production profile (a Stripe secret or restricted key); use APP_PROFILE=local to try the bridge without one',
      );
    }
    if (webhookSecrets.length === 0 && options.listens !== false) {
      problems.push(
        'STRIPE_WEBHOOK_SECRET: required in the production profile (the endpoint signing secret whsec_… from the Stripe dashboard or `stripe listen`; comma-separate two during rotation)',
      );
    }
  } else {
    if (webhookSecrets.length === 0 && options.listens !== false) {
      const local = localSecrets();
      webhookSecrets = [local.stripeWebhookSecret];
      notices.push(
        `local profile: STRIPE_WEBHOOK_SECRET not set, using the ${local.created ? 'newly generated' : 'stored'} local secret in ${local.file}`,
      );
    }
    if (!secretKey) {
      secretKey = LOCAL_PLACEHOLDER_STRIPE_KEY;
      notices.push(
        'local profile: STRIPE_SECRET_KEY not set, using a placeholder key that only a local Stripe emulator accepts',
      );
    }
  }

  let adminApiTokens = adminTokens(env.ADMIN_API_TOKEN);
  if (profile === 'local' && adminApiTokens.length === 0 && options.listens !== false) {
    const local = localSecrets();
    adminApiTokens = [{ label: 'local', token: local.adminApiToken }];
    notices.push(
      `local profile: ADMIN_API_TOKEN not set, using the ${local.created ? 'newly generated' : 'stored'} admin API token in ${local.file} (send it as Authorization: Bearer <adminApiToken>)`,
    );
  }

  const hubspot = hubspotConfig(env);
  const salesforce = salesforceConfig(env, problems);
  if (problems.length > 0) throw new ConfigError(problems);

  const database: DatabaseConfig = env.DATABASE_URL
    ? { kind: 'postgres', url: env.DATABASE_URL, poolSize: env.DATABASE_POOL_SIZE ?? 10 }
    : { kind: 'embedded', dataDir };
  if (database.kind === 'embedded')
    notices.push(`database: DATABASE_URL not set, using embedded PGlite in ${dataDir}`);

  return {
    profile,
    port: env.PORT ?? 3000,
    // A trial on a laptop should not expose its webhook endpoint to the network.
    host: env.HOST ?? (profile === 'local' ? '127.0.0.1' : '0.0.0.0'),
    logLevel: env.LOG_LEVEL ?? 'info',
    dataDir,
    database,
    migrationsRun: env.MIGRATIONS_RUN ?? true,
    webhookBodyLimitBytes: env.WEBHOOK_BODY_LIMIT_BYTES ?? 1024 * 1024,
    stripe: {
      secretKey: secretKey ?? '',
      webhookSecrets,
      apiBase: new URL(env.STRIPE_API_BASE ?? 'https://api.stripe.com'),
      maxNetworkRetries: env.STRIPE_MAX_NETWORK_RETRIES ?? 2,
      timeoutMs: env.STRIPE_TIMEOUT_MS ?? 20_000,
    },
    hubspot,
    salesforce,
    adminApiTokens,
    adminRateLimitPerMinute: env.ADMIN_API_RATE_LIMIT_PER_MINUTE ?? 600,
    crmPollIntervalSeconds: env.CRM_POLL_INTERVAL_SECONDS ?? 30,
    sync: {
      workers: env.SYNC_WORKERS ?? 2,
      batchSize: env.SYNC_BATCH_SIZE ?? 100,
      maxAttempts: env.SYNC_MAX_ATTEMPTS ?? 10,
      retryBaseMs: env.SYNC_RETRY_BASE_MS ?? 2000,
      retryMaxMs: env.SYNC_RETRY_MAX_MS ?? 3_600_000,
      pollOverlapSeconds: env.CRM_POLL_OVERLAP_SECONDS ?? 60,
      stripeEventGraceMs: env.SYNC_STRIPE_EVENT_GRACE_MS ?? 30_000,
    },
    notices,
  };
}
