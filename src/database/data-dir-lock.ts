import { closeSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';

const isAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/** Another live process holds the embedded database's directory. */
export class DataDirInUse extends Error {
  constructor(
    readonly dir: string,
    readonly owner: number,
    options?: ErrorOptions,
  ) {
    super(
      `DATA_DIR ${dir} is in use by process ${owner} (the running service?): the embedded database opens in one process at a time. Stop that process first, or set DATABASE_URL to a PostgreSQL database both can share.`,
      options,
    );
    this.name = 'DataDirInUse';
  }
}

/** The live process that holds `dir`, if another one does. */
export function dataDirOwner(dir: string): number | null {
  let owner: number;
  try {
    owner = Number(readFileSync(join(dir, 'bridge.pid'), 'utf8').trim());
  } catch {
    return null;
  }
  return Number.isInteger(owner) && owner > 0 && owner !== process.pid && isAlive(owner)
    ? owner
    : null;
}

/**
 * Refuses early, before anything else starts (and logs), when another process holds `dir`;
 * lockDataDir still decides, since the other process may start in between.
 */
export function assertDataDirFree(dir: string): void {
  const owner = dataDirOwner(dir);
  if (owner !== null) throw new DataDirInUse(dir, owner);
}

/**
 * PGlite files must be opened by one process at a time: a second one (a CLI run while the
 * service is up) corrupts them. A pid file refuses the second opener; a stale one (its process
 * is gone, e.g. after a crash) is taken over.
 */
export function lockDataDir(dir: string): () => void {
  const file = join(dir, 'bridge.pid');
  // Two tries: the second follows the removal of a stale file.
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(file, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return () => rmSync(file, { force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const owner = dataDirOwner(dir);
      if (owner !== null) throw new DataDirInUse(dir, owner, { cause: err });
      rmSync(file, { force: true });
    }
  }
  throw new Error(`could not lock DATA_DIR ${dir}`);
}
