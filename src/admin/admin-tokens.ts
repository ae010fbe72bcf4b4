import { createHash, timingSafeEqual } from 'node:crypto';
import { type AdminToken } from '../config/app-config.js';

const digest = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest();

/**
 * The configured token a presented one equals, compared in constant time: digests of equal
 * length, and every configured token compared, so neither the length nor the position of a
 * match shows in the answer's timing.
 */
export function findToken(tokens: readonly AdminToken[], presented: string): AdminToken | null {
  const given = digest(presented);
  let found: AdminToken | null = null;
  for (const t of tokens) {
    if (timingSafeEqual(digest(t.token), given) && found === null) found = t;
  }
  return found;
}

/** The token of an `Authorization: Bearer <token>` header, or null. */
export function bearerToken(header: string | string[] | undefined): string | null {
  const value = Array.isArray(header) ? header[0] : header;
  const m = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(value ?? '');
  return m?.[1] ?? null;
}
