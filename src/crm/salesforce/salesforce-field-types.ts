import { type CrmValue, type CrmWriteResult } from '../crm-connector.js';
import { invalidValue } from '../crm-values.js';
import { toCrmError } from './salesforce-errors.js';
import { type WriteInput } from './salesforce-results.js';
import { type SfFieldMeta } from './salesforce-schema.js';
import { encodeSfRecord, type SfFieldTypes } from './salesforce-values.js';

/** An input, where it stood in the call, and its record encoded for the fields' types. */
export interface Encoded<I> {
  index: number;
  input: I;
  record: Record<string, CrmValue>;
}

/**
 * Per-record codes that can mean the org's fields are not what the cached describe said (a field
 * removed, hidden or retyped): the next write describes the object again.
 */
const SCHEMA_CODES = new Set([
  'INVALID_FIELD',
  'INVALID_FIELD_FOR_INSERT_UPDATE',
  'INVALID_TYPE_ON_FIELD_IN_RECORD',
  'JSON_PARSER_ERROR',
]);

const typesOf = (fields: SfFieldMeta[]): SfFieldTypes =>
  new Map(fields.map((f) => [f.name.toLowerCase(), f.type]));

/**
 * The field types writes are encoded by, per object type, for one connector. The engine
 * describes each mapped object before its first write, and that answer fills the cache
 * (`remember`), so the normal flow spends no API call of its own on them.
 */
export class SalesforceFieldTypes {
  private readonly byObject = new Map<string, Promise<SfFieldTypes>>();

  constructor(private readonly describe: (objectType: string) => Promise<SfFieldMeta[]>) {}

  remember(objectType: string, fields: SfFieldMeta[]): void {
    this.byObject.set(objectType.toLowerCase(), Promise.resolve(typesOf(fields)));
  }

  /** Cached, else described; concurrent writes share one describe, a failed one is not kept. */
  get(objectType: string): Promise<SfFieldTypes> {
    const key = objectType.toLowerCase();
    const cached = this.byObject.get(key);
    if (cached) return cached;
    const loading = this.describe(objectType).then(typesOf);
    this.byObject.set(key, loading);
    loading.catch(() => {
      if (this.byObject.get(key) === loading) this.byObject.delete(key);
    });
    return loading;
  }

  /**
   * Each input's properties in the JSON form its fields' types take. An input with a value its
   * field cannot take fails alone (invalid_value) and is not sent; when the types cannot be
   * described, every input fails with that error. Failures land in `results` by index.
   */
  async encode<I extends WriteInput>(
    objectType: string,
    entries: { index: number; input: I }[],
    results: Map<number, CrmWriteResult>,
  ): Promise<Encoded<I>[]> {
    if (entries.length === 0) return [];
    let types: SfFieldTypes;
    try {
      types = await this.get(objectType);
      // A field the cached describe does not list may have been created since (an admin
      // following the missing-fields advice): describe once more before sending it untyped.
      const names = entries.flatMap((e) => Object.keys(e.input.properties));
      if (names.some((n) => !types.has(n.toLowerCase()))) {
        this.byObject.delete(objectType.toLowerCase());
        types = await this.get(objectType);
      }
    } catch (err) {
      const error = toCrmError(err);
      for (const { index, input } of entries)
        results.set(index, { ref: input.ref, ok: false, error });
      return [];
    }
    const out: Encoded<I>[] = [];
    for (const { index, input } of entries) {
      const encoded = encodeSfRecord(types, input.properties);
      if (encoded.ok) {
        out.push({ index, input, record: encoded.record });
        continue;
      }
      const { field, fieldType, expected } = encoded;
      const error = invalidValue('Salesforce', objectType, field, fieldType, expected);
      results.set(index, { ref: input.ref, ok: false, error });
    }
    return out;
  }

  /** Forgets the object's types when Salesforce refused a write in a way stale types explain. */
  observe(objectType: string, results: CrmWriteResult[]): void {
    if (results.some((r) => !r.ok && SCHEMA_CODES.has(r.error.code))) {
      this.byObject.delete(objectType.toLowerCase());
    }
  }
}
