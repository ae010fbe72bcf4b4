import {
  CrmError,
  type CrmFieldDescription,
  type CrmPropertyDefinition,
  type CrmPropertyType,
} from '../crm-connector.js';

/** The parts of a describeSObject field the connector uses (jsforce's `Field`, narrowed). */
export interface SfFieldMeta {
  name: string;
  label: string;
  type: string;
  externalId: boolean;
  unique: boolean;
  createable: boolean;
  updateable: boolean;
}

/** Salesforce field types → the port's coarse types (text-like types are all strings). */
export function crmTypeOf(sfType: string): CrmPropertyType {
  switch (sfType) {
    case 'boolean':
      return 'bool';
    case 'int':
    case 'double':
    case 'currency':
    case 'percent':
    case 'long':
      return 'number';
    case 'date':
      return 'date';
    case 'datetime':
      return 'datetime';
    case 'picklist':
    case 'multipicklist':
      return 'enumeration';
    default:
      return 'string';
  }
}

export function toFieldDescription(f: SfFieldMeta): CrmFieldDescription {
  return {
    name: f.name,
    label: f.label,
    type: crmTypeOf(f.type),
    // An External ID is what upserts key on, so for the port it is a unique lookup key even
    // when the admin did not also tick "Unique".
    unique: f.externalId || f.unique,
    readOnly: !f.updateable && !f.createable,
    // describe's own `custom` flag is also true for managed-package fields; the `__c` suffix is
    // what marks a field an admin (or this bridge's setup guide) created.
    custom: f.name.endsWith('__c'),
  };
}

/** How an admin creates a field of this definition in Setup → Object Manager. */
export function setupTypeOf(def: CrmPropertyDefinition): string {
  switch (def.type) {
    case 'string':
      return def.unique ? 'Text(255), External ID, Unique' : 'Text(255)';
    case 'number':
      // Three decimals: money in BHD, JOD, KWD, OMR or TND has them, and Salesforce rounds a
      // number to its field's scale. 15 + 3 is within Salesforce's 18 digits.
      return 'Number(15,3)';
    case 'bool':
      return 'Checkbox';
    case 'date':
      return 'Date';
    case 'datetime':
      return 'Date/Time';
    case 'enumeration':
      return def.options && def.options.length > 0
        ? `Picklist (${def.options.join(', ')})`
        : 'Picklist';
  }
}

/** A custom field (`__c`, managed-package ones included) is created by an admin in Setup. */
const isCustomName = (name: string): boolean => /__c$/i.test(name);

/**
 * What an admin does about the fields a mapping needs that describe does not list. A missing
 * custom field is metadata to create (the data API cannot; the Metadata API needs more than the
 * data API's permissions), so the advice names its type. A missing standard field exists in
 * every org: describe leaves it out because field-level security hides it from the integration
 * user, so the advice is to grant that user access to it. Both kinds make one message.
 */
export function missingFieldsMessage(objectType: string, missing: CrmPropertyDefinition[]): string {
  const custom = missing.filter((d) => isCustomName(d.name));
  const standard = missing.filter((d) => !isCustomName(d.name));
  const parts: string[] = [];
  if (custom.length > 0) {
    const list = custom.map((d) => `${d.name} (${setupTypeOf(d)})`).join(', ');
    parts.push(`Create these fields on ${objectType}: ${list}`);
  }
  if (standard.length > 0) {
    const list = standard.map((d) => `${objectType}.${d.name}`).join(', ');
    const access = `the integration user read and edit access (field-level security, in its profile or a permission set) to ${list}`;
    parts.push(custom.length > 0 ? `and grant ${access}` : `Grant ${access}`);
  }
  return parts.join('; ');
}

export function missingFieldsError(
  objectType: string,
  existing: SfFieldMeta[],
  definitions: CrmPropertyDefinition[],
): CrmError | null {
  const have = new Set(existing.map((f) => f.name.toLowerCase()));
  const missing = definitions.filter((d) => !have.has(d.name.toLowerCase()));
  if (missing.length === 0) return null;
  return new CrmError('missing_fields', missingFieldsMessage(objectType, missing), false);
}
