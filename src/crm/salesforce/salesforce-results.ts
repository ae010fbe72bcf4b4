import {
  type CrmCreateInput,
  CrmError,
  type CrmRecord,
  type CrmUpdateInput,
  type CrmUpsertInput,
  type CrmValue,
  type CrmWriteResult,
} from '../crm-connector.js';
import { recordError, type SfSaveError } from './salesforce-errors.js';

/** A collection write's per-record outcome, narrowed from jsforce's SaveResult/UpsertResult. */
export interface SfWriteOutcome {
  id: string | null;
  created: boolean;
  errors: SfSaveError[];
}

/** SystemModstamp comes as `2026-11-26T12:00:00.000+0000`; `Date.parse` wants `+00:00`. */
export function parseStamp(stamp: string): Date {
  return new Date(stamp.replace(/([+-]\d{2})(\d{2})$/, '$1:$2'));
}

/** jsforce types collection results loosely (and per overload); check what really came. */
export function narrowOutcomes(raw: unknown, expected: number): SfWriteOutcome[] {
  const list = Array.isArray(raw) ? (raw as unknown[]) : [raw];
  if (list.length !== expected) {
    throw new CrmError(
      'unexpected_response',
      `Salesforce answered ${list.length} results for ${expected} records`,
      false,
    );
  }
  return list.map((r) => {
    const o = typeof r === 'object' && r !== null ? (r as Record<string, unknown>) : {};
    const errors = Array.isArray(o.errors)
      ? (o.errors as unknown[]).map((e) => {
          const err = typeof e === 'object' && e !== null ? (e as Record<string, unknown>) : {};
          // The REST API names the code `statusCode` in collection results, jsforce's types
          // say `errorCode`; accept either.
          const code = err.errorCode ?? err.statusCode;
          return {
            errorCode: typeof code === 'string' ? code : 'UNKNOWN_EXCEPTION',
            message: typeof err.message === 'string' ? err.message : '',
            fields: Array.isArray(err.fields) ? err.fields.map(String) : [],
          };
        })
      : [];
    const ok = o.success === true && typeof o.id === 'string';
    return {
      id: ok ? (o.id as string) : null,
      created: o.created === true,
      errors: ok ? [] : errors,
    };
  });
}

/**
 * Salesforce fails every record of a call that repeats an external id (DUPLICATE_EXTERNAL_ID),
 * so the n-th occurrence of a key (case-insensitively, as Salesforce matches) goes into the
 * n-th round; rounds run in order, so a later input still wins.
 */
export function roundsByKey<T extends { key: string }>(
  inputs: T[],
): { index: number; input: T }[][] {
  const rounds: { index: number; input: T }[][] = [];
  const seen = new Map<string, number>();
  inputs.forEach((input, index) => {
    const key = input.key.toLowerCase();
    const round = seen.get(key) ?? 0;
    seen.set(key, round + 1);
    (rounds[round] ??= []).push({ index, input });
  });
  return rounds;
}

export type WriteInput = CrmCreateInput | CrmUpdateInput | CrmUpsertInput;

export interface SettleOptions {
  objectType: string;
  mode: 'create' | 'update' | 'upsert';
  /** The upsert key field, reported on every upserted record. */
  idProperty?: string;
  /** A time before the write was sent. */
  writtenBefore: Date;
  /** Live records by id with the given properties (the connector's read). */
  readBack: (ids: string[], properties: string[]) => Promise<Map<string, CrmRecord>>;
}

/**
 * Per-input results of one collection call. Successful records are read back so each result
 * carries Salesforce's own SystemModstamp and stored values, not just what was sent.
 */
export async function settleWrites(
  inputs: WriteInput[],
  outcomes: SfWriteOutcome[] | CrmError,
  opts: SettleOptions,
): Promise<CrmWriteResult[]> {
  if (outcomes instanceof CrmError) {
    return inputs.map((i) => ({ ref: i.ref, ok: false, error: outcomes }));
  }
  const { idProperty, mode } = opts;
  const keysOf = (i: WriteInput) => [
    ...Object.keys(i.properties),
    ...(idProperty ? [idProperty] : []),
  ];
  const written = outcomes.flatMap((o, n) =>
    o.id ? [{ id: o.id, keys: keysOf(inputs[n]!) }] : [],
  );
  let readBack: Map<string, CrmRecord> | null = null;
  try {
    readBack = await opts.readBack(
      written.map((w) => w.id),
      [...new Set(written.flatMap((w) => w.keys))],
    );
  } catch {
    // The writes happened; reporting them as failed would make the caller write them again
    // (duplicates on create). So each is reported as sent, stamped with a time before the
    // write: a lower bound, so change detection from it re-reads the record, never misses it.
    readBack = null;
  }
  return inputs.map((input, n): CrmWriteResult => {
    const o = outcomes[n]!;
    if (!o.id) return { ref: input.ref, ok: false, error: recordError(o.errors, mode) };
    const created = mode === 'create' || (mode === 'upsert' && o.created);
    if (readBack === null) {
      const properties: Record<string, CrmValue> = { ...input.properties };
      if (idProperty && 'key' in input) properties[idProperty] = input.key;
      const record = { id: o.id, properties, modifiedAt: opts.writtenBefore };
      return { ref: input.ref, ok: true, record, created };
    }
    const rec = readBack.get(o.id);
    if (!rec) {
      // Deleted between the write and the read-back: there is no live record to report.
      const error = new CrmError('not_found', `${opts.objectType} ${o.id} was deleted`, false);
      return { ref: input.ref, ok: false, error };
    }
    const properties: Record<string, CrmValue> = {};
    for (const k of keysOf(input)) properties[k] = rec.properties[k] ?? null;
    return { ref: input.ref, ok: true, record: { ...rec, properties }, created };
  });
}
