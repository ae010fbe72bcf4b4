import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startSyncHarness, waitFor, type SyncHarness } from '../../support/sync-harness.js';

const COLLECTIONS = '/services/data/v62.0/composite/sobjects';
const TOKEN = '/services/oauth2/token';
const DAILY_BUDGET = 10_000;

const serverUnavailable = [{ errorCode: 'SERVER_UNAVAILABLE', message: 'Service unavailable' }];
const unknownException = [{ errorCode: 'UNKNOWN_EXCEPTION', message: 'An unexpected error' }];
const limitExceeded = [
  { errorCode: 'REQUEST_LIMIT_EXCEEDED', message: 'TotalRequests Limit exceeded.' },
];

interface InboxRow {
  event_id: string;
  object_id: string;
  status: string;
  outcome: string | null;
  attempts: number;
  last_error: string | null;
}

async function inboxFor(h: SyncHarness, ids: string[]): Promise<InboxRow[]> {
  return h.db.query<InboxRow>(
    `SELECT event_id, object_id, status, outcome, attempts, last_error FROM inbox_events
      WHERE object_id = ANY($1) ORDER BY received_at`,
    [ids],
  );
}

async function warmUp(h: SyncHarness): Promise<void> {
  // The schema check and a first session, as after any first sync.
  await h.stripe.customers.create({ email: 'warmup@example.com', name: 'Warm Up' });
  await h.settle();
}

describe('Salesforce answering 503s and 500s for a while', () => {
  let h: SyncHarness;

  beforeAll(async () => {
    h = await startSyncHarness({
      crms: ['salesforce'],
      env: { SYNC_MAX_ATTEMPTS: '30', SYNC_RETRY_BASE_MS: '50', SYNC_RETRY_MAX_MS: '500' },
    });
    await warmUp(h);
  });
  afterAll(async () => {
    await h?.close();
  });

  it('completes after recovery: nothing lost, nothing duplicated; a refused record is a dead letter with its error code', async () => {
    const faults = h.sfEmu.http.faults;
    faults.addFault({
      path: COLLECTIONS,
      count: 5,
      fault: { kind: 'status', status: 503, body: serverUnavailable },
    });
    faults.addFault({
      path: COLLECTIONS,
      count: 4,
      fault: { kind: 'status', status: 500, body: unknownException },
    });

    const customers = [];
    for (let i = 0; i < 25; i += 1) {
      customers.push(
        await h.stripe.customers.create({ email: `storm-${i}@example.com`, name: `Storm ${i}` }),
      );
    }
    // Salesforce refuses this name (LastName holds 80 characters); Stripe takes 256.
    const bad = await h.stripe.customers.create({
      email: 'long-name@example.com',
      name: `Long ${'n'.repeat(120)}`,
    });
    await h.settle(60_000);

    const statuses = h.sfEmu.http.requests({ path: COLLECTIONS }).map((r) => r.status);
    expect(statuses.filter((s) => s === 503)).toHaveLength(5);
    expect(statuses.filter((s) => s === 500)).toHaveLength(4);

    for (const c of customers) {
      expect(h.sfContactByStripeId(c.id)).toMatchObject({ Email: c.email });
    }
    const contacts = h.sfEmu.records('Contact');
    const stripeIds = contacts.map((c) => c.Stripe_Customer_Id__c);
    expect(new Set(stripeIds).size).toBe(stripeIds.length);
    const emails = contacts.map((c) => String(c.Email));
    expect(new Set(emails).size).toBe(emails.length);
    expect(emails.filter((e) => e.startsWith('storm-'))).toHaveLength(25);
    expect(contacts.filter((c) => c.Stripe_Customer_Id__c === bad.id)).toHaveLength(0);

    const links = await h.db.query<{ n: string }>(
      `SELECT count(*) AS n FROM links WHERE connector = 'salesforce' AND stripe_id = ANY($1)`,
      [customers.map((c) => c.id)],
    );
    expect(Number(links[0]?.n)).toBe(25);
    const dead = await h.db.query<{ object_id: string; last_error: string }>(
      `SELECT object_id, last_error FROM inbox_events WHERE status = 'dead'`,
    );
    expect(dead).toEqual([
      { object_id: bad.id, last_error: expect.stringContaining('STRING_TOO_LONG') },
    ]);
  }, 90_000);
});

