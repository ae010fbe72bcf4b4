import { describe, expect, it } from '@jest/globals';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const DEMO_JS = join(ROOT, '.tools-dist', 'scripts', 'demo.js');

describe('npm run demo', () => {
  it('runs with no credentials, shows Stripe events reaching the bridge and both CRMs, and stops on Ctrl-C', async () => {
    if (!existsSync(DEMO_JS)) throw new Error(`${DEMO_JS} is missing: run \`npm run build:tools\``);
    const proc = spawn(process.execPath, [DEMO_JS], {
      cwd: ROOT,
      // Nothing from the developer's environment: no keys, no database URL.
      env: {
        PATH: process.env.PATH ?? '',
        PORT: '0',
        DATA_DIR: mkdtempSync(join(tmpdir(), 'demo-')),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    proc.stdout.on('data', (d: Buffer) => (out += d.toString()));
    proc.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((r) => proc.on('exit', (code) => r(code)));

    const deadline = Date.now() + 45_000;
    const seen = () => (out.match(/Stripe customer\.created .*→ bridge inbox/g) ?? []).length;
    // Each customer reaches both CRMs (the feed prints each event's outcome per connector).
    const synced = () => /hubspot:created,salesforce:created/.test(out);
    while (seen() < 3 || !/customer\.subscription\.created/.test(out) || !synced()) {
      if (Date.now() > deadline || proc.exitCode !== null) throw new Error(`demo output:\n${out}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    proc.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(out).toMatch(/Ctrl-C: stopping/);
    expect(out).toMatch(/stopped\n$/);
  });
});
