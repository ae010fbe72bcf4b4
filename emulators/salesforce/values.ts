import { type FieldDef, isTextType } from './schema.js';
import { formatSfDate, normalizeId, parseSfDate, recordError, str } from './util.js';

const EMAIL_RE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

const deserializeError = (f: FieldDef, kind: string, raw: unknown) =>
  recordError(
    'JSON_PARSER_ERROR',
    `Cannot deserialize instance of ${kind} from VALUE_STRING value ${String(raw)} or request may be missing a required field`,
    [f.name],
  );

/** Validates and normalizes one incoming field value the way the REST API does. */
export function coerceValue(
  f: FieldDef,
  raw: unknown,
  referenceExists: (id: string) => boolean,
): unknown {
  if (raw === null || raw === undefined) return null;
  if (isTextType(f.type)) {
    if (typeof raw === 'object') throw deserializeError(f, 'string', JSON.stringify(raw));
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
  switch (f.type) {
    case 'boolean':
      if (typeof raw === 'boolean') return raw;
      if (raw === 'true' || raw === 'false') return raw === 'true';
      throw deserializeError(f, 'boolean', raw);
    case 'datetime': {
      const ms = typeof raw === 'string' ? parseSfDate(raw) : null;
      if (ms === null) throw deserializeError(f, 'datetime', raw);
      return formatSfDate(ms);
    }
    case 'date': {
      const m = typeof raw === 'string' ? /^(\d{4}-\d{2}-\d{2})(T.*)?$/.exec(raw) : null;
      if (!m) throw deserializeError(f, 'date', raw);
      return m[1];
    }
    case 'int':
    case 'double':
    case 'currency':
    case 'percent': {
      const n = typeof raw === 'number' ? raw : typeof raw === 'string' ? Number(raw) : NaN;
      if (!Number.isFinite(n) || (f.type === 'int' && !Number.isInteger(n))) {
        throw deserializeError(f, f.type === 'int' ? 'int' : 'double', raw);
      }
      return n;
    }
    default:
      return raw;
  }
}
