import type { FieldRule, SyncDirection } from './field-rules.js';
import { stripeObjectSpec, towardStripeProblem } from './stripe-fields.js';
import { validateTransforms } from './transforms.js';

/**
 * Why an object mapping cannot be used as stored, one line per field at fault; empty = usable.
 * Checked when mappings load, so a hand-edited mapping that would have Stripe refuse every
 * write (a read-only field sent to Stripe) or silently drop a field (a transform typo) is
 * refused up front, naming the field and the fix, instead of failing record by record.
 */
export function mappingProblems(
  stripeObject: string,
  objectDirection: SyncDirection,
  rules: FieldRule[],
): string[] {
  const spec = stripeObjectSpec(stripeObject);
  const problems: string[] = [];
  for (const rule of rules) {
    const at = `field ${rule.key} (${rule.stripePath} ↔ ${rule.crmProperty})`;
    for (const p of validateTransforms(rule.transforms)) problems.push(`${at}: ${p}`);
    const towardStripe = rule.direction !== 'to_crm' && objectDirection !== 'to_crm';
    if (towardStripe && spec) {
      const p = towardStripeProblem(spec, rule.stripePath, rule.allowMoneyWrite === true);
      if (p) problems.push(`${at}: ${p}`);
    }
  }
  return problems;
}
