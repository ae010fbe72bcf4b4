import { MultipleMatchError, type SalesforceData, Txn } from './data.js';
import type { SfRequest, SfRouter } from './router.js';
import { httpError, isRecord, normalizeId, notFound } from './util.js';

/** Runs `fn` in the request's composite transaction, or in its own committed one. */
export function inTxn<T>(req: SfRequest, data: SalesforceData, fn: (txn: Txn) => T): T {
  if (req.txn) return fn(req.txn);
  const txn = new Txn();
  try {
    const out = fn(txn);
    data.commit(txn);
    return out;
  } catch (err) {
    txn.rollback();
    throw err;
  }
}

export const bodyObject = (body: unknown): Record<string, unknown> => {
  if (!isRecord(body)) {
    throw httpError(400, 'JSON_PARSER_ERROR', 'The request body must be a JSON object');
  }
  return body;
};

const multipleChoices = (err: MultipleMatchError, req: SfRequest, type: string) => ({
  status: 300,
  body: err.ids.map((id) => `/services/data/${req.version}/sobjects/${type}/${id}`),
});

/** `/sobjects`: describe, single-record CRUD and upsert/lookup by external id. */
export function registerSObjectRoutes(router: SfRouter, data: SalesforceData): void {
  const typeOf = (req: SfRequest) => data.object(req.params.type ?? '');
  const base = (req: SfRequest) => `/services/data/${req.version}`;

  router.add('GET', '', (req) => ({
    status: 200,
    body: Object.fromEntries(
      ['sobjects', 'query', 'queryAll', 'composite', 'limits'].map((k) => [k, `${base(req)}/${k}`]),
    ),
  }));

  router.add('GET', '/sobjects', (req) => ({
    status: 200,
    body: {
      encoding: 'UTF-8',
      maxBatchSize: 200,
      sobjects: data.schema.list().map((o) => data.schema.globalEntry(o, base(req))),
    },
  }));

  router.add('GET', '/sobjects/:type', (req) => ({
    status: 200,
    body: { objectDescribe: data.schema.globalEntry(typeOf(req), base(req)), recentItems: [] },
  }));

  router.add('GET', '/sobjects/:type/describe', (req) => ({
    status: 200,
    body: data.schema.describe(typeOf(req), base(req), req.userId),
  }));

  router.add('POST', '/sobjects/:type', (req) => {
    const obj = typeOf(req);
    const id = inTxn(req, data, (txn) =>
      data.create(obj.name, bodyObject(req.body), req.userId, txn),
    );
    return {
      status: 201,
      body: { id, success: true, errors: [] },
      headers: { location: `${base(req)}/sobjects/${obj.name}/${id}` },
    };
  });

  router.add('GET', '/sobjects/:type/:id', (req) => {
    const obj = typeOf(req);
    const raw = req.params.id ?? '';
    const id = normalizeId(raw);
    if (!id || !id.startsWith(obj.keyPrefix)) {
      throw httpError(
        404,
        'NOT_FOUND',
        `Provided external ID field does not exist or is not accessible: ${raw}`,
      );
    }
    const rec = data.store.get<Record<string, unknown>>(obj.name, id);
    if (!rec || rec.archived) throw notFound();
    const fields = req.query.fields ? req.query.fields.split(',').map((f) => f.trim()) : null;
    return { status: 200, body: data.render(obj, rec, fields, req.version, req.userId) };
  });

  router.add('PATCH', '/sobjects/:type/:id', (req) => {
    const obj = typeOf(req);
    inTxn(req, data, (txn) =>
      data.update(obj.name, req.params.id ?? '', bodyObject(req.body), req.userId, txn),
    );
    return { status: 204 };
  });

  router.add('DELETE', '/sobjects/:type/:id', (req) => {
    const obj = typeOf(req);
    inTxn(req, data, (txn) => data.remove(req.params.id ?? '', txn, obj.name));
    return { status: 204 };
  });

  // One record by external id: 300 with the candidates when several match, 404 when none.
  const byExternalId = (req: SfRequest) => {
    const obj = typeOf(req);
    const f = data.externalIdField(obj, req.params.field ?? '', req.userId);
    const found = data.matches(obj, f, req.params.value);
    if (found.length > 1) {
      const err = new MultipleMatchError(
        found.map((r) => r.id),
        f.name,
      );
      return { kind: 'choices', obj, choices: multipleChoices(err, req, obj.name) } as const;
    }
    const record = found[0];
    if (!record) throw notFound();
    return { kind: 'record', obj, record } as const;
  };

  router.add('GET', '/sobjects/:type/:field/:value', (req) => {
    const hit = byExternalId(req);
    if (hit.kind === 'choices') return hit.choices;
    return {
      status: 200,
      body: data.render(hit.obj, hit.record, null, req.version, req.userId),
    };
  });

  router.add('PATCH', '/sobjects/:type/:field/:value', (req) => {
    const obj = typeOf(req);
    const f = data.externalIdField(obj, req.params.field ?? '', req.userId);
    try {
      const { id, created } = inTxn(req, data, (txn) =>
        data.upsert(obj.name, f, req.params.value, bodyObject(req.body), req.userId, txn),
      );
      return {
        status: created ? 201 : 200,
        body: { id, success: true, errors: [], created },
        ...(created ? { headers: { location: `${base(req)}/sobjects/${obj.name}/${id}` } } : {}),
      };
    } catch (err) {
      if (err instanceof MultipleMatchError) return multipleChoices(err, req, obj.name);
      throw err;
    }
  });

  router.add('DELETE', '/sobjects/:type/:field/:value', (req) => {
    const hit = byExternalId(req);
    if (hit.kind === 'choices') return hit.choices;
    inTxn(req, data, (txn) => data.remove(hit.record.id, txn, hit.obj.name));
    return { status: 204 };
  });
}
