import type { RecordStore, StoredRecord } from '../core/record-store.js';
import { type FieldDef, isRequired, type ObjectDef, type SchemaRegistry } from './schema.js';
import { coerceValue } from './values.js';
import {
  formatSfDate,
  httpError,
  normalizeId,
  notFound,
  recordError,
  SfRecordError,
  makeId,
  sfError,
} from './util.js';

export type SfRow = Record<string, unknown>;
export type SfStored = StoredRecord<SfRow>;

/** Undo log for one API call: allOrNone and composite roll back through it. */
export class Txn {
  private readonly undo: (() => void)[] = [];
  readonly wrote: string[] = [];

  onUndo(fn: () => void, sobject: string): void {
    this.undo.push(fn);
    this.wrote.push(sobject);
  }

  rollback(): void {
    for (const fn of this.undo.reverse()) fn();
    this.undo.length = 0;
    this.wrote.length = 0;
  }
}

/** Upsert by an external id matched more than one record (REST answers 300). */
export class MultipleMatchError extends SfRecordError {
  constructor(
    readonly ids: string[],
    field: string,
  ) {
    super(
      [
        sfError(
          'DUPLICATE_EXTERNAL_ID',
          `${field}: more than one record found for external id field: [${ids.join(', ')}]`,
          [field],
        ),
      ],
      300,
    );
  }
}

const textEq = (f: FieldDef, a: unknown, b: unknown) =>
  typeof a === 'string' && typeof b === 'string' && !f.caseSensitive
    ? a.toLowerCase() === b.toLowerCase()
    : a === b;

/** Index key of a value: text without case (a superset of both comparisons), else its text. */
const indexKey = (v: unknown): string =>
  typeof v === 'string' ? `s:${v.toLowerCase()}` : `${typeof v}:${String(v)}`;

function addToIndex(byValue: Map<string, Set<string>>, value: unknown, id: string): void {
  if (value === null || value === undefined) return;
  const key = indexKey(value);
  let ids = byValue.get(key);
  if (!ids) {
    ids = new Set();
    byValue.set(key, ids);
  }
  ids.add(id);
}

/**
 * Salesforce record semantics over the generic RecordStore: field validation, system fields
 * (SystemModstamp, LastModifiedById…), the recycle bin (archived = IsDeleted), unique and
 * external-id lookups. Every write goes through a Txn so callers can roll back.
 */
export class SalesforceData {
  private readonly writes = new Map<string, number>();
  private seq = 0;
  /**
   * Ids by object, field and lower-cased value, for unique checks and external-id lookups
   * without a scan per record (a 10k-record upsert was quadratic). Built per field on first use,
   * then grown on every write and never shrunk: a superset, each candidate checked against the
   * record as it is now (so rolled-back or changed values cost nothing but a check).
   */
  private readonly index = new Map<string, Map<string, Map<string, Set<string>>>>();

  constructor(
    readonly store: RecordStore,
    readonly schema: SchemaRegistry,
  ) {}

  reset(): void {
    this.writes.clear();
    this.seq = 0;
    this.index.clear();
  }

  private fieldIndex(obj: ObjectDef, f: FieldDef): Map<string, Set<string>> {
    let byField = this.index.get(obj.name);
    if (!byField) {
      byField = new Map();
      this.index.set(obj.name, byField);
    }
    let byValue = byField.get(f.name);
    if (!byValue) {
      byValue = new Map();
      byField.set(f.name, byValue);
      for (const r of this.all(obj)) addToIndex(byValue, r.data[f.name], r.id);
    }
    return byValue;
  }

  /** Files a written record's values under every field index of its object. */
  private indexWrite(obj: ObjectDef, id: string, data: SfRow): void {
    for (const [field, byValue] of this.index.get(obj.name) ?? []) {
      addToIndex(byValue, data[field], id);
    }
  }

  /** Live records whose `f` equals `value` as Salesforce compares it. */
  private withValue(obj: ObjectDef, f: FieldDef, value: unknown): SfStored[] {
    const ids = this.fieldIndex(obj, f).get(indexKey(value)) ?? new Set<string>();
    const out: SfStored[] = [];
    for (const id of ids) {
      const r = this.store.get<SfRow>(obj.name, id);
      if (r && !r.archived && textEq(f, r.data[f.name], value)) out.push(r);
    }
    return out;
  }

  commit(txn: Txn): void {
    for (const type of txn.wrote) this.writes.set(type, (this.writes.get(type) ?? 0) + 1);
    txn.wrote.length = 0;
  }

  /** Committed record writes (create, update, delete) per sobject since the last reset. */
  writeCount(sobject?: string): number {
    if (sobject) return this.writes.get(this.schema.get(sobject)?.name ?? sobject) ?? 0;
    return [...this.writes.values()].reduce((a, n) => a + n, 0);
  }

