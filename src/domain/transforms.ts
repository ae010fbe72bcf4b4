import { currencyExponent, decimalToMinor, minorToDecimal } from './currency.js';
import type { Scalar, Transform } from './field-rules.js';
import { isBlank, normalizeScalar, parseNumeric, sameValue } from './values.js';

/**
 * What a transform may read of the record besides the value itself: the Stripe object's
 * currency decides how many decimals its amounts have. `undefined` = the Stripe object was not
 * loaded (unknown); null = Stripe has not given it a currency.
 */
export interface TransformContext {
  currency?: unknown;
}

/** The record's context as transforms see it; no Stripe object → nothing known. */
export const contextOf = (stripe: Record<string, unknown> | null | undefined): TransformContext =>
  stripe ? { currency: stripe.currency ?? null } : {};

/** An explicit `exponent` overrides; otherwise the record's currency decides (JPY 0, KWD 3). */
function exponentFor(t: { kind: 'cents_to_decimal'; exponent?: number }, ctx: TransformContext) {
  if (t.exponent !== undefined) return t.exponent;
  if (ctx.currency === undefined) {
    throw new TransformError(t.kind, null, 'the currency is unknown (Stripe object not loaded)');
  }
  return currencyExponent(ctx.currency);
}

/** A value a transform cannot convert; the planner skips that rule and reports it. */
export class TransformError extends Error {
  readonly code = 'transform_failed';

  /** What went wrong without the value itself (plans are recorded and logged). */
  readonly reason: string;

  constructor(
    readonly transform: Transform['kind'],
    readonly value: unknown,
    reason: string,
  ) {
    super(`${transform}: cannot convert ${show(value)} (${reason})`);
    this.name = 'TransformError';
    this.reason = `${transform}: ${reason}`;
  }
}

function show(v: unknown): string {
  try {
    return JSON.stringify(v) ?? String(v);
  } catch {
    return String(v);
  }
}

function toNumber(kind: Transform['kind'], v: unknown): number {
  const n = typeof v === 'string' ? parseNumeric(v) : v;
  if (typeof n !== 'number' || !Number.isFinite(n))
    throw new TransformError(kind, v, 'not a number');
  return n;
}

function unixToIso(kind: Transform['kind'], v: unknown): string {
  const ms = toNumber(kind, v) * 1000;
  // Date accepts up to ±8.64e15 ms; beyond that toISOString throws a RangeError.
  if (Math.abs(ms) > 8.64e15) throw new TransformError(kind, v, 'out of the date range');
  return new Date(ms).toISOString();
}

/** Splits a full name on its last space: 'Ada King Lovelace' → ['Ada King', 'Lovelace']. */
export function splitName(name: string): { first: string; last: string | null } {
  const tokens = name.trim().split(/\s+/);
  if (tokens.length < 2) return { first: tokens.join(' '), last: null };
  const last = tokens.pop() as string;
  return { first: tokens.join(' '), last };
}

function toCrmStep(v: unknown, t: Transform, ctx: TransformContext): unknown {
  if (t.kind === 'default') return isBlank(v) ? t.value : v;
  if (isBlank(v)) return null;
  switch (t.kind) {
    case 'lowercase':
      return typeof v === 'string' ? v.toLowerCase() : v;
    case 'trim':
      return typeof v === 'string' ? v.trim() : v;
    case 'cents_to_decimal':
      return minorToDecimal(toNumber(t.kind, v), exponentFor(t, ctx));
    case 'unix_to_iso':
      return unixToIso(t.kind, v);
    case 'unix_to_date':
      return unixToIso(t.kind, v).slice(0, 10);
    case 'enum_map': {
      const key = String(v);
      return Object.hasOwn(t.map, key) ? t.map[key] : v;
    }
    case 'boolean_string':
      return typeof v === 'boolean' ? String(v) : v;
    case 'name_part': {
      if (typeof v !== 'string') throw new TransformError(t.kind, v, 'not a string');
      return splitName(v)[t.part];
    }
  }
}

/** Converts a raw Stripe value to CRM form, applying the transforms in order. */
export function applyToCrm(
  stripeValue: unknown,
  transforms: Transform[],
  ctx: TransformContext = {},
): Scalar {
  return normalizeScalar(transforms.reduce((v, t) => toCrmStep(v, t, ctx), stripeValue));
}

const ISO_DATE =
  /^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)(Z|[+-]\d{2}:?\d{2})?)?$/i;

/**
 * Unix seconds from an ISO datetime, a YYYY-MM-DD date or a millisecond epoch (HubSpot returns
 * date properties as '1732665600000'). Datetimes without a zone are read as UTC.
 */
function parseToUnix(kind: Transform['kind'], v: Scalar): number {
  if (typeof v === 'number' || (typeof v === 'string' && parseNumeric(v) !== null)) {
    return Math.floor(toNumber(kind, v) / 1000);
  }
  const m = typeof v === 'string' ? ISO_DATE.exec(v.trim()) : null;
  if (!m?.[1]) throw new TransformError(kind, v, 'not a date');
  const [, date, time, zone] = m;
  // Salesforce writes '+0000'; Date.parse wants '+00:00'.
  const tz = zone ? zone.toUpperCase().replace(/^([+-]\d{2})(\d{2})$/, '$1:$2') : 'Z';
  const ms = Date.parse(`${date}T${time ?? '00:00'}${tz}`);
  // Date.parse rolls 2024-02-30 over to March 1st; refuse dates that do not exist.
  const day = Date.parse(`${date}T00:00Z`);
  if (Number.isNaN(ms) || Number.isNaN(day) || new Date(day).toISOString().slice(0, 10) !== date) {
    throw new TransformError(kind, v, 'not a valid date');
  }
  return Math.floor(ms / 1000);
}

