import type { ConflictPolicy, FieldRule, FirstLinkPolicy, Scalar } from './field-rules.js';
import { getPath } from './object-path.js';
import { resolveStripeField, type StripeObjectSpec } from './stripe-fields.js';
import { stripeRefusals } from './stripe-writes.js';
import {
  applyToCrm,
  applyToStripe,
  canonicalCrm,
  contextOf,
  splitName,
  TransformError,
  type TransformContext,
} from './transforms.js';
import { isBlank, normalizeScalar, sameValue } from './values.js';

export interface SideState<T> {
  values: T;
  changedAt: Date;
}

export interface PlanInput {
  rules: FieldRule[];
  /** The Stripe object (raw JSON) and when it last changed; null = not loaded. */
  stripe: SideState<Record<string, unknown>> | null;
  /** CRM properties and the record's modified time; null = record to be created. */
  crm: SideState<Record<string, Scalar>> | null;
  /** Per rule key, the last agreed value in CRM form; null = pair never synced (a first link). */
  shadow: Record<string, Scalar> | null;
  /** The Stripe object type's fields: writes Stripe would refuse become per-field errors. */
  stripeSpec?: StripeObjectSpec;
  /** How a first link settles values both sides hold differently (default stripe_wins). */
  firstLinkPolicy?: FirstLinkPolicy;
}

export interface FieldConflict {
  ruleKey: string;
  stripePath: string;
  crmProperty: string;
  stripeValue: Scalar;
  crmValue: Scalar;
  /** null when there was no shadow entry (first link). */
  shadowValue: Scalar;
  /** The field's policy, or on a first link the object mapping's first-link policy. */
  policy: ConflictPolicy;
  winner: 'stripe' | 'crm' | 'none';
  /** No shadow yet: the two sides held different values when they were first linked. */
  firstLink: boolean;
}

/** A field this plan leaves alone because its value cannot go where the rule sends it. */
export interface PlanError {
  ruleKey: string;
  /** Which way the value was going. */
  direction: 'to_crm' | 'to_stripe';
  /** transform_failed, or why Stripe would refuse it (too_long, invalid_email, …). */
  code: string;
  /** The limit broken, as a person reads it ("at most 20 characters"), when there is one. */
  limit?: string;
  /** Names the field and the problem; never the value. */
  message: string;
}

export interface SyncPlan {
  /** CRM property → value (CRM form). */
  crmWrites: Record<string, Scalar>;
  /** Flat Stripe path → value (Stripe form); feed to toStripeParams. */
  stripeWrites: Record<string, Scalar>;
  /**
   * The complete shadow to store (replace, not merge) once the writes succeed. Blank agreed
   * values are left out: a missing entry and a blank one plan identically.
   */
  shadow: Record<string, Scalar>;
  /** Every conflict seen: settled by policy (winner stripe|crm) or parked (winner none). */
  conflicts: FieldConflict[];
  /** Rules skipped because a value could not be transformed; their shadow is unchanged. */
  errors: PlanError[];
}

/** What one rule does: agree (no write), write one side, or keep the old shadow. */
type Decision = { kind: 'agree' | 'to_crm' | 'to_stripe'; value: Scalar } | { kind: 'keep' };

interface RuleState {
  rule: FieldRule;
  /** Its Stripe value could not be transformed: reported, no write, shadow kept. */
  failed: boolean;
  /** Stripe side in CRM form; undefined when the Stripe object was not loaded. */
  s: Scalar | undefined;
  /** CRM side; undefined when the record does not exist yet. */
  c: Scalar | undefined;
  b: Scalar | undefined;
  decision: Decision;
}

const KEEP: Decision = { kind: 'keep' };

/** A blank value may not replace a non-blank one unless the rule says so. */
function blankBlocked(rule: FieldRule, from: Scalar, to: Scalar): boolean {
  return isBlank(from) && !isBlank(to) && !rule.blankOverwrites;
}

function oneWay(rule: FieldRule, s: Scalar, c: Scalar): Decision {
  const [from, to, kind] =
    rule.direction === 'to_stripe' ? [c, s, 'to_stripe' as const] : [s, c, 'to_crm' as const];
  if (sameValue(from, to)) return { kind: 'agree', value: from };
  return blankBlocked(rule, from, to) ? KEEP : { kind, value: from };
}

