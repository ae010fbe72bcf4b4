import { invalid, invalidInteger, missingParam, unknownParam } from './stripe-errors.js';
import { checkEmail, checkLength, checkMetadataCount, checkMetadataEntry } from './limits.js';

/**
 * Per-endpoint parameter allow-lists. Form values arrive as strings (qs-parsed, nested), so a
 * spec both rejects unknown keys (`parameter_unknown`, as Stripe does) and coerces types.
 */
export type ParamType =
  | 'string'
  /** A string of at most N characters: the `maxLength` of Stripe's OpenAPI spec. */
  | `string:${number}`
  /** A string of at most 512 characters that Stripe takes for an email address. */
  | 'email'
  | 'integer'
  | 'boolean'
  | 'metadata'
  | 'strings'
  | 'any'
  | 'range'
  | ParamSpec
  | { list: ParamSpec };

export interface ParamSpec {
  [name: string]: ParamType;
}

export type Params = Record<string, unknown>;

/** Every endpoint also accepts `expand[]`. */
const COMMON: ParamSpec = { expand: 'strings' };

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** qs turns `a[0]=x&a[1]=y` into an array, but above its limit or out of order into {0:..}. */
function asArray(v: unknown): unknown[] | null {
  if (Array.isArray(v)) return v as unknown[];
  if (isRecord(v) && Object.keys(v).every((k) => /^\d+$/.test(k))) {
    return Object.keys(v)
      .sort((a, b) => Number(a) - Number(b))
      .map((k) => v[k]);
  }
  if (v === '') return [];
  return null;
}

const isStringType = (t: ParamType): t is 'string' | 'email' | `string:${number}` =>
  t === 'string' || t === 'email' || (typeof t === 'string' && t.startsWith('string:'));

function coerce(type: ParamType, value: unknown, path: string): unknown {
  if (type === 'any') return value;
  if (isStringType(type)) {
    if (typeof value !== 'string' && typeof value !== 'number')
      throw invalid(`Invalid string: ${JSON.stringify(value)}`, path);
    const s = String(value);
    if (type === 'email') return checkEmail(s, path);
    return type === 'string' ? s : checkLength(s, Number(type.slice('string:'.length)), path);
  }
  if (type === 'integer') {
    if (typeof value === 'number' && Number.isInteger(value)) return value;
    if (typeof value === 'string' && /^-?\d+$/.test(value)) return Number(value);
    throw invalidInteger(path, typeof value === 'string' ? value : JSON.stringify(value));
  }
  if (type === 'boolean') {
    if (value === true || value === 'true') return true;
    if (value === false || value === 'false') return false;
    throw invalid(`Invalid boolean: ${String(value)}`, path);
  }
  if (type === 'metadata') {
    if (value === '') return '';
    if (!isRecord(value)) throw invalid('Invalid hash', path, 'parameter_invalid_empty');
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(value)) {
      out[k] = String(v);
      checkMetadataEntry(k, out[k], path);
    }
    // "" deletes a key, so only the keys being set count towards the cap here; an update is
    // checked again on the merged result (mergeMetadata).
    checkMetadataCount(Object.fromEntries(Object.entries(out).filter(([, v]) => v !== '')));
    return out;
  }
  if (type === 'strings') {
    const arr = asArray(value) ?? (typeof value === 'string' ? [value] : null);
    if (!arr) throw invalid('Invalid array', path);
    return arr.map((v, i) => coerce('string', v, `${path}[${i}]`));
  }
  if (type === 'range') {
    if (typeof value === 'string' || typeof value === 'number')
      return coerce('integer', value, path);
    if (!isRecord(value)) throw invalid('Invalid hash', path);
    return validateParams(
      { gt: 'integer', gte: 'integer', lt: 'integer', lte: 'integer' },
      value,
      path,
      false,
    );
  }
  if ('list' in type && isRecord(type.list)) {
    const arr = asArray(value);
    if (!arr) throw invalid('Invalid array', path);
    const spec = type.list as ParamSpec;
    return arr.map((v, i) => {
      if (!isRecord(v)) throw invalid('Invalid hash', `${path}[${i}]`);
      return validateParams(spec, v, `${path}[${i}]`, false);
    });
  }
  if (value === '') return '';
  if (!isRecord(value)) throw invalid('Invalid hash', path);
  return validateParams(type, value, path, false);
}

/** Checks `params` against `spec` (plus `expand`), returning typed copies of the values. */
export function validateParams(spec: ParamSpec, params: Params, prefix = '', top = true): Params {
  const out: Params = {};
  const allowed = top ? { ...COMMON, ...spec } : spec;
  for (const [key, value] of Object.entries(params)) {
    const path = prefix ? `${prefix}[${key}]` : key;
    const type = allowed[key];
    if (type === undefined) throw unknownParam(path);
    out[key] = coerce(type, value, path);
  }
  return out;
}

export function requireParams(params: Params, ...names: string[]): void {
  for (const n of names) {
    if (params[n] === undefined || params[n] === '') throw missingParam(n);
  }
}

export const str = (p: Params, k: string): string | undefined =>
  typeof p[k] === 'string' ? p[k] : undefined;
export const int = (p: Params, k: string): number | undefined =>
  typeof p[k] === 'number' ? p[k] : undefined;
export const bool = (p: Params, k: string): boolean | undefined =>
  typeof p[k] === 'boolean' ? p[k] : undefined;
export const hash = (p: Params, k: string): Record<string, unknown> | undefined =>
  isRecord(p[k]) ? p[k] : undefined;

/**
 * Stripe's metadata semantics: merge; a key set to "" is deleted; metadata="" clears all. The
 * 50-key cap applies to what the object ends up holding, so it is checked after the merge.
 */
export function mergeMetadata(current: unknown, update: unknown): Record<string, string> {
  if (update === '') return {};
  const base: Record<string, string> = isRecord(current)
    ? Object.fromEntries(Object.entries(current).map(([k, v]) => [k, String(v as string)]))
    : {};
  if (!isRecord(update)) return base;
  for (const [k, v] of Object.entries(update)) {
    if (v === '') delete base[k];
    else base[k] = String(v);
  }
  checkMetadataCount(base);
  return base;
}

/** "" unsets a nullable field (Stripe semantics); undefined leaves it alone. */
export const nullable = (v: unknown): unknown => (v === '' ? null : v);
