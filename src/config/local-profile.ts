import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface LocalSecrets {
  stripeWebhookSecret: string;
  /** Bearer token for the admin API, when ADMIN_API_TOKEN is not set. */
  adminApiToken: string;
  file: string;
  /** Whether this call generated (and stored) any of them. */
  created: boolean;
}

const FILE_NAME = 'local-secrets.json';

const stored = (
  file: string,
): Partial<Record<'stripeWebhookSecret' | 'adminApiToken', unknown>> => {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    return {};
  }
};

/**
 * The local profile lets a newcomer boot with nothing configured. It generates a webhook
 * signing secret and an admin API token once and keeps them under DATA_DIR, so restarts keep
 * accepting the same signatures and the same token. A file from an earlier version, with the
 * secret only, gets the token added. The production profile never comes here.
 */
export function loadOrCreateLocalSecrets(dataDir: string): LocalSecrets {
  const file = join(dataDir, FILE_NAME);
  const old = stored(file);
  const keep = (v: unknown, prefix: string): v is string =>
    typeof v === 'string' && v.startsWith(prefix) && v.length >= 24;
  const stripeWebhookSecret = keep(old.stripeWebhookSecret, 'whsec_')
    ? old.stripeWebhookSecret
    : `whsec_${randomBytes(24).toString('base64url')}`;
  const adminApiToken = keep(old.adminApiToken, 'adm_')
    ? old.adminApiToken
    : `adm_${randomBytes(24).toString('base64url')}`;
  const created =
    stripeWebhookSecret !== old.stripeWebhookSecret || adminApiToken !== old.adminApiToken;
  if (created) {
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(file, JSON.stringify({ stripeWebhookSecret, adminApiToken }, null, 2) + '\n', {
      mode: 0o600,
    });
  }
  return { stripeWebhookSecret, adminApiToken, file, created };
}
