import { afterEach, describe, expect, it } from '@jest/globals';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import {
  type BridgeDataSource,
  openBridgeDataSource,
} from '../../src/database/bridge-data-source.js';

const freshDir = () => mkdtempSync(join(tmpdir(), 'bridge-embedded-'));
const open = (dataDir: string) =>
  openBridgeDataSource({ kind: 'embedded', dataDir }, { migrate: true });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('embedded database (PGlite)', () => {
  const opened: BridgeDataSource[] = [];
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((ds) => ds.destroy()));
  });

  it('runs the same migrations as PostgreSQL', async () => {
    const ds = await open(freshDir());
    opened.push(ds);
    expect(await ds.migrationsApplied()).toBe(true);
    const cols = await ds.query<{ column_name: string }[]>(
      `SELECT column_name FROM information_schema.columns WHERE table_name = 'inbox_events' ORDER BY ordinal_position`,
    );
    expect(cols.map((c) => c.column_name)).toContain('payload');
  });

  it('concurrent transactions, some rolled back, lose no committed work', async () => {
    const ds = await open(freshDir());
    opened.push(ds);
    await ds.query(`CREATE TABLE probe (id int PRIMARY KEY, note text)`);
    // Interleaving is forced: every transaction writes, yields, then writes again. On a
    // shared PGlite session without serialisation, a ROLLBACK here would erase the
    // neighbours' uncommitted rows and their COMMITs would then persist half the work.
    const results = await Promise.allSettled(
      Array.from({ length: 30 }, (_, i) =>
        ds.transaction(async (tx) => {
          await tx.query(`INSERT INTO probe VALUES ($1, 'first')`, [i * 2]);
          await sleep(2);
          await tx.query(`INSERT INTO probe VALUES ($1, 'second')`, [i * 2 + 1]);
          if (i % 3 === 0) throw new Error(`roll back ${i}`);
        }),
      ),
    );
    const committed = results.flatMap((r, i) => (r.status === 'fulfilled' ? [i] : []));
    expect(committed).toHaveLength(20);
    const rows = await ds.query<{ id: number }[]>(`SELECT id FROM probe ORDER BY id`);
    expect(rows.map((r) => r.id)).toEqual(committed.flatMap((i) => [i * 2, i * 2 + 1]));
  });

  it('(control) the same workload on one unserialised PGlite session does lose work', async () => {
    // Why the pool of one exists: this is what typeorm-pglite's shared session would do.
    const pg = await PGlite.create();
    try {
      await pg.query(`CREATE TABLE probe (id int PRIMARY KEY)`);
      await Promise.allSettled(
        Array.from({ length: 30 }, async (_, i) => {
          await pg.query('BEGIN').catch(() => undefined);
          await pg.query(`INSERT INTO probe VALUES ($1)`, [i * 2]);
          await sleep(2);
          await pg.query(`INSERT INTO probe VALUES ($1)`, [i * 2 + 1]);
          await pg.query(i % 3 === 0 ? 'ROLLBACK' : 'COMMIT');
        }),
      );
      const { rows } = await pg.query<{ n: number }>(`SELECT count(*)::int AS n FROM probe`);
      expect(rows[0]?.n).not.toBe(40);
    } finally {
      await pg.close();
    }
  });

  it('keeps its data across a restart on the same DATA_DIR', async () => {
    const dir = freshDir();
    const first = await open(dir);
    await first.query(
      `INSERT INTO inbox_events (event_id, type, event_created_at, livemode, payload)
       VALUES ('evt_keep', 'customer.created', now(), false, '{}')`,
    );
    await first.destroy();
    const second = await open(dir);
    opened.push(second);
    await expect(second.query(`SELECT event_id FROM inbox_events`)).resolves.toEqual([
      { event_id: 'evt_keep' },
    ]);
  });

  it('refuses a second process on the same DATA_DIR, naming it', async () => {
    const dir = freshDir();
    const ds = await open(dir);
    opened.push(ds);
    // Same process id: simulate another live owner by writing a live pid (our parent's).
    const { writeFileSync } = await import('node:fs');
    writeFileSync(join(dir, 'bridge.pid'), String(process.ppid));
    await expect(open(dir)).rejects.toThrow(`DATA_DIR ${dir} is in use by process ${process.ppid}`);
  });
});
