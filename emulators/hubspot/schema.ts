import { fail, notFound, validation } from './errors.js';

export type PropertyType =
  'string' | 'number' | 'date' | 'datetime' | 'enumeration' | 'bool' | 'phone_number';

const PROPERTY_TYPES: readonly string[] = [
  'string',
  'number',
  'date',
  'datetime',
  'enumeration',
  'bool',
  'phone_number',
];

/** A property definition as the Properties API returns it (HubSpot's `Property`). */
export interface PropertyDefinition {
  name: string;
  label: string;
  type: PropertyType;
  fieldType: string;
  groupName: string;
  description: string;
  options: { label: string; value: string; displayOrder?: number; hidden?: boolean }[];
  displayOrder: number;
  calculated: boolean;
  externalOptions: boolean;
  hasUniqueValue: boolean;
  hidden: boolean;
  hubspotDefined: boolean;
  formField: boolean;
  modificationMetadata: {
    archivable: boolean;
    readOnlyDefinition: boolean;
    readOnlyValue: boolean;
  };
  createdAt: string;
  updatedAt: string;
  archived: boolean;
}

/** Canonical object type names; HubSpot also accepts singulars and the `0-N` type ids. */
export const OBJECT_TYPE_IDS: Record<string, string> = {
  contacts: '0-1',
  companies: '0-2',
  deals: '0-3',
  products: '0-7',
  line_items: '0-8',
  tasks: '0-27',
};

const ALIASES: Record<string, string> = {
  contact: 'contacts',
  company: 'companies',
  deal: 'deals',
  product: 'products',
  line_item: 'line_items',
  lineitem: 'line_items',
  lineitems: 'line_items',
  task: 'tasks',
  ...Object.fromEntries(Object.entries(OBJECT_TYPE_IDS).map(([name, id]) => [id, name])),
};

export const canonicalType = (objectType: string): string => {
  const lower = objectType.toLowerCase();
  return ALIASES[lower] ?? (OBJECT_TYPE_IDS[lower] ? lower : objectType);
};

export const objectTypeId = (objectType: string): string =>
  OBJECT_TYPE_IDS[objectType] ?? objectType;

/** Maintained by the emulator on every write. */
export const lastModifiedProps = (type: string): string[] =>
  type === 'contacts' ? ['hs_lastmodifieddate', 'lastmodifieddate'] : ['hs_lastmodifieddate'];
export const SYSTEM_READ_ONLY = new Set([
  'hs_object_id',
  'hs_lastmodifieddate',
  'lastmodifieddate',
]);

type Spec = [name: string, type: PropertyType, fieldType?: string];
const S = (name: string): Spec => [name, 'string', 'text'];
const N = (name: string): Spec => [name, 'number', 'number'];
const DT = (name: string): Spec => [name, 'datetime', 'date'];
const E = (name: string): Spec => [name, 'enumeration', 'select'];

const SYSTEM: Spec[] = [N('hs_object_id'), DT('createdate'), DT('hs_lastmodifieddate')];

const DEFAULTS: Record<string, Spec[]> = {
  contacts: [
    S('email'),
    // Secondary addresses ("a@x.com;b@y.com"): how HubSpot ends up with two contacts per email.
    S('hs_additional_emails'),
    S('firstname'),
    S('lastname'),
    ['phone', 'phone_number', 'phonenumber'],
    ['mobilephone', 'phone_number', 'phonenumber'],
    S('address'),
    S('city'),
    S('state'),
    S('zip'),
    S('country'),
    S('company'),
    S('jobtitle'),
    S('website'),
    E('lifecyclestage'),
    S('hs_lead_status'),
    DT('lastmodifieddate'),
  ],
  companies: [
    S('name'),
    S('domain'),
    S('website'),
    ['phone', 'phone_number', 'phonenumber'],
    S('address'),
    S('city'),
    S('state'),
    S('zip'),
    S('country'),
    S('industry'),
    N('numberofemployees'),
    N('annualrevenue'),
    E('lifecyclestage'),
    S('description'),
  ],
  deals: [
    S('dealname'),
    N('amount'),
    E('dealstage'),
    E('pipeline'),
    DT('closedate'),
    S('deal_currency_code'),
    S('description'),
  ],
  products: [
    S('name'),
    N('price'),
    S('description'),
    S('hs_sku'),
    E('hs_recurring_billing_period'),
    S('recurringbillingfrequency'),
  ],
  line_items: [
    S('name'),
    N('price'),
    N('quantity'),
    N('amount'),
    N('hs_product_id'),
    S('description'),
    S('hs_recurring_billing_period'),
    S('recurringbillingfrequency'),
  ],
  tasks: [
    S('hs_task_subject'),
    S('hs_task_body'),
    DT('hs_timestamp'),
    E('hs_task_status'),
    E('hs_task_priority'),
    E('hs_task_type'),
    N('hubspot_owner_id'),
  ],
};

/** Which properties a plain GET returns when `properties=` is not given. */
export const DEFAULT_READ: Record<string, string[]> = {
  contacts: ['email', 'firstname', 'lastname'],
  companies: ['name', 'domain'],
  deals: ['dealname', 'amount', 'dealstage', 'pipeline', 'closedate'],
  products: ['name', 'price', 'description'],
  line_items: ['name', 'price', 'quantity', 'amount', 'hs_product_id'],
  tasks: ['hs_task_subject', 'hs_task_body', 'hs_timestamp', 'hs_task_status'],
};

