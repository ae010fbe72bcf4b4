import type { Scalar } from './field-rules.js';
import { getPath, toStripeParams } from './object-path.js';
import {
  METADATA_LIMITS,
  resolveStripeField,
  type StripeField,
  type StripeObjectSpec,
} from './stripe-fields.js';
import { isBlank } from './values.js';

/** A value Stripe would refuse, with the limit it breaks. Never carries the value itself. */
export interface StripeRefusal {
  path: string;
  code: string;
  /** The rule broken, as a person reads it: "at most 20 characters". */
  limit: string;
  message: string;
}

type Hash = Extract<StripeField, { kind: 'hash' }>;

// Stripe checks syntax, not deliverability; this refuses what it would refuse in practice.
const EMAIL = /^[^\s@]+@[^\s@.]+(\.[^\s@.]+)+$/;

const refusal = (path: string, code: string, limit: string, why: string): StripeRefusal => ({
  path,
  code,
  limit,
  message: `${path}: ${why}; Stripe allows ${limit}`,
});

/** Length in characters as Stripe counts them (code points, not UTF-16 units). */
const length = (s: string): number => [...s].length;

/** Problems of one value on its own: length, syntax, allowed values, type. */
export function valueRefusal(
  field: StripeField,
  path: string,
  value: Scalar,
): StripeRefusal | null {
  if (isBlank(value)) return null;
  const text = String(value);
  switch (field.kind) {
    case 'string': {
      const n = length(text);
      if (field.maxLength !== undefined && n > field.maxLength) {
        const limit = `at most ${field.maxLength} characters`;
        return refusal(path, 'too_long', limit, `the CRM value has ${n} characters`);
      }
      if (field.format === 'email' && !EMAIL.test(text)) {
        return refusal(path, 'invalid_email', 'an email address', 'the CRM value is not one');
      }
      if (field.values && !field.values.includes(text)) {
        const limit = `one of ${field.values.join(', ')}`;
        return refusal(path, 'not_allowed', limit, 'the CRM value is not among them');
      }
      return null;
    }
    case 'integer':
      return Number.isSafeInteger(
        typeof value === 'string' && /^-?\d+$/.test(text) ? Number(text) : value,
      )
        ? null
        : refusal(path, 'not_an_integer', 'a whole number', 'the CRM value is not one');
    case 'boolean':
      return typeof value === 'boolean'
        ? null
        : refusal(path, 'not_a_boolean', 'true or false', 'the CRM value is neither');
    case 'metadata': {
      const n = length(text);
      if (n > METADATA_LIMITS.valueLength) {
        const limit = `metadata values of at most ${METADATA_LIMITS.valueLength} characters`;
        return refusal(path, 'too_long', limit, `the CRM value has ${n} characters`);
      }
      return null;
    }
    default:
      return refusal(path, 'read_only', 'no writes to this field', 'it is read-only');
  }
}

/**
 * The hash as it should be after `writes`: its current parts (from Stripe) overlaid with the
 * written ones, blank parts left out; null when nothing is left. This is what goes to Stripe,
 * since Stripe replaces such a hash whole and would null every part a fragment leaves out.
 */
function wholeHash(
  hash: Hash,
  path: string,
  current: unknown,
  writes: Record<string, Scalar>,
): Record<string, unknown> | null {
  const out: Record<string, unknown> = {};
  for (const [key, part] of Object.entries(hash.fields)) {
    const p = `${path}.${key}`;
    const now = getPath(current, key);
    if (part.kind === 'hash') {
      const inner = wholeHash(part, p, now, writes);
      if (inner) out[key] = inner;
    } else if (!('readOnly' in part && part.readOnly === true)) {
      const v = Object.hasOwn(writes, p) ? writes[p] : now;
      if (!isBlank(v) && (typeof v === 'string' || typeof v === 'number')) out[key] = v;
    }
  }
  return Object.keys(out).length > 0 ? out : null;
}

/** The outermost replaced-whole hash a path lies in ('shipping' for shipping.address.city). */
function wholeRoot(spec: StripeObjectSpec, path: string): { path: string; hash: Hash } | null {
  const outer = resolveStripeField(spec, path)?.hashes[0];
  return outer?.field.replacedWhole ? { path: outer.path, hash: outer.field } : null;
}