  object(type: string): ObjectDef {
    const obj = this.schema.get(type);
    if (!obj) throw notFound();
    return obj;
  }

  all(obj: ObjectDef): SfStored[] {
    return this.store.all<SfRow>(obj.name);
  }

  live(obj: ObjectDef): SfStored[] {
    return this.all(obj).filter((r) => !r.archived);
  }

  /** A live record by 15/18-char id, or a per-record error shaped like Salesforce's. */
  locate(obj: ObjectDef, rawId: string): SfStored {
    const id = normalizeId(rawId);
    if (!id || !id.startsWith(obj.keyPrefix)) {
      throw recordError('MALFORMED_ID', `${obj.name} ID: id value of incorrect type: ${rawId}`, [
        'Id',
      ]);
    }
    const rec = this.store.get<SfRow>(obj.name, id);
    if (!rec)
      throw new SfRecordError([sfError('NOT_FOUND', 'The requested resource does not exist')], 404);
    if (rec.archived)
      throw new SfRecordError([sfError('ENTITY_IS_DELETED', 'entity is deleted')], 404);
    return rec;
  }

  private nextId(obj: ObjectDef): string {
    this.seq += 1;
    return makeId(obj.keyPrefix, this.seq);
  }

  /** Canonical field names → coerced values; rejects unknown, hidden and read-only fields. */
  private prepare(
    obj: ObjectDef,
    input: SfRow,
    mode: 'create' | 'update',
    userId: string,
  ): Map<FieldDef, unknown> {
    const out = new Map<FieldDef, unknown>();
    const readOnly: string[] = [];
    for (const [key, raw] of Object.entries(input)) {
      if (key === 'attributes' || (key.toLowerCase() === 'id' && mode === 'update')) continue;
      const f = this.schema.field(obj, key, userId);
      if (!f) {
        throw recordError(
          'INVALID_FIELD',
          `No such column '${key}' on sobject of type ${obj.name}`,
        );
      }
      if (mode === 'create' ? !f.createable : !f.updateable) {
        readOnly.push(f.name);
        continue;
      }
      out.set(
        f,
        coerceValue(f, raw, (ref) => this.referenceExists(f, ref)),
      );
    }
    if (readOnly.length > 0) {
      throw recordError(
        'INVALID_FIELD_FOR_INSERT_UPDATE',
        `Unable to create/update fields: ${readOnly.join(', ')}. Please check the security settings of this field and verify that it is read/write for your profile or permission set.`,
        readOnly,
      );
    }
    return out;
  }

  private referenceExists(f: FieldDef, id: string): boolean {
    const target = this.schema.byPrefix(id);
    if (!target || !f.referenceTo.includes(target.name)) return false;
    const rec = this.store.get<SfRow>(target.name, id);
    return rec !== undefined && !rec.archived;
  }

  private checkUnique(obj: ObjectDef, data: SfRow, selfId: string | null): void {
    for (const f of obj.fields.values()) {
      const v = data[f.name];
      if (!f.unique || v === null || v === undefined || f.name === 'Id') continue;
      const clash = this.withValue(obj, f, v).find((r) => r.id !== selfId);
      if (clash) {
        throw recordError(
          'DUPLICATE_VALUE',
          `duplicate value found: ${f.name} duplicates value on record with id: ${clash.id}`,
          [f.name],
        );
      }
    }
  }

  private derive(obj: ObjectDef, data: SfRow): void {
    if (obj.name === 'Contact') {
      data.Name = [data.FirstName, data.LastName].filter((p) => typeof p === 'string').join(' ');
    }
  }

  create(type: string, input: SfRow, userId: string, txn: Txn): string {
    const obj = this.object(type);
    const values = this.prepare(obj, input, 'create', userId);
    const data: SfRow = {};
    for (const f of obj.fields.values()) data[f.name] = f.defaultValue;
    for (const [f, v] of values) data[f.name] = v;
    const missing = [...obj.fields.values()]
      .filter((f) => isRequired(f) && (data[f.name] === null || data[f.name] === ''))
      .map((f) => f.name);
    if (missing.length > 0) {
      throw recordError(
        'REQUIRED_FIELD_MISSING',
        `Required fields are missing: [${missing.join(', ')}]`,
        missing,
      );
    }
    this.checkUnique(obj, data, null);
    const id = this.nextId(obj);
    const stamp = formatSfDate(this.store.now());
    if (obj.fields.has('ownerid') && data.OwnerId === null) data.OwnerId = userId;
    Object.assign(data, {
      Id: id,
      IsDeleted: false,
      CreatedDate: stamp,
      CreatedById: userId,
      LastModifiedDate: stamp,
      LastModifiedById: userId,
      SystemModstamp: stamp,
    });
    this.derive(obj, data);
    this.store.insert(obj.name, id, data);
    this.indexWrite(obj, id, data);
    txn.onUndo(() => this.store.remove(obj.name, id), obj.name);
    return id;
  }

