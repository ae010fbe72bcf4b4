import type { FastifyInstance } from 'fastify';
import { fail, validation, type HubSpotErrorBody, correlationId } from './errors.js';
import { stringify, type CrmObjects, type CrmRecord, type PublicObject } from './objects.js';
import { canonicalType, type PropertyRegistry } from './schema.js';
import { runSearch, type SearchRequest } from './search.js';

export const BATCH_MAX = 100;
const LIST_MAX = 100;

type Query = Record<string, string | string[] | undefined>;
interface TypeParams {
  objectType: string;
}
interface IdParams extends TypeParams {
  objectId: string;
}
interface BatchInput {
  id?: string;
  idProperty?: string;
  properties?: Record<string, unknown>;
}
interface BatchBody {
  inputs?: BatchInput[];
  properties?: string[];
  idProperty?: string;
}

/** `properties=a,b&properties=c` → ['a','b','c']. */
export function listParam(v: string | string[] | undefined): string[] | undefined {
  if (v === undefined) return undefined;
  return (Array.isArray(v) ? v : [v]).flatMap((s) => s.split(',')).filter(Boolean);
}
const single = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);
const bool = (v: string | string[] | undefined) => single(v) === 'true';

function inputs(body: BatchBody | undefined): BatchInput[] {
  const list = body?.inputs;
  if (!Array.isArray(list)) {
    throw validation('Invalid input JSON: inputs is required', [
      { message: 'must not be null', in: 'inputs' },
    ]);
  }
  if (list.length > BATCH_MAX) {
    throw validation(
      `Invalid input JSON: inputs must contain between 1 and ${BATCH_MAX} entries (got ${list.length}).`,
      [{ message: `size must be between 1 and ${BATCH_MAX}`, in: 'inputs' }],
    );
  }
  return list;
}

function batchResult<T>(results: T[], errors: HubSpotErrorBody[] = []) {
  const at = new Date().toISOString();
  return {
    status: 'COMPLETE',
    results,
    ...(errors.length > 0 ? { numErrors: errors.length, errors } : {}),
    startedAt: at,
    completedAt: at,
  };
}

function notFoundError(type: string, ids: string[]): HubSpotErrorBody {
  return {
    status: 'error',
    category: 'OBJECT_NOT_FOUND',
    message: `Could not get some ${type} objects, they may be deleted or not exist. Check that ids are valid.`,
    correlationId: correlationId(),
    context: { ids },
    errors: [],
  };
}

function noDuplicates(list: BatchInput[]): void {
  const seen = new Set<string>();
  for (const i of list) {
    const key = `${i.idProperty ?? ''}:${String(i.id)}`;
    if (i.id !== undefined && seen.has(key))
      throw validation(`Duplicate IDs found in batch input: [${String(i.id)}]`);
    seen.add(key);
  }
}

