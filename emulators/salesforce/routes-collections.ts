import { MultipleMatchError, type SalesforceData, Txn } from './data.js';
import type { SfRequest, SfRouter } from './router.js';
import { bodyObject } from './routes-sobjects.js';
import {
  type SfError,
  SfHttpError,
  SfParseError,
  SfRecordError,
  httpError,
  isRecord,
  omit,
  sfError,
} from './util.js';

const MAX_RECORDS = 200;

type Result = Record<string, unknown> & { success: boolean };

const statusErrors = (errors: SfError[]) =>
  errors.map((e) => ({ statusCode: e.errorCode, message: e.message, fields: e.fields }));

const ROLLED_BACK = statusErrors([
  sfError(
    'ALL_OR_NONE_OPERATION_ROLLED_BACK',
    'Record rolled back because not all records were valid and the request was using AllOrNone header',
  ),
]);

function tooMany(n: number): never {
  if (n > MAX_RECORDS) {
    throw httpError(
      400,
      'EXCEEDED_ID_LIMIT',
      `record limit reached. cannot submit more than ${MAX_RECORDS} records into this call`,
    );
  }
  throw httpError(400, 'INVALID_API_INPUT', 'records must be a non-empty array');
}

function recordsOf(body: unknown): { allOrNone: boolean; records: Record<string, unknown>[] } {
  const b = bodyObject(body);
  const records = b.records;
  if (!Array.isArray(records) || records.length === 0 || records.length > MAX_RECORDS) {
    tooMany(Array.isArray(records) ? records.length : 0);
  }
  if (!records.every(isRecord))
    throw httpError(400, 'JSON_PARSER_ERROR', 'records must be objects');
  return { allOrNone: b.allOrNone === true, records };
}

function typeOfRecord(rec: Record<string, unknown>): string {
  const attrs = rec.attributes;
  const type = isRecord(attrs) && typeof attrs.type === 'string' ? attrs.type : null;
  if (!type) {
    throw new SfRecordError([sfError('INVALID_TYPE', 'No SObject Type defined in record', [])]);
  }
  return type;
}

/**
 * Runs one collection call: per-record results (but a JSON_PARSER_ERROR fails the call), and
 * with allOrNone every write rolls back as
 * soon as any record fails (the others report ALL_OR_NONE_OPERATION_ROLLED_BACK).
 */
function runBatch<T>(
  req: SfRequest,
  data: SalesforceData,
  items: T[],
  allOrNone: boolean,
  op: (item: T, txn: Txn) => Result,
  idOf: (item: T) => string | undefined,
): Result[] {
  const txn = req.txn ?? new Txn();
  const results: Result[] = items.map((item) => {
    try {
      return op(item, txn);
    } catch (err) {
      // A body that does not deserialize fails the call, not the record: nothing is written.
      if (err instanceof SfParseError) {
        if (!req.txn) txn.rollback();
        throw err;
      }
      if (!(err instanceof SfRecordError || err instanceof SfHttpError)) throw err;
      const id = idOf(item);
      return { ...(id ? { id } : {}), success: false, errors: statusErrors(err.errors) };
    }
  });
  const failed = results.some((r) => !r.success);
  if (allOrNone && failed) {
    if (!req.txn) txn.rollback();
    return results.map((r, i) => {
      if (!r.success) return r;
      const id = idOf(items[i]!);
      return { ...(id ? { id } : {}), success: false, errors: ROLLED_BACK };
    });
  }
  if (!req.txn) data.commit(txn);
  return results;
}

