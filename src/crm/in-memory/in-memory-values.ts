import { CrmError, type CrmPropertyDefinition, type CrmValue } from '../crm-connector.js';

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
 * normalisation the HubSpot connector applies to HubSpot's string values: numbers as numbers,
 * booleans as booleans, everything else as text; null or '' clears.
 */
export function coerceValue(def: CrmPropertyDefinition, raw: CrmValue): CrmValue | CrmError {
  if (raw === null || raw === '') return null;
  const invalid = () =>
    new CrmError(
      'invalid_value',
      `${String(raw)} is not a valid ${def.type} for ${def.name}`,
      false,
    );
  switch (def.type) {
    case 'number': {
      const n = typeof raw === 'number' ? raw : Number(raw);
      return typeof raw === 'boolean' || !Number.isFinite(n) ? invalid() : n;
    }
    case 'bool':
      if (typeof raw === 'boolean') return raw;
      if (raw === 'true' || raw === 'false') return raw === 'true';
      return invalid();
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
