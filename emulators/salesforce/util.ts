/** Salesforce error shapes, id helpers and date formatting shared by the emulator's modules. */

export interface SfError {
  errorCode: string;
  message: string;
  /** Absent where Salesforce names none (a JSON_PARSER_ERROR is about the body, not a field). */
  fields?: string[];
}

/** Thrown by handlers and the data layer; routes turn it into `[{errorCode, message, fields}]`. */
export class SfHttpError extends Error {
  constructor(
    readonly status: number,
    readonly errors: SfError[],
  ) {
    super(errors.map((e) => `${e.errorCode}: ${e.message}`).join('; '));
  }
}

/** A per-record failure (collections report it in place; single calls raise it as 400). */
export class SfRecordError extends Error {
  constructor(
    readonly errors: SfError[],
    readonly status = 400,
  ) {
    super(errors.map((e) => `${e.errorCode}: ${e.message}`).join('; '));
  }
}

/**
 * The request body does not deserialize for the fields it names (a string for a checkbox or a
 * number field, a malformed date): Salesforce parses the whole body before any record is
 * written, so this fails the whole call with 400, even in a collection. Its body is
 * `[{"message","errorCode":"JSON_PARSER_ERROR"}]`, without `fields`.
 */
export class SfParseError extends SfHttpError {
  constructor(message: string) {
    super(400, [{ message, errorCode: 'JSON_PARSER_ERROR' }]);
  }
}

export const sfError = (errorCode: string, message: string, fields: string[] = []): SfError => ({
  errorCode,
  message,
  fields,
});

export const httpError = (status: number, errorCode: string, message: string, fields?: string[]) =>
  new SfHttpError(status, [sfError(errorCode, message, fields)]);

export const recordError = (errorCode: string, message: string, fields?: string[]) =>
  new SfRecordError([sfError(errorCode, message, fields)]);

export const notFound = () => httpError(404, 'NOT_FOUND', 'The requested resource does not exist');

const SUFFIX_CHARS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ012345';

/** The 3-character case-safe suffix that turns a 15-character id into an 18-character one. */
export function idSuffix(id15: string): string {
  let out = '';
  for (let chunk = 0; chunk < 3; chunk++) {
    let bits = 0;
    for (let i = 0; i < 5; i++) {
      const c = id15.charAt(chunk * 5 + i);
      if (c >= 'A' && c <= 'Z') bits |= 1 << i;
    }
    out += SUFFIX_CHARS.charAt(bits);
  }
  return out;
}

const ID_RE = /^[a-zA-Z0-9]{15}([a-zA-Z0-9]{3})?$/;

/** The 18-character form of a 15- or 18-character id, or null when it is not id-shaped. */
export function normalizeId(id: string): string | null {
  if (!ID_RE.test(id)) return null;
  const id15 = id.slice(0, 15);
  return id15 + idSuffix(id15);
}

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** `prefix` (3 chars) + pod `5g000` + a 7-char base62 counter + the case-safe suffix. */
export function makeId(prefix: string, seq: number): string {
  let n = seq;
  let tail = '';
  while (n > 0) {
    tail = BASE62.charAt(n % 62) + tail;
    n = Math.floor(n / 62);
  }
  const id15 = `${prefix}5g000${tail.padStart(7, '0')}`;
  return id15 + idSuffix(id15);
}

/** Salesforce's datetime format: `2026-11-26T12:00:00.000+0000`. */
export function formatSfDate(ms: number): string {
  return new Date(ms).toISOString().replace('Z', '+0000');
}

const DATETIME_RE = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}:\d{2})(\.\d{1,3})?(Z|[+-]\d{2}:?\d{2})$/;

/** Parses the datetime forms Salesforce accepts (`Z`, `+00:00`, `+0000`, optional millis). */
export function parseSfDate(value: string): number | null {
  const m = DATETIME_RE.exec(value.trim().replace(' ', '+'));
  if (!m) return null;
  let zone = m[4] ?? 'Z';
  if (zone !== 'Z' && !zone.includes(':')) zone = `${zone.slice(0, 3)}:${zone.slice(3)}`;
  const ms = Date.parse(`${m[1]}T${m[2]}${m[3] ?? ''}${zone}`);
  return Number.isNaN(ms) ? null : ms;
}

export const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** A copy without the given keys (case-sensitive). */
export const omit = (rec: Record<string, unknown>, ...keys: string[]): Record<string, unknown> =>
  Object.fromEntries(Object.entries(rec).filter(([k]) => !keys.includes(k)));

/** Text form of a JSON scalar (objects as JSON). */
export const str = (v: unknown): string => (typeof v === 'string' ? v : JSON.stringify(v));
