import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { mapLimit } from '../../../src/common/map-limit.js';
import { ADMIN_ENV, adminClient } from '../../support/admin-client.js';
import { startSyncHarness, waitFor, type SyncHarness } from '../../support/sync-harness.js';

const N = 800;
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const CLI = `${ROOT}dist/sync/backfill/backfill-cli.js`;
const BATCH = '/crm/v3/objects/contacts/batch';

interface Run {
  id: string;
  kind: string;
  connector: string;
  status: string;
  done: number;
  total: number | null;
  rate_per_s: number | null;
  eta_s: number | null;
  errors: number;
  started_at: string;
  finished_at: string | null;
}

/**
 * Backfills over the admin API: started in the background, read back with progress, cancelled
 * between batches, and resumed by the next start after the last committed page.
 */
describe('admin API: backfill runs', () => {
  let h: SyncHarness;
  let admin: ReturnType<typeof adminClient>;

  // Waits by reading the table (the admin API is throttled per client), then answers the API's view.
  const until = async (id: string, status: string, timeoutMs = 90_000): Promise<Run> => {
    await waitFor(
      `backfill ${id} to be ${status}`,
      async () =>
        (
          await h.db.query<{ status: string }>(`SELECT status FROM backfill_runs WHERE id = $1`, [
            id,
          ])
        )[0]?.status === status,
      timeoutMs,
    );
    return (await admin.get<Run>(`/backfills/${id}`)).body;
  };

  beforeAll(async () => {
    h = await startSyncHarness({ webhooks: false, env: ADMIN_ENV });
    admin = adminClient(h.bridge.url);
    await mapLimit(
      Array.from({ length: N }, (_, i) => i),
      8,
      (i) => h.stripe.customers.create({ email: `rest-${i}@example.com`, name: `Customer ${i}` }),
    );
  }, 120_000);
  afterAll(async () => {
    await h?.close();
  });

  it('refuses bad input with 4xx, never 5xx', async () => {
    expect(await admin.get('/backfills/not-a-uuid')).toMatchObject({
      status: 400,
      body: { code: 'validation_failed' },
    });
    expect(await admin.post('/backfills/1234/cancel')).toMatchObject({ status: 400 });
    expect(await admin.get('/backfills/00000000-0000-4000-8000-000000000000')).toMatchObject({
      status: 404,
      body: { code: 'not_found' },
    });
    expect(
      await admin.post('/backfills/00000000-0000-4000-8000-000000000000/cancel'),
    ).toMatchObject({ status: 404 });
    expect(await admin.post('/backfills', { object: 'customer', colour: 'red' })).toMatchObject({
      status: 400,
      body: { code: 'validation_failed', message: expect.stringContaining('colour') as unknown },
    });
    expect(
      await admin.post('/backfills', { object: 'customer', connector: 'pipedrive' }),
    ).toMatchObject({
      status: 400,
      body: { code: 'validation_failed' },
    });
    expect(await admin.post('/backfills', { object: 'invoice' })).toMatchObject({
      status: 400,
      body: { code: 'no_mapping' },
    });
    expect(await admin.get('/backfills?cursor=bm9wZQ')).toMatchObject({
      status: 400,
      body: { code: 'invalid_cursor' },
    });
  });

  it('a cancel stops the run between batches; the next start resumes it and links everyone once', async () => {
    // Slow HubSpot writes down so the cancel lands mid-run.
    h.hubspotEmu.http.faults.setLatency({ path: BATCH, ms: 400 });
    const started = await admin.post<{ id: string; ids?: string[] }>('/backfills', {
      object: 'customer',
      connector: 'hubspot',
    });
    expect(started.status).toBe(202);
    const { id } = started.body;
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(started.body.ids).toBeUndefined();

    // One backfill per connector+object at a time: the second start names the running one.
    const second = await admin.post<{ code: string; message: string }>('/backfills', {
      object: 'customer',
    });
    expect(second.status).toBe(409);
    expect(second.body.code).toBe('backfill_running');
    expect(second.body.message).toContain(id);

    await waitFor(
      'some committed pages',
      async () =>
        ((
          await h.db.query<{ done: number }>(`SELECT done FROM backfill_runs WHERE id = $1`, [id])
        )[0]?.done ?? 0) >= 100,
      60_000,
    );
    const running = await admin.get<Run>(`/backfills/${id}`);
    expect(running.body).toMatchObject({
      id,
      kind: 'backfill',
      connector: 'hubspot',
      status: 'running',
    });
    const cancel = await admin.post<{ id: string; status: string }>(`/backfills/${id}/cancel`);
    expect(cancel).toMatchObject({ status: 202, body: { id } });

    const cancelled = await until(id, 'cancelled');
    expect(cancelled.done).toBeLessThan(N);
    expect(cancelled.finished_at).not.toBeNull();
    expect(await admin.post(`/backfills/${id}/cancel`)).toMatchObject({
      status: 409,
      body: { code: 'not_running' },
    });
    const linkedAtCancel = await h.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM links`);
    expect(linkedAtCancel[0]?.n).toBe(cancelled.done);

    h.hubspotEmu.http.faults.setLatency({ path: BATCH, ms: 0 });
    const resumed = await admin.post<{ id: string }>('/backfills', { object: 'customer' });
    expect(resumed.status).toBe(202);
    expect(resumed.body.id).not.toBe(id);
    const done = await until(resumed.body.id, 'done');
    expect(done.total).toBe(N);
    expect(done.done).toBe(N);
    expect(done.errors).toBe(0);
    expect(done.eta_s).toBeNull();
    expect(done.rate_per_s).toEqual(expect.any(Number));

    const links = await h.db.query<{ stripe_id: string; crm_id: string }>(
      `SELECT stripe_id, crm_id FROM links`,
    );
    expect(links).toHaveLength(N);
    expect(new Set(links.map((l) => l.stripe_id)).size).toBe(N);
    expect(new Set(links.map((l) => l.crm_id)).size).toBe(N);
    const contacts = await h.hubspot.crm.contacts.getAll(undefined, undefined, ['email']);
    expect(contacts).toHaveLength(N);

    // Newest first, one page at a time.
    const first = await admin.get<{ data: Run[]; next_cursor: string | null }>(
      '/backfills?limit=1',
    );
    expect(first.body.data.map((r) => r.id)).toEqual([resumed.body.id]);
    const next = await admin.get<{ data: Run[]; next_cursor: string | null }>(
      `/backfills?limit=1&cursor=${first.body.next_cursor}`,
    );
    expect(next.body.data.map((r) => r.id)).toEqual([id]);
    expect(next.body.next_cursor).toBeNull();
    const cancelledOnly = await admin.get<{ data: Run[] }>('/backfills?status=cancelled');
    expect(cancelledOnly.body.data.map((r) => r.id)).toEqual([id]);

    const audit = await admin.get<{ data: { action: string; target_id: string; actor: string }[] }>(
      '/audit?target_type=backfill',
    );
    expect(audit.body.data.map((a) => [a.action, a.target_id])).toEqual([
      ['backfill.start', resumed.body.id],
      ['backfill.cancel', id],
      ['backfill.start', id],
    ]);
    expect(audit.body.data[0]?.actor).toBe('ops');
  }, 180_000);

  it('a later start is a new run that finishes with done == total', async () => {
    await mapLimit([0, 1, 2], 3, (i) =>
      h.stripe.customers.create({ email: `late-${i}@example.com`, name: `Late ${i}` }),
    );
    const started = await admin.post<{ id: string }>('/backfills', { object: 'customer' });
    expect(started.status).toBe(202);
    const run = await until(started.body.id, 'done');
    expect(run).toMatchObject({ done: N + 3, total: N + 3, errors: 0, status: 'done' });
    const links = await h.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM links`);
    expect(links[0]?.n).toBe(N + 3);
  }, 60_000);

  it('the CLI stops with a clear line when its run is cancelled through the API', async () => {
    await mapLimit(
      Array.from({ length: 600 }, (_, i) => i),
      8,
      (i) => h.stripe.customers.create({ email: `cli-${i}@example.com`, name: `Cli ${i}` }),
    );
    // Writes slow enough that the cancel lands while pages are left, even on a loaded machine
    // (reads, which share the path's prefix, stay fast).
    h.hubspotEmu.http.faults.setLatency({ path: `${BATCH}/upsert`, ms: 1500 });
    const proc = spawn(process.execPath, [CLI, '--object', 'customer', '--concurrency', '2'], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', LOG_LEVEL: 'info', ...h.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    proc.stdout.on('data', (d: Buffer) => (out += d.toString()));
    proc.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((r) => proc.on('exit', (code) => r(code)));
    let id = '';
    // The CLI's run, once it exists (whatever it has done by then: the cancel is honoured
    // between batches, and before the first one too).
    await waitFor(
      'the CLI to open its run',
      async () => {
        const [row] = await h.db.query<{ id: string }>(
          `SELECT id FROM backfill_runs WHERE status = 'running' ORDER BY started_at DESC LIMIT 1`,
        );
        id = row?.id ?? '';
        return id !== '';
      },
      60_000,
    );
    // Not this process's run: the cancel is a request its own process honours.
    expect(await admin.post(`/backfills/${id}/cancel`)).toMatchObject({
      status: 202,
      body: { id, status: 'running' },
    });
    const code = await exited;
    h.hubspotEmu.http.faults.setLatency({ path: `${BATCH}/upsert`, ms: 0 });
    expect(out).toMatch(new RegExp(`backfill ${id} was cancelled through the admin API`));
    expect(code).toBe(3);
    const run = (await admin.get<Run>(`/backfills/${id}`)).body;
    expect(run.status).toBe('cancelled');
    // On a slow machine the cancel may land after the last page was taken: then there was
    // nothing left to stop, and the run is still marked as cancelled by the admin.
    expect(run.done).toBeLessThanOrEqual(N + 603);
  }, 120_000);
});
