import { describe, expect, it } from '@jest/globals';
import { mkdtempSync, statSync } from 'node:fs';
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
    expect(second).toEqual({ ...first, created: false });
    // Readable by its owner only.
    expect(statSync(first.file).mode & 0o077).toBe(0);
  });
});
