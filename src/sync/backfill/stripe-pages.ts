import { type StripeObject, type StripeRecords } from '../../stripe/stripe-records.js';

/** Stripe's largest list page. */
export const STRIPE_PAGE = 100;

/**
 * Batches of `size` Stripe objects (one CRM write call each: HubSpot 100, Salesforce 200),
 * gathered from Stripe pages of at most 100, fetched one ahead of the consumers and numbered
 * for the resume cursor.
 */
export async function* stripeBatches(
  stripe: StripeRecords,
  type: string,
  after: string | null,
  size: number,
): AsyncGenerator<{ seq: number; objects: StripeObject[] }> {
  let seq = 0;
  let cursor = after;
  // The next page is fetched while this one is synced; a failure is kept for its await (a
  // bare rejected promise would be an unhandled rejection meanwhile).
  const fetchPage = (from: string | null) => {
    const p = stripe.list(type, from, STRIPE_PAGE);
    p.catch(() => undefined);
    return p;
  };
  let next = fetchPage(cursor);
  let batch: StripeObject[] = [];
  for (;;) {
    const page = await next;
    cursor = page.objects.at(-1)?.id ?? cursor;
    const more = page.hasMore && page.objects.length > 0;
    if (more) next = fetchPage(cursor);
    batch.push(...page.objects);
    while (batch.length >= size || (!more && batch.length > 0)) {
      yield { seq: seq++, objects: batch.slice(0, size) };
      batch = batch.slice(size);
    }
    if (!more) return;
  }
}

/** Stripe has no count: a listing of every object, for progress and ETA. */
export async function countStripeObjects(stripe: StripeRecords, type: string): Promise<number> {
  let total = 0;
  let after: string | null = null;
  for (;;) {
    const page = await stripe.list(type, after, STRIPE_PAGE);
    total += page.objects.length;
    after = page.objects.at(-1)?.id ?? null;
    if (!page.hasMore || !after) return total;
  }
}
