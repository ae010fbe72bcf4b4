/**
 * The declarative vocabulary of field mappings, as the planner sees them. Stored in the
 * `field_mappings` table (see src/mapping); kept here so pure code can use it.
 */
export type SyncDirection = 'to_crm' | 'to_stripe' | 'both';

export type ConflictPolicy = 'stripe_wins' | 'crm_wins' | 'newest_wins' | 'manual';

/**
 * How a first link settles a field both sides hold differently. There is no shadow yet, so no
 * side can be said to have changed: Stripe's value is kept by default (names reach invoices),
 * and a blank side is filled from the other whatever the policy.
 */
export type FirstLinkPolicy = 'stripe_wins' | 'crm_wins' | 'newest_wins';

/** A scalar in CRM form (what the CRM stores / what we would write to it). */
export type Scalar = string | number | boolean | null;

/**
 * A closed set of transforms, applied toward the CRM in order and undone toward Stripe in
 * reverse order. Never code: an admin can only pick and parameterise these.
 */
export type Transform =
  | { kind: 'lowercase' }
  | { kind: 'trim' }
  /**
   * Stripe integer minor units ↔ CRM decimal. The record's currency decides the digits (JPY 0,
   * USD 2, KWD 3; see currency.ts); `exponent` only as an explicit override.
   */
  | { kind: 'cents_to_decimal'; exponent?: number }
  /** Stripe unix seconds ↔ ISO-8601 datetime string. */
  | { kind: 'unix_to_iso' }
  /** Stripe unix seconds ↔ `YYYY-MM-DD` (UTC). */
  | { kind: 'unix_to_date' }
  /** Stripe value → CRM value; reversed toward Stripe. Unknown values pass through. */
  | { kind: 'enum_map'; map: Record<string, string> }
  /** A blank Stripe value is written to the CRM as `value`. */
  | { kind: 'default'; value: Scalar }
  /** Stripe boolean ↔ CRM "true"/"false". */
  | { kind: 'boolean_string' }
  /** Stripe full name ↔ one part of it; the parts of one Stripe path are joined back. */
  | { kind: 'name_part'; part: 'first' | 'last' };

export interface FieldRule {
  /** Stable key of the field mapping; shadows are keyed by it. */
  key: string;
  /** Dotted path in the Stripe object: `email`, `address.city`, `metadata.tier`. */
  stripePath: string;
  crmProperty: string;
  direction: SyncDirection;
  transforms: Transform[];
  conflictPolicy: ConflictPolicy;
  /** A blank value may overwrite a non-blank one on the other side. Default false. */
  blankOverwrites: boolean;
  /** The admin means CRM values to reach a Stripe field that moves money (`balance`). */
  allowMoneyWrite?: boolean;
}