function twoWay(
  rule: FieldRule,
  s: Scalar,
  c: Scalar,
  b: Scalar | undefined,
  input: PlanInput,
  conflicts: FieldConflict[],
): Decision {
  if (sameValue(s, c)) return { kind: 'agree', value: s };
  // Without a shadow entry a blank side has nothing to have changed from: it gets filled.
  const stripeChanged = b === undefined ? !isBlank(s) : !sameValue(s, b);
  // A CRM placeholder (a required field's text default, '[not provided]') is no value: on a
  // first link it must not outweigh the real one Stripe has.
  const crmChanged = b === undefined ? !isBlank(c) && !isPlaceholder(rule, c) : !sameValue(c, b);
  if (!crmChanged) return blankBlocked(rule, s, c) ? KEEP : { kind: 'to_crm', value: s };
  if (!stripeChanged) return blankBlocked(rule, c, s) ? KEEP : { kind: 'to_stripe', value: c };

  // A first link has no base to tell which side changed: the mapping's first-link policy
  // decides (Stripe's value by default), not the field's policy meant for later edits.
  const firstLink = input.shadow === null;
  const policy = firstLink ? (input.firstLinkPolicy ?? 'stripe_wins') : rule.conflictPolicy;
  const winner = conflictWinner(rule, policy, s, c, input);
  conflicts.push({
    ruleKey: rule.key,
    stripePath: rule.stripePath,
    crmProperty: rule.crmProperty,
    stripeValue: s,
    crmValue: c,
    shadowValue: b ?? null,
    policy,
    winner,
    firstLink,
  });
  if (winner === 'none') return KEEP;
  return winner === 'stripe' ? { kind: 'to_crm', value: s } : { kind: 'to_stripe', value: c };
}

function conflictWinner(
  rule: FieldRule,
  policy: ConflictPolicy,
  s: Scalar,
  c: Scalar,
  input: PlanInput,
): FieldConflict['winner'] {
  if (policy === 'manual') return 'none';
  if (blankBlocked(rule, s, c)) return 'crm';
  if (blankBlocked(rule, c, s)) return 'stripe';
  switch (policy) {
    case 'stripe_wins':
      return 'stripe';
    case 'crm_wins':
      return 'crm';
    case 'newest_wins': {
      // Both sides are loaded here: an unloaded side never counts as changed.
      const stripeAt = input.stripe?.changedAt.getTime() ?? 0;
      const crmAt = input.crm?.changedAt.getTime() ?? 0;
      return crmAt > stripeAt ? 'crm' : 'stripe';
    }
  }
}

function decide(st: RuleState, input: PlanInput, conflicts: FieldConflict[]): Decision {
  const { rule, c, b } = st;
  // Stripe not loaded: it has not changed since the last agreed value.
  const s = st.s !== undefined ? st.s : b;
  if (s === undefined) {
    // Stripe never wins a to_stripe rule: pushing a CRM value does not need Stripe's value.
    const push = rule.direction === 'to_stripe' && c !== undefined && !isBlank(c);
    return push ? { kind: 'to_stripe', value: c } : KEEP;
  }
  if (c === undefined) {
    if (rule.direction === 'to_stripe') return KEEP;
    return isBlank(s) ? { kind: 'agree', value: null } : { kind: 'to_crm', value: s };
  }
  if (rule.direction !== 'both') return oneWay(rule, s, c);
  return twoWay(rule, s, c, b, input, conflicts);
}

const namePart = (rule: FieldRule) => rule.transforms.find((t) => t.kind === 'name_part')?.part;

type Joined = { ok: true; value: Scalar } | { ok: false; error: string };

/**
 * The Stripe full name rebuilt from a name_part group: each part's CRM value after this plan
 * (the value being written to the CRM, else the current one); a part no rule maps is kept
 * from the current Stripe name, so mapping only `firstname` never drops the last name.
 */
function joinName(group: RuleState[], stripe: PlanInput['stripe'], ctx: TransformContext): Joined {
  const path = group[0]?.rule.stripePath ?? '';
  const current = stripe ? normalizeScalar(getPath(stripe.values, path)) : null;
  const parts: Scalar[] = [];
  try {
    for (const part of ['first', 'last'] as const) {
      const members = group.filter((m) => namePart(m.rule) === part);
      const m = members.find((x) => x.decision.kind === 'to_stripe') ?? members[0];
      if (m) {
        const value = m.decision.kind === 'to_crm' ? m.decision.value : (m.c ?? null);
        parts.push(applyToStripe(value, m.rule.transforms, ctx));
      } else if (stripe) {
        parts.push(typeof current === 'string' ? splitName(current)[part] : null);
      } else {
        return {
          ok: false,
          error: `cannot rebuild "${path}": no ${part} name rule, Stripe not loaded`,
        };
      }
    }
  } catch (e) {
    if (!(e instanceof TransformError)) throw e;
    return { ok: false, error: e.message };
  }
  const joined = parts.filter((p) => !isBlank(p)).join(' ');
  return { ok: true, value: joined === '' ? null : joined };
}

/**
 * When the Stripe name already equals the CRM parts joined, every part agrees even if a split
 * would cut elsewhere ('Ada' + 'de Lovelace'); otherwise each echo would re-split the name.
 */
function alignNameGroup(group: RuleState[], input: PlanInput): void {
  if (!input.stripe || !input.crm) return;
  const stripeName = normalizeScalar(getPath(input.stripe.values, group[0]?.rule.stripePath ?? ''));
  const joined = joinName(group, input.stripe, contextOf(input.stripe.values));
  if (joined.ok && sameValue(joined.value, stripeName)) for (const m of group) m.s = m.c ?? null;
}

