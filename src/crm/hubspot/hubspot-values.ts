import type {
  Property,
  PropertyCreate,
} from '@hubspot/api-client/lib/codegen/crm/properties/index.js';
import type {
  CrmFieldDescription,
  CrmPropertyDefinition,
  CrmPropertyType,
  CrmRecord,
  CrmValue,
} from '../crm-connector.js';

/** The SDK's object shape, reduced to what the connector reads. */
export interface HubSpotObject {
  id: string;
  properties: Record<string, string | null>;
  updatedAt: Date;
}

/** Property name → port type, for turning HubSpot's strings back into values. */
export type TypeMap = ReadonlyMap<string, CrmPropertyType>;

/** HubSpot takes every value as a string; '' clears a property. */
export function encodeProperties(props: Record<string, CrmValue>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(props)) {
    out[name] = value === null ? '' : typeof value === 'string' ? value : String(value);
  }
  return out;
}

/** HubSpot's strings as port values: numbers and booleans typed, empty as null. */
export function decodeValue(type: CrmPropertyType | undefined, raw: string | null | undefined) {
  if (raw === null || raw === undefined || raw === '') return null;
  if (type === 'number') {
    const n = Number(raw);
    return Number.isFinite(n) ? n : raw;
  }
  if (type === 'bool' && (raw === 'true' || raw === 'false')) return raw === 'true';
  return raw;
}

/** hs_lastmodifieddate (ISO or ms), else the object's updatedAt. */
export function modifiedAtOf(obj: HubSpotObject): Date {
  const raw = obj.properties.hs_lastmodifieddate;
  if (raw) {
    const ms = /^\d+$/.test(raw) ? Number(raw) : Date.parse(raw);
    if (!Number.isNaN(ms)) return new Date(ms);
  }
  return new Date(obj.updatedAt);
}

/**
 * A port record with exactly the named properties (unset ones null), or everything HubSpot
 * sent when none are named. HubSpot also echoes system properties; asking for them keeps them.
 */
export function toRecord(obj: HubSpotObject, names: readonly string[], types: TypeMap): CrmRecord {
  const keys = names.length > 0 ? names : Object.keys(obj.properties);
  const properties: Record<string, CrmValue> = {};
  for (const name of keys) properties[name] = decodeValue(types.get(name), obj.properties[name]);
  return { id: obj.id, properties, modifiedAt: modifiedAtOf(obj) };
}

/** A HubSpot property's type in port terms (booleancheckbox enumerations are booleans). */
export function portType(p: Pick<Property, 'type' | 'fieldType'>): CrmPropertyType {
  switch (p.type) {
    case 'number':
      return 'number';
    case 'bool':
      return 'bool';
    case 'date':
      return 'date';
    case 'datetime':
      return 'datetime';
    case 'enumeration':
      return p.fieldType === 'booleancheckbox' ? 'bool' : 'enumeration';
    default:
      return 'string';
  }
}

export function describeProperty(p: Property): CrmFieldDescription {
  return {
    name: p.name,
    label: p.label,
    type: portType(p),
    unique: p.hasUniqueValue === true,
    readOnly: p.modificationMetadata?.readOnlyValue === true || p.calculated === true,
    custom: p.hubspotDefined !== true,
  };
}

/** HubSpot's create body for a port definition (the SDK's enums are these wire strings). */
export function propertyCreate(def: CrmPropertyDefinition, groupName: string): PropertyCreate {
  const [type, fieldType, options] = ((): [string, string, string[]] => {
    switch (def.type) {
      case 'string':
        return ['string', 'text', []];
      case 'number':
        return ['number', 'number', []];
      case 'bool':
        return ['enumeration', 'booleancheckbox', ['true', 'false']];
      case 'date':
        return ['date', 'date', []];
      case 'datetime':
        return ['datetime', 'date', []];
      case 'enumeration':
        return ['enumeration', 'select', def.options ?? []];
    }
  })();
  return {
    name: def.name,
    label: def.label,
    type: type as PropertyCreate['type'],
    fieldType: fieldType as PropertyCreate['fieldType'],
    groupName,
    ...(def.description !== undefined ? { description: def.description } : {}),
    ...(def.unique ? { hasUniqueValue: true } : {}),
    options: options.map((value, displayOrder) => ({
      label: def.type === 'bool' ? (value === 'true' ? 'Yes' : 'No') : value,
      value,
      displayOrder,
      hidden: false,
    })),
  };
}
