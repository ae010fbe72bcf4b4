import { type Connection } from 'jsforce';
import {
  CrmConnector,
  CrmError,
  type CrmCreateInput,
  type CrmDeletion,
  type CrmFieldDescription,
  type CrmPage,
  type CrmPropertyDefinition,
  type CrmRecord,
  type CrmUpdateInput,
  type CrmUpsertInput,
  type CrmValue,
  type CrmWriteResult,
  type PropertyLookup,
} from '../crm-connector.js';
import { type Row, SalesforceApi, type SalesforceApiOptions } from './salesforce-api.js';
import { type SalesforceApiBudget } from './salesforce-budget.js';
import { toCrmError } from './salesforce-errors.js';
import {
  narrowOutcomes,
  parseStamp,
  roundsByKey,
  type SettleOptions,
  settleWrites,
  type SfWriteOutcome,
  type WriteInput,
} from './salesforce-results.js';
import { missingFieldsError, type SfFieldMeta, toFieldDescription } from './salesforce-schema.js';
import {
  chunk,
  decodeCursor,
  encodeCursor,
  fieldOf,
  isSalesforceId,
  selectList,
  SOQL_CHUNK,
  soqlDateTime,
  soqlName,
  soqlString,
  toCrmValue,
} from './salesforce-soql.js';
import { type Encoded, SalesforceFieldTypes } from './salesforce-field-types.js';

export type SalesforceCrmConnectorOptions = SalesforceApiOptions;

/** sObject Collections take at most 200 records a call. */
const BATCH = 200;

/** The values once each, ignoring case (SOQL compares text case-insensitively). */
const distinctCi = (values: string[]) => [
  ...new Map(values.map((v) => [v.toLowerCase(), v])).values(),
];

/**
 * Salesforce behind the CRM port, through jsforce's REST client. Object types are sObject names
 * ("Contact"), properties are field API names ("Email", "Stripe_Customer_Id__c").
 */
export class SalesforceCrmConnector extends CrmConnector {
  readonly name = 'salesforce';
  readonly maxBatchSize = BATCH;
  private readonly api: SalesforceApi;
  /** What writes encode values by: field types per object, from the last describe. */
  private readonly fieldTypes = new SalesforceFieldTypes((type) => this.describeFields(type));

  constructor(options: SalesforceCrmConnectorOptions) {
    super();
    this.api = new SalesforceApi(options);
  }

  /** The API budget (Sforce-Limit-Info), for inspection. */
  get budget(): SalesforceApiBudget {
    return this.api.budget;
  }

  override pollSlowdown(): number {
    return this.api.budget.pollSlowdown();
  }

  override apiUsage(): { used: number; limit: number } | null {
    return this.api.budget.lastUsage;
  }

  private toRecord(row: Row, properties: string[]): CrmRecord {
    const id = row.Id;
    const stamp = row.SystemModstamp;
    if (typeof id !== 'string' || typeof stamp !== 'string') {
      throw new CrmError('unexpected_response', 'a row without Id or SystemModstamp', false);
    }
    const out: Record<string, CrmValue> = {};
    for (const p of properties) out[p] = toCrmValue(fieldOf(row, p));
    const rec: CrmRecord = { id, properties: out, modifiedAt: parseStamp(stamp) };
    const by = row.LastModifiedById;
    const self = this.api.selfId;
    if (self && typeof by === 'string') rec.modifiedBySelf = by.slice(0, 15) === self;
    return rec;
  }

  private page(rows: Row[], properties: string[], next: (last: CrmRecord) => string): CrmPage {
    const records = rows.map((r) => this.toRecord(r, properties));
    const last = records.at(-1);
    // A short page is the last one; a full one may be followed by nothing, which the next
    // call answers with an empty page and no token.
    return { records, after: records.length === SOQL_CHUNK && last ? next(last) : null };
  }

  async describe(objectType: string): Promise<CrmFieldDescription[]> {
    return (await this.describeFields(objectType)).map(toFieldDescription);
  }