/** Required parts missing from a whole hash (recursively), as dotted paths. */
function missingParts(hash: Hash, path: string, value: Record<string, unknown>): string[] {
  const missing = (hash.required ?? [])
    .filter((k) => value[k] === undefined)
    .map((k) => `${path}.${k}`);
  for (const [key, part] of Object.entries(hash.fields)) {
    const inner = value[key];
    if (part.kind === 'hash' && inner && typeof inner === 'object') {
      missing.push(...missingParts(part, `${path}.${key}`, inner as Record<string, unknown>));
    }
  }
  return missing;
}

/**
 * Every write Stripe would refuse, checked before anything is sent, so that one value Stripe
 * cannot hold is a per-field outcome instead of a 400 for the whole object: lengths, syntax,
 * metadata limits, and hashes that would lack a part Stripe requires once completed.
 */
export function stripeRefusals(
  writes: Record<string, Scalar>,
  current: Record<string, unknown> | null,
  spec: StripeObjectSpec,
): StripeRefusal[] {
  const out: StripeRefusal[] = [];
  const ok: Record<string, Scalar> = {};
  for (const [path, value] of Object.entries(writes)) {
    const resolved = resolveStripeField(spec, path);
    if (!resolved) {
      out.push(refusal(path, 'unknown_field', 'only its own fields', 'not a field of this object'));
      continue;
    }
    const key = resolved.metadataKey;
    const problem =
      key !== undefined && length(key) > METADATA_LIMITS.keyLength
        ? refusal(
            path,
            'key_too_long',
            `metadata keys of at most ${METADATA_LIMITS.keyLength} characters`,
            `the key has ${length(key)}`,
          )
        : valueRefusal(resolved.field, path, value);
    if (problem) out.push(problem);
    else ok[path] = value;
  }

  const roots = new Map<string, Hash>();
  for (const path of Object.keys(ok)) {
    const root = wholeRoot(spec, path);
    if (root) roots.set(root.path, root.hash);
  }
  for (const [root, hash] of roots) {
    const inHash = Object.keys(ok).filter((p) => p.startsWith(`${root}.`));
    const whole = wholeHash(hash, root, getPath(current, root), ok);
    const missing = whole ? missingParts(hash, root, whole) : [];
    const problem =
      missing.length > 0
        ? {
            code: 'incomplete',
            limit: `${root} only with ${missing.join(', ')}`,
            why: `${missing.join(', ')} would be blank`,
          }
        : null;
    if (!problem) continue;
    for (const p of inHash) {
      out.push(refusal(p, problem.code, problem.limit, problem.why));
      delete ok[p];
    }
  }

  const meta = getPath(current, 'metadata');
  const keys = new Set(meta && typeof meta === 'object' ? Object.keys(meta) : []);
  const added: string[] = [];
  for (const [path, value] of Object.entries(ok)) {
    const key = resolveStripeField(spec, path)?.metadataKey;
    if (key === undefined) continue;
    if (isBlank(value)) keys.delete(key);
    else if (!keys.has(key)) added.push(path);
  }
  // Keys already there stay writable; only new ones beyond the cap are refused.
  const room = METADATA_LIMITS.keys - keys.size;
  for (const path of added.slice(Math.max(0, room))) {
    const limit = `at most ${METADATA_LIMITS.keys} metadata keys`;
    out.push(refusal(path, 'too_many_keys', limit, 'this key would exceed them'));
  }
  return out;
}

/**
 * The update params for `writes` (flat Stripe paths, Stripe form): top-level fields and
 * metadata keys as they are, and every replaced-whole hash a write touches sent whole (current
 * parts + the writes). A hash whose parts are all blank is unset with ''.
 */
export function stripeUpdateParams(
  writes: Record<string, Scalar>,
  current: Record<string, unknown> | null,
  spec: StripeObjectSpec | undefined,
): Record<string, unknown> {
  if (!spec) return toStripeParams(writes);
  const flat: Record<string, Scalar> = {};
  const roots = new Map<string, Hash>();
  for (const [path, value] of Object.entries(writes)) {
    const root = wholeRoot(spec, path);
    if (root) roots.set(root.path, root.hash);
    else flat[path] = value;
  }
  const params = toStripeParams(flat);
  for (const [root, hash] of roots) {
    params[root] = wholeHash(hash, root, getPath(current, root), writes) ?? '';
  }
  return params;
}
