import type { SalesforceData, SfRow, SfStored } from './data.js';
import { type FieldDef, isTextType, type ObjectDef } from './schema.js';
import { type Condition, type Literal, malformed, parseSoql } from './soql.js';
import { httpError, normalizeId, parseSfDate, str } from './util.js';

type Value = string | number | boolean | null;

const invalidField = (name: string, obj: ObjectDef) =>
  httpError(
    400,
    'INVALID_FIELD',
    `No such column '${name}' on entity '${obj.name}'. If you are attempting to use a custom field, be sure to append the '__c' after the custom field name. Please reference your WSDL or the describe call for the appropriate names.`,
  );

/** Comparable form of a stored value: datetimes as ms, text lower-cased, ids 18-char. */
function storedKey(f: FieldDef, v: unknown): Value {
  if (v === null || v === undefined) return null;
  if (f.type === 'datetime') return parseSfDate(str(v));
  if (f.type === 'id' || f.type === 'reference') return normalizeId(str(v));
  if (isTextType(f.type)) return (v as string).toLowerCase();
  return v as Value;
}

/** Comparable form of a literal, checked against the field type like Salesforce does. */
function literalKey(f: FieldDef, lit: Literal): Value {
  if (lit.kind === 'null') return null;
  const expect = (ok: boolean, what: string, quoted: boolean) => {
    if (!ok) {
      throw httpError(
        400,
        'INVALID_FIELD',
        `value of filter criterion for field '${f.name}' must be of type ${what} and should ${quoted ? '' : 'not '}be enclosed in quotes`,
      );
    }
  };
  switch (f.type) {
    case 'datetime':
      expect(lit.kind === 'datetime', 'dateTime', false);
      return lit.kind === 'datetime' ? lit.ms : null;
    case 'date':
      expect(lit.kind === 'date', 'date', false);
      return lit.kind === 'date' ? lit.value : null;
    case 'boolean':
      expect(lit.kind === 'boolean', 'boolean', false);
      return lit.kind === 'boolean' ? lit.value : null;
    case 'int':
    case 'double':
    case 'currency':
    case 'percent':
      expect(lit.kind === 'number', 'double', false);
      return lit.kind === 'number' ? lit.value : null;
    default: {
      expect(lit.kind === 'string', 'string', true);
      const s = lit.kind === 'string' ? lit.value : '';
      if (f.type === 'id' || f.type === 'reference') return normalizeId(s) ?? `invalid:${s}`;
      return s.toLowerCase();
    }
  }
}

function compare(a: Value, b: Value): number {
  if (a === b) return 0;
  if (a === null) return -1;
  if (b === null) return 1;
  return a < b ? -1 : 1;
}

const likeRegex = (pattern: string) =>
  new RegExp(
    `^${pattern
      .toLowerCase()
      .replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
      .replace(/%/g, '.*')
      .replace(/_/g, '.')}$`,
    's',
  );

type Predicate = (rec: SfStored) => boolean;

function compile(cond: Condition, obj: ObjectDef, field: (n: string) => FieldDef): Predicate {
  switch (cond.op) {
    case 'and': {
      const parts = cond.items.map((c) => compile(c, obj, field));
      return (r) => parts.every((p) => p(r));
    }
    case 'or': {
      const parts = cond.items.map((c) => compile(c, obj, field));
      return (r) => parts.some((p) => p(r));
    }
    case 'not': {
      const inner = compile(cond.item, obj, field);
      return (r) => !inner(r);
    }
    case 'like': {
      const f = field(cond.field);
      if (!isTextType(f.type)) throw malformed(`invalid operator on field '${f.name}': LIKE`);
      const re = likeRegex(cond.pattern);
      return (r) => {
        const v = storedKey(f, r.data[f.name]);
        return typeof v === 'string' && re.test(v);
      };
    }
    case 'in': {
      const f = field(cond.field);
      const keys = cond.values.map((l) => literalKey(f, l));
      return (r) => keys.includes(storedKey(f, r.data[f.name])) !== cond.negate;
    }
    case 'cmp': {
      const f = field(cond.field);
      const want = literalKey(f, cond.value);
      const op = cond.cmp;
      return (r) => {
        const have = storedKey(f, r.data[f.name]);
        if (op === '=') return have === want;
        if (op === '!=') return have !== want;
        if (have === null || want === null) return false;
        const c = compare(have, want);
        return op === '<' ? c < 0 : op === '<=' ? c <= 0 : op === '>' ? c > 0 : c >= 0;
      };
    }
  }
}