describe('Salesforce answering REQUEST_LIMIT_EXCEEDED', () => {
  let h: SyncHarness;

  beforeAll(async () => {
    h = await startSyncHarness({
      crms: ['salesforce'],
      env: {
        SYNC_MAX_ATTEMPTS: '3',
        SYNC_RETRY_BASE_MS: '50',
        SYNC_RETRY_MAX_MS: '500',
        SALESFORCE_BUDGET_PAUSE_SECONDS: '3',
      },
    });
    await warmUp(h);
  });
  afterAll(async () => {
    await h?.close();
  });

  it('holds the work for the quota, keeping its attempts, then completes it once Salesforce answers again', async () => {
    // More refusals than SYNC_MAX_ATTEMPTS: were they spending attempts, the work would die.
    h.sfEmu.http.faults.addFault({
      path: '/services/data/',
      count: 5,
      fault: { kind: 'status', status: 403, body: limitExceeded },
    });
    const writesBefore = h.sfWriteCalls();
    const customers = [];
    for (let i = 0; i < 3; i += 1) {
      customers.push(
        await h.stripe.customers.create({ email: `quota-${i}@example.com`, name: `Quota ${i}` }),
      );
    }
    const ids = customers.map((c) => c.id);
    await waitFor('the jobs to wait for the quota', async () => {
      const rows = await inboxFor(h, ids);
      return rows.length === 3 && rows.every((r) => r.outcome?.startsWith('waiting_for_quota'));
    });
    const rows = await inboxFor(h, ids);
    expect(rows).toEqual(
      ids.map((id) =>
        expect.objectContaining({
          object_id: id,
          status: 'pending',
          outcome: 'waiting_for_quota:request_limit_exceeded',
          attempts: 0,
        }),
      ),
    );
    // The refusals came on the matching reads, before any write was sent.
    expect(h.sfWriteCalls()).toBe(writesBefore);
    const refused = h.sfEmu.http
      .requests({ path: '/services/data/' })
      .filter((r) => r.status === 403);
    expect(refused.length).toBeGreaterThanOrEqual(1);
    for (const id of ids) {
      expect(h.sfEmu.records('Contact').filter((c) => c.Stripe_Customer_Id__c === id)).toEqual([]);
    }
    // Held for the pause (SALESFORCE_BUDGET_PAUSE_SECONDS), not a retry backoff of 50-500 ms.
    const waits = await h.db.query<{ s: number }>(
      `SELECT extract(epoch FROM next_attempt_at - now())::float AS s FROM inbox_events
        WHERE object_id = ANY($1)`,
      [ids],
    );
    for (const w of waits) expect(w.s).toBeGreaterThan(1);

    // The allocation frees up (the refusals run out): every customer lands exactly once.
    await waitFor(
      'every held customer to be linked',
      async () => {
        const linked = await h.db.query(
          `SELECT 1 FROM links WHERE connector = 'salesforce' AND stripe_id = ANY($1)`,
          [ids],
        );
        return linked.length === 3;
      },
      60_000,
    );
    await h.settle();
    for (const id of ids) {
      expect(h.sfEmu.records('Contact').filter((c) => c.Stripe_Customer_Id__c === id)).toHaveLength(
        1,
      );
    }
    expect(h.sfEmu.http.faults.takeFault('GET', '/services/data/v62.0/query')).toBeNull();
    const dead = await h.db.query(`SELECT event_id FROM inbox_events WHERE status = 'dead'`);
    expect(dead).toEqual([]);
  }, 90_000);
});

