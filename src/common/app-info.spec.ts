import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { APP_NAME, APP_VERSION } from './app-info.js';

describe('app info', () => {
  it('matches package.json (sent to Stripe as appInfo)', () => {
    const pkg = JSON.parse(
      readFileSync(new URL('../../package.json', import.meta.url), 'utf8'),
    ) as {
      name: string;
      version: string;
    };
    expect({ APP_NAME, APP_VERSION }).toEqual({ APP_NAME: pkg.name, APP_VERSION: pkg.version });
  });
});