const define = (
  [name, type, fieldType]: Spec,
  at: string,
  extra: Partial<PropertyDefinition> = {},
): PropertyDefinition => ({
  name,
  label: name,
  type,
  fieldType: fieldType ?? 'text',
  groupName: 'emulator_defaults',
  description: '',
  options: [],
  displayOrder: -1,
  calculated: false,
  externalOptions: false,
  hasUniqueValue: false,
  hidden: false,
  hubspotDefined: true,
  formField: false,
  modificationMetadata: {
    archivable: false,
    readOnlyDefinition: true,
    readOnlyValue: SYSTEM_READ_ONLY.has(name),
  },
  createdAt: at,
  updatedAt: at,
  archived: false,
  ...extra,
});

export interface PropertyCreateInput {
  name?: string;
  label?: string;
  type?: string;
  fieldType?: string;
  groupName?: string;
  description?: string;
  hasUniqueValue?: boolean;
  options?: PropertyDefinition['options'];
  displayOrder?: number;
  hidden?: boolean;
  formField?: boolean;
}

/** Property definitions per object type: HubSpot's defaults plus ones created through the API. */
export class PropertyRegistry {
  private byType = new Map<string, Map<string, PropertyDefinition>>();

  constructor(private readonly now: () => string) {}

  private forType(type: string): Map<string, PropertyDefinition> {
    let props = this.byType.get(type);
    if (!props) {
      const at = this.now();
      const specs = [...SYSTEM, ...(DEFAULTS[type] ?? [])];
      props = new Map(specs.map((s) => [s[0], define(s, at)]));
      // HubSpot: a contact's email is unique across the portal.
      if (type === 'contacts') props.get('email')!.hasUniqueValue = true;
      this.byType.set(type, props);
    }
    return props;
  }

  list(type: string): PropertyDefinition[] {
    return [...this.forType(type).values()].filter((p) => !p.archived);
  }

  get(type: string, name: string): PropertyDefinition | undefined {
    const p = this.forType(type).get(name);
    return p && !p.archived ? p : undefined;
  }

  require(type: string, name: string): PropertyDefinition {
    const p = this.get(type, name);
    if (!p) throw notFound(`Unable to find property ${name} on object type ${type}`);
    return p;
  }

  create(type: string, input: PropertyCreateInput): PropertyDefinition {
    const missing = (['name', 'label', 'type', 'fieldType', 'groupName'] as const).filter(
      (k) => typeof input[k] !== 'string' || input[k] === '',
    );
    if (missing.length > 0) {
      throw validation(
        `Invalid input JSON: missing required field(s) ${missing.join(', ')}`,
        missing.map((m) => ({ message: 'must not be null', in: m, code: 'REQUIRED' })),
      );
    }
    const name = input.name!;
    if (!/^[a-z][a-z0-9_]*$/.test(name)) {
      throw validation(`Property name '${name}' is invalid: use lowercase letters, digits and _`);
    }
    if (!PROPERTY_TYPES.includes(input.type!)) {
      throw validation(`Invalid property type '${input.type}'`);
    }
    if (this.forType(type).has(name)) {
      throw fail(409, `Property named '${name}' already exists.`, 'OBJECT_ALREADY_EXISTS');
    }
    const def = define([name, input.type as PropertyType, input.fieldType], this.now(), {
      label: input.label!,
      groupName: input.groupName!,
      description: input.description ?? '',
      hasUniqueValue: input.hasUniqueValue === true,
      options: input.options ?? [],
      displayOrder: input.displayOrder ?? -1,
      hidden: input.hidden ?? false,
      formField: input.formField ?? false,
      hubspotDefined: false,
      modificationMetadata: { archivable: true, readOnlyDefinition: false, readOnlyValue: false },
    });
    this.forType(type).set(name, def);
    return def;
  }

  update(type: string, name: string, patch: PropertyCreateInput): PropertyDefinition {
    const def = this.require(type, name);
    if (def.hubspotDefined) throw validation(`Property ${name} is read-only (HubSpot defined)`);
    const { label, description, groupName, fieldType, options, displayOrder, hidden, formField } =
      patch;
    Object.assign(def, {
      ...(label !== undefined ? { label } : {}),
      ...(description !== undefined ? { description } : {}),
      ...(groupName !== undefined ? { groupName } : {}),
      ...(fieldType !== undefined ? { fieldType } : {}),
      ...(options !== undefined ? { options } : {}),
      ...(displayOrder !== undefined ? { displayOrder } : {}),
      ...(hidden !== undefined ? { hidden } : {}),
      ...(formField !== undefined ? { formField } : {}),
      updatedAt: this.now(),
    });
    return def;
  }

  archive(type: string, name: string): void {
    const def = this.require(type, name);
    if (def.hubspotDefined) throw validation(`Property ${name} is HubSpot defined`);
    this.forType(type).delete(name);
  }

  uniqueNames(type: string): string[] {
    return this.list(type)
      .filter((p) => p.hasUniqueValue)
      .map((p) => p.name);
  }

  reset(): void {
    this.byType.clear();
  }
}
