import { afterAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { stripeEvent } from '../support/fixtures.js';
import { MAIN_JS, spawnService, type ServiceProcess } from '../support/service-process.js';
import { sign, TEST_SECRET } from '../support/signing.js';

const PROD = { STRIPE_SECRET_KEY: 'sk_test_process_tests_00', STRIPE_WEBHOOK_SECRET: TEST_SECRET };
const BACKFILL_JS = join(dirname(MAIN_JS), 'sync/backfill/backfill-cli.js');
const freshDir = () => mkdtempSync(join(tmpdir(), 'bridge-proc-'));

const postEvent = (url: string, body: string) =>
  fetch(`${url}/webhooks/stripe`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'stripe-signature': sign(body) },
    body,
  });

describe('node dist/main.js', () => {
  const running: ServiceProcess[] = [];
  const start = (env: Record<string, string>) => {
    const s = spawnService(env);
    running.push(s);
    return s;
  };
  afterAll(async () => {
    await Promise.all(running.map((s) => s.stop('SIGKILL')));
  });

  it.each([
    [
      'no STRIPE_WEBHOOK_SECRET',
      { STRIPE_SECRET_KEY: PROD.STRIPE_SECRET_KEY },
      /STRIPE_WEBHOOK_SECRET: required/,
    ],
    [
      'a malformed DATABASE_URL',
      { ...PROD, DATABASE_URL: 'localhost:5432/db' },
      /DATABASE_URL: expected a postgres:\/\/ URL/,
    ],
    [
      'an unreachable DATABASE_URL',
      { ...PROD, DATABASE_URL: 'postgres://u:pw-9f2@127.0.0.1:1/db' },
      /DATABASE_URL: cannot connect to PostgreSQL at 127\.0\.0\.1:1\/db/,
    ],
  ])('exits non-zero on %s, naming the variable', async (_label, env, message) => {
    const s = start({ ...env, DATA_DIR: freshDir() });
    expect(await s.exited()).not.toBe(0);
    expect(s.output()).toMatch(message);
    expect(s.output()).not.toContain('pw-9f2');
    expect(s.output()).not.toContain(TEST_SECRET);
  });

  it('boots on the embedded database, keeps events across a restart, and stops cleanly', async () => {
    const dataDir = freshDir();
    const first = start({ ...PROD, DATA_DIR: dataDir });
    const url = await first.listening();
    expect((await fetch(`${url}/health/ready`)).status).toBe(200);
    const body = JSON.stringify(stripeEvent('customer.created'));
    await expect((await postEvent(url, body)).json()).resolves.toEqual({
      received: true,
      duplicate: false,
    });
    expect(await first.stop('SIGTERM')).toBe(0);

    const second = start({ ...PROD, DATA_DIR: dataDir });
    const url2 = await second.listening();
    // Still there: the redelivery is recognised as already stored.
    await expect((await postEvent(url2, body)).json()).resolves.toEqual({
      received: true,
      duplicate: true,
    });
    expect(await second.stop('SIGTERM')).toBe(0);
  });

  it('a newcomer can start the local profile with nothing configured', async () => {
    const s = start({ APP_PROFILE: 'local', DATA_DIR: freshDir() });
    const url = await s.listening();
    expect((await fetch(`${url}/health/ready`)).status).toBe(200);
    expect(s.output()).toMatch(
      /local profile: STRIPE_WEBHOOK_SECRET not set, using the newly generated local secret in \S+local-secrets\.json/,
    );
    expect(s.output()).toMatch(/no CRM is configured: .* nothing will sync until you set/);
    expect(await s.stop()).toBe(0);
  });

  it('on SIGTERM finishes in-flight webhooks: every acknowledged event is on disk', async () => {
    const dataDir = freshDir();
    const s = start({ ...PROD, DATA_DIR: dataDir });
    const url = await s.listening();
    const bodies = Array.from({ length: 150 }, () => JSON.stringify(stripeEvent('invoice.paid')));
    // SIGTERM lands as the first answer arrives, while the rest are still in flight.
    let signalled = false;
    const inFlight = bodies.map((b) =>
      postEvent(url, b).then(
        (r) => {
          if (!signalled) signalled = s.proc.kill('SIGTERM');
          return r.status;
        },
        () => 0,
      ),
    );
    const statuses = await Promise.all(inFlight);
    expect(await s.exited(20_000)).toBe(0);
    const acked = bodies.filter((_, i) => statuses[i] === 200);
    expect(acked.length).toBeGreaterThan(0);

    // Restart and redeliver: each acknowledged event must already be stored.
    const again = start({ ...PROD, DATA_DIR: dataDir });
    const url2 = await again.listening();
    for (const b of acked) {
      await expect((await postEvent(url2, b)).json()).resolves.toEqual({
        received: true,
        duplicate: true,
      });
    }
    expect(statuses.every((st) => st === 200 || st === 503 || st === 0)).toBe(true);
    expect(await again.stop()).toBe(0);
  });

  it('a second process on the same embedded database (the backfill CLI, another service) says so in one line', async () => {
    const dataDir = freshDir();
    const s = start({ ...PROD, DATA_DIR: dataDir });
    await s.listening();
    // The CLI receives no webhooks: it runs without STRIPE_WEBHOOK_SECRET.
    const cliEnv = {
      PATH: process.env.PATH ?? '',
      STRIPE_SECRET_KEY: PROD.STRIPE_SECRET_KEY,
      DATA_DIR: dataDir,
    };
    const cli = spawnSync(process.execPath, [BACKFILL_JS, '--object', 'customer'], {
      cwd: dirname(dirname(MAIN_JS)),
      env: cliEnv,
      encoding: 'utf8',
      timeout: 30_000,
    });
    const inUse = new RegExp(
      `^Cannot start: DATA_DIR ${dataDir} is in use by process ${s.proc.pid} \\(the running service\\?\\).*set DATABASE_URL`,
    );
    expect(cli.status).toBe(1);
    expect(`${cli.stdout}${cli.stderr}`.trim().split('\n')).toEqual([expect.stringMatching(inUse)]);

    const second = start({ ...PROD, DATA_DIR: dataDir });
    expect(await second.exited()).toBe(1);
    expect(second.output().trim().split('\n')).toEqual([expect.stringMatching(inUse)]);
    expect(await s.stop()).toBe(0);
  });
});
