import { type FieldDef, isTextType } from './schema.js';
import { formatSfDate, normalizeId, parseSfDate, recordError, SfParseError, str } from './util.js';

const EMAIL_RE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** The JSON token a value arrived as, named as Salesforce's (Jackson's) parser errors name it. */
export function jsonToken(raw: unknown): string {
  if (typeof raw === 'string') return 'VALUE_STRING';
  if (typeof raw === 'boolean') return raw ? 'VALUE_TRUE' : 'VALUE_FALSE';
  if (typeof raw === 'number')
    return Number.isInteger(raw) ? 'VALUE_NUMBER_INT' : 'VALUE_NUMBER_FLOAT';
  return Array.isArray(raw) ? 'START_ARRAY' : 'START_OBJECT';
}

/**
 * Salesforce's answer to a JSON value its field type does not deserialize from, e.g. "Cannot
 * deserialize instance of boolean from VALUE_STRING value false or request may be missing a
 * required field" (real messages end with the body position, " at [line:1, column:N]", which
 * the emulator leaves out: it no longer has the raw body).
 */
export const deserializeError = (f: FieldDef, raw: unknown): SfParseError =>
  new SfParseError(
    `Cannot deserialize instance of ${f.type} from ${jsonToken(raw)} value ${typeof raw === 'string' || typeof raw === 'number' || typeof raw === 'boolean' ? String(raw) : JSON.stringify(raw)} or request may be missing a required field`,
  );

const NUMBER_TYPES = new Set(['int', 'double', 'currency', 'percent']);

/**
 * Validates and normalizes one incoming field value the way the REST API does. JSON types are
 * strict: a checkbox takes only true/false and a number field only a JSON number (the strings
 * "false" and "12.5" are refused), dates and datetimes only strings in their formats. Text
 * fields take any scalar as its text.
 */
export function coerceValue(
  f: FieldDef,
  raw: unknown,
  referenceExists: (id: string) => boolean,
): unknown {
  if (raw === null || raw === undefined) return null;
  if (isTextType(f.type)) {
    if (typeof raw === 'object') throw deserializeError(f, raw);
    const s = str(raw);
    if (s === '') return null;
    if (s.length > f.length) {
      throw recordError(
        'STRING_TOO_LONG',
        `${f.label}: data value too large: ${s.slice(0, 80)} (max length=${f.length})`,
        [f.name],
      );
    }
    if (f.type === 'email' && !EMAIL_RE.test(s)) {
      throw recordError('INVALID_EMAIL_ADDRESS', `${f.label}: invalid email address: ${s}`, [
        f.name,
      ]);
    }
    if (f.type === 'reference') {
      const id = normalizeId(s);
      if (!id) {
        throw recordError('MALFORMED_ID', `${f.label}: id value of incorrect type: ${s}`, [f.name]);
      }
      if (!referenceExists(id)) {
        throw recordError(
          'INVALID_CROSS_REFERENCE_KEY',
          `${f.label}: id value of incorrect type: ${s}`,
          [f.name],
        );
      }
      return id;
    }
    return s;
  }
  if (f.type === 'boolean') {
    if (typeof raw === 'boolean') return raw;
    throw deserializeError(f, raw);
  }
  if (NUMBER_TYPES.has(f.type)) {
    if (typeof raw !== 'number' || !Number.isFinite(raw)) throw deserializeError(f, raw);
    if (f.type === 'int' && !Number.isInteger(raw)) throw deserializeError(f, raw);
    return raw;
  }
  if (f.type === 'datetime') {
    const ms = typeof raw === 'string' ? parseSfDate(raw) : null;
    if (ms === null) throw deserializeError(f, raw);
    return formatSfDate(ms);
  }
  if (f.type === 'date') {
    const m = typeof raw === 'string' ? /^(\d{4}-\d{2}-\d{2})(T.*)?$/.exec(raw) : null;
    if (!m) throw deserializeError(f, raw);
    return m[1];
  }
  return raw;
}