function toStripeStep(v: Scalar, t: Transform, ctx: TransformContext): Scalar {
  // A text default is a placeholder the CRM needed ('[not provided]' for a required LastName),
  // not data: it reads back as no value, so it never lands in Stripe. Other defaults (false,
  // 0) are real values and pass through.
  if (t.kind === 'default') {
    return typeof t.value === 'string' && sameValue(v, t.value) ? null : v;
  }
  if (t.kind === 'lowercase' || t.kind === 'name_part') return v;
  if (isBlank(v)) return null;
  switch (t.kind) {
    case 'trim':
      return typeof v === 'string' ? v.trim() : v;
    case 'cents_to_decimal':
      return decimalToMinor(toNumber(t.kind, v), exponentFor(t, ctx));
    case 'unix_to_iso':
    case 'unix_to_date':
      return parseToUnix(t.kind, v);
    case 'enum_map': {
      const key = Object.keys(t.map).find((k) => t.map[k] === String(v));
      return key ?? v;
    }
    case 'boolean_string': {
      const s = String(v).trim().toLowerCase();
      if (s === 'true' || s === 'false') return s === 'true';
      throw new TransformError(t.kind, v, "expected 'true' or 'false'");
    }
  }
}

/**
 * Converts a CRM value back to Stripe form, undoing the transforms in reverse order.
 * Throws TransformError when the CRM holds something the transforms cannot parse.
 */
export function applyToStripe(
  crmValue: Scalar,
  transforms: Transform[],
  ctx: TransformContext = {},
): Scalar {
  return transforms.reduceRight<Scalar>(
    (v, t) => toStripeStep(v, t, ctx),
    normalizeScalar(crmValue),
  );
}

const PARAMS: Record<Transform['kind'], readonly string[]> = {
  lowercase: [],
  trim: [],
  cents_to_decimal: ['exponent'],
  unix_to_iso: [],
  unix_to_date: [],
  enum_map: ['map'],
  default: ['value'],
  boolean_string: [],
  name_part: ['part'],
};
const KINDS: ReadonlySet<string> = new Set(Object.keys(PARAMS));

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function paramProblem(kind: Transform['kind'], t: Record<string, unknown>): string | null {
  switch (kind) {
    case 'cents_to_decimal': {
      const e = t.exponent;
      const ok =
        e === undefined || (Number.isInteger(e) && (e as number) >= 0 && (e as number) <= 4);
      return ok ? null : '"exponent" must be an integer from 0 to 4';
    }
    case 'enum_map': {
      const map = t.map;
      const ok = isPlainObject(map) && Object.values(map).every((x) => typeof x === 'string');
      return ok ? null : '"map" must be an object mapping strings to strings';
    }
    case 'default': {
      const v = t.value;
      const ok = v === null || ['string', 'number', 'boolean'].includes(typeof v);
      return ok && Object.hasOwn(t, 'value')
        ? null
        : '"value" must be a string, number, boolean or null';
    }
    case 'name_part':
      return t.part === 'first' || t.part === 'last' ? null : '"part" must be "first" or "last"';
    default:
      return null;
  }
}

/**
 * Human-readable problems with an admin-supplied transform list; empty means valid.
 * Input is untrusted JSON, hence `unknown`.
 */
export function validateTransforms(transforms: unknown): string[] {
  if (!Array.isArray(transforms)) return ['transforms must be an array'];
  const problems: string[] = [];
  let nameParts = 0;
  for (const [i, t] of (transforms as unknown[]).entries()) {
    const at = `transforms[${i}]`;
    if (!isPlainObject(t)) {
      problems.push(`${at} must be an object`);
      continue;
    }
    if (typeof t.kind !== 'string' || !KINDS.has(t.kind)) {
      problems.push(`${at}: unknown kind ${show(t.kind)}`);
      continue;
    }
    const kind = t.kind as Transform['kind'];
    if (kind === 'name_part') nameParts++;
    const extra = Object.keys(t).filter((k) => k !== 'kind' && !PARAMS[kind].includes(k));
    if (extra.length > 0) problems.push(`${at} (${kind}): unexpected ${extra.join(', ')}`);
    const problem = paramProblem(kind, t);
    if (problem) problems.push(`${at} (${kind}): ${problem}`);
  }
  if (nameParts > 1) problems.push('at most one name_part transform is allowed');
  return problems;
}

/** Transforms whose round trip gives back the one form computed from Stripe. */
const CANONICAL_KINDS = new Set<Transform['kind']>([
  'lowercase',
  'trim',
  'unix_to_iso',
  'unix_to_date',
]);

/**
 * A CRM value in the form the rule computes from Stripe. CRMs keep what a user typed
 * ('Ada@Example.com' where the rule lowercases) and echo dates their own way
 * ('2024-11-27T00:00:00.000+0000' for '…00Z'); without this, every sync would see a change that
 * is not one, and write it back. Name parts are left alone (a part does not split again), and
 * values the transforms cannot parse stay as they are.
 */
export function canonicalCrm(
  c: Scalar,
  transforms: Transform[],
  ctx: TransformContext = {},
): Scalar {
  if (isBlank(c) || transforms.some((t) => t.kind === 'name_part')) return c;
  if (!transforms.some((t) => CANONICAL_KINDS.has(t.kind))) return c;
  try {
    return applyToCrm(applyToStripe(c, transforms, ctx), transforms, ctx);
  } catch (e) {
    if (e instanceof TransformError) return c;
    throw e;
  }
}
