import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { mapLimit } from '../../../src/common/map-limit.js';
import { startSyncHarness, waitFor, type SyncHarness } from '../../support/sync-harness.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const CLI = `${ROOT}dist/sync/backfill/backfill-cli.js`;
const N = 600;

/** `npm run backfill -- --object customer` as its own process (what `npm run backfill` runs). */
function backfill(env: Record<string, string>) {
  const proc = spawn(
    process.execPath,
    [CLI, '--object', 'customer', '--concurrency', '2', '--writeback-rate', '2000'],
    {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', LOG_LEVEL: 'info', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let out = '';
  proc.stdout.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((r) => proc.on('exit', (code) => r(code)));
  return { proc, exited, output: () => out };
}

describe('backfill: kill it mid-run, start it again', () => {
  let h: SyncHarness;

  beforeAll(async () => {
    h = await startSyncHarness({ webhooks: false });
  });
  afterAll(async () => {
    await h?.close();
  });

  it('resumes after the last committed page and ends with every customer linked exactly once', async () => {
    const customers = await mapLimit(
      Array.from({ length: N }, (_, i) => i),
      8,
      (i) =>
        h.stripe.customers.create({ email: `backfill-${i}@example.com`, name: `Customer ${i}` }),
    );
    // Three of them already exist in HubSpot (other case): they must be linked, not duplicated.
    for (const i of [5, 250, 590]) {
      await h.hubspot.crm.contacts.basicApi.create({
        properties: { email: `BACKFILL-${i}@example.com`, firstname: 'Existing' },
        associations: [],
      });
    }
    // Slow HubSpot writes down so the kill lands mid-run.
    h.hubspotEmu.http.faults.setLatency({ path: '/crm/v3/objects/contacts/batch', ms: 250 });
    h.registerWebhooks(); // webhooks now flow while the backfill runs

    const first = backfill(h.env);
    await waitFor(
      'some committed pages',
      async () => {
        const rows = await h.db.query<{ done: number }>(`SELECT done FROM backfill_runs`);
        return (rows[0]?.done ?? 0) >= 200;
      },
      60_000,
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

    h.hubspotEmu.http.faults.setLatency({ path: '/crm/v3/objects/contacts/batch', ms: 0 });
    const second = backfill(h.env);
    const code = await second.exited;
    if (code !== 0)
      throw new Error(`the second backfill exited ${String(code)}:\n${second.output()}`);
    expect(second.output()).toMatch(/resuming backfill/);
    expect(second.output()).toMatch(/wrote the CRM id back to \d+ Stripe objects/);
    // The write-back phase reports its progress too, ending with every pending write done.
    const progress = [
      ...second.output().matchAll(/write-back customer→hubspot: (\d+)\/(\d+) at /g),
    ];
    expect(progress.length).toBeGreaterThan(0);
    const [, done, total] = progress.at(-1) ?? [];
    expect(Number(done)).toBeGreaterThan(0);
    expect(done).toBe(total);
    await h.settle(60_000);

    const runs = await h.db.query<{ status: string }>(`SELECT status FROM backfill_runs`);
    expect(runs).toEqual([{ status: 'done' }]);
    const links = await h.db.query<{ stripe_id: string; crm_id: string }>(
      `SELECT stripe_id, crm_id FROM links`,
    );
    expect(links).toHaveLength(N + 1);
    expect(new Set(links.map((l) => l.crm_id)).size).toBe(N + 1);
    const contacts = await h.hubspot.crm.contacts.getAll(undefined, undefined, [
      'email',
      'stripe_customer_id',
      'firstname',
      'lastname',
    ]);
    expect(contacts).toHaveLength(N + 1);
    const byStripeId = new Map(contacts.map((c) => [c.properties.stripe_customer_id, c]));
    for (const c of [...customers, late]) {
      expect(byStripeId.get(c.id)?.properties.email).toBe(c.email);
    }
    // A first link has no shared history: Stripe's non-blank name wins (first_link_policy
    // stripe_wins), and Stripe keeps it.
    expect(byStripeId.get(customers[250]?.id)?.properties.firstname).toBe('Customer');
    expect(
      (await h.stripe.customers.retrieve(customers[250]!.id)) as { name?: string },
    ).toMatchObject({ name: 'Customer 250' });
    expect(byStripeId.get(edited?.id)?.properties.lastname).toBe('Backfill');
    expect(byStripeId.get(edited?.id)?.properties.firstname).toBe('Edited During');

    const linkById = new Map(links.map((l) => [l.stripe_id, l.crm_id]));
    for await (const c of h.stripe.customers.list({ limit: 100 })) {
      expect(c.metadata.hubspot_contact_id).toBe(linkById.get(c.id));
    }
  }, 180_000);
});