  update(type: string, rawId: string, input: SfRow, userId: string, txn: Txn): string {
    const obj = this.object(type);
    const rec = this.locate(obj, rawId);
    const values = this.prepare(obj, input, 'update', userId);
    const data: SfRow = { ...rec.data };
    for (const [f, v] of values) data[f.name] = v;
    const cleared = [...values.keys()]
      .filter((f) => !f.nillable && (data[f.name] === null || data[f.name] === ''))
      .map((f) => f.name);
    if (cleared.length > 0) {
      throw recordError(
        'REQUIRED_FIELD_MISSING',
        `Required fields are missing: [${cleared.join(', ')}]`,
        cleared,
      );
    }
    this.checkUnique(obj, data, rec.id);
    const stamp = formatSfDate(this.store.now());
    Object.assign(data, {
      LastModifiedDate: stamp,
      LastModifiedById: userId,
      SystemModstamp: stamp,
    });
    this.derive(obj, data);
    this.write(obj, rec, data, false, txn);
    return rec.id;
  }

  /** Moves a record to the recycle bin: `IsDeleted = true`, SystemModstamp = deletion time. */
  remove(rawId: string, txn: Txn, type?: string): string {
    const id = normalizeId(rawId);
    const obj = type ? this.object(type) : id ? this.schema.byPrefix(id) : undefined;
    if (!obj || !id) {
      throw recordError('MALFORMED_ID', `malformed id ${rawId}`, []);
    }
    const rec = this.locate(obj, id);
    const stamp = formatSfDate(this.store.now());
    this.write(obj, rec, { ...rec.data, IsDeleted: true, SystemModstamp: stamp }, true, txn);
    return rec.id;
  }

  private write(obj: ObjectDef, rec: SfStored, data: SfRow, archive: boolean, txn: Txn): void {
    const prev = { data: rec.data, updatedAt: rec.updatedAt, version: rec.version };
    const wasArchived = rec.archived;
    this.store.update(obj.name, rec.id, data);
    this.indexWrite(obj, rec.id, data);
    if (archive) this.store.setArchived(obj.name, rec.id, true);
    txn.onUndo(() => {
      Object.assign(rec, prev);
      rec.archived = wasArchived;
    }, obj.name);
  }

  /** The external-id field for an upsert, validated as the REST API does. */
  externalIdField(obj: ObjectDef, name: string, userId?: string): FieldDef {
    const f = this.schema.field(obj, name, userId);
    if (!f) {
      throw httpError(
        404,
        'NOT_FOUND',
        `Provided external ID field does not exist or is not accessible: ${name}`,
      );
    }
    if (!f.externalId && f.name !== 'Id') {
      throw httpError(
        400,
        'INVALID_FIELD',
        `Field ${f.name} is not an External ID or indexed field for ${obj.name}`,
        [f.name],
      );
    }
    return f;
  }

  matches(obj: ObjectDef, f: FieldDef, value: unknown): SfStored[] {
    if (f.name === 'Id') {
      const id = typeof value === 'string' ? normalizeId(value) : null;
      return this.live(obj).filter((r) => r.id === id);
    }
    return this.withValue(obj, f, value);
  }

  upsert(
    type: string,
    f: FieldDef,
    value: unknown,
    input: SfRow,
    userId: string,
    txn: Txn,
  ): { id: string; created: boolean } {
    const obj = this.object(type);
    const found = this.matches(obj, f, value);
    const rest = Object.fromEntries(
      Object.entries(input).filter(([k]) => k.toLowerCase() !== f.name.toLowerCase()),
    );
    if (found.length > 1)
      throw new MultipleMatchError(
        found.map((r) => r.id),
        f.name,
      );
    if (found[0]) return { id: this.update(type, found[0].id, rest, userId, txn), created: false };
    const fields = f.name === 'Id' ? rest : { ...rest, [f.name]: value };
    return { id: this.create(type, fields, userId, txn), created: true };
  }

  /** The REST shape of a record: `attributes`, then the requested (or all visible) fields. */
  render(
    obj: ObjectDef,
    rec: SfStored,
    fields: string[] | null,
    version: string,
    userId?: string,
  ): SfRow {
    const out: SfRow = {
      attributes: {
        type: obj.name,
        url: `/services/data/${version}/sobjects/${obj.name}/${rec.id}`,
      },
    };
    const names = fields ?? this.schema.visibleFields(obj, userId).map((f) => f.name);
    for (const name of names) {
      const f = this.schema.field(obj, name, userId);
      if (!f)
        throw httpError(400, 'INVALID_FIELD', `No such column '${name}' on entity '${obj.name}'`);
      out[f.name] = rec.data[f.name] ?? null;
    }
    return out;
  }
}
