import type { Scalar } from './field-rules.js';

/** null, undefined, '' or a whitespace-only string: "no value" on either side. */
export function isBlank(v: unknown): boolean {
  return v === null || v === undefined || (typeof v === 'string' && v.trim() === '');
}

/**
 * Brings any raw value into CRM form. Objects and arrays are stored as JSON text, because a
 * CRM property holds one scalar; NaN/Infinity become null as no CRM can store them.
 */
export function normalizeScalar(v: unknown): Scalar {
  if (isBlank(v)) return null;
  switch (typeof v) {
    case 'string':
    case 'boolean':
      return v;
    case 'number':
      return Number.isFinite(v) ? v : null;
    case 'bigint':
      return v.toString();
    default: {
      // JSON.stringify returns undefined for functions and symbols.
      const json = JSON.stringify(v) as string | undefined;
      return json ?? null;
    }
  }
}

const NUMERIC = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** The number a decimal string spells, or null ('0x10', '1e' and '' are not numbers here). */
export function parseNumeric(s: string): number | null {
  const t = s.trim();
  if (!NUMERIC.test(t)) return null;
  const n = Number(t);
  return Number.isFinite(n) ? n : null;
}

function parseBoolean(s: string): boolean | null {
  const t = s.trim().toLowerCase();
  return t === 'true' ? true : t === 'false' ? false : null;
}

/**
 * Equality in CRM form. CRMs hand everything back as strings, so 12.5 equals '12.50' and
 * true equals 'TRUE'; any other comparison is exact (case-sensitive) text equality.
 */
export function sameValue(a: Scalar, b: Scalar): boolean {
  const aBlank = isBlank(a);
  const bBlank = isBlank(b);
  if (aBlank || bBlank) return aBlank && bBlank;
  if (typeof a === 'number' || typeof b === 'number') {
    const x = typeof a === 'string' ? parseNumeric(a) : a;
    const y = typeof b === 'string' ? parseNumeric(b) : b;
    if (typeof x === 'number' && typeof y === 'number') return x === y;
  }
  if (typeof a === 'boolean' || typeof b === 'boolean') {
    const x = typeof a === 'string' ? parseBoolean(a) : a;
    const y = typeof b === 'string' ? parseBoolean(b) : b;
    if (typeof x === 'boolean' && typeof y === 'boolean') return x === y;
  }
  if (typeof a === 'string' && typeof b === 'string' && a !== b) {
    const x = instant(a);
    if (x !== null && x === instant(b)) return true;
  }
  return String(a) === String(b);
}

const ZONED_DATETIME = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?)(Z|[+-]\d{2}:?\d{2})$/i;

/**
 * The instant a zoned ISO datetime names, or null. CRMs write the same instant their own way
 * (Salesforce '…T10:00:00.000+0000' for '…T10:00:00Z'), which must not read as a change.
 */
function instant(s: string): number | null {
  const m = ZONED_DATETIME.exec(s.trim());
  if (!m) return null;
  const zone = m[2]!.toUpperCase().replace(/^([+-]\d{2})(\d{2})$/, '$1:$2');
  const ms = Date.parse(`${m[1]}${zone}`);
  return Number.isNaN(ms) ? null : ms;
}
