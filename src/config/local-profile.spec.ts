import { describe, expect, it } from '@jest/globals';
import { mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadOrCreateLocalSecrets } from './local-profile.js';

describe('loadOrCreateLocalSecrets', () => {
  it('generates a secret once and keeps it across restarts', () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'bridge-local-')), 'data');
    const first = loadOrCreateLocalSecrets(dir);
    const second = loadOrCreateLocalSecrets(dir);
    expect(first.created).toBe(true);
    expect(first.stripeWebhookSecret).toMatch(/^whsec_[A-Za-z0-9_-]{32}$/);
    expect(first.adminApiToken).toMatch(/^adm_[A-Za-z0-9_-]{32}$/);
    expect(second).toEqual({ ...first, created: false });
    // Readable by its owner only.
    expect(statSync(first.file).mode & 0o077).toBe(0);
  });

  it('adds an admin token to a file from an earlier version, keeping its webhook secret', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bridge-local-'));
    writeFileSync(
      join(dir, 'local-secrets.json'),
      JSON.stringify({ stripeWebhookSecret: 'whsec_kept_from_before_0123456789' }),
    );
    const s = loadOrCreateLocalSecrets(dir);
    expect(s).toMatchObject({
      stripeWebhookSecret: 'whsec_kept_from_before_0123456789',
      created: true,
    });
    expect(s.adminApiToken).toMatch(/^adm_/);
    expect(loadOrCreateLocalSecrets(dir)).toEqual({ ...s, created: false });
  });
});
