import { DEFAULT_OBJECTS } from './default-objects.js';

export type SfFieldType =
  | 'id'
  | 'string'
  | 'textarea'
  | 'email'
  | 'phone'
  | 'url'
  | 'picklist'
  | 'reference'
  | 'boolean'
  | 'datetime'
  | 'date'
  | 'double'
  | 'currency'
  | 'percent'
  | 'int';

/** What a caller declares; everything but name and type has a Salesforce-like default. */
export interface FieldSpec {
  name: string;
  type: SfFieldType;
  label?: string;
  length?: number;
  externalId?: boolean;
  unique?: boolean;
  caseSensitive?: boolean;
  /** false → required on create (unless defaultValue is set). */
  nillable?: boolean;
  createable?: boolean;
  updateable?: boolean;
  defaultValue?: unknown;
  referenceTo?: string[];
  relationshipName?: string;
  picklistValues?: string[];
}

export type FieldDef = Required<Omit<FieldSpec, 'defaultValue' | 'relationshipName'>> & {
  custom: boolean;
  defaultValue: unknown;
  relationshipName: string | null;
};

export interface ObjectSpec {
  name: string;
  keyPrefix: string;
  label?: string;
  fields: FieldSpec[];
}

export interface ObjectDef {
  name: string;
  keyPrefix: string;
  label: string;
  custom: boolean;
  fields: Map<string, FieldDef>;
}

const TEXT_TYPES = new Set<SfFieldType>([
  'id',
  'string',
  'textarea',
  'email',
  'phone',
  'url',
  'picklist',
  'reference',
]);
export const isTextType = (t: SfFieldType) => TEXT_TYPES.has(t);

const DEFAULT_LENGTH: Partial<Record<SfFieldType, number>> = {
  id: 18,
  reference: 18,
  string: 255,
  textarea: 32000,
  email: 80,
  phone: 40,
  url: 255,
  picklist: 255,
};

/** System fields every object carries, in describe order after Id. */
export const SYSTEM_FIELDS: FieldSpec[] = [
  { name: 'Id', type: 'id', label: 'Record ID', createable: false, updateable: false },
  { name: 'IsDeleted', type: 'boolean', label: 'Deleted', createable: false, updateable: false },
  { name: 'CreatedDate', type: 'datetime', createable: false, updateable: false },
  { name: 'CreatedById', type: 'reference', referenceTo: ['User'], createable: false },
  { name: 'LastModifiedDate', type: 'datetime', createable: false, updateable: false },
  { name: 'LastModifiedById', type: 'reference', referenceTo: ['User'], createable: false },
  { name: 'SystemModstamp', type: 'datetime', createable: false, updateable: false },
];

function toFieldDef(spec: FieldSpec): FieldDef {
  const custom = spec.name.endsWith('__c');
  const system = SYSTEM_FIELDS.some((f) => f.name === spec.name);
  const createable = spec.createable ?? true;
  return {
    name: spec.name,
    type: spec.type,
    label: spec.label ?? spec.name.replace(/__c$/, '').replace(/_/g, ' '),
    length: isTextType(spec.type) ? (spec.length ?? DEFAULT_LENGTH[spec.type] ?? 255) : 0,
    externalId: spec.externalId ?? false,
    unique: spec.unique ?? false,
    caseSensitive: spec.caseSensitive ?? false,
    nillable: spec.nillable ?? (spec.type !== 'boolean' && !system),
    createable,
    updateable: spec.updateable ?? (createable && !system),
    defaultValue: spec.defaultValue ?? (spec.type === 'boolean' ? false : null),
    referenceTo: spec.referenceTo ?? [],
    relationshipName:
      spec.relationshipName ??
      (spec.type === 'reference' && spec.name.endsWith('Id') ? spec.name.slice(0, -2) : null),
    picklistValues: spec.picklistValues ?? [],
    custom,
  };
}

/** Required on create: not nillable, createable and with no default to fall back on. */
export const isRequired = (f: FieldDef) =>
  !f.nillable && f.createable && f.defaultValue === null && f.type !== 'boolean';

/**
 * The org's metadata: objects, their fields (case-insensitive lookup) and key prefixes, and
 * field-level security: fields hidden from a user, which that user's API calls cannot see.
 */
export class SchemaRegistry {
  private readonly objects = new Map<string, ObjectDef>();
  /** User id → object (lower-cased) → field names (lower-cased) its profile cannot see. */
  private readonly hidden = new Map<string, Map<string, Set<string>>>();

  constructor(extra: ObjectSpec[] = []) {
    for (const spec of [...DEFAULT_OBJECTS, ...extra]) this.defineObject(spec);
  }

  defineObject(spec: ObjectSpec): ObjectDef {
    const def: ObjectDef = {
      name: spec.name,
      keyPrefix: spec.keyPrefix,
      label: spec.label ?? spec.name.replace(/__c$/, '').replace(/_/g, ' '),
      custom: spec.name.endsWith('__c'),
      fields: new Map(),
    };
    for (const f of [SYSTEM_FIELDS[0]!, ...spec.fields, ...SYSTEM_FIELDS.slice(1)]) {
      def.fields.set(f.name.toLowerCase(), toFieldDef(f));
    }
    this.objects.set(spec.name.toLowerCase(), def);
    return def;
  }