/** /crm/v3/objects/{objectType}: basic CRUD, list, batch and search, for any object type. */
export function registerObjectRoutes(
  app: FastifyInstance,
  objects: CrmObjects,
  schema: PropertyRegistry,
): void {
  const base = '/crm/v3/objects/:objectType';
  const typeOf = (p: TypeParams) => canonicalType(p.objectType);

  app.get<{ Params: TypeParams; Querystring: Query }>(base, async (req) => {
    const type = typeOf(req.params);
    const limit = Number(single(req.query.limit) ?? 10);
    if (!Number.isInteger(limit) || limit < 1 || limit > LIST_MAX) {
      throw validation(`limit must be between 1 and ${LIST_MAX}`);
    }
    const after = Number(single(req.query.after) ?? 0);
    const archived = bool(req.query.archived);
    const all = archived ? objects.archivedList(type) : objects.live(type);
    const page = all.slice(after, after + limit);
    const props = listParam(req.query.properties);
    return {
      results: page.map((r) => objects.toPublic(type, r, props)),
      ...(after + limit < all.length ? { paging: { next: { after: String(after + limit) } } } : {}),
    };
  });

  app.post<{ Params: TypeParams; Body: { properties?: Record<string, unknown> } }>(
    base,
    async (req, reply) => {
      const type = typeOf(req.params);
      const rec = objects.create(type, req.body?.properties ?? {});
      return reply.code(201).send(objects.toPublic(type, rec, undefined, Object.keys(rec.data)));
    },
  );

  app.get<{ Params: IdParams; Querystring: Query }>(`${base}/:objectId`, async (req) => {
    const type = typeOf(req.params);
    const rec = objects.lookup(
      type,
      req.params.objectId,
      single(req.query.idProperty),
      bool(req.query.archived),
    );
    if (!rec)
      throw fail(404, 'Object not found.  objectId are usually numeric.', 'OBJECT_NOT_FOUND');
    return objects.toPublic(type, rec, listParam(req.query.properties));
  });

  app.patch<{
    Params: IdParams;
    Querystring: Query;
    Body: { properties?: Record<string, unknown> };
  }>(`${base}/:objectId`, async (req) => {
    const type = typeOf(req.params);
    const rec = objects.require(type, req.params.objectId, single(req.query.idProperty));
    const written = Object.keys(req.body?.properties ?? {});
    return objects.toPublic(
      type,
      objects.update(type, rec, req.body?.properties ?? {}),
      undefined,
      written,
    );
  });

  app.delete<{ Params: IdParams }>(`${base}/:objectId`, async (req, reply) => {
    const type = typeOf(req.params);
    const rec = objects.lookup(type, req.params.objectId);
    if (rec) objects.archive(type, rec); // HubSpot answers 204 for unknown ids too
    return reply.code(204).send();
  });

  app.post<{ Params: TypeParams; Querystring: Query; Body: BatchBody }>(
    `${base}/batch/read`,
    async (req, reply) => {
      const type = typeOf(req.params);
      const list = inputs(req.body);
      const archived = bool(req.query.archived);
      const found: PublicObject[] = [];
      const missing: string[] = [];
      for (const i of list) {
        const rec = objects.lookup(type, String(i.id), req.body.idProperty, archived);
        if (rec) found.push(objects.toPublic(type, rec, req.body.properties));
        else missing.push(String(i.id));
      }
      const errors = missing.length > 0 ? [notFoundError(type, missing)] : [];
      return reply.code(errors.length > 0 ? 207 : 200).send(batchResult(found, errors));
    },
  );

  app.post<{ Params: TypeParams; Body: BatchBody }>(`${base}/batch/create`, async (req, reply) => {
    const type = typeOf(req.params);
    const list = inputs(req.body);
    // HubSpot validates the whole batch first: one bad input fails it all.
    list.forEach((i) => objects.validate(type, i.properties ?? {}));
    checkUniqueWithinBatch(type, list, schema);
    const created = list.map((i) => objects.create(type, i.properties ?? {}));
    return reply
      .code(201)
      .send(
        batchResult(created.map((r) => objects.toPublic(type, r, undefined, Object.keys(r.data)))),
      );
  });

  app.post<{ Params: TypeParams; Body: BatchBody }>(`${base}/batch/update`, async (req, reply) => {
    const type = typeOf(req.params);
    const list = inputs(req.body);
    noDuplicates(list);
    const pairs: [CrmRecord, BatchInput][] = [];
    const missing: string[] = [];
    for (const i of list) {
      const rec = objects.lookup(type, String(i.id), i.idProperty);
      if (rec) pairs.push([rec, i]);
      else missing.push(String(i.id));
    }
    pairs.forEach(([rec, i]) => objects.validate(type, i.properties ?? {}, rec.id));
    const results = pairs.map(([rec, i]) =>
      objects.toPublic(
        type,
        objects.update(type, rec, i.properties ?? {}),
        undefined,
        Object.keys(i.properties ?? {}),
      ),
    );
    const errors = missing.length > 0 ? [notFoundError(type, missing)] : [];
    return reply.code(errors.length > 0 ? 207 : 200).send(batchResult(results, errors));
  });

  app.post<{ Params: TypeParams; Body: BatchBody }>(`${base}/batch/upsert`, async (req) => {
    const type = typeOf(req.params);
    const list = inputs(req.body);
    noDuplicates(list);
    const plan = list.map((i) => {
      const idProperty = i.idProperty ?? 'hs_object_id';
      if (i.id === undefined || i.id === '') throw validation('Each upsert input needs an id');
      const rec = objects.lookup(type, String(i.id), idProperty);
      if (!rec && idProperty === 'hs_object_id') {
        throw validation(
          `Upsert by hs_object_id needs an existing object: ${String(i.id)} not found`,
        );
      }
      const props = rec ? (i.properties ?? {}) : { ...i.properties, [idProperty]: String(i.id) };
      objects.validate(type, props, rec?.id);
      return { rec, props, written: Object.keys(props) };
    });
    const results = plan.map(({ rec, props, written }) => {
      const saved = rec ? objects.update(type, rec, props) : objects.create(type, props);
      return { ...objects.toPublic(type, saved, undefined, written), new: !rec };
    });
    return batchResult(results);
  });

  app.post<{ Params: TypeParams; Body: BatchBody }>(`${base}/batch/archive`, async (req, reply) => {
    const type = typeOf(req.params);
    for (const i of inputs(req.body)) {
      const rec = objects.lookup(type, String(i.id));
      if (rec) objects.archive(type, rec);
    }
    return reply.code(204).send();
  });

  app.post<{ Params: TypeParams; Body: SearchRequest }>(`${base}/search`, async (req) =>
    runSearch(typeOf(req.params), req.body ?? {}, objects, schema),
  );
}

/** Two creates in one batch with the same unique value conflict like two separate creates. */
function checkUniqueWithinBatch(type: string, list: BatchInput[], schema: PropertyRegistry): void {
  for (const name of schema.uniqueNames(type)) {
    const seen = new Set<string>();
    for (const i of list) {
      const v = stringify(i.properties?.[name])?.toLowerCase();
      if (v === undefined) continue;
      if (seen.has(v))
        throw fail(409, `Duplicate value for unique property ${name}: ${v}`, 'CONFLICT');
      seen.add(v);
    }
  }
}
