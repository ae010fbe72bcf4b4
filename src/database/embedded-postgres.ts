import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { lockDataDir } from './data-dir-lock.js';

export interface EmbeddedEndpoint {
  host: string;
  port: number;
  stop(): Promise<void>;
}

/**
 * Embedded PostgreSQL (PGlite, compiled to WebAssembly) served over the Postgres wire protocol
 * on loopback. PGlite is ONE session: two transactions sharing it are not isolated, and one's
 * ROLLBACK can undo the other's work. So the socket server takes one connection and the
 * client pool is sized 1: a transaction holds the only connection until it ends, which
 * serialises all database work while the code above stays identical to real Postgres.
 */
export async function startEmbeddedPostgres(dataDir: string): Promise<EmbeddedEndpoint> {
  const dir = join(dataDir, 'pglite');
  mkdirSync(dir, { recursive: true });
  const unlock = lockDataDir(dataDir);
  let db: PGlite;
  let server: PGLiteSocketServer;
  try {
    db = await PGlite.create(dir);
    server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0, maxConnections: 1 });
    await server.start();
  } catch (err) {
    unlock();
    throw err;
  }
  // After start() the server reports the bound "host:port", so port 0 works.
  const [host = '127.0.0.1', port = ''] = server.getServerConn().split(':');
  let stopped = false;
  return {
    host,
    port: Number(port),
    async stop() {
      if (stopped) return;
      stopped = true;
      try {
        await server.stop();
        await db.close();
      } finally {
        unlock();
      }
    },
  };
}
