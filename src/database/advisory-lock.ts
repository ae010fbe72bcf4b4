import { createHash } from 'node:crypto';
import { type DataSource } from 'typeorm';
import { type DatabaseConfig } from '../config/app-config.js';

/** A stable 64-bit advisory-lock key for a name such as `poll:hubspot:contacts`. */
export const advisoryLockKey = (name: string): string =>
  BigInt.asIntN(
    64,
    BigInt(`0x${createHash('sha256').update(name).digest('hex').slice(0, 16)}`),
  ).toString();

/** Releases a lock taken by tryAdvisoryLock. */
export type Unlock = () => Promise<void>;

/**
 * Takes a session advisory lock on a dedicated connection (Postgres) and keeps it until
 * unlocked, so one replica at a time runs a poller or a backfill. Returns null when another
 * session holds it. The embedded database needs none (one process by its data-directory lock,
 * one connection): a no-op unlock is returned there.
 */
export async function tryAdvisoryLock(
  dataSource: DataSource,
  db: DatabaseConfig,
  name: string,
): Promise<Unlock | null> {
  if (db.kind === 'embedded') return () => Promise.resolve();
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  const key = advisoryLockKey(name);
  const rows = (await runner.query('SELECT pg_try_advisory_lock($1) AS ok', [key])) as {
    ok: boolean;
  }[];
  if (!rows[0]?.ok) {
    await runner.release();
    return null;
  }
  return async () => {
    try {
      await runner.query('SELECT pg_advisory_unlock($1)', [key]);
    } finally {
      await runner.release();
    }
  };
}
