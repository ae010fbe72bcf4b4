import type { CrmValue } from '../crm-connector.js';
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

/** Field API name (lower-cased: Salesforce names are case-insensitive) → describe `type`. */
export type SfFieldTypes = ReadonlyMap<string, string>;

/** Describe types whose values are text in JSON. */
const TEXT_TYPES = new Set([
  'string',
  'textarea',
  'phone',
  'url',
  'email',
  'combobox',
  'picklist',
  'multipicklist',
  'id',
  'reference',
  'encryptedstring',
]);

/**
 * One value in the JSON form Salesforce deserializes for the field's describe type. The REST
 * API is strict about JSON types: a string for a checkbox or a number field fails the whole
 * request (JSON_PARSER_ERROR), so checkboxes get JSON booleans and number fields JSON numbers.
 * '' clears a non-text field (null); compound and binary types go as given.
 */
export function encodeSfValue(sfType: string, v: CrmValue): CrmValue | Refusal {
  if (v === null || (v === '' && !TEXT_TYPES.has(sfType))) return null;
  switch (sfType) {
    case 'boolean':
      return parseBool(v) ?? refuse('true or false');
    case 'int':
    case 'long': {
      const n = parseNumber(v);
      return n !== null && Number.isInteger(n) ? n : refuse('a whole number');
    }
    case 'double':
    case 'currency':
    case 'percent':
      return parseNumber(v) ?? refuse('a number');
    case 'date': {
      // A datetime names a day too: its UTC date, the day the planner's unix_to_date gives.
      const ms = parseInstant(v, { epochMs: false });
      return ms === null ? refuse('a date (YYYY-MM-DD or an ISO 8601 datetime)') : utcDay(ms);
    }
    case 'datetime': {
      const ms = parseInstant(v, { epochMs: false });
      return ms === null ? refuse('an ISO 8601 datetime') : new Date(ms).toISOString();
    }
    default:
      if (!TEXT_TYPES.has(sfType)) return v;
      return typeof v === 'number' ? plainDecimal(v) : String(v);
  }
}

export type SfEncoded =
  | { ok: true; record: Record<string, CrmValue> }
  | { ok: false; field: string; fieldType: string; expected: string };

/**
 * A record's values in their fields' forms, or the first field that refuses its value. A field
 * the describe does not list goes as given, so Salesforce itself names it (INVALID_FIELD).
 */
export function encodeSfRecord(types: SfFieldTypes, props: Record<string, CrmValue>): SfEncoded {
  const record: Record<string, CrmValue> = {};
  for (const [field, value] of Object.entries(props)) {
    const fieldType = types.get(field.toLowerCase());
    if (fieldType === undefined) {
      record[field] = value;
      continue;
    }
    const encoded = encodeSfValue(fieldType, value);
    if (isRefusal(encoded)) return { ok: false, field, fieldType, expected: encoded.refused };
    record[field] = encoded;
  }
  return { ok: true, record };
}