export interface QueryResult {
  totalSize: number;
  records: SfRow[];
}

/**
 * The ids a WHERE clause confines rows to (`Id IN (…)`, `Id = …`, or either inside an AND), so
 * such a query reads those records instead of scanning the object; null when it does not.
 * The full predicate still runs on them.
 */
function idsNamedBy(c: Condition): Set<string> | null {
  const ids = (values: Literal[]) =>
    new Set(values.flatMap((v) => (v.kind === 'string' ? (normalizeId(v.value) ?? []) : [])));
  if (c.op === 'in' && !c.negate && c.field.toLowerCase() === 'id') return ids(c.values);
  if (c.op === 'cmp' && c.cmp === '=' && c.field.toLowerCase() === 'id') return ids([c.value]);
  if (c.op === 'and') {
    for (const item of c.items) {
      const found = idsNamedBy(item);
      if (found) return found;
    }
  }
  return null;
}

/**
 * Runs a SOQL statement; `all` (queryAll) includes recycle-bin rows (`IsDeleted = true`). A
 * field hidden from `userId` by field-level security is, for that user, no such column.
 */
export function runSoql(
  data: SalesforceData,
  soql: string,
  all: boolean,
  version: string,
  userId?: string,
): QueryResult {
  const q = parseSoql(soql);
  const obj = data.schema.get(q.from);
  if (!obj) {
    throw httpError(400, 'INVALID_TYPE', `sObject type '${q.from}' is not supported.`);
  }
  const field = (name: string) => {
    const f = data.schema.field(obj, name, userId);
    if (!f) throw invalidField(name, obj);
    return f;
  };
  const selected = q.fields?.map((n) => field(n).name) ?? null;
  const order = q.orderBy.map((o) => ({ ...o, f: field(o.field) }));
  const pred = q.where ? compile(q.where, obj, field) : () => true;
  if (q.offset !== null && q.offset > 2000) {
    throw httpError(400, 'NUMBER_OUTSIDE_VALID_RANGE', `Maximum SOQL offset allowed is 2000`);
  }
  const byId = q.where ? idsNamedBy(q.where) : null;
  const scope = byId
    ? [...byId]
        .sort()
        .flatMap((id) => data.store.get<SfRow>(obj.name, id) ?? [])
        .filter((r) => all || !r.archived)
    : all
      ? data.all(obj)
      : data.live(obj);
  let rows = scope.filter(pred);
  if (order.length > 0) {
    const keyed = rows.map((r) => ({ r, k: order.map((o) => storedKey(o.f, r.data[o.f.name])) }));
    keyed.sort((a, b) => {
      for (let i = 0; i < order.length; i++) {
        const o = order[i]!;
        const x = a.k[i] ?? null;
        const y = b.k[i] ?? null;
        if (x === y) continue;
        if (x === null || y === null) return (x === null) === o.nullsLast ? 1 : -1;
        const c = compare(x, y);
        return o.desc ? -c : c;
      }
      return 0;
    });
    rows = keyed.map((e) => e.r);
  }
  if (q.offset) rows = rows.slice(q.offset);
  if (q.limit !== null) rows = rows.slice(0, q.limit);
  if (selected === null) return { totalSize: rows.length, records: [] };
  return {
    totalSize: rows.length,
    records: rows.map((r) => data.render(obj, r, selected, version, userId)),
  };
}