  private async describeFields(objectType: string): Promise<SfFieldMeta[]> {
    const result = await this.api.call((conn) => conn.sobject(objectType).describe());
    const fields = result.fields.map((f) => ({
      name: f.name,
      label: f.label,
      type: String(f.type),
      externalId: f.externalId === true,
      unique: f.unique,
      createable: f.createable,
      updateable: f.updateable,
    }));
    this.fieldTypes.remember(objectType, fields);
    return fields;
  }

  async ensureProperties(objectType: string, definitions: CrmPropertyDefinition[]): Promise<void> {
    const error = missingFieldsError(
      objectType,
      await this.describeFields(objectType),
      definitions,
    );
    if (error) throw error;
  }

  async read(
    objectType: string,
    ids: string[],
    properties: string[],
  ): Promise<Map<string, CrmRecord>> {
    // Ids that are not id-shaped cannot name a record, and Salesforce rejects the whole query
    // over one of them, so they are simply absent from the answer.
    const wanted = [...new Set(ids.filter(isSalesforceId))];
    const byId15 = new Map<string, CrmRecord>();
    for (const part of chunk(wanted, SOQL_CHUNK)) {
      const soql = `SELECT ${selectList(properties)} FROM ${soqlName(objectType)} WHERE Id IN (${part.map(soqlString).join(', ')})`;
      for (const row of await this.api.query(soql)) {
        const rec = this.toRecord(row, properties);
        byId15.set(rec.id.slice(0, 15), rec);
      }
    }
    // Salesforce answers with 18-character ids; a caller may hold the 15-character form, which
    // is the 18-character one's case-sensitive prefix.
    const out = new Map<string, CrmRecord>();
    for (const id of ids) {
      const rec = byId15.get(id.slice(0, 15));
      if (rec && isSalesforceId(id)) out.set(id, rec);
    }
    return out;
  }

  /** Text fields only: SOQL compares text case-insensitively, other types need typed literals. */
  async findByProperty(
    objectType: string,
    property: string,
    values: string[],
    properties: string[],
  ): Promise<Map<string, CrmRecord[]>> {
    const select = selectList([...properties, property]);
    const rows: Row[] = [];
    for (const part of chunk(distinctCi(values), SOQL_CHUNK)) {
      const soql = `SELECT ${select} FROM ${soqlName(objectType)} WHERE ${soqlName(property)} IN (${part.map(soqlString).join(', ')})`;
      rows.push(...(await this.api.query(soql)));
    }
    return this.matchRows(rows, property, values, properties);
  }

  /**
   * Several lookups in one SOQL query (`A IN (…) OR B IN (…)`) when they fit, so matching a
   * batch by Stripe id and by email costs one API call, not one per property.
   */
  override async findByProperties(
    objectType: string,
    lookups: PropertyLookup[],
    properties: string[],
  ): Promise<Map<string, Map<string, CrmRecord[]>>> {
    const wanted = lookups
      .map((l) => ({ property: l.property, values: distinctCi(l.values) }))
      .filter((l) => l.values.length > 0);
    const total = wanted.reduce((n, l) => n + l.values.length, 0);
    if (wanted.length < 2 || total > SOQL_CHUNK) {
      return super.findByProperties(objectType, lookups, properties);
    }
    const select = selectList([...properties, ...wanted.map((l) => l.property)]);
    const where = wanted
      .map((l) => `${soqlName(l.property)} IN (${l.values.map(soqlString).join(', ')})`)
      .join(' OR ');
    const rows = await this.api.query(
      `SELECT ${select} FROM ${soqlName(objectType)} WHERE ${where}`,
    );
    const out = new Map<string, Map<string, CrmRecord[]>>();
    for (const l of lookups) {
      out.set(l.property, this.matchRows(rows, l.property, l.values, properties));
    }
    return out;
  }