  /** Adds (or replaces) a field, e.g. `Stripe_Customer_Id__c` as a unique External ID. */
  addField(objectName: string, spec: FieldSpec): FieldDef {
    const obj = this.get(objectName);
    if (!obj) throw new Error(`unknown sobject ${objectName}`);
    if (!/^[A-Za-z][A-Za-z0-9_]*__c$/.test(spec.name)) {
      throw new Error(`custom field names end in __c: ${spec.name}`);
    }
    const def = toFieldDef(spec);
    obj.fields.set(spec.name.toLowerCase(), def);
    return def;
  }

  get(name: string): ObjectDef | undefined {
    return this.objects.get(name.toLowerCase());
  }

  /** A field by name; with `userId`, only one that user's field-level security lets it see. */
  field(obj: ObjectDef, name: string, userId?: string): FieldDef | undefined {
    const f = obj.fields.get(name.toLowerCase());
    return f && userId !== undefined && this.isHidden(userId, obj, f) ? undefined : f;
  }

  /**
   * Field-level security: hides (or, with `visible`, shows again) fields of an object from one
   * user, as an admin does by unticking them in the user's profile or permission sets. Id and
   * the system fields stay visible, as Salesforce keeps them.
   */
  setFieldAccess(userId: string, objectName: string, names: string[], visible: boolean): void {
    const obj = this.get(objectName);
    if (!obj) throw new Error(`unknown sobject ${objectName}`);
    let byObject = this.hidden.get(userId);
    if (!byObject) {
      byObject = new Map();
      this.hidden.set(userId, byObject);
    }
    const key = obj.name.toLowerCase();
    const set = byObject.get(key) ?? new Set<string>();
    byObject.set(key, set);
    for (const name of names) {
      const f = this.field(obj, name);
      if (!f) throw new Error(`unknown field ${obj.name}.${name}`);
      if (SYSTEM_FIELDS.some((s) => s.name === f.name)) {
        throw new Error(`${obj.name}.${f.name} is a system field and cannot be hidden`);
      }
      if (visible) set.delete(f.name.toLowerCase());
      else set.add(f.name.toLowerCase());
    }
  }

  isHidden(userId: string, obj: ObjectDef, f: FieldDef): boolean {
    return this.hidden.get(userId)?.get(obj.name.toLowerCase())?.has(f.name.toLowerCase()) === true;
  }

  /** The fields `userId` can see (all of them without a user). */
  visibleFields(obj: ObjectDef, userId?: string): FieldDef[] {
    const all = [...obj.fields.values()];
    return userId === undefined ? all : all.filter((f) => !this.isHidden(userId, obj, f));
  }

  byPrefix(id: string): ObjectDef | undefined {
    const prefix = id.slice(0, 3);
    return [...this.objects.values()].find((o) => o.keyPrefix === prefix);
  }

  list(): ObjectDef[] {
    return [...this.objects.values()];
  }

  /** `GET /sobjects/{Type}/describe`, as `userId` sees it (fields it cannot see are left out). */
  describe(obj: ObjectDef, base: string, userId?: string) {
    return {
      ...this.globalEntry(obj, base),
      fields: this.visibleFields(obj, userId).map((f) => ({
        name: f.name,
        type: f.type,
        label: f.label,
        length: f.length,
        byteLength: f.length * 3,
        externalId: f.externalId,
        idLookup: f.externalId || f.name === 'Id' || f.unique,
        unique: f.unique,
        caseSensitive: f.caseSensitive,
        nillable: f.nillable,
        createable: f.createable,
        updateable: f.updateable,
        defaultedOnCreate: f.defaultValue !== null || f.type === 'boolean' || !f.createable,
        defaultValue: f.defaultValue,
        custom: f.custom,
        calculated: false,
        filterable: true,
        sortable: f.type !== 'textarea',
        referenceTo: f.referenceTo,
        relationshipName: f.relationshipName,
        picklistValues: f.picklistValues.map((v) => ({ active: true, label: v, value: v })),
        soapType: `xsd:${f.type === 'boolean' ? 'boolean' : f.type === 'datetime' ? 'dateTime' : isTextType(f.type) ? 'string' : 'double'}`,
        precision: 0,
        scale: 0,
        digits: 0,
      })),
      childRelationships: [],
      recordTypeInfos: [],
    };
  }

  /** One entry of `GET /sobjects`. */
  globalEntry(obj: ObjectDef, base: string) {
    const url = `${base}/sobjects/${obj.name}`;
    return {
      name: obj.name,
      label: obj.label,
      labelPlural: `${obj.label}s`,
      keyPrefix: obj.keyPrefix,
      custom: obj.custom,
      createable: obj.name !== 'User',
      updateable: obj.name !== 'User',
      deletable: obj.name !== 'User',
      queryable: true,
      retrieveable: true,
      searchable: true,
      replicateable: true,
      urls: {
        sobject: url,
        describe: `${url}/describe`,
        rowTemplate: `${url}/{ID}`,
      },
    };
  }
}
