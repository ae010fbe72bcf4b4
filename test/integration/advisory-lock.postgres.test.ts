import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type DataSource } from 'typeorm';
import { tryAdvisoryLock } from '../../src/database/advisory-lock.js';
import { openBridgeDataSource } from '../../src/database/bridge-data-source.js';
import { createTestDatabase, type TestDatabase } from '../support/postgres.js';

describe('one replica at a time: pollers and backfills lead under pg_try_advisory_lock', () => {
  let db: TestDatabase;
  let a: DataSource;
  let b: DataSource;
  const config = () => ({ kind: 'postgres' as const, url: db.url, poolSize: 3 });

  beforeAll(async () => {
    db = await createTestDatabase();
    a = await openBridgeDataSource(config(), { migrate: true });
    b = await openBridgeDataSource(config(), { migrate: false });
  });
  afterAll(async () => {
    await a?.destroy();
    await b?.destroy();
    await db?.drop();
  });

  it('a second replica is refused while the first holds the lock, and gets it once released', async () => {
    const first = await tryAdvisoryLock(a, config(), 'poll:hubspot:contacts');
    expect(first).not.toBeNull();
    expect(await tryAdvisoryLock(b, config(), 'poll:hubspot:contacts')).toBeNull();
    // Another name is another lock.
    const other = await tryAdvisoryLock(b, config(), 'backfill:hubspot:customer');
    expect(other).not.toBeNull();
    await first?.();
    const second = await tryAdvisoryLock(b, config(), 'poll:hubspot:contacts');
    expect(second).not.toBeNull();
    await second?.();
    await other?.();
    // Every dedicated connection went back to its pool.
    const held = await db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory'`,
    );
    expect(held).toEqual([{ n: 0 }]);
  });
});
