import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Client } from '@hubspot/api-client';
import type Stripe from 'stripe';
import { HubSpotEmulator } from '../../emulators/hubspot/hubspot-emulator.js';
import { StripeEmulator } from '../../emulators/stripe/stripe-emulator.js';
import { createTestDatabase, type TestDatabase } from '../support/postgres.js';
import { spawnService, type ServiceProcess } from '../support/service-process.js';
import { ADMIN_TOKEN, ADMIN_TOKEN_2 } from '../support/admin-client.js';
import { sign, TEST_SECRET } from '../support/signing.js';
import { stripeSdk } from '../support/stripe-sdk.js';
import { HUBSPOT_TOKEN, STRIPE_KEY, waitFor } from '../support/sync-harness.js';

/*
 * The built service as an operator runs it, its whole output captured: after a failed batch,
 * a refused webhook and conflicts, each has its log line, and no test customer's email, name
 * or phone, nor any configured secret, appears anywhere in it.
 */

const WRONG_SECRET = 'whsec_not_the_configured_one_123456';
const WRONG_ADMIN_TOKEN = 'tok_admin_wrong_guess_0123456789';

/** Values that cannot occur in a log by chance. */
const PEOPLE = {
  kept: {
    email: 'zephyrine.quill@example.com',
    name: 'Zephyrine Quillfeather',
    phone: '+44 20 7946 0958',
  },
  poison: {
    email: 'barnaby.oakhurst@example.com',
    name: 'Barnaby Oakhurst',
    phone: '+1 415 555 0142',
  },
};
const EDITS = {
  stripeName: 'Ottilie Marchbank',
  crmFirst: 'Ottoline',
  crmPhone: '+44 20 7946 7733',
  stripePhone: '+44 20 7946 6611',
};

interface LogLine {
  level?: number;
  msg?: string;
  [key: string]: unknown;
}

const parse = (out: string): LogLine[] =>
  out
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as LogLine);