  /** Rows whose `property` equals each value, compared as SOQL compares text (ignoring case). */
  private matchRows(
    rows: Row[],
    property: string,
    values: string[],
    properties: string[],
  ): Map<string, CrmRecord[]> {
    const out = new Map<string, CrmRecord[]>(values.map((v) => [v, []]));
    for (const row of rows) {
      const matched = fieldOf(row, property);
      if (typeof matched !== 'string') continue;
      const rec = this.toRecord(row, properties);
      for (const [value, list] of out) {
        if (value.toLowerCase() === matched.toLowerCase()) list.push(rec);
      }
    }
    return out;
  }

  async create(objectType: string, inputs: CrmCreateInput[]): Promise<CrmWriteResult[]> {
    const results = new Map<number, CrmWriteResult>();
    const entries = inputs.map((input, index) => ({ index, input }));
    for (const part of chunk(await this.fieldTypes.encode(objectType, entries, results), BATCH)) {
      const records = part.map((p) => ({ ...p.record }));
      // Not retried on a 5xx: the records may have been created before the failure, and a
      // repeat would duplicate them. The caller gets a retryable error and decides.
      const before = new Date();
      const outcomes = await this.write(
        part.length,
        (conn) =>
          conn.sobject(objectType).create(records, { allOrNone: false, allowRecursive: true }),
        false,
      );
      const settled = await this.settle(objectType, part, outcomes, {
        mode: 'create',
        writtenBefore: before,
      });
      settled.forEach((r, i) => results.set(part[i]!.index, r));
    }
    return inputs.map((_, i) => results.get(i)!);
  }

  async update(objectType: string, inputs: CrmUpdateInput[]): Promise<CrmWriteResult[]> {
    const results = new Map<number, CrmWriteResult>();
    const sendable: { index: number; input: CrmUpdateInput }[] = [];
    inputs.forEach((input, index) => {
      if (isSalesforceId(input.id)) sendable.push({ index, input });
      else {
        const error = new CrmError('not_found', `no ${objectType} with id ${input.id}`, false);
        results.set(index, { ref: input.ref, ok: false, error });
      }
    });
    for (const part of chunk(await this.fieldTypes.encode(objectType, sendable, results), BATCH)) {
      const records = part.map((p) => ({ ...p.record, Id: p.input.id }));
      const before = new Date();
      const outcomes = await this.write(part.length, (conn) =>
        conn.sobject(objectType).update(records, { allOrNone: false, allowRecursive: true }),
      );
      const settled = await this.settle(objectType, part, outcomes, {
        mode: 'update',
        writtenBefore: before,
      });
      settled.forEach((r, i) => results.set(part[i]!.index, r));
    }
    return inputs.map((_, i) => results.get(i)!);
  }

  async upsert(
    objectType: string,
    idProperty: string,
    inputs: CrmUpsertInput[],
  ): Promise<CrmWriteResult[]> {
    const results = new Map<number, CrmWriteResult>();
    for (const round of roundsByKey(inputs)) {
      for (const part of chunk(await this.fieldTypes.encode(objectType, round, results), BATCH)) {
        const records = part.map((p) => ({ ...p.record, [idProperty]: p.input.key }));
        const before = new Date();
        const outcomes = await this.write(part.length, (conn) =>
          conn
            .sobject(objectType)
            .upsert(records, idProperty, { allOrNone: false, allowRecursive: true }),
        );
        const settled = await this.settle(objectType, part, outcomes, {
          mode: 'upsert',
          idProperty,
          writtenBefore: before,
        });
        settled.forEach((r, i) => results.set(part[i]!.index, r));
      }
    }
    return inputs.map((_, i) => results.get(i)!);
  }

  /** One collection call; a whole-call failure becomes every record's error. */
  private async write(
    count: number,
    send: (conn: Connection) => Promise<unknown>,
    idempotent = true,
  ): Promise<SfWriteOutcome[] | CrmError> {
    try {
      return narrowOutcomes(await this.api.call((conn) => send(conn), idempotent), count);
    } catch (err) {
      const error = toCrmError(err);
      if (error.code !== 'JSON_PARSER_ERROR') return error;
      // The values were encoded by the describe, so a type refusal means a field was retyped
      // since: worth another try once the types are described again (the cache forgets them).
      // Salesforce's message quotes the value, which logs must not carry.
      const msg =
        'Salesforce could not deserialize the records (JSON_PARSER_ERROR): a field type changed since it was described';
      return new CrmError(error.code, msg, true);
    }
  }

