/**
 * What got stored: a fresh Postgres database per run (created, dropped), the rows read back from
 * it or from the embedded data dir after shutdown, and the service's own webhook counters.
 */
import pg from 'pg';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { BenchError, ROOT, message, randomAlnum } from './common.js';

const DATA_SOURCE_JS = join(ROOT, 'dist', 'database', 'bridge-data-source.js');

/** Databases created and not dropped yet: name -> admin URL. */
const pendingDrops = new Map<string, string>();

async function withClient<T>(url: string, work: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

export function redact(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(unparseable URL)';
  }
}

export async function createDatabase(adminUrl: string): Promise<{ name: string; url: string }> {
  const stamp = new Date().toISOString().replace(/\D/g, '').slice(0, 14);
  const name = `bridge_bench_${stamp}_${randomAlnum(6).toLowerCase()}`;
  try {
    await withClient(adminUrl, (c) => c.query(`CREATE DATABASE "${name}"`));
  } catch (err) {
    throw new BenchError(
      `could not create a database via BENCH_DATABASE_URL (${redact(adminUrl)}): ${message(err)}`,
    );
  }
  pendingDrops.set(name, adminUrl);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return { name, url: url.toString() };
}

export async function dropDatabase(name: string): Promise<void> {
  const adminUrl = pendingDrops.get(name);
  if (adminUrl === undefined) return;
  await withClient(adminUrl, (c) => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
  pendingDrops.delete(name);
}

/** On interrupt: drop every database not dropped yet, ignoring failures. */
export async function dropPendingDatabases(): Promise<void> {
  await Promise.all([...pendingDrops.keys()].map((n) => dropDatabase(n).catch(() => undefined)));
}

export async function postgresInfo(adminUrl: string): Promise<Record<string, string> | string> {
  try {
    return await withClient(adminUrl, async (c) => {
      const res = await c.query<{ name: string; setting: string }>(
        `SELECT name, setting FROM pg_settings
          WHERE name IN ('server_version', 'synchronous_commit', 'fsync', 'shared_buffers',
                         'max_connections', 'wal_level')`,
      );
      return Object.fromEntries(res.rows.map((r) => [r.name, r.setting]));
    });
  } catch (err) {
    return `unavailable: ${message(err)}`;
  }
}

export interface Stored {
  rows: number;
  ids: Set<string>;
}

export async function storedOnPostgres(url: string): Promise<Stored> {
  return withClient(url, async (c) => {
    const res = await c.query<{ event_id: string }>('SELECT event_id FROM inbox_events');
    return { rows: res.rowCount ?? res.rows.length, ids: new Set(res.rows.map((r) => r.event_id)) };
  });
}

interface EmbeddedDataSource {
  query(sql: string): Promise<unknown>;
  destroy(): Promise<void>;
}
type OpenBridgeDataSource = (
  db: { kind: 'embedded'; dataDir: string },
  opts: { migrate: boolean },
) => Promise<EmbeddedDataSource>;

/** Opens the data dir the way the service does (after it has stopped and released it). */
export async function storedOnEmbedded(dataDir: string): Promise<Stored> {
  const mod = (await import(pathToFileURL(DATA_SOURCE_JS).href)) as {
    openBridgeDataSource: OpenBridgeDataSource;
  };
  const ds = await mod.openBridgeDataSource({ kind: 'embedded', dataDir }, { migrate: false });
  try {
    const rows = (await ds.query('SELECT event_id FROM inbox_events')) as { event_id: string }[];
    return { rows: rows.length, ids: new Set(rows.map((r) => r.event_id)) };
  } finally {
    await ds.destroy();
  }
}

export interface ScrapedMetrics {
  stored: number;
  duplicate: number;
  rejected: Record<string, number>;
}

/** The service's bridge_webhooks_{received,rejected}_total counters from GET /metrics. */
export async function scrapeMetrics(base: string): Promise<ScrapedMetrics> {
  const res = await fetch(`${base}/metrics`, { signal: AbortSignal.timeout(10_000) });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`GET /metrics answered ${res.status}`);
  const received: Record<string, number> = {};
  for (const m of text.matchAll(/^bridge_webhooks_received_total\{outcome="(\w+)"\} (\S+)$/gm)) {
    received[m[1] ?? ''] = Number(m[2]);
  }
  const rejected: Record<string, number> = {};
  for (const m of text.matchAll(/^bridge_webhooks_rejected_total\{reason="(\w+)"\} (\S+)$/gm)) {
    rejected[m[1] ?? ''] = Number(m[2]);
  }
  return { stored: received.stored ?? 0, duplicate: received.duplicate ?? 0, rejected };
}
