import type { Client } from '@hubspot/api-client';
import {
  CrmError,
  type CrmCreateInput,
  type CrmUpdateInput,
  type CrmUpsertInput,
  type CrmWriteResult,
} from '../crm-connector.js';
import type { HubSpotCaller } from './hubspot-caller.js';
import { errorFields } from './hubspot-errors.js';
import { toRecord, wireProperties, type HubSpotObject, type TypeMap } from './hubspot-values.js';

export type ObjectsApi = Client['crm']['objects'];

export interface WriteContext {
  objectType: string;
  types: TypeMap;
  /** Upserts only: the unique property the keys are values of. */
  idProperty?: string;
}

/** A batch answer: results, plus per-input errors on a 207. */
interface BatchAnswer<T> {
  results: T[];
  errors?: unknown[];
}

type Sent = HubSpotObject & { objectWriteTraceId?: string };

/*
 * The send functions take inputs whose values the connector has already encoded for their
 * properties' types (see encodeProperties); they only put them on the wire.
 */

/** Batch create; results matched to inputs by trace id, else by the values they carry. */
export async function sendCreate(
  api: ObjectsApi,
  caller: HubSpotCaller,
  ctx: WriteContext,
  inputs: CrmCreateInput[],
): Promise<CrmWriteResult[]> {
  const body = inputs.map((i, n) => ({
    properties: wireProperties(i.properties),
    objectWriteTraceId: String(n),
  }));
  const answer: BatchAnswer<Sent> = await caller.call('call', `create ${ctx.objectType}`, () =>
    api.batchApi.createWithHttpInfo(ctx.objectType, { inputs: body }),
  );
  const matched = align(inputs.length, answer.results, (r, n) =>
    carries(r, body[n]?.properties ?? {}),
  );
  return inputs.map((input, n) => {
    const obj = matched[n];
    if (!obj) return { ref: input.ref, ok: false, error: unanswered(answer, input.ref) };
    const record = toRecord(obj, Object.keys(input.properties), ctx.types);
    return { ref: input.ref, ok: true, created: true, record };
  });
}

/** Batch update; ids HubSpot does not know come back in a 207 and become `not_found`. */
export async function sendUpdate(
  api: ObjectsApi,
  caller: HubSpotCaller,
  ctx: WriteContext,
  inputs: CrmUpdateInput[],
): Promise<CrmWriteResult[]> {
  const body = inputs.map((i) => ({ id: i.id, properties: wireProperties(i.properties) }));
  const answer: BatchAnswer<Sent> = await caller.call('call', `update ${ctx.objectType}`, () =>
    api.batchApi.updateWithHttpInfo(ctx.objectType, { inputs: body }),
  );
  const byId = new Map(answer.results.map((r) => [r.id, r]));
  return inputs.map((input) => {
    const obj = byId.get(input.id);
    if (!obj) {
      const { message } = errorFor(answer, input.id);
      const msg = message ?? `${ctx.objectType} ${input.id} does not exist`;
      return { ref: input.ref, ok: false, error: new CrmError('not_found', msg, false) };
    }
    const record = toRecord(obj, Object.keys(input.properties), ctx.types);
    return { ref: input.ref, ok: true, created: false, record };
  });
}

/**
 * Batch upsert by `idProperty`. The key is also sent as a property so HubSpot returns it and
 * results can be matched by it when HubSpot does not echo the trace id.
 */
export async function sendUpsert(
  api: ObjectsApi,
  caller: HubSpotCaller,
  ctx: WriteContext,
  inputs: CrmUpsertInput[],
): Promise<CrmWriteResult[]> {
  const idProperty = ctx.idProperty ?? 'hs_object_id';
  const body = inputs.map((i, n) => ({
    id: i.key,
    idProperty,
    properties: wireProperties({ ...i.properties, [idProperty]: i.key }),
    objectWriteTraceId: String(n),
  }));
  const answer: BatchAnswer<Sent & { _new: boolean }> = await caller.call(
    'call',
    `upsert ${ctx.objectType} by ${idProperty}`,
    () => api.batchApi.upsertWithHttpInfo(ctx.objectType, { inputs: body }),
  );
  const matched = align(
    inputs.length,
    answer.results,
    (r, n) => r.properties[idProperty]?.toLowerCase() === inputs[n]?.key.toLowerCase(),
  );
  return inputs.map((input, n) => {
    const obj = matched[n];
    if (!obj) return { ref: input.ref, ok: false, error: unanswered(answer, input.ref) };
    const names = [...new Set([...Object.keys(input.properties), idProperty])];
    return { ref: input.ref, ok: true, created: obj._new, record: toRecord(obj, names, ctx.types) };
  });
}

/**
 * Pairs results with inputs. HubSpot does not promise result order: its echo of our trace id
 * decides first, then `fits`; leftovers pair up in order only when nothing is missing.
 */
function align<T extends Sent>(
  count: number,
  results: T[],
  fits: (result: T, index: number) => boolean,
): (T | undefined)[] {
  const out: (T | undefined)[] = new Array<T | undefined>(count).fill(undefined);
  const free = new Set(results);
  for (const r of results) {
    const n = Number(r.objectWriteTraceId ?? NaN);
    if (Number.isInteger(n) && n >= 0 && n < count && out[n] === undefined) {
      out[n] = r;
      free.delete(r);
    }
  }
  for (let n = 0; n < count; n += 1) {
    if (out[n] !== undefined) continue;
    const hit = [...free].find((r) => fits(r, n));
    if (hit) {
      out[n] = hit;
      free.delete(hit);
    }
  }
  if (results.length === count) {
    const rest = [...free];
    for (let n = 0; n < count && rest.length > 0; n += 1) out[n] ??= rest.shift();
  }
  return out;
}

/** Whether a created object carries the values sent (HubSpot may trim or lowercase them). */
function carries(obj: Sent, sent: Record<string, string>): boolean {
  return Object.entries(sent).every(([name, value]) => {
    const got = obj.properties[name] ?? '';
    return got.trim().toLowerCase() === value.trim().toLowerCase();
  });
}

/** HubSpot's per-input error mentioning `id` (207 answers), else its first one. */
function errorFor(answer: BatchAnswer<unknown>, id: string) {
  const errors = answer.errors ?? [];
  const mentions = (e: unknown) => JSON.stringify(errorContext(e)).includes(JSON.stringify(id));
  return errorFields(errors.find(mentions) ?? errors[0]);
}

function errorContext(e: unknown): unknown {
  return e !== null && typeof e === 'object' && 'context' in e ? e.context : undefined;
}

function unanswered(answer: BatchAnswer<unknown>, ref: string): CrmError {
  const { message, category } = errorFields(answer.errors?.[0]);
  const msg = message ?? `HubSpot returned no result for input ${ref}`;
  return new CrmError(category ?? 'missing_result', msg, false);
}
