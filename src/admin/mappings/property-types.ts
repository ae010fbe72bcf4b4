import { type CrmFieldDescription, type CrmPropertyType } from '../../crm/crm-connector.js';
import { type ErrorDetail } from '../../common/app-error.js';
import { type FieldRule } from '../../domain/field-rules.js';
import { propertyType } from '../../mapping/mapping.service.js';

/** Types whose values the CRM checks: a value of one of them does not fit a field of another. */
const TYPED: ReadonlySet<CrmPropertyType> = new Set(['number', 'bool', 'date', 'datetime']);

/**
 * Existing CRM properties a mapping would write values of another type into (a date into a
 * number field, a boolean into a date): every such write would be refused. Text and picklist
 * fields take any value's text, so only typed fields are compared.
 */
export function incompatibleProperties(
  rules: FieldRule[],
  described: CrmFieldDescription[],
): ErrorDetail[] {
  const byName = new Map(described.map((d) => [d.name.toLowerCase(), d]));
  return rules.flatMap((r) => {
    if (r.direction === 'to_stripe') return [];
    const field = byName.get(r.crmProperty.toLowerCase());
    const wanted = propertyType(r.transforms);
    if (!field || !TYPED.has(wanted) || !TYPED.has(field.type) || field.type === wanted) return [];
    return [
      {
        field: `fields.${r.key}.crm_property`,
        problem: `${r.crmProperty} is a ${field.type} property, and ${r.stripePath} with these transforms gives a ${wanted}`,
      },
    ];
  });
}
