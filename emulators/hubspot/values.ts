import { propertyError, type PropertyValueError } from './errors.js';
import type { PropertyDefinition } from './schema.js';

/** Leading or trailing blanks, invisible ones (no-break, zero-width) included. */
const EDGE_BLANK = /^[\s\u200B-\u200D\u2060\uFEFF]|[\s\u200B-\u200D\u2060\uFEFF]$/u;
const DECIMAL = /^-?(\d+\.?\d*|\.\d+)$/;
const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATETIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$/i;

const iso = (ms: number) => new Date(ms).toISOString();

/** 'YYYY-MM-DD' naming a real day, as ms at its midnight UTC. */
function dayMs(value: string): number | null {
  if (!DAY.test(value)) return null;
  const ms = Date.parse(`${value}T00:00:00Z`);
  return Number.isNaN(ms) || iso(ms).slice(0, 10) !== value ? null : ms;
}

/** An instant HubSpot takes for a datetime: a ms epoch, or an ISO 8601 datetime (zone → UTC). */
function instantMs(value: string): number | null {
  if (/^-?\d+$/.test(value)) return Number(value);
  if (!DATETIME.test(value)) return null;
  const ms = Date.parse(/(Z|[+-]\d{2}:?\d{2})$/i.test(value) ? value : `${value}Z`);
  return Number.isNaN(ms) ? null : ms;
}

/** HubSpot's "1570233600 is at 4:10:33.600 UTC, not midnight!" time of day. */
function timeOfDay(ms: number): string {
  const d = new Date(ms);
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${d.getUTCHours()}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}.${pad(d.getUTCMilliseconds(), 3)}`;
}

type Checked = { value: string } | PropertyValueError;

const invalid = (def: PropertyDefinition, code: string, message: string, value: string) =>
  propertyError(def.name, code, message, value);

/** The allowed option values of an enumeration; a booleancheckbox always has true/false. */
function optionsOf(def: PropertyDefinition): string[] {
  const values = def.options.map((o) => o.value);
  return values.length === 0 && def.fieldType === 'booleancheckbox' ? ['true', 'false'] : values;
}

/**
 * One value checked against its property's type as HubSpot's CRM v3 object APIs check it, and
 * the form HubSpot keeps it in (dates as 'YYYY-MM-DD', datetimes as ISO 8601 in UTC). Refusals
 * carry HubSpot's codes: INVALID_INTEGER for a number that is not plain decimal digits
 * ('1e+21' included), INVALID_OPTION for a value not among an enumeration's options (a
 * booleancheckbox takes 'true'/'false'), INVALID_DATE for a date that is not a day (or a
 * timestamp off midnight UTC), INVALID_LONG for a datetime that is neither ISO 8601 nor a ms
 * epoch, and LEADING_TRAILING_WHITESPACE for blanks around any non-text value.
 */
export function checkValue(def: PropertyDefinition, value: string): Checked {
  if (def.type === 'string' || def.type === 'phone_number') return { value };
  if (EDGE_BLANK.test(value)) {
    const msg = `"${value}" includes leading or trailing whitespace.`;
    return invalid(def, 'LEADING_TRAILING_WHITESPACE', msg, value);
  }
  switch (def.type) {
    case 'number':
      return DECIMAL.test(value)
        ? { value }
        : invalid(def, 'INVALID_INTEGER', `${value} was not a valid number.`, value);
    case 'bool':
      return value === 'true' || value === 'false'
        ? { value }
        : invalid(
            def,
            'INVALID_OPTION',
            `${value} was not one of the allowed options: [true, false]`,
            value,
          );
    case 'enumeration': {
      const allowed = optionsOf(def);
      // Multiple checkboxes hold several options, ';'-separated; options fed from elsewhere
      // (pipelines, owners) are not listed on the property and are not checked here.
      const parts = def.fieldType === 'checkbox' ? value.split(';') : [value];
      if (allowed.length === 0 || parts.every((p) => allowed.includes(p))) return { value };
      const msg = `${value} was not one of the allowed options: [${allowed.join(', ')}]`;
      return invalid(def, 'INVALID_OPTION', msg, value);
    }
    case 'date': {
      const day = dayMs(value);
      if (day !== null) return { value };
      const ms = instantMs(value);
      if (ms === null) return invalid(def, 'INVALID_DATE', `${value} is not a valid date.`, value);
      if (ms % 86_400_000 !== 0) {
        const msg = `${value} is at ${timeOfDay(ms)} UTC, not midnight!`;
        return invalid(def, 'INVALID_DATE', msg, value);
      }
      return { value: iso(ms).slice(0, 10) };
    }
    case 'datetime': {
      const ms = instantMs(value);
      return ms === null
        ? invalid(def, 'INVALID_LONG', `${value} was not a valid long.`, value)
        : { value: iso(ms) };
    }
  }
}
