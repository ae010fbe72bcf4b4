import { DataDirInUse } from '../database/data-dir-lock.js';
import { ConfigError } from './config.error.js';

const PG_CODES: Record<string, string> = {
  ECONNREFUSED: 'nothing is listening at that host and port',
  ENOTFOUND: 'the host name does not resolve',
  ETIMEDOUT: 'the connection timed out',
  EAI_AGAIN: 'the host name could not be looked up',
  '28P01': 'the password was rejected',
  '28000': 'the user may not log in',
  '3D000': 'the database does not exist (create it first)',
};

/** The host:port part of a postgres URL, never its credentials. */
function where(url: string | undefined): string {
  if (!url) return '';
  try {
    const u = new URL(url);
    return ` at ${u.hostname}:${u.port || '5432'}${u.pathname}`;
  } catch {
    return '';
  }
}

/** One readable paragraph for a failed boot, naming the setting to fix. */
export function describeBootError(err: unknown, env: Record<string, string | undefined>): string {
  if (err instanceof ConfigError) return err.message;
  if (err instanceof DataDirInUse) return `Cannot start: ${err.message}`;
  const e = err as { code?: string; message?: string };
  const reason = (e.code && PG_CODES[e.code]) ?? e.message ?? String(err);
  if (e.code === 'EADDRINUSE' || e.code === 'EACCES') {
    return `Cannot start: PORT: cannot listen on port ${env.PORT ?? '3000'}: ${e.message ?? e.code}. Choose another PORT.`;
  }
  const fromDatabase = e.code
    ? e.code in PG_CODES
    : /connect|database|password/i.test(e.message ?? '');
  if (env.DATABASE_URL && fromDatabase) {
    return `Cannot start: DATABASE_URL: cannot connect to PostgreSQL${where(env.DATABASE_URL)}: ${reason}.`;
  }
  if (!env.DATABASE_URL && /pglite|wasm|ENOENT/i.test(`${e.message ?? ''} ${e.code ?? ''}`)) {
    return `Cannot start: DATA_DIR: cannot open the embedded database: ${reason}.`;
  }
  return `Cannot start: ${e.message ?? String(err)}`;
}
