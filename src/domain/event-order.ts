export type StripeSource = 'payload' | 'refetch' | 'stale';

// Stripe's `created` has one-second resolution: compare whole seconds only.
const second = (d: Date): number => Math.floor(d.getTime() / 1000);

/**
 * Whether a Stripe event's payload can be trusted as the object's current state, given when
 * the state we last applied was created. An older event delivered late never overwrites newer
 * state; within one second events cannot be ordered, so the object is fetched instead.
 */
export function decideStripeSource(input: {
  eventCreated: Date;
  appliedAt: Date | null;
  /** Other pending events for the same object created in the same second. */
  sameSecondPeers: number;
}): StripeSource {
  const { eventCreated, appliedAt, sameSecondPeers } = input;
  if (appliedAt !== null) {
    const diff = second(eventCreated) - second(appliedAt);
    if (diff < 0) return 'stale';
    if (diff === 0) return 'refetch';
  }
  return sameSecondPeers > 0 ? 'refetch' : 'payload';
}

/** The most recently created event; the first one wins a tie. Throws on an empty list. */
export function newestEvent<T extends { created: Date; id: string }>(events: T[]): T {
  const [head, ...rest] = events;
  if (head === undefined) throw new RangeError('newestEvent needs at least one event');
  return rest.reduce((best, e) => (e.created.getTime() > best.created.getTime() ? e : best), head);
}