/** The value is only the rule's text default, which stands in for "no value" in the CRM. */
function isPlaceholder(rule: FieldRule, v: Scalar): boolean {
  return rule.transforms.some(
    (t) => t.kind === 'default' && typeof t.value === 'string' && sameValue(v, t.value),
  );
}

function readState(
  rule: FieldRule,
  input: PlanInput,
  ctx: TransformContext,
  errors: PlanError[],
): RuleState {
  const { stripe, crm, shadow } = input;
  const b = shadow && Object.hasOwn(shadow, rule.key) ? shadow[rule.key] : undefined;
  const c = crm
    ? canonicalCrm(normalizeScalar(crm.values[rule.crmProperty]), rule.transforms, ctx)
    : undefined;
  try {
    const s = stripe
      ? applyToCrm(getPath(stripe.values, rule.stripePath), rule.transforms, ctx)
      : undefined;
    return { rule, failed: false, s, c, b, decision: KEEP };
  } catch (e) {
    if (!(e instanceof TransformError)) throw e;
    const message = `${rule.stripePath} → ${rule.crmProperty}: ${e.reason}`;
    errors.push({ ruleKey: rule.key, direction: 'to_crm', code: e.code, message });
    return { rule, failed: true, s: undefined, c, b, decision: KEEP };
  }
}

/** Converts the planned Stripe writes to Stripe form; a rule that cannot be converted is kept. */
function planStripeWrites(
  states: RuleState[],
  nameGroups: Map<string, RuleState[]>,
  input: PlanInput,
  ctx: TransformContext,
  plan: SyncPlan,
): void {
  const skip = (m: RuleState, code: string, message: string, limit?: string) => {
    const where = `${m.rule.crmProperty} → ${m.rule.stripePath}`;
    plan.errors.push({
      ruleKey: m.rule.key,
      direction: 'to_stripe',
      code,
      message: `${where}: ${message}`,
      ...(limit !== undefined ? { limit } : {}),
    });
    m.decision = KEEP;
  };
  for (const m of states) {
    if (m.decision.kind !== 'to_stripe' || namePart(m.rule)) continue;
    try {
      plan.stripeWrites[m.rule.stripePath] = applyToStripe(
        m.decision.value,
        m.rule.transforms,
        ctx,
      );
    } catch (e) {
      if (!(e instanceof TransformError)) throw e;
      skip(m, e.code, e.reason);
    }
  }
  // Toward Stripe the parts of one name are written together, as one joined value.
  for (const [path, group] of nameGroups) {
    const writers = group.filter((m) => m.decision.kind === 'to_stripe');
    if (writers.length === 0) continue;
    const joined = joinName(group, input.stripe, ctx);
    if (joined.ok) plan.stripeWrites[path] = joined.value;
    else for (const m of writers) skip(m, 'transform_failed', joined.error);
  }

  const spec = input.stripeSpec;
  if (!spec) return;
  const refusals = stripeRefusals(plan.stripeWrites, input.stripe?.values ?? null, spec);
  // A part of a hash Stripe replaces whole can only be written knowing the other parts.
  if (!input.stripe) {
    for (const path of Object.keys(plan.stripeWrites)) {
      if (resolveStripeField(spec, path)?.hashes[0]?.field.replacedWhole) {
        refusals.push({
          path,
          code: 'stripe_not_loaded',
          limit: 'the whole hash in one write',
          message: `${path}: the rest of the hash is unknown without the Stripe object`,
        });
      }
    }
  }
  // One value Stripe cannot hold is that field's outcome; the others are written.
  for (const r of refusals) {
    if (!Object.hasOwn(plan.stripeWrites, r.path)) continue;
    delete plan.stripeWrites[r.path];
    for (const m of states) {
      if (m.decision.kind === 'to_stripe' && m.rule.stripePath === r.path) {
        skip(m, r.code, r.message.slice(r.path.length + 2), r.limit);
      }
    }
  }
}

/** The three-way merge of one Stripe object and one CRM record against their last agreed state. */
export function planSync(input: PlanInput): SyncPlan {
  const plan: SyncPlan = { crmWrites: {}, stripeWrites: {}, shadow: {}, conflicts: [], errors: [] };
  const ctx = contextOf(input.stripe?.values);
  const states = input.rules.map((rule) => readState(rule, input, ctx, plan.errors));
  const live = states.filter((m) => !m.failed);

  const nameGroups = new Map<string, RuleState[]>();
  for (const m of live) {
    if (namePart(m.rule))
      nameGroups.set(m.rule.stripePath, [...(nameGroups.get(m.rule.stripePath) ?? []), m]);
  }
  for (const group of nameGroups.values()) alignNameGroup(group, input);
  for (const m of live) m.decision = decide(m, input, plan.conflicts);
  planStripeWrites(live, nameGroups, input, ctx, plan);

  for (const { rule, b, decision } of states) {
    if (decision.kind === 'to_crm') plan.crmWrites[rule.crmProperty] = decision.value;
    const agreed = decision.kind === 'keep' ? b : decision.value;
    if (agreed !== undefined && !isBlank(agreed)) plan.shadow[rule.key] = agreed;
  }
  return plan;
}