  /**
   * Per-input results of one collection call, read back through this connector. A result that
   * is only sent values (the read-back failed) carries them as encoded, typed as stored.
   */
  private async settle(
    objectType: string,
    part: Encoded<WriteInput>[],
    outcomes: SfWriteOutcome[] | CrmError,
    opts: Omit<SettleOptions, 'objectType' | 'readBack'>,
  ): Promise<CrmWriteResult[]> {
    const sent = part.map((p) => ({ ...p.input, properties: p.record }));
    const results = await settleWrites(sent, outcomes, {
      ...opts,
      objectType,
      readBack: (ids, props) => this.read(objectType, ids, props),
    });
    this.fieldTypes.observe(objectType, results);
    return results;
  }

  async listChanges(
    objectType: string,
    since: Date,
    properties: string[],
    after?: string | null,
  ): Promise<CrmPage> {
    // Keyset paging on (SystemModstamp, Id): unlike OFFSET it neither skips nor stalls when
    // records change between pages, and a cursor stays valid however long the caller waits.
    let where = `SystemModstamp >= ${soqlDateTime(since)}`;
    if (after) {
      const c = decodeCursor(after);
      const stamp = soqlDateTime(parseStamp(c.stamp));
      where = `(SystemModstamp > ${stamp} OR (SystemModstamp = ${stamp} AND Id > ${soqlString(c.id)}))`;
    }
    // LastModifiedById tells the poller which changes were the bridge's own writes.
    const select = selectList([...properties, 'LastModifiedById']);
    const soql = `SELECT ${select} FROM ${soqlName(objectType)} WHERE ${where} ORDER BY SystemModstamp, Id LIMIT ${SOQL_CHUNK}`;
    return this.page(await this.api.query(soql), properties, (last) =>
      encodeCursor({ stamp: last.modifiedAt.toISOString(), id: last.id }),
    );
  }

  async scan(objectType: string, properties: string[], after?: string | null): Promise<CrmPage> {
    if (after && !isSalesforceId(after)) throw new Error(`invalid scan page token: ${after}`);
    const where = after ? ` WHERE Id > ${soqlString(after)}` : '';
    const soql = `SELECT ${selectList(properties)} FROM ${soqlName(objectType)}${where} ORDER BY Id LIMIT ${SOQL_CHUNK}`;
    return this.page(await this.api.query(soql), properties, (last) => last.id);
  }

  override async listDeleted(objectType: string, since: Date): Promise<CrmDeletion[]> {
    // Deleted records sit in the recycle bin (15 days), visible to queryAll only; the delete
    // stamps SystemModstamp. The query follows nextRecordsUrl to the end.
    const soql = `SELECT Id, SystemModstamp FROM ${soqlName(objectType)} WHERE IsDeleted = true AND SystemModstamp >= ${soqlDateTime(since)} ORDER BY SystemModstamp, Id`;
    return (await this.api.query(soql, true)).flatMap((row) =>
      typeof row.Id === 'string' && typeof row.SystemModstamp === 'string'
        ? [{ id: row.Id, deletedAt: parseStamp(row.SystemModstamp) }]
        : [],
    );
  }

  async archived(objectType: string, ids: string[]): Promise<string[]> {
    const gone = new Set<string>();
    for (const part of chunk([...new Set(ids.filter(isSalesforceId))], SOQL_CHUNK)) {
      // Deleted records live in the recycle bin, visible only to queryAll (scanAll).
      const soql = `SELECT Id FROM ${soqlName(objectType)} WHERE IsDeleted = true AND Id IN (${part.map(soqlString).join(', ')})`;
      for (const row of await this.api.query(soql, true)) {
        if (typeof row.Id === 'string') gone.add(row.Id.slice(0, 15));
      }
    }
    return ids.filter((id) => isSalesforceId(id) && gone.has(id.slice(0, 15)));
  }
}
