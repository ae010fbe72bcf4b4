/** A CRM record found while matching; stripeIdValue is its Stripe-id property (e.g. stripe_customer_id). */
export interface MatchCandidate {
  id: string;
  stripeIdValue: string | null;
}

export type MatchDecision =
  | { kind: 'link'; crmId: string; by: 'stripe_id' | 'email' }
  | { kind: 'create' }
  | { kind: 'ambiguous'; by: 'stripe_id' | 'email'; candidateIds: string[] };

function uniqueIds(candidates: MatchCandidate[]): string[] {
  return [...new Set(candidates.map((c) => c.id))].sort();
}

function pick(ids: string[], by: 'stripe_id' | 'email'): MatchDecision | null {
  if (ids.length === 0) return null;
  if (ids.length === 1) return { kind: 'link', crmId: ids[0] as string, by };
  return { kind: 'ambiguous', by, candidateIds: ids };
}

/**
 * Pairs a Stripe object seen for the first time with a CRM record: by the Stripe id stored in
 * the CRM first, then by email. An email match never steals a record that already belongs to
 * another Stripe object (linked, or carrying another Stripe id); ambiguity is left to a human.
 */
export function decideMatch(input: {
  stripeId: string;
  byStripeId: MatchCandidate[];
  byEmail: MatchCandidate[];
  linkedCrmIds: ReadonlySet<string>;
}): MatchDecision {
  const byId = pick(uniqueIds(input.byStripeId), 'stripe_id');
  if (byId) return byId;
  const free = input.byEmail.filter(
    (c) =>
      !input.linkedCrmIds.has(c.id) &&
      (c.stripeIdValue === null ||
        c.stripeIdValue.trim() === '' ||
        c.stripeIdValue === input.stripeId),
  );
  return pick(uniqueIds(free), 'email') ?? { kind: 'create' };
}
