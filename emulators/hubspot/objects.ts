import type { RecordStore, StoredRecord } from '../core/record-store.js';
import {
  fail,
  invalidProperties,
  notFound,
  propertyError,
  type PropertyValueError,
} from './errors.js';
import {
  DEFAULT_READ,
  SYSTEM_READ_ONLY,
  lastModifiedProps,
  type PropertyRegistry,
} from './schema.js';
import { checkValue } from './values.js';

export type Props = Record<string, string>;
export type CrmRecord = StoredRecord<Props>;

/** HubSpot's `SimplePublicObject`. */
export interface PublicObject {
  id: string;
  properties: Record<string, string | null>;
  createdAt: string;
  updatedAt: string;
  archived: boolean;
  archivedAt?: string;
}

const EMAIL_RE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const iso = (ms: number) => new Date(ms).toISOString();
export const storeType = (objectType: string) => `hubspot:${objectType}`;

/** Anything the client sends becomes a string; null/'' clears. */
export function stringify(value: unknown): string | null {
  if (value === null || value === undefined || value === '') return null;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

/**
 * CRM objects of every type on top of the shared RecordStore: validation against the property
 * registry, uniqueness, the maintained system properties and HubSpot's public object shape.
 */
export class CrmObjects {
  /** Unique property → value → id, per type: lookups stay O(1) with 100k records. */
  private readonly unique = new Map<string, Map<string, Map<string, string>>>();
  /** The store's write count per type when its index was last in step. */
  private readonly indexedAt = new Map<string, number>();

  constructor(
    private readonly store: RecordStore,
    private readonly schema: PropertyRegistry,
  ) {}

  private uniqueIndex(type: string, prop: string): Map<string, string> {
    // A write that did not come through this class (a test seeding the store) invalidates it.
    if (this.indexedAt.get(type) !== this.store.writeCount(storeType(type))) {
      this.unique.delete(type);
      this.indexedAt.set(type, this.store.writeCount(storeType(type)));
    }
    const perType = this.unique.get(type) ?? new Map<string, Map<string, string>>();
    this.unique.set(type, perType);
    let idx = perType.get(prop);
    if (!idx) {
      idx = new Map();
      for (const r of this.live(type)) {
        const v = r.data[prop];
        if (v !== undefined && v !== null) idx.set(v, r.id);
      }
      perType.set(prop, idx);
    }
    return idx;
  }

  /** Forgets the indexes (the store was reset). */
  resetIndexes(): void {
    this.unique.clear();
    this.indexedAt.clear();
  }

  /** Keeps the unique indexes in step with one record's change (before → after). */
  private reindex(type: string, id: string, before: Props | null, after: Props | null): void {
    const perType = this.unique.get(type);
    if (perType) {
      for (const [prop, idx] of perType) {
        const b = before?.[prop];
        if (b !== undefined && b !== null && idx.get(b) === id) idx.delete(b);
        const a = after?.[prop];
        if (a !== undefined && a !== null) idx.set(a, id);
      }
    }
    this.indexedAt.set(type, this.store.writeCount(storeType(type)));
  }

  private all(type: string): CrmRecord[] {
    return this.store.all<Props>(storeType(type));
  }

  live(type: string): CrmRecord[] {
    return this.all(type).filter((r) => !r.archived);
  }

  archivedList(type: string): CrmRecord[] {
    return this.all(type).filter((r) => r.archived);
  }

  /**
   * Validates and normalizes client input: unknown names, emails, values that do not fit their
   * property's type (see checkValue), read-only system properties, uniqueness.
   */
  private clean(type: string, input: unknown, selfId?: string): Record<string, string | null> {
    const props = (input && typeof input === 'object' ? input : {}) as Record<string, unknown>;
    const errors: PropertyValueError[] = [];
    const out: Record<string, string | null> = {};
    for (const [name, raw] of Object.entries(props)) {
      const def = this.schema.get(type, name);
      if (!def) {
        errors.push(
          propertyError(name, 'PROPERTY_DOESNT_EXIST', `Property "${name}" does not exist`),
        );
        continue;
      }
      if (SYSTEM_READ_ONLY.has(name)) continue; // HubSpot ignores writes to these
      let value = stringify(raw);
      if (value !== null && type === 'contacts' && name === 'email') {
        value = value.trim().toLowerCase();
        if (!EMAIL_RE.test(value)) {
          errors.push(propertyError(name, 'INVALID_EMAIL', `Email address ${value} is invalid`));
          continue;
        }
      }
      if (value !== null) {
        const checked = checkValue(def, value);
        if (!('value' in checked)) {
          errors.push(checked);
          continue;
        }
        value = checked.value;
      }
      out[name] = value;
    }
    if (errors.length > 0) throw invalidProperties(errors);
    for (const name of this.schema.uniqueNames(type)) {
      const value = out[name];
      if (value === undefined || value === null) continue;
      const clash = this.findBy(type, name, value);
      if (clash && clash.id !== selfId) {
        const message =
          type === 'contacts' && name === 'email'
            ? `Contact already exists. Existing ID: ${clash.id}`
            : `A ${type} record with ${name}=${value} already exists. Existing ID: ${clash.id}`;
        throw fail(409, message, 'CONFLICT');
      }
    }
    return out;
  }

  findBy(type: string, propertyName: string, value: string): CrmRecord | undefined {
    if (propertyName === 'hs_object_id') return this.getLive(type, value);
    const v = type === 'contacts' && propertyName === 'email' ? value.toLowerCase() : value;
    if (this.schema.get(type, propertyName)?.hasUniqueValue) {
      const id = this.uniqueIndex(type, propertyName).get(v);
      return id === undefined ? undefined : this.getLive(type, id);
    }
    return this.live(type).find((r) => r.data[propertyName] === v);
  }

  private getLive(type: string, id: string): CrmRecord | undefined {
    const r = this.store.get<Props>(storeType(type), id);
    return r && !r.archived ? r : undefined;
  }

  /** Looks up by id or by a unique `idProperty` (HubSpot's `?idProperty=`). */
  lookup(type: string, id: string, idProperty?: string, archived = false): CrmRecord | undefined {
    if (archived) {
      const r = this.store.get<Props>(storeType(type), id);
      return r?.archived ? r : undefined;
    }
    if (!idProperty || idProperty === 'hs_object_id') return this.getLive(type, id);
    const def = this.schema.get(type, idProperty);
    if (!def?.hasUniqueValue) {
      throw fail(400, `${idProperty} is not a unique property`, 'VALIDATION_ERROR');
    }
    return this.findBy(type, idProperty, id);
  }

  require(type: string, id: string, idProperty?: string): CrmRecord {
    const r = this.lookup(type, id, idProperty);
    if (!r) throw notFound(`Object not found.  objectId are usually numeric.`);
    return r;
  }

  private stamp(type: string, rec: CrmRecord): void {
    rec.data.hs_object_id = rec.id;
    rec.data.createdate ??= iso(rec.createdAt);
    for (const p of lastModifiedProps(type)) rec.data[p] = iso(rec.updatedAt);
  }

  /** Validates a whole batch before any write (HubSpot fails the batch as one). */
  validate(type: string, props: unknown, selfId?: string): Record<string, string | null> {
    return this.clean(type, props, selfId);
  }

  create(type: string, props: unknown): CrmRecord {
    const clean = this.clean(type, props);
    const data: Props = {};
    for (const [k, v] of Object.entries(clean)) if (v !== null) data[k] = v;
    const id = this.store.nextId('', 1);
    const rec = this.store.insert<Props>(storeType(type), id, data);
    this.stamp(type, rec);
    this.reindex(type, rec.id, null, rec.data);
    return rec;
  }

  update(type: string, rec: CrmRecord, props: unknown): CrmRecord {
    const clean = this.clean(type, props, rec.id);
    const data: Props = { ...rec.data };
    for (const [k, v] of Object.entries(clean)) {
      if (v === null) delete data[k];
      else data[k] = v;
    }
    const before = { ...rec.data };
    const updated = this.store.update<Props>(storeType(type), rec.id, data);
    this.stamp(type, updated);
    this.reindex(type, rec.id, before, updated.data);
    return updated;
  }

  archive(type: string, rec: CrmRecord): void {
    this.store.setArchived(storeType(type), rec.id, true);
    this.reindex(type, rec.id, rec.data, null);
  }

  /** A change made in the HubSpot UI: bumps the modified dates, not counted as an API write. */
  editAsUser(type: string, id: string, props: Record<string, unknown>): CrmRecord {
    const rec = this.require(type, id);
    const clean = this.clean(type, props, rec.id);
    const before = { ...rec.data };
    for (const [k, v] of Object.entries(clean)) {
      if (v === null) delete rec.data[k];
      else rec.data[k] = v;
    }
    rec.updatedAt = this.store.now();
    rec.version += 1;
    this.stamp(type, rec);
    this.reindex(type, rec.id, before, rec.data);
    return rec;
  }

  /** Names to return: the requested ones, or the type's defaults; system ones always. */
  propertyNames(type: string, requested?: string[], written?: string[]): string[] {
    const base = requested && requested.length > 0 ? requested : (DEFAULT_READ[type] ?? []);
    return [
      ...new Set([
        ...base,
        ...(written ?? []),
        'createdate',
        'hs_object_id',
        ...lastModifiedProps(type),
      ]),
    ];
  }

  toPublic(type: string, rec: CrmRecord, requested?: string[], written?: string[]): PublicObject {
    const properties: Record<string, string | null> = {};
    for (const name of this.propertyNames(type, requested, written)) {
      if (!this.schema.get(type, name)) continue; // HubSpot silently skips unknown names
      properties[name] = rec.data[name] ?? null;
    }
    return {
      id: rec.id,
      properties,
      createdAt: iso(rec.createdAt),
      updatedAt: iso(rec.updatedAt),
      archived: rec.archived,
      ...(rec.archived ? { archivedAt: iso(rec.updatedAt) } : {}),
    };
  }
}
