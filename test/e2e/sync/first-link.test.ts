import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type Stripe from 'stripe';
import { startSyncHarness, type SyncHarness } from '../../support/sync-harness.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const CLI = `${ROOT}dist/sync/backfill/backfill-cli.js`;

/** `npm run backfill -- --object customer …` as its own process; resolves with its output. */
async function backfill(env: Record<string, string>, ...args: string[]): Promise<string> {
  const proc = spawn(process.execPath, [CLI, '--object', 'customer', ...args], {
    cwd: ROOT,
    // No webhook secret: the CLI receives no webhooks and must not ask for one.
    env: { PATH: process.env.PATH ?? '', LOG_LEVEL: 'warn', ...env, STRIPE_WEBHOOK_SECRET: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  proc.stdout.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const code = await new Promise<number | null>((r) => proc.on('exit', (c) => r(c)));
  if (code !== 0) throw new Error(`backfill ${args.join(' ')} exited ${String(code)}:\n${out}`);
  return out;
}

/**
 * A first link has no shadow, so a three-way merge has no base: the mapping's first-link
 * policy decides, and by default Stripe's non-blank values win (names reach invoices), while a
 * blank on either side is filled from the other.
 */
describe('backfill onto CRM records that already exist, with other names', () => {
  let h: SyncHarness;
  let user1: Stripe.Customer;
  let user2: Stripe.Customer;
  let fresh: Stripe.Customer;
  let hubspotPre: string;

  beforeAll(async () => {
    h = await startSyncHarness({ crms: ['hubspot', 'salesforce'], webhooks: false });
    user1 = await h.stripe.customers.create({ email: 'user1@example.com', name: 'User Number1' });
    user2 = await h.stripe.customers.create({ email: 'user2@example.com', name: 'User Number2' });
    fresh = await h.stripe.customers.create({ email: 'fresh@example.com', name: 'Fresh One' });
    const pre = await h.hubspot.crm.contacts.basicApi.create({
      properties: {
        email: 'user1@example.com',
        firstname: 'Pre',
        lastname: 'Existing',
        phone: '+1 555 0001',
      },
      associations: [],
    });
    hubspotPre = pre.id;
    await h.hubspot.crm.contacts.basicApi.create({
      properties: { email: 'user2@example.com', firstname: 'User', lastname: 'Number2' },
      associations: [],
    });
    await h.sfUser().sobject('Contact').create({
      Email: 'user1@example.com',
      FirstName: 'Pre',
      LastName: 'Existing',
    });
  });
  afterAll(async () => {
    await h?.close();
  });

  const counts = async () => ({
    stripeWrites: h.stripeEmu.http.requests({ method: 'POST' }).length,
    hubspotWrites: h.hubspotEmu.writeCount('contacts'),
    salesforceWrites: h.sfWriteCalls(),
    rows: await h.db.query(
      `SELECT (SELECT count(*)::int FROM links) AS links,
              (SELECT count(*)::int FROM backfill_runs) AS runs,
              (SELECT count(*)::int FROM sync_conflicts) AS conflicts,
              (SELECT count(*)::int FROM duplicate_candidates) AS duplicates`,
    ),
  });

  it('--dry-run reports what it would link, create and change on each side, and writes nothing', async () => {
    const before = await counts();
    const out = await backfill(h.env, '--dry-run');
    expect(out).toMatch(/hubspot \(customer → contacts\), dry run: nothing was written/);
    expect(out).toMatch(/would link 2 existing contacts records, create 1; ambiguous 0/);
    expect(out).toMatch(
      /first-link differences: 1 objects \(Stripe's value kept in 2 fields, the CRM's in 0\)/,
    );
    expect(out).toMatch(
      /would change in hubspot \(existing records\): .*firstname ×1.*lastname ×1/,
    );
    expect(out).toMatch(/would change in Stripe: phone ×1; CRM id written back to 3 objects/);
    expect(out).toMatch(/salesforce \(customer → Contact\), dry run: nothing was written/);
    expect(out).toMatch(/would link 1 existing Contact records, create 2/);
    expect(await counts()).toEqual(before);
  });

  it('keeps Stripe’s names, fills blanks both ways, and reports the differences', async () => {
    const out = await backfill(h.env, '--writeback-rate', '1000');
    expect(out).toMatch(
      /hubspot: 3 customer objects — created 1, linked 2, .*first-link differences 1/,
    );
    expect(out).toMatch(
      /salesforce: 3 customer objects — created 2, linked 1, .*first-link differences 1/,
    );

    const stripe1 = (await h.stripe.customers.retrieve(user1.id)) as Stripe.Customer;
    expect(stripe1.name).toBe('User Number1');
    // Stripe had no phone: the CRM's fills it.
    expect(stripe1.phone).toBe('+1 555 0001');
    expect(await h.contactByStripeId(user1.id)).toMatchObject({
      id: hubspotPre,
      firstname: 'User',
      lastname: 'Number1',
    });
    expect(h.sfContactByStripeId(user1.id)).toMatchObject({
      FirstName: 'User',
      LastName: 'Number1',
    });
    expect(((await h.stripe.customers.retrieve(user2.id)) as Stripe.Customer).name).toBe(
      'User Number2',
    );
    expect(await h.contactByStripeId(fresh.id)).toMatchObject({
      firstname: 'Fresh',
      lastname: 'One',
    });

    const conflicts = await h.db.query(
      `SELECT l.connector, c.field_mapping_id, c.policy, c.winner, c.status, c.first_link
         FROM sync_conflicts c JOIN links l ON l.id = c.link_id
        ORDER BY l.connector, c.field_mapping_id`,
    );
    const row = (connector: string, field: string) => ({
      connector,
      field_mapping_id: field,
      policy: 'stripe_wins',
      winner: 'stripe',
      status: 'resolved',
      first_link: true,
    });
    expect(conflicts).toEqual([
      row('hubspot', 'hubspot-customer-first-name'),
      row('hubspot', 'hubspot-customer-last-name'),
      row('salesforce', 'salesforce-customer-first-name'),
      row('salesforce', 'salesforce-customer-last-name'),
    ]);
    const runs = await h.db.query(
      `SELECT connector, differences FROM backfill_runs ORDER BY connector`,
    );
    expect(runs).toEqual([
      { connector: 'hubspot', differences: 1 },
      { connector: 'salesforce', differences: 1 },
    ]);
    expect(out).toMatch(/write-back to Stripe \(hubspot\): 3\/3/);
  });
});
