import { type CrmError, type CrmPropertyDefinition, type CrmValue } from '../crm-connector.js';
import { invalidValue, parseBool, parseNumber } from '../crm-values.js';

const text = (name: string, label: string, unique = false): CrmPropertyDefinition => ({
  name,
  label,
  type: 'string',
  ...(unique ? { unique } : {}),
});

/** What a fresh HubSpot portal has for contacts (email is unique there too). */
export const DEFAULT_BUILT_IN_PROPERTIES: Record<string, CrmPropertyDefinition[]> = {
  contacts: [
    text('email', 'Email', true),
    text('firstname', 'First name'),
    text('lastname', 'Last name'),
    text('phone', 'Phone number'),
    text('company', 'Company name'),
    text('address', 'Street address'),
    text('city', 'City'),
    text('state', 'State/Region'),
    text('zip', 'Postal code'),
    text('country', 'Country/Region'),
    { name: 'lifecyclestage', label: 'Lifecycle stage', type: 'enumeration' },
  ],
  companies: [text('name', 'Name'), text('domain', 'Company domain name')],
};

/**
 * The value as the CRM would store and return it for the property's type, the same
 * normalisation the real connectors apply: numbers as numbers, booleans as booleans (from
 * 'true'/'false' in any case), everything else as text; null or '' clears. A value the type
 * cannot take is refused with the real connectors' code and a message without the value.
 */
export function coerceValue(
  objectType: string,
  def: CrmPropertyDefinition,
  raw: CrmValue,
): CrmValue | CrmError {
  if (raw === null || raw === '') return null;
  const invalid = (expected: string) =>
    invalidValue('in-memory', objectType, def.name, def.type, expected);
  switch (def.type) {
    case 'number':
      return parseNumber(raw) ?? invalid('a number');
    case 'bool':
      return parseBool(raw) ?? invalid('true or false');
    case 'string':
    case 'date':
    case 'datetime':
    case 'enumeration':
      return String(raw);
  }
}

/** Case-insensitive equality of a stored value and a lookup value (CRMs match text so). */
export function sameText(stored: CrmValue | undefined, wanted: string): boolean {
  return (
    stored !== null && stored !== undefined && String(stored).toLowerCase() === wanted.toLowerCase()
  );
}
