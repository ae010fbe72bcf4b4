import { describe, expect, it } from '@jest/globals';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const DEMO_JS = join(ROOT, '.tools-dist', 'scripts', 'demo.js');

/** One `npm run demo` until every seeded customer reached both CRMs, then Ctrl-C. */
async function runDemo(dataDir: string): Promise<string> {
  const proc = spawn(process.execPath, [DEMO_JS], {
    cwd: ROOT,
    // Nothing from the developer's environment: no keys, no database URL.
    env: { PATH: process.env.PATH ?? '', PORT: '0', DATA_DIR: dataDir },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  proc.stdout.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((r) => proc.on('exit', (code) => r(code)));

  const deadline = Date.now() + 45_000;
  const seen = () => (out.match(/Stripe customer\.created .*→ bridge inbox/g) ?? []).length;
  // Each customer reaches both CRMs (the feed prints each event's outcome per connector).
  const synced = () => (out.match(/hubspot:created,salesforce:created/g) ?? []).length >= 3;
  while (seen() < 3 || !/customer\.subscription\.created/.test(out) || !synced()) {
    if (Date.now() > deadline || proc.exitCode !== null) throw new Error(`demo output:\n${out}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  proc.kill('SIGINT');
  expect(await exited).toBe(0);
  expect(out).toMatch(/Ctrl-C: stopping/);
  expect(out).toMatch(/stopped\n$/);
  return out;
}

/** Log lines at warn or above (pino levels 40+), dead letters and failures in the feed. */
const troubles = (out: string) =>
  out.split('\n').filter((l) => /"level":(4|5|6)\d/.test(l) || /dead letter|failed|Error/.test(l));

describe('npm run demo', () => {
  it('runs with no credentials, shows Stripe events reaching the bridge and both CRMs, and stops on Ctrl-C — twice in one checkout, the second run as clean as the first', async () => {
    if (!existsSync(DEMO_JS)) throw new Error(`${DEMO_JS} is missing: run \`npm run build:tools\``);
    const dataDir = join(mkdtempSync(join(tmpdir(), 'demo-')), 'data');
    const first = await runDemo(dataDir);
    expect(first).toMatch(/starting clean: a new database in /);
    expect(first).toMatch(
      /curl -H "Authorization: Bearer adm_[\w-]+" http:\/\/127\.0\.0\.1:\d+\/mappings/,
    );
    expect(troubles(first)).toEqual([]);

    // The emulators start over; the database from the first run must not pair new customers
    // with records that no longer exist.
    const second = await runDemo(dataDir);
    expect(second).toMatch(/starting clean: removed the previous run's database in /);
    expect(troubles(second)).toEqual([]);
  }, 120_000);

  it('refuses to wipe a directory it did not create', async () => {
    if (!existsSync(DEMO_JS)) throw new Error(`${DEMO_JS} is missing: run \`npm run build:tools\``);
    // Someone's own data, say: the demo must leave it alone.
    const dir = mkdtempSync(join(tmpdir(), 'not-demo-'));
    writeFileSync(join(dir, 'precious.txt'), 'keep me');
    const proc = spawn(process.execPath, [DEMO_JS], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', PORT: '0', DATA_DIR: dir },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    proc.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const code = await new Promise<number | null>((r) => proc.on('exit', (c) => r(c)));
    expect(code).toBe(1);
    expect(out).toMatch(/is not empty and was not created by the demo/);
    expect(existsSync(join(dir, 'precious.txt'))).toBe(true);
  });
});
