import { chunk, roundsByKey } from '../batching.js';
import {
  CrmConnector,
  CrmError,
  type CrmCreateInput,
  type CrmFieldDescription,
  type CrmPage,
  type CrmPropertyDefinition,
  type CrmRecord,
  type CrmUpdateInput,
  type CrmUpsertInput,
  type CrmValue,
  type CrmWriteResult,
} from '../crm-connector.js';
import { InMemoryStore, view, type StoredRecord } from './in-memory-store.js';
import { DEFAULT_BUILT_IN_PROPERTIES, sameText } from './in-memory-values.js';

export interface InMemoryCrmConnectorOptions {
  /** Connector name stored on links and cursors. Default 'memory'. */
  name?: string;
  /** Inputs per (simulated) batch call; larger writes are chunked. Default 100. */
  maxBatchSize?: number;
  /** Records per listChanges/scan page. Default 100. */
  pageSize?: number;
  /** The CRM's clock; modifiedAt is forced strictly increasing even if it stands still. */
  now?: () => Date;
  /** Built-in (non-custom) properties per object type. Default: a HubSpot-like contacts set. */
  builtInProperties?: Record<string, CrmPropertyDefinition[]>;
}

type WriteOutcome = { record: StoredRecord; written: Record<string, CrmValue>; created: boolean };

const fail = (ref: string, error: CrmError): CrmWriteResult => ({ ref, ok: false, error });

/**
 * A complete CRM in memory, for tests and local runs. It behaves like the real connectors at the
 * port: per-input failures as values (unknown property, unique conflict, missing id), unique
 * properties compared case-insensitively, archiving, and strictly increasing modifiedAt. Writes
 * of any size are accepted and chunked into `maxBatchSize` calls, as the HubSpot connector does.
 */
export class InMemoryCrmConnector extends CrmConnector {
  readonly name: string;
  readonly maxBatchSize: number;
  /** Simulated batch write calls (one per chunk). */
  writeCalls = 0;
  /** Simulated read calls (one per read chunk, search, page or describe). */
  readCalls = 0;

  private readonly pageSize: number;
  private readonly store: InMemoryStore;

  constructor(options: InMemoryCrmConnectorOptions = {}) {
    super();
    this.name = options.name ?? 'memory';
    this.maxBatchSize = options.maxBatchSize ?? 100;
    this.pageSize = options.pageSize ?? 100;
    this.store = new InMemoryStore(
      options.builtInProperties ?? DEFAULT_BUILT_IN_PROPERTIES,
      options.now ?? (() => new Date()),
    );
  }

  /** Forgets every record and custom property (built-ins stay) and zeroes the counters. */
  reset(): void {
    this.store.reset();
    this.writeCalls = 0;
    this.readCalls = 0;
  }

  describe(objectType: string): Promise<CrmFieldDescription[]> {
    this.readCalls += 1;
    const fields = [...this.store.properties(objectType).values()].map(
      ({ definition: d, custom }): CrmFieldDescription => ({
        name: d.name,
        label: d.label,
        type: d.type,
        unique: d.unique === true,
        readOnly: false,
        custom,
      }),
    );
    return Promise.resolve(fields);
  }

  ensureProperties(objectType: string, definitions: CrmPropertyDefinition[]): Promise<void> {
    this.readCalls += 1;
    const props = this.store.properties(objectType);
    for (const definition of definitions) {
      if (!props.has(definition.name)) {
        props.set(definition.name, { definition: { ...definition }, custom: true });
      }
    }
    return Promise.resolve();
  }

  read(objectType: string, ids: string[], properties: string[]): Promise<Map<string, CrmRecord>> {
    const out = new Map<string, CrmRecord>();
    for (const part of chunk([...new Set(ids)], this.maxBatchSize)) {
      this.readCalls += 1;
      for (const id of part) {
        const rec = this.store.get(objectType, id);
        if (rec && !rec.archived) out.set(id, view(rec, properties));
      }
    }
    return Promise.resolve(out);
  }

  findByProperty(
    objectType: string,
    property: string,
    values: string[],
    properties: string[],
  ): Promise<Map<string, CrmRecord[]>> {
    this.readCalls += 1;
    const live = this.store.live(objectType);
    const out = new Map<string, CrmRecord[]>();
    for (const value of values) {
      const hits = live.filter((r) => sameText(r.properties[property], value));
      out.set(
        value,
        hits.map((r) => view(r, properties)),
      );
    }
    return Promise.resolve(out);
  }

  create(objectType: string, inputs: CrmCreateInput[]): Promise<CrmWriteResult[]> {
    return this.write(inputs, null, (input) => {
      const written = this.store.validate(objectType, input.properties);
      if (written instanceof CrmError) return written;
      return { record: this.store.insert(objectType, written), written, created: true };
    });
  }

  update(objectType: string, inputs: CrmUpdateInput[]): Promise<CrmWriteResult[]> {
    return this.write(
      inputs,
      (i) => i.id,
      (input) => {
        const rec = this.store.get(objectType, input.id);
        if (!rec || rec.archived) {
          return new CrmError('not_found', `${objectType} ${input.id} does not exist`, false);
        }
        const written = this.store.validate(objectType, input.properties, rec.id);
        if (written instanceof CrmError) return written;
        return { record: this.store.apply(rec, written), written, created: false };
      },
    );
  }

