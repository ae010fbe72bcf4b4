/** What every part of the ingest bench shares: the repository root, its error type, small helpers. */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root: the nearest folder above this module holding package.json. */
export const ROOT = ((): string => {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
  return dir;
})();

/** A failure the user is told about by its message alone. */
export class BenchError extends Error {}

export const message = (err: unknown): string => (err instanceof Error ? err.message : String(err));

export const round = (n: number | null, digits = 1): number | null =>
  n === null ? null : Math.round(n * 10 ** digits) / 10 ** digits;

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
export function randomAlnum(length: number): string {
  let s = '';
  for (const b of randomBytes(length)) s += ALNUM.charAt(b % ALNUM.length);
  return s;
}
