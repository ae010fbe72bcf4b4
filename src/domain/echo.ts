import { type FieldRule, type Scalar } from './field-rules.js';
import { getPath } from './object-path.js';
import { applyToCrm, canonicalCrm, contextOf } from './transforms.js';
import { normalizeScalar, sameValue } from './values.js';

/**
 * Echo suppression before any API call: a side whose mapped values all equal the shadow has
 * nothing new to say (typically our own write coming back), so the change can be dropped.
 */
export function stripeMatchesShadow(
  rules: FieldRule[],
  stripe: Record<string, unknown>,
  shadow: Record<string, Scalar>,
): boolean {
  const ctx = contextOf(stripe);
  return rules
    .filter((r) => r.direction !== 'to_stripe')
    .every((r) => {
      try {
        return sameValue(
          applyToCrm(getPath(stripe, r.stripePath), r.transforms, ctx),
          shadow[r.key] ?? null,
        );
      } catch {
        return false;
      }
    });
}

/** The same test for a CRM record's properties (only fields that may flow to Stripe count). */
export function crmMatchesShadow(
  rules: FieldRule[],
  properties: Record<string, unknown>,
  shadow: Record<string, Scalar>,
): boolean {
  return rules
    .filter((r) => r.direction !== 'to_crm')
    .every((r) =>
      sameValue(
        canonicalCrm(normalizeScalar(properties[r.crmProperty]), r.transforms),
        shadow[r.key] ?? null,
      ),
    );
}

/**
 * A provenance hint on top of the shadow: the record's latest change was made by the bridge's
 * own integration user and is the very write the link recorded (same or older modified time),
 * so nobody has touched it since. A value the CRM reformatted on our write (a phone number, a
 * datetime's notation) is then not mistaken for a user's edit.
 */
export function isOwnLatestWrite(
  record: { modifiedAt: Date; modifiedBySelf?: boolean },
  crmStateAt: Date | null,
): boolean {
  return record.modifiedBySelf === true && crmStateAt !== null && record.modifiedAt <= crmStateAt;
}
