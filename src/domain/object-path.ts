import type { Scalar } from './field-rules.js';

// Paths come from admin-edited mappings: these would reach Object.prototype.
const UNSAFE_SEGMENTS = new Set(['__proto__', 'prototype', 'constructor']);

function segments(path: string): string[] {
  const parts = path.split('.');
  for (const part of parts) {
    if (part === '' || UNSAFE_SEGMENTS.has(part)) {
      throw new Error(`Invalid object path "${path}"`);
    }
  }
  return parts;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null;
}

/** Reads a dotted path (`metadata.tier`, `address.city`); anything missing reads as undefined. */
export function getPath(obj: unknown, path: string): unknown {
  let current: unknown = obj;
  for (const part of segments(path)) {
    // Own properties only, so `toString` or `constructor` never read inherited members.
    if (!isRecord(current) || !Object.hasOwn(current, part)) return undefined;
    current = current[part];
  }
  return current;
}

/**
 * Builds nested Stripe update params from flat dotted paths. null becomes '' because that is
 * how Stripe unsets a field or deletes a metadata key. A path that is both a leaf and a parent
 * (`address` and `address.city`) is a mapping error and throws.
 */
export function toStripeParams(flat: Record<string, Scalar>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [path, value] of Object.entries(flat)) {
    const parts = segments(path);
    const leaf = parts.pop() as string;
    let node = out;
    for (const part of parts) {
      const next = node[part] ?? (node[part] = {});
      if (!isRecord(next)) throw new Error(`Stripe path "${path}" collides with "${part}"`);
      node = next;
    }
    if (Object.hasOwn(node, leaf)) throw new Error(`Stripe path "${path}" is set twice`);
    node[leaf] = value ?? '';
  }
  return out;
}
