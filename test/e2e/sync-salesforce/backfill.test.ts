import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Txn } from '../../../emulators/salesforce/data.js';
import { mapLimit } from '../../../src/common/map-limit.js';
import { startSyncHarness, waitFor, type SyncHarness } from '../../support/sync-harness.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const CLI = `${ROOT}dist/sync/backfill/backfill-cli.js`;
const N = 600;
/** sObject Collections take 200 records a call, so a backfill batch is 200 customers. */
const BATCH = 200;
const COLLECTIONS = '/services/data/v62.0/composite/sobjects';

/** `npm run backfill -- --object customer --connector salesforce` as its own process. */
function backfill(env: Record<string, string>) {
  const proc = spawn(
    process.execPath,
    [
      CLI,
      '--object',
      'customer',
      '--connector',
      'salesforce',
      '--concurrency',
      '2',
      '--writeback-rate',
      '2000',
    ],
    {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', LOG_LEVEL: 'info', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let out = '';
  proc.stdout.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr.on('data', (d: Buffer) => (out += d.toString()));
  let running = true;
  const exited = new Promise<number | null>((r) =>
    proc.on('exit', (code) => {
      running = false;
      r(code);
    }),
  );
  return { proc, exited, output: () => out, running: () => running };
}

describe('Salesforce backfill: kill it mid-run, start it again', () => {
  let h: SyncHarness;

  beforeAll(async () => {
    h = await startSyncHarness({ crms: ['salesforce'], webhooks: false });
  });
  afterAll(async () => {
    await h?.close();
  });

  it('resumes after the last committed batch and ends with every customer linked exactly once', async () => {
    const customers = await mapLimit(
      Array.from({ length: N }, (_, i) => i),
      8,
      (i) =>
        h.stripe.customers.create({ email: `backfill-${i}@example.com`, name: `Customer ${i}` }),
    );
    // Three of them already exist in Salesforce (other case), entered by a user: they must be
    // linked, not duplicated.
    const existing = new Map<number, string>();
    for (const i of [5, 250, 590]) {
      const id = h.sfEmu.data.create(
        'Contact',
        { Email: `BACKFILL-${i}@example.com`, FirstName: 'Existing', LastName: `Contact ${i}` },
        h.sfEmu.uiUserId,
        new Txn(),
      );
      existing.set(i, id);
    }
    // Slow Salesforce writes down so the kill lands mid-run.
    h.sfEmu.http.faults.setLatency({ path: COLLECTIONS, ms: 1500 });
    h.registerWebhooks(); // webhooks now flow while the backfill runs

    const first = backfill(h.env);
    await waitFor(
      'a committed batch',
      async () => {
        if (!first.running()) throw new Error(`the backfill ended early:\n${first.output()}`);
        const rows = await h.db.query<{ done: number }>(`SELECT done FROM backfill_runs`);
        return (rows[0]?.done ?? 0) >= BATCH;
      },
      90_000,
    );
    // Meanwhile: a new customer and an edit arrive by webhook.
    const late = await h.stripe.customers.create({ email: 'late@example.com', name: 'Late Comer' });
    const edited = customers[10];
    await h.stripe.customers.update(edited?.id ?? '', { name: 'Edited During Backfill' });
    first.proc.kill('SIGKILL');
    await first.exited;
    const atKill = await h.db.query<{ status: string; done: number }>(
      `SELECT status, done FROM backfill_runs`,
    );
    expect(atKill).toEqual([expect.objectContaining({ status: 'running' })]);
    expect(atKill[0]?.done).toBeLessThan(N);

    h.sfEmu.http.faults.setLatency({ path: COLLECTIONS, ms: 0 });
    const second = backfill(h.env);
    const code = await second.exited;
    if (code !== 0) {
      throw new Error(`the second backfill exited ${String(code)}:\n${second.output()}`);
    }
    expect(second.output()).toMatch(/resuming backfill/);
    expect(second.output()).toMatch(/wrote the CRM id back to \d+ Stripe objects/);
    await h.settle(60_000);

    const runs = await h.db.query<{ status: string }>(`SELECT status FROM backfill_runs`);
    expect(runs).toEqual([{ status: 'done' }]);
    const links = await h.db.query<{ stripe_id: string; crm_id: string; status: string }>(
      `SELECT stripe_id, crm_id, status FROM links WHERE connector = 'salesforce'`,
    );
    expect(links).toHaveLength(N + 1);
    expect(new Set(links.map((l) => l.stripe_id)).size).toBe(N + 1);
    expect(new Set(links.map((l) => l.crm_id)).size).toBe(N + 1);
    expect(links.every((l) => l.status === 'active')).toBe(true);

    const contacts = h.sfEmu.records('Contact');
    expect(contacts).toHaveLength(N + 1);
    const byStripeId = new Map(contacts.map((c) => [c.Stripe_Customer_Id__c, c]));
    for (const c of [...customers, late]) {
      expect(String(byStripeId.get(c.id)?.Email).toLowerCase()).toBe(c.email);
    }
    // A matched Contact keeps the case its user typed (the same address is no change), and on
    // a first link Stripe's non-blank name wins (first_link_policy stripe_wins).
    for (const [i, id] of existing) {
      expect(byStripeId.get(customers[i]?.id)).toMatchObject({
        Id: id,
        FirstName: 'Customer',
        Email: `BACKFILL-${i}@example.com`,
      });
    }
    expect(byStripeId.get(edited?.id)).toMatchObject({
      FirstName: 'Edited During',
      LastName: 'Backfill',
    });

    const linkById = new Map(links.map((l) => [l.stripe_id, l.crm_id]));
    for (const c of contacts) {
      expect(linkById.get(String(c.Stripe_Customer_Id__c))).toBe(c.Id);
    }
    for await (const c of h.stripe.customers.list({ limit: 100 })) {
      expect(c.metadata.salesforce_contact_id).toBe(linkById.get(c.id));
    }

    // Writes go in sObject Collections calls of up to 200 records, so per batch of 200: one
    // upsert for the new Contacts, one update linking the batch's pre-existing Contact (matched
    // by email) — 2 × ceil(600 / 200) for the whole backfill. The batches in flight at the kill
    // (2 at most, --concurrency 2) were sent but not committed, so the second run sends them
    // again (2 calls each). The webhooks add one write each for 'late' and 'edited'. A matched
    // Contact's upper-case email is the same address in the rule's (lower-case) form: nothing
    // is written back either way. Per-record writes would be hundreds of calls.
    const upserts = h.sfEmu.http.requests({ path: `${COLLECTIONS}/Contact/Stripe_Customer_Id__c` });
    expect(upserts.length).toBeLessThanOrEqual(Math.ceil(N / BATCH) + 2 + 2);
    expect(h.sfWriteCalls()).toBeLessThanOrEqual(2 * Math.ceil(N / BATCH) + 2 * 2 + 2);
    // Nothing but collection calls wrote: no single-record sObject writes.
    expect(h.sfWriteCalls()).toBe(h.sfEmu.http.requests({ path: COLLECTIONS }).length);
  }, 180_000);
});
