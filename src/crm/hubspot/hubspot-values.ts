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
import {
  isRefusal,
  parseBool,
  parseInstant,
  parseNumber,
  plainDecimal,
  refuse,
  utcDay,
  type Refusal,
} from '../crm-values.js';

/** The SDK's object shape, reduced to what the connector reads. */
export interface HubSpotObject {
  id: string;
  properties: Record<string, string | null>;
  updatedAt: Date;
}

/** Property name → port type, for turning HubSpot's strings back into values. */
export type TypeMap = ReadonlyMap<string, CrmPropertyType>;

/**
 * One value as HubSpot's CRM v3 API takes it for the property's type: always a string, '' to
 * clear. Numbers in plain decimal notation (HubSpot refuses '1e+21' as "not a valid number"),
 * booleans (booleancheckbox enumerations included) as 'true'/'false', dates as 'YYYY-MM-DD' (a
 * datetime's UTC day), datetimes as ISO 8601 in UTC; HubSpot documents both ISO 8601 and ms
 * epochs for these, and ISO is the form it reads them back in. A property the map does not know
 * goes as text, for HubSpot to refuse by name.
 */
export function encodeValue(type: CrmPropertyType | undefined, v: CrmValue): string | Refusal {
  if (v === null || v === '') return '';
  switch (type) {
    case 'number': {
      const n = parseNumber(v);
      return n === null ? refuse('a number') : plainDecimal(n);
    }
    case 'bool': {
      const b = parseBool(v);
      return b === null ? refuse('true or false') : String(b);
    }
    case 'date': {
      const ms = parseInstant(v, { epochMs: true });
      return ms === null
        ? refuse('a date (YYYY-MM-DD, an ISO 8601 datetime or ms epoch)')
        : utcDay(ms);
    }
    case 'datetime': {
      const ms = parseInstant(v, { epochMs: true });
      return ms === null ? refuse('an ISO 8601 datetime or ms epoch') : new Date(ms).toISOString();
    }
    default:
      return typeof v === 'number' ? plainDecimal(v) : String(v);
  }
}

export type EncodedProperties =
  | { ok: true; properties: Record<string, string> }
  | { ok: false; property: string; type: CrmPropertyType; expected: string };

/** An input's properties in HubSpot's form, or the first property that refuses its value. */
export function encodeProperties(
  props: Record<string, CrmValue>,
  types: TypeMap,
): EncodedProperties {
  const properties: Record<string, string> = {};
  for (const [name, value] of Object.entries(props)) {
    const type = types.get(name);
    const encoded = encodeValue(type, value);
    if (isRefusal(encoded)) {
      return { ok: false, property: name, type: type ?? 'string', expected: encoded.refused };
    }
    properties[name] = encoded;
  }
  return { ok: true, properties };
}

/** Values already in HubSpot's form as the wire's strings (null clears). */
export function wireProperties(props: Record<string, CrmValue>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(props))
    out[name] = value === null ? '' : String(value);
  return out;
}

/**
 * HubSpot's strings as port values, the way the other connectors hold them: numbers and
 * booleans typed, dates as 'YYYY-MM-DD', datetimes as ISO 8601 in UTC (HubSpot may answer ms
 * epochs for either), empty as null. What does not parse for its type stays the string it was.
 */
export function decodeValue(type: CrmPropertyType | undefined, raw: string | null | undefined) {
  if (raw === null || raw === undefined || raw === '') return null;
  switch (type) {
    case 'number':
      return parseNumber(raw) ?? raw;
    case 'bool':
      return parseBool(raw) ?? raw;
    case 'date': {
      const ms = parseInstant(raw, { epochMs: true });
      return ms === null ? raw : utcDay(ms);
    }
    case 'datetime': {
      const ms = parseInstant(raw, { epochMs: true });
      return ms === null ? raw : new Date(ms).toISOString();
    }
    default:
      return raw;
  }
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