describe('an expired Salesforce session mid-run', () => {
  let h: SyncHarness;

  beforeAll(async () => {
    h = await startSyncHarness({ crms: ['salesforce'] });
    await warmUp(h);
  });
  afterAll(async () => {
    await h?.close();
  });

  it('renews it through client credentials once and writes the change exactly once', async () => {
    const customer = await h.stripe.customers.create({
      email: 'renew@example.com',
      name: 'Re New',
    });
    await h.settle();
    const contactId = h.sfContactByStripeId(customer.id).Id;

    const tokenCalls = () => h.sfEmu.http.requests({ method: 'POST', path: TOKEN }).length;
    const writeCalls = () =>
      h.sfEmu.http
        .requests({ path: COLLECTIONS })
        .filter((r) => r.method === 'POST' || r.method === 'PATCH').length;
    const tokensBefore = tokenCalls();
    const writesBefore = writeCalls();
    const contactWritesBefore = h.sfEmu.writeCount('Contact');

    h.sfEmu.expireSessions();
    await h.stripe.customers.update(customer.id, { name: 'Renewed Session' });
    await h.settle();

    expect(tokenCalls()).toBe(tokensBefore + 1);
    expect(writeCalls()).toBe(writesBefore + 1);
    expect(h.sfEmu.writeCount('Contact')).toBe(contactWritesBefore + 1);
    expect(h.sfContactByStripeId(customer.id)).toMatchObject({
      Id: contactId,
      FirstName: 'Renewed',
      LastName: 'Session',
    });
    const rejected = h.sfEmu.http
      .requests({ path: '/services/data/' })
      .filter((r) => r.status === 401);
    expect(rejected.length).toBeGreaterThanOrEqual(1);
    // created, the echo of the salesforce_contact_id write-back, then this change.
    const rows = await inboxFor(h, [customer.id]);
    expect(rows.map((r) => [r.status, r.outcome, r.attempts])).toEqual([
      ['done', 'salesforce:created', 1],
      ['done', 'salesforce:echo', 1],
      ['done', 'salesforce:updated', 1],
    ]);
  });
});

describe('the daily API share', () => {
  let h: SyncHarness;

  beforeAll(async () => {
    h = await startSyncHarness({
      crms: ['salesforce'],
      env: { SALESFORCE_DAILY_API_SHARE: '50' },
      salesforce: { dailyApiBudget: DAILY_BUDGET },
    });
    await warmUp(h);
  });
  afterAll(async () => {
    await h?.close();
  });

  it('stops polling and holds Stripe changes once the share is spent, without dead-lettering them', async () => {
    const customer = await h.stripe.customers.create({
      email: 'share@example.com',
      name: 'Sha Re',
    });
    await h.settle();
    expect((await inboxFor(h, [customer.id])).map((r) => r.outcome)).toEqual([
      'salesforce:created',
      'salesforce:echo',
    ]);
    expect((await h.poll()).map((r) => r.status)).toEqual(['started']);

    h.sfEmu.setApiUsage(DAILY_BUDGET * 0.5);
    // This poll's first query reports the usage; its next one goes through as the probe the
    // budget lets by, and from then on calls wait.
    expect((await h.poll()).map((r) => r.status)).toEqual(['polled']);
    const second = await h.poll();
    expect(second).toEqual([
      expect.objectContaining({ connector: 'salesforce', status: 'throttled' }),
    ]);

    const writesBefore = h.sfWriteCalls();
    const callsBefore = h.sfEmu.apiCallsToday();
    await h.stripe.customers.update(customer.id, { name: 'Held Back' });
    await waitFor('the change to wait for the budget', async () => {
      const rows = await inboxFor(h, [customer.id]);
      return rows.length === 3 && rows[2]?.outcome?.startsWith('waiting_for_quota') === true;
    });
    await new Promise((r) => setTimeout(r, 1000));
    const rows = await inboxFor(h, [customer.id]);
    expect(rows.map((r) => r.status)).toEqual(['done', 'done', 'pending']);
    expect(rows[2]).toMatchObject({
      status: 'pending',
      outcome: 'waiting_for_quota:api_budget',
      attempts: 0,
    });
    expect(h.sfWriteCalls()).toBe(writesBefore);
    expect(h.sfEmu.apiCallsToday()).toBe(callsBefore);
    expect(h.sfContactByStripeId(customer.id)).toMatchObject({ FirstName: 'Sha', LastName: 'Re' });
    const dead = await h.db.query(`SELECT event_id FROM inbox_events WHERE status = 'dead'`);
    expect(dead).toEqual([]);
  });
});
