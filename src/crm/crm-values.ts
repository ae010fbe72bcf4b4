import { CrmError, type CrmValue } from './crm-connector.js';

/**
 * Reading port values the way every CRM adapter needs them before it encodes a value for a
 * field type: the planner hands over "CRM form" ('true', 12.5, '2024-11-27T10:00:00.000Z'),
 * and each CRM wants its own wire form. Pure functions; null means "cannot be read as that".
 */

/** true/false, or 'true'/'false' in any case (surrounding blanks ignored). */
export function parseBool(v: CrmValue): boolean | null {
  if (typeof v === 'boolean') return v;
  if (typeof v !== 'string') return null;
  const s = v.trim().toLowerCase();
  return s === 'true' ? true : s === 'false' ? false : null;
}

const NUMERIC = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** A finite number, or a decimal string ('12.50', '-3', '1e3'); never a boolean or '0x10'. */
export function parseNumber(v: CrmValue): number | null {
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  if (typeof v !== 'string' || !NUMERIC.test(v.trim())) return null;
  const n = Number(v.trim());
  return Number.isFinite(n) ? n : null;
}

/**
 * A number written out in plain decimal notation: String() switches to exponents past 1e21 and
 * below 1e-6 ('1e+21', '1.5e-7'), which CRMs refuse as "not a valid number". The digits are
 * String()'s shortest round-trip ones, so nothing is lost or invented.
 */
export function plainDecimal(n: number): string {
  if (Object.is(n, -0)) return '0';
  const s = String(n);
  const m = /^(-?)(\d+)(?:\.(\d+))?e([+-]\d+)$/.exec(s);
  if (!m) return s;
  const [, sign = '', int = '', frac = '', exp = '0'] = m;
  const digits = int + frac;
  const point = int.length + Number(exp);
  if (point <= 0) return `${sign}0.${'0'.repeat(-point)}${digits}`;
  if (point >= digits.length) return sign + digits + '0'.repeat(point - digits.length);
  return `${sign}${digits.slice(0, point)}.${digits.slice(point)}`;
}

const ISO =
  /^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2})(?::(\d{2})(?:\.(\d+))?)?(Z|[+-]\d{2}:?\d{2})?)?$/i;

/** 'YYYY-MM-DD' that names a real day (Date.parse would roll 2024-02-30 over to March 1st). */
function realDay(date: string): number | null {
  const ms = Date.parse(`${date}T00:00:00Z`);
  return Number.isNaN(ms) || new Date(ms).toISOString().slice(0, 10) !== date ? null : ms;
}

/**
 * The instant a value names, in ms: an ISO 8601 datetime (without a zone read as UTC, as the
 * planner's values are), a 'YYYY-MM-DD' date (midnight UTC), and with `epochMs` a millisecond
 * epoch given as a number or a string of digits (how HubSpot writes dates).
 */
export function parseInstant(v: CrmValue, opts: { epochMs: boolean }): number | null {
  if (typeof v === 'number' || (typeof v === 'string' && /^-?\d+$/.test(v.trim()))) {
    if (!opts.epochMs) return null;
    const ms = Number(v);
    return Number.isSafeInteger(ms) && Math.abs(ms) <= 8.64e15 ? ms : null;
  }
  if (typeof v !== 'string') return null;
  const m = ISO.exec(v.trim());
  if (!m?.[1] || realDay(m[1]) === null) return null;
  const [, date = '', hm, sec, frac, zone] = m;
  if (!hm) return realDay(date);
  const tz = zone ? zone.toUpperCase().replace(/^([+-]\d{2})(\d{2})$/, '$1:$2') : 'Z';
  const millis = frac ? `.${frac.padEnd(3, '0').slice(0, 3)}` : '';
  const ms = Date.parse(`${date}T${hm}:${sec ?? '00'}${millis}${tz}`);
  return Number.isNaN(ms) ? null : ms;
}

/** The UTC calendar day of an instant. */
export const utcDay = (ms: number): string => new Date(ms).toISOString().slice(0, 10);

/** Why one value could not be put in a field's form: what the field takes, in words. */
export interface Refusal {
  refused: string;
}

export const refuse = (expected: string): Refusal => ({ refused: expected });

export const isRefusal = (v: unknown): v is Refusal =>
  typeof v === 'object' && v !== null && 'refused' in v;

/**
 * The error for a value a field cannot take. It names the object, the field and what the field
 * takes, never the value: messages end up in logs and dead letters, which must not carry row data.
 */
export function invalidValue(
  crm: string,
  objectType: string,
  property: string,
  fieldType: string,
  expected: string,
): CrmError {
  return new CrmError(
    'invalid_value',
    `${objectType}.${property} (${crm} ${fieldType} field) takes ${expected}; the value given cannot be converted`,
    false,
  );
}
