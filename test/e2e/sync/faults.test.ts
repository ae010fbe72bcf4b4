import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { rateLimitBody } from '../../../emulators/hubspot/errors.js';
import { startSyncHarness, type SyncHarness } from '../../support/sync-harness.js';

const CONTACTS = '/crm/v3/objects/contacts';

describe('HubSpot answering 429s and 500s for a while', () => {
  let h: SyncHarness;

  beforeAll(async () => {
    h = await startSyncHarness({
      env: { HUBSPOT_DAILY_RETRY_SECONDS: '1', SYNC_MAX_ATTEMPTS: '30', SYNC_RETRY_MAX_MS: '1000' },
    });
    // Custom properties in place before the storm, as after any first sync.
    await h.stripe.customers.create({ email: 'warmup@example.com' });
    await h.settle();
    // An admin maps a Stripe metadata key onto a HubSpot dropdown: a value that is not one of
    // its options is refused by HubSpot (INVALID_OPTION), and Stripe takes any text.
    await h.hubspot.crm.properties.coreApi.create('contacts', {
      name: 'customer_tier',
      label: 'Customer tier',
      type: 'enumeration',
      fieldType: 'select',
      groupName: 'contactinformation',
      options: [
        { label: 'Gold', value: 'gold', displayOrder: 0, hidden: false },
        { label: 'Silver', value: 'silver', displayOrder: 1, hidden: false },
      ],
    } as Parameters<typeof h.hubspot.crm.properties.coreApi.create>[1]);
    await h.addFieldMapping('hubspot-customer', {
      id: 'hubspot-customer-tier',
      stripePath: 'metadata.tier',
      crmProperty: 'customer_tier',
      direction: 'to_crm',
    });
  });
  afterAll(async () => {
    await h?.close();
  });

  it('completes after recovery: nothing lost, nothing duplicated; a bad record is a dead letter with its error', async () => {
    const faults = h.hubspotEmu.http.faults;
    const group = 'publicapi:private-app:4242424';
    faults.addFault({ path: CONTACTS, count: 4, fault: { kind: 'status', status: 500 } });
    faults.addFault({
      path: CONTACTS,
      count: 4,
      fault: {
        kind: 'status',
        status: 429,
        body: rateLimitBody('TEN_SECONDLY_ROLLING', group),
        headers: { 'retry-after': '1' },
      },
    });
    faults.addFault({
      path: CONTACTS,
      count: 2,
      fault: { kind: 'status', status: 429, body: rateLimitBody('DAILY', group) },
    });
    faults.addFault({ path: CONTACTS, count: 3, fault: { kind: 'status', status: 502 } });

    const customers = [];
    for (let i = 0; i < 25; i += 1) {
      customers.push(
        await h.stripe.customers.create({
          email: `storm-${i}@example.com`,
          name: `Storm ${i}`,
          metadata: { tier: i % 2 === 0 ? 'gold' : 'silver' },
        }),
      );
    }
    // HubSpot refuses this tier (not one of the dropdown's options); Stripe accepts it.
    const bad = await h.stripe.customers.create({
      email: 'bad-tier@example.com',
      name: 'Bad Tier',
      metadata: { tier: 'platinum' },
    });
    await h.settle(90_000);

    const statuses = h.hubspotEmu.http.requests({ path: CONTACTS }).map((r) => r.status);
    expect(statuses.filter((s) => s === 500 || s === 502)).toHaveLength(7);
    expect(statuses.filter((s) => s === 429)).toHaveLength(6);

    for (const c of customers) {
      const contact = await h.contactByStripeId(c.id);
      expect(contact.email).toBe(c.email);
    }
    const all = await h.hubspot.crm.contacts.getAll(undefined, undefined, ['email']);
    const emails = all.map((c) => c.properties.email);
    expect(new Set(emails).size).toBe(emails.length);
    expect(emails.filter((e) => e?.startsWith('storm-'))).toHaveLength(25);

    const links = await h.db.query<{ n: string }>(
      `SELECT count(*) AS n FROM links WHERE stripe_id = ANY($1)`,
      [customers.map((c) => c.id)],
    );
    expect(Number(links[0]?.n)).toBe(25);
    const dead = await h.db.query<{ object_id: string; status: string; last_error: string }>(
      `SELECT object_id, status, last_error FROM inbox_events WHERE status = 'dead'`,
    );
    expect(dead).toEqual([
      expect.objectContaining({
        object_id: bad.id,
        status: 'dead',
        last_error: expect.stringMatching(/INVALID_OPTION/),
      }),
    ]);
  });
});
