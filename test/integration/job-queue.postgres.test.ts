import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { type DataSource } from 'typeorm';
import { openBridgeDataSource } from '../../src/database/bridge-data-source.js';
import { JobQueue } from '../../src/sync/worker/job-queue.js';
import { createTestDatabase, type TestDatabase } from '../support/postgres.js';

/** Inbox rows as the webhook controller stores them (one per event). */
async function insert(
  db: TestDatabase,
  rows: { id: string; object: string | null; at?: number }[],
) {
  for (const r of rows) {
    await db.query(
      `INSERT INTO inbox_events (event_id, type, object_type, object_id, event_created_at, livemode, payload)
       VALUES ($1, 'customer.updated', 'customer', $2, to_timestamp($3), false, '{}')`,
      [r.id, r.object, r.at ?? 1_700_000_000],
    );
  }
}

describe('the inbox as a work queue (PostgreSQL)', () => {
  let db: TestDatabase;
  let ds: DataSource;
  let other: DataSource; // a second replica's connection pool
  let queue: JobQueue;
  let replica: JobQueue;

  beforeAll(async () => {
    db = await createTestDatabase();
    ds = await openBridgeDataSource(
      { kind: 'postgres', url: db.url, poolSize: 4 },
      { migrate: true },
    );
    other = await openBridgeDataSource(
      { kind: 'postgres', url: db.url, poolSize: 4 },
      { migrate: false },
    );
    queue = new JobQueue(ds);
    replica = new JobQueue(other);
  });
  afterAll(async () => {
    await ds?.destroy();
    await other?.destroy();
    await db?.drop();
  });
  beforeEach(async () => {
    await db.query(`DELETE FROM inbox_events`);
  });

  it('claims every due row of an object together, and never an object already being worked on', async () => {
    await insert(db, [
      { id: 'evt_a1', object: 'cus_a' },
      { id: 'evt_a2', object: 'cus_a' },
      { id: 'evt_b1', object: 'cus_b' },
    ]);
    const first = await queue.claim(1, 60);
    expect(first.map((j) => j.eventId).sort()).toEqual(['evt_a1', 'evt_a2']);
    await insert(db, [{ id: 'evt_a3', object: 'cus_a' }]); // arrives while cus_a is in progress
    const second = await replica.claim(10, 60);
    expect(second.map((j) => j.eventId)).toEqual(['evt_b1']);
    expect(await replica.claim(10, 60)).toEqual([]);
    await ds.transaction((m) =>
      queue.settle(m, [{ eventIds: ['evt_a1', 'evt_a2'], status: 'done', outcome: 'test' }]),
    );
    expect((await replica.claim(10, 60)).map((j) => j.eventId)).toEqual(['evt_a3']);
  });

  it('concurrent claimers on two pools split 200 objects without ever sharing one', async () => {
    await insert(
      db,
      Array.from({ length: 400 }, (_, i) => ({
        id: `evt_${i}`,
        object: `cus_${i % 200}`,
        at: 1_700_000_000 + i,
      })),
    );
    const seen = new Map<string, string>();
    const worker = async (q: JobQueue, name: string) => {
      for (;;) {
        const jobs = await q.claim(7, 60);
        if (jobs.length === 0) return;
        for (const j of jobs) {
          const owner = seen.get(j.objectId ?? '');
          expect(owner === undefined || owner === name).toBe(true);
          seen.set(j.objectId ?? '', name);
        }
        // Settling releases the objects; a claimer never sees them again (all rows done).
        await (q === queue ? ds : other).transaction((m) =>
          q.settle(m, [{ eventIds: jobs.map((j) => j.eventId), status: 'done', outcome: 'test' }]),
        );
      }
    };
    await Promise.all([
      worker(queue, 'a'),
      worker(replica, 'b'),
      worker(queue, 'c'),
      worker(replica, 'd'),
    ]);
    expect(seen.size).toBe(200);
    const left = await db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM inbox_events WHERE status <> 'done'`,
    );
    expect(left).toEqual([{ n: 0 }]);
    const attempts = await db.query<{ n: number }>(
      `SELECT max(attempts)::int AS n FROM inbox_events`,
    );
    expect(attempts).toEqual([{ n: 1 }]);
  });

  it('retries after the backoff, parks dead letters, defers without spending an attempt, and reclaims expired leases', async () => {
    await insert(db, [
      { id: 'evt_r', object: 'cus_r' },
      { id: 'evt_d', object: 'cus_d' },
      { id: 'evt_w', object: 'cus_w' },
      { id: 'evt_l', object: 'cus_l' },
    ]);
    const jobs = await queue.claim(10, 60);
    expect(jobs).toHaveLength(4);
    await ds.transaction((m) =>
      queue.settle(m, [
        { eventIds: ['evt_r'], status: 'retry', delayMs: 300, error: 'hubspot: 503' },
        { eventIds: ['evt_d'], status: 'dead', error: 'VALIDATION_ERROR: bad email' },
        { eventIds: ['evt_w'], status: 'defer', delayMs: 300, reason: 'awaiting_stripe_event' },
      ]),
    );
    // evt_l's worker "crashed": its lease (1 s here) must run out before anyone else takes it.
    await db.query(
      `UPDATE inbox_events SET locked_until = now() + interval '1 second' WHERE event_id = 'evt_l'`,
    );
    expect(await queue.claim(10, 60)).toEqual([]);
    await new Promise((r) => setTimeout(r, 1200));
    const again = await queue.claim(10, 60);
    expect(again.map((j) => [j.eventId, j.attempts]).sort()).toEqual([
      ['evt_l', 2],
      ['evt_r', 2],
      ['evt_w', 1],
    ]);
    const dead = await db.query(
      `SELECT status, last_error, outcome FROM inbox_events WHERE event_id = 'evt_d'`,
    );
    expect(dead).toEqual([
      { status: 'dead', last_error: 'VALIDATION_ERROR: bad email', outcome: 'dead_letter' },
    ]);
  });
});
