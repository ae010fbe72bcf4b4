import {
  CrmError,
  type CrmPropertyDefinition,
  type CrmRecord,
  type CrmValue,
} from '../crm-connector.js';
import { coerceValue, sameText } from './in-memory-values.js';

export interface StoredProperty {
  definition: CrmPropertyDefinition;
  custom: boolean;
}

export interface StoredRecord {
  id: string;
  properties: Record<string, CrmValue>;
  modifiedAt: Date;
  archived: boolean;
}

interface TypeState {
  properties: Map<string, StoredProperty>;
  records: Map<string, StoredRecord>;
}

/**
 * The in-memory CRM's data: property definitions and records per object type, with the CRM's
 * rules (known properties only, typed values, unique values case-insensitive) and a clock
 * that dates every write strictly after the previous one.
 */
export class InMemoryStore {
  private types = new Map<string, TypeState>();
  private lastMs = 0;
  private seq = 0;

  constructor(
    private readonly builtIns: Record<string, CrmPropertyDefinition[]>,
    private readonly now: () => Date,
  ) {}

  /** Forgets records and custom properties; ids keep counting, so none is ever reused. */
  reset(): void {
    this.types.clear();
  }

  properties(objectType: string): Map<string, StoredProperty> {
    return this.state(objectType).properties;
  }

  get(objectType: string, id: string): StoredRecord | undefined {
    return this.state(objectType).records.get(id);
  }

  live(objectType: string): StoredRecord[] {
    return [...this.state(objectType).records.values()].filter((r) => !r.archived);
  }

  /** A modifiedAt strictly after the previous one, whatever the injected clock says. */
  tick(): Date {
    this.lastMs = Math.max(this.now().getTime(), this.lastMs + 1);
    return new Date(this.lastMs);
  }

  /** Checks names, coerces values to the property types and enforces unique properties. */
  validate(
    objectType: string,
    input: Record<string, CrmValue>,
    selfId?: string,
  ): Record<string, CrmValue> | CrmError {
    const props = this.properties(objectType);
    const out: Record<string, CrmValue> = {};
    for (const [name, raw] of Object.entries(input)) {
      const prop = props.get(name);
      if (!prop) {
        const msg = `Property "${name}" does not exist on ${objectType}`;
        return new CrmError('unknown_property', msg, false);
      }
      const value = coerceValue(objectType, prop.definition, raw);
      if (value instanceof CrmError) return value;
      out[name] = value;
    }
    for (const [name, value] of Object.entries(out)) {
      if (value === null || props.get(name)?.definition.unique !== true) continue;
      const clash = this.live(objectType).find(
        (r) => r.id !== selfId && sameText(r.properties[name], String(value)),
      );
      if (clash) {
        const msg = `A ${objectType} record with ${name}=${String(value)} already exists: ${clash.id}`;
        return new CrmError('conflict', msg, false);
      }
    }
    return out;
  }

  /** Stores a new record with already validated properties. */
  insert(objectType: string, written: Record<string, CrmValue>): StoredRecord {
    this.seq += 1;
    const rec: StoredRecord = {
      id: String(this.seq),
      properties: {},
      modifiedAt: this.tick(),
      archived: false,
    };
    this.state(objectType).records.set(rec.id, rec);
    return this.apply(rec, written, rec.modifiedAt);
  }

  /** Applies validated properties (null clears) and dates the change. */
  apply(rec: StoredRecord, written: Record<string, CrmValue>, at?: Date): StoredRecord {
    for (const [name, value] of Object.entries(written)) {
      if (value === null) delete rec.properties[name];
      else rec.properties[name] = value;
    }
    rec.modifiedAt = at ?? this.tick();
    return rec;
  }

  private state(objectType: string): TypeState {
    let state = this.types.get(objectType);
    if (!state) {
      const builtIns = this.builtIns[objectType] ?? [];
      state = {
        properties: new Map(builtIns.map((d) => [d.name, { definition: d, custom: false }])),
        records: new Map(),
      };
      this.types.set(objectType, state);
    }
    return state;
  }
}

/** The requested properties (unset ones as null), or all of them when none are named. */
export function view(rec: StoredRecord, properties: readonly string[]): CrmRecord {
  const props: Record<string, CrmValue> =
    properties.length === 0
      ? { ...rec.properties }
      : Object.fromEntries(properties.map((p) => [p, rec.properties[p] ?? null]));
  return { id: rec.id, properties: props, modifiedAt: new Date(rec.modifiedAt) };
}