describe('what the service logs (captured from node dist/main.js)', () => {
  let stripeEmu: StripeEmulator;
  let hubspotEmu: HubSpotEmulator;
  let pg: TestDatabase;
  let service: ServiceProcess;
  let url: string;
  let stripe: Stripe;
  let hubspot: Client;

  const linkOf = async (stripeId: string) =>
    (
      await pg.query<{ crm_id: string }>(`SELECT crm_id FROM links WHERE stripe_id = $1`, [
        stripeId,
      ])
    )[0]?.crm_id;

  beforeAll(async () => {
    stripeEmu = new StripeEmulator({ retryDelaysMs: [50, 100, 200] });
    hubspotEmu = new HubSpotEmulator();
    const [stripeUrl, hubspotUrl] = await Promise.all([stripeEmu.start(), hubspotEmu.start()]);
    pg = await createTestDatabase();
    service = spawnService({
      DATABASE_URL: pg.url,
      STRIPE_SECRET_KEY: STRIPE_KEY,
      STRIPE_WEBHOOK_SECRET: TEST_SECRET,
      STRIPE_API_BASE: stripeUrl,
      HUBSPOT_ACCESS_TOKEN: HUBSPOT_TOKEN,
      HUBSPOT_API_BASE: hubspotUrl,
      // No poll between the test's two edits: the conflict is found on the Stripe event.
      CRM_POLL_INTERVAL_SECONDS: '3600',
      SYNC_RETRY_BASE_MS: '100',
      SYNC_RETRY_MAX_MS: '500',
      LOG_LEVEL: 'info',
      ADMIN_API_TOKEN: `ops:${ADMIN_TOKEN}, ${ADMIN_TOKEN_2}`,
    });
    url = await service.listening();
    stripe = stripeSdk(stripeUrl, STRIPE_KEY);
    hubspot = new Client({ accessToken: HUBSPOT_TOKEN, basePath: hubspotUrl.replace(/\/$/, '') });
  }, 60_000);

  afterAll(async () => {
    await service?.stop('SIGKILL');
    await Promise.all([stripeEmu?.stop(), hubspotEmu?.stop()]);
    await pg?.drop();
  });

  it('logs each event by ids and codes, and never a customer value or a secret', async () => {
    // The poison customer exists before the bridge hears of anything, so a constraint that
    // only its link breaks can be in place before its first event.
    const poison = await stripe.customers.create(PEOPLE.poison);
    await pg.query(
      `ALTER TABLE links ADD CONSTRAINT test_poison_record CHECK (stripe_id <> '${poison.id}')`,
    );
    stripeEmu.addWebhookEndpoint(`${url}/webhooks/stripe`, TEST_SECRET);

    const kept = await stripe.customers.create(PEOPLE.kept);
    await waitFor('the customer to be linked', async () => (await linkOf(kept.id)) !== undefined);
    const contactId = (await linkOf(kept.id))!;

    // 1. A failed batch: the poison customer's link violates the constraint.
    await stripe.customers.update(poison.id, { metadata: { touched: '1' } });
    await waitFor('the poison record to be a dead letter', async () => {
      const dead = await pg.query(
        `SELECT 1 FROM inbox_events WHERE object_id = $1 AND status = 'dead'`,
        [poison.id],
      );
      return dead.length > 0;
    });

    // 2. Refused webhooks: signed with a secret the service does not have, four times.
    const body = JSON.stringify({ id: 'evt_refused', object: 'event', type: 'customer.updated' });
    for (let i = 0; i < 4; i += 1) {
      const res = await fetch(`${url}/webhooks/stripe`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'stripe-signature': sign(body, WRONG_SECRET),
        },
        body,
      });
      expect(res.status).toBe(400);
    }

    // 3. Conflicts: both sides change the same fields before the bridge sees either. The
    // phone's policy is manual (parked for an admin); the name's is newest_wins (Stripe's
    // edit is the newer one).
    await pg.query(
      `UPDATE field_mappings SET conflict_policy = 'manual' WHERE id = 'hubspot-customer-phone'`,
    );
    await new Promise((r) => setTimeout(r, 2500)); // the mapping cache's life
    hubspotEmu.editAsUser('contacts', contactId, {
      firstname: EDITS.crmFirst,
      phone: EDITS.crmPhone,
    });
    // Stripe dates its events to the second: edit it in the next second, so it is the newer.
    await new Promise((r) => setTimeout(r, 1100 - (Date.now() % 1000)));
    await stripe.customers.update(kept.id, { name: EDITS.stripeName, phone: EDITS.stripePhone });
    await waitFor('the conflicts to be recorded', async () => {
      const rows = await pg.query(
        `SELECT 1 FROM sync_conflicts c JOIN links l ON l.id = c.link_id WHERE l.stripe_id = $1`,
        [kept.id],
      );
      return rows.length >= 2;
    });
    const contact = await hubspot.crm.contacts.basicApi.getById(contactId, ['firstname', 'phone']);
    expect(contact.properties.firstname).toBe('Ottilie');
    expect(contact.properties.phone).toBe(EDITS.crmPhone); // parked: left as the CRM has it

    const metrics = await (await fetch(`${url}/metrics`)).text();
    expect(metrics).toMatch(
      /bridge_conflicts_total\{connector="hubspot",object="customer",policy="manual",outcome="parked"\} 1/,
    );
    expect(metrics).toMatch(
      /bridge_conflicts_total\{connector="hubspot",object="customer",policy="newest_wins",outcome="stripe_won"\} 1/,
    );
    expect(metrics).toMatch(/bridge_conflicts_open \d/);

    // Admin calls with the right token, the rotated one and a wrong one: none is ever logged.
    for (const token of [ADMIN_TOKEN, ADMIN_TOKEN_2, WRONG_ADMIN_TOKEN]) {
      const res = await fetch(`${url}/mappings/hubspot-customer`, {
        headers: { authorization: `Bearer ${token}` },
      });
      expect(res.status).toBe(token === WRONG_ADMIN_TOKEN ? 403 : 200);
    }

    await service.stop('SIGTERM');
    const out = service.output();
    const lines = parse(out);

    const dead = lines.filter((l) => l.msg?.startsWith('sync job parked as a dead letter'));
    // One line per event of the poison customer (its update, and the echo of the bridge's own
    // write-back of the CRM id), and none for anything else.
    expect(dead.length).toBeGreaterThanOrEqual(1);
    for (const line of dead) {
      expect(line).toMatchObject({
        objects: `customer/${poison.id}`,
        code: '23514',
        constraint: 'test_poison_record',
      });
    }
    const refusals = lines.filter((l) => l.msg?.startsWith('Stripe webhook refused'));
    // Rate-limited: four refusals in a few milliseconds make one line.
    expect(refusals).toEqual([
      expect.objectContaining({
        code: 'signature_mismatch',
        status: 400,
        secretsConfigured: 1,
        msg: expect.stringMatching(/signing secret/i) as unknown,
      }),
    ]);
    expect(lines).toContainEqual(
      expect.objectContaining({
        msg: `conflict parked for an admin: hubspot-customer-phone of ${kept.id}`,
        policy: 'manual',
      }),
    );
    expect(lines).toContainEqual(
      expect.objectContaining({
        msg: `conflict on hubspot-customer-first-name of ${kept.id}: stripe_won`,
      }),
    );

    // Nothing a customer typed, in any case, and no secret.
    const lower = out.toLowerCase();
    const values = [
      ...Object.values(PEOPLE).flatMap((p) => [p.email, ...p.name.split(' '), p.phone]),
      ...Object.values(EDITS).flatMap((v) => v.split(' ')),
      // Phone fragments are digits a timestamp can hold by chance: phones are checked whole below.
    ].filter((v) => !/^\+?\d+$/.test(v));
    for (const v of values)
      expect({ value: v, found: lower.includes(v.toLowerCase()) }).toEqual({
        value: v,
        found: false,
      });
    for (const digits of ['79460958', '4155550142', '79467733', '79466611'])
      expect(out.replace(/[\s+-]/g, '')).not.toContain(digits);
    for (const secret of [
      TEST_SECRET,
      WRONG_SECRET,
      STRIPE_KEY,
      HUBSPOT_TOKEN,
      ADMIN_TOKEN,
      ADMIN_TOKEN_2,
      WRONG_ADMIN_TOKEN,
    ])
      expect(out).not.toContain(secret);
  }, 90_000);
});
