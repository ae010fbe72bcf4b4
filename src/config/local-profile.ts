import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface LocalSecrets {
  stripeWebhookSecret: string;
  file: string;
  created: boolean;
}

const FILE_NAME = 'local-secrets.json';

/**
 * The local profile lets a newcomer boot with nothing configured. It generates a webhook
 * signing secret once and keeps it under DATA_DIR, so restarts keep accepting the same
 * signatures. The production profile never comes here.
 */
export function loadOrCreateLocalSecrets(dataDir: string): LocalSecrets {
  const file = join(dataDir, FILE_NAME);
  try {
    const stored = JSON.parse(readFileSync(file, 'utf8')) as Partial<LocalSecrets>;
    if (
      typeof stored.stripeWebhookSecret === 'string' &&
      stored.stripeWebhookSecret.startsWith('whsec_')
    ) {
      return { stripeWebhookSecret: stored.stripeWebhookSecret, file, created: false };
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  mkdirSync(dataDir, { recursive: true });
  const stripeWebhookSecret = `whsec_${randomBytes(24).toString('base64url')}`;
  writeFileSync(file, JSON.stringify({ stripeWebhookSecret }, null, 2) + '\n', { mode: 0o600 });
  return { stripeWebhookSecret, file, created: true };
}
