import { createHash } from 'node:crypto';

/** Stripe keeps idempotency keys of at most 255 characters. */
export const MAX_KEY_LENGTH = 255;

/** JSON with object keys sorted at every level: the same params always spell the same text. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

const digest = (text: string, chars: number): string =>
  createHash('sha256').update(text).digest('base64url').slice(0, chars);

/**
 * The Idempotency-Key of one Stripe write: the object it writes, the job it comes from and the
 * exact parameters. A retry of the same job repeats the same request safely; a re-planned one
 * with other values, or the same job writing another object, is a different request (Stripe
 * refuses one key reused on another path or body). Ids and job names are kept readable; an
 * overlong job is shortened to a digest so the key stays within Stripe's 255 characters.
 */
export function stripeIdempotencyKey(write: {
  stripeObject: string;
  stripeId: string;
  job: string;
  params: Record<string, unknown>;
}): string {
  const params = digest(canonicalJson(write.params), 22);
  const head = `bridge-${write.stripeObject}-${write.stripeId}-`;
  const tail = `-${params}`;
  const room = MAX_KEY_LENGTH - head.length - tail.length;
  const job = write.job.length <= room ? write.job : digest(write.job, Math.max(8, room));
  return `${head}${job}${tail}`.slice(0, MAX_KEY_LENGTH);
}