/** `/composite/sobjects`: create, update, delete, upsert and retrieve up to 200 records. */
export function registerCollectionRoutes(router: SfRouter, data: SalesforceData): void {
  router.add('POST', '/composite/sobjects', (req) => {
    const { allOrNone, records } = recordsOf(req.body);
    const body = runBatch(
      req,
      data,
      records,
      allOrNone,
      (rec, txn) => {
        const id = data.create(typeOfRecord(rec), omit(rec, 'attributes'), req.userId, txn);
        return { id, success: true, errors: [] };
      },
      () => undefined,
    );
    return { status: 200, body };
  });

  router.add('PATCH', '/composite/sobjects', (req) => {
    const { allOrNone, records } = recordsOf(req.body);
    const idOf = (rec: Record<string, unknown>) => {
      const id = rec.id ?? rec.Id;
      return typeof id === 'string' ? id : undefined;
    };
    const body = runBatch(
      req,
      data,
      records,
      allOrNone,
      (rec, txn) => {
        const fields = omit(rec, 'attributes', 'id', 'Id');
        const id = idOf(rec);
        if (!id) {
          throw new SfRecordError([
            sfError('MISSING_ARGUMENT', 'Id not specified in an update call', ['Id']),
          ]);
        }
        const saved = data.update(typeOfRecord(rec), id, fields, req.userId, txn);
        return { id: saved, success: true, errors: [] };
      },
      idOf,
    );
    return { status: 200, body };
  });

  router.add('DELETE', '/composite/sobjects', (req) => {
    const ids = (req.query.ids ?? '').split(',').filter(Boolean);
    if (ids.length === 0 || ids.length > MAX_RECORDS) tooMany(ids.length);
    const body = runBatch(
      req,
      data,
      ids,
      req.query.allOrNone === 'true',
      (id, txn) => ({ id: data.remove(id, txn), success: true, errors: [] }),
      (id) => id,
    );
    return { status: 200, body };
  });

  router.add('PATCH', '/composite/sobjects/:type/:field', (req) => {
    const obj = data.object(req.params.type ?? '');
    const f = data.externalIdField(obj, req.params.field ?? '', req.userId);
    const { allOrNone, records } = recordsOf(req.body);
    const keyOf = (rec: Record<string, unknown>) => {
      const v = Object.entries(rec).find(([k]) => k.toLowerCase() === f.name.toLowerCase())?.[1];
      return typeof v === 'string' || typeof v === 'number' ? String(v).toLowerCase() : null;
    };
    const seen = new Map<string, number>();
    for (const rec of records) {
      const k = keyOf(rec);
      if (k !== null) seen.set(k, (seen.get(k) ?? 0) + 1);
    }
    const body = runBatch(
      req,
      data,
      records,
      allOrNone,
      (rec, txn) => {
        const key = keyOf(rec);
        const value = Object.entries(rec).find(
          ([k]) => k.toLowerCase() === f.name.toLowerCase(),
        )?.[1];
        if (key === null) {
          throw new SfRecordError([
            sfError('MISSING_ARGUMENT', `${f.name} not specified`, [f.name]),
          ]);
        }
        if ((seen.get(key) ?? 0) > 1) {
          throw new SfRecordError([
            sfError('DUPLICATE_EXTERNAL_ID', `Duplicate external id specified: ${key}`, [f.name]),
          ]);
        }
        try {
          const r = data.upsert(obj.name, f, value, omit(rec, 'attributes'), req.userId, txn);
          return { id: r.id, success: true, errors: [], created: r.created };
        } catch (err) {
          if (err instanceof MultipleMatchError) throw new SfRecordError(err.errors);
          throw err;
        }
      },
      () => undefined,
    );
    return { status: 200, body };
  });

  const retrieve = (req: SfRequest, ids: string[], fields: string[] | null) => {
    const obj = data.object(req.params.type ?? '');
    if (ids.length > 2000) tooMany(ids.length);
    return {
      status: 200,
      body: ids.map((id) => {
        try {
          return data.render(obj, data.locate(obj, id), fields, req.version, req.userId);
        } catch (err) {
          if (err instanceof SfRecordError) return null;
          throw err;
        }
      }),
    };
  };
  router.add('POST', '/composite/sobjects/:type', (req) => {
    const b = bodyObject(req.body);
    const ids = Array.isArray(b.ids) ? b.ids.map(String) : [];
    const fields = Array.isArray(b.fields) ? b.fields.map(String) : null;
    return retrieve(req, ids, fields);
  });
  router.add('GET', '/composite/sobjects/:type', (req) =>
    retrieve(
      req,
      (req.query.ids ?? '').split(',').filter(Boolean),
      req.query.fields ? req.query.fields.split(',') : null,
    ),
  );
}