  upsert(
    objectType: string,
    idProperty: string,
    inputs: CrmUpsertInput[],
  ): Promise<CrmWriteResult[]> {
    const def = this.store.properties(objectType).get(idProperty)?.definition;
    return this.write(
      inputs,
      (i) => i.key.toLowerCase(),
      (input) => {
        if (!def?.unique) {
          const msg = `${idProperty} is not a unique property of ${objectType}`;
          return new CrmError('invalid_id_property', msg, false);
        }
        const existing = this.store
          .live(objectType)
          .find((r) => sameText(r.properties[idProperty], input.key));
        const props = existing
          ? input.properties
          : { ...input.properties, [idProperty]: input.key };
        const written = this.store.validate(objectType, props, existing?.id);
        if (written instanceof CrmError) return written;
        if (!existing) {
          return { record: this.store.insert(objectType, written), written, created: true };
        }
        return { record: this.store.apply(existing, written), written, created: false };
      },
    );
  }

  listChanges(
    objectType: string,
    since: Date,
    properties: string[],
    after?: string | null,
  ): Promise<CrmPage> {
    this.readCalls += 1;
    // Keyset paging on (modifiedAt, id): a record edited between pages moves behind the cursor
    // and is returned again later, never skipped.
    const [afterMs, afterId] = after ? parseCursor(after) : [since.getTime() - 1, Infinity];
    const ordered = this.store
      .live(objectType)
      .filter((r) => r.modifiedAt.getTime() >= since.getTime())
      .sort(byModifiedThenId)
      .filter((r) => {
        const ms = r.modifiedAt.getTime();
        return ms > afterMs || (ms === afterMs && Number(r.id) > afterId);
      });
    return Promise.resolve(
      this.page(ordered, properties, (r) => `${r.modifiedAt.getTime()}:${r.id}`),
    );
  }

  scan(objectType: string, properties: string[], after?: string | null): Promise<CrmPage> {
    this.readCalls += 1;
    const from = after ? Number(after) : 0;
    const ordered = this.store
      .live(objectType)
      .filter((r) => Number(r.id) > from)
      .sort((a, b) => Number(a.id) - Number(b.id));
    return Promise.resolve(this.page(ordered, properties, (r) => r.id));
  }

  archived(objectType: string, ids: string[]): Promise<string[]> {
    this.readCalls += 1;
    const archived = [...new Set(ids)].filter((id) => this.store.get(objectType, id)?.archived);
    return Promise.resolve(archived);
  }

  /** A change made by a CRM user: validated like an API write, bumps modifiedAt, not counted. */
  editAsUser(objectType: string, id: string, properties: Record<string, CrmValue>): CrmRecord {
    const rec = this.store.get(objectType, id);
    if (!rec || rec.archived) throw new CrmError('not_found', `${objectType} ${id}`, false);
    const written = this.store.validate(objectType, properties, id);
    if (written instanceof CrmError) throw written;
    return view(this.store.apply(rec, written), []);
  }

  /** Archives a record as a CRM user would (it stops being live; `archived()` reports it). */
  archive(objectType: string, id: string): void {
    const rec = this.store.get(objectType, id);
    if (!rec) throw new CrmError('not_found', `${objectType} ${id}`, false);
    rec.archived = true;
    rec.modifiedAt = this.store.tick();
  }

  /**
   * Runs writes one input at a time, in rounds so a repeated key is written in order, and
   * counts one write call per chunk of `maxBatchSize`, as a batching CRM would. A result
   * carries the properties the write set, as stored.
   */
  private write<I extends { ref: string }>(
    inputs: I[],
    keyOf: ((input: I) => string) | null,
    one: (input: I) => WriteOutcome | CrmError,
  ): Promise<CrmWriteResult[]> {
    const results: CrmWriteResult[] = [];
    const indexed = inputs.map((input, index) => ({ input, index }));
    for (const round of roundsByKey(indexed, keyOf ? (e) => keyOf(e.input) : () => null)) {
      for (const part of chunk(round, this.maxBatchSize)) {
        this.writeCalls += 1;
        for (const { input, index } of part) {
          const outcome = one(input);
          results[index] =
            outcome instanceof CrmError
              ? fail(input.ref, outcome)
              : {
                  ref: input.ref,
                  ok: true,
                  created: outcome.created,
                  record: view(outcome.record, Object.keys(outcome.written)),
                };
        }
      }
    }
    return Promise.resolve(results);
  }

  private page(
    ordered: StoredRecord[],
    properties: string[],
    cursorOf: (r: StoredRecord) => string,
  ): CrmPage {
    const records = ordered.slice(0, this.pageSize);
    const last = records[records.length - 1];
    const more = ordered.length > records.length && last !== undefined;
    return {
      records: records.map((r) => view(r, properties)),
      after: more ? cursorOf(last) : null,
    };
  }
}

const byModifiedThenId = (a: StoredRecord, b: StoredRecord): number =>
  a.modifiedAt.getTime() - b.modifiedAt.getTime() || Number(a.id) - Number(b.id);

function parseCursor(after: string): [number, number] {
  const [ms, id] = after.split(':').map(Number);
  if (ms === undefined || id === undefined || Number.isNaN(ms) || Number.isNaN(id)) {
    throw new CrmError('invalid_cursor', `Not a listChanges cursor: ${after}`, false);
  }
  return [ms, id];
}
