import { type CrmRecord, type CrmValue } from '../../crm/crm-connector.js';
import { stripeMatchesShadow } from '../../domain/echo.js';
import { decideStripeSource, newestEvent } from '../../domain/event-order.js';
import { getPath } from '../../domain/object-path.js';
import { planSync } from '../../domain/sync-planner.js';
import { type Link } from '../../links/link.entity.js';
import { type MappingSet } from '../../mapping/mapping.service.js';
import { type StripeObject } from '../../stripe/stripe-records.js';
import { type PairInput } from '../engine/pair-work.js';
import { type Job } from './job-queue.js';

/** The current Stripe object, read from the API; `deleted` when Stripe no longer has it. */
export type Refetch = (type: string, id: string) => Promise<StripeObject | 'deleted'>;

/** What a group of jobs for one object asks of one mapping. */
export type InputDecision =
  | { kind: 'sync'; input: PairInput }
  /** An older event delivered late, or our own write coming back: nothing to do. */
  | { kind: 'skip'; outcome: 'stale' | 'echo'; stripeStateAt: Date | null }
  /** Wait for the webhook of a Stripe change seen only by reading the object (see below). */
  | { kind: 'defer'; delayMs: number };

export interface DecideContext {
  refetch: Refetch;
  now: Date;
  /** How long a CRM edit waits for the event of a conflicting Stripe change. */
  graceMs: number;
}

const eventObject = (job: Job): StripeObject | null => {
  const data = (job.payload as { data?: { object?: unknown } }).data?.object;
  return data && typeof data === 'object' && typeof (data as { id?: unknown }).id === 'string'
    ? (data as StripeObject)
    : null;
};

function crmSnapshot(job: Job): CrmRecord | null {
  const p = job.payload as {
    crmId?: string;
    properties?: Record<string, CrmValue>;
    modifiedAt?: string;
  };
  if (!p.crmId || !p.properties || !p.modifiedAt) return null;
  return { id: p.crmId, properties: p.properties, modifiedAt: new Date(p.modifiedAt) };
}

/**
 * Turns the claimed jobs of one Stripe object into the planner's input for one mapping:
 * which Stripe state to trust (the newest event's payload, or a fresh read when events
 * cannot be ordered or only the CRM changed), and the CRM state a poll just saw.
 */
export async function decideInput(
  jobs: Job[],
  set: MappingSet,
  link: Link | null,
  ctx: DecideContext,
): Promise<InputDecision> {
  const { refetch } = ctx;
  const stripeId = jobs[0]?.objectId ?? '';
  const type = set.object.stripeObject;
  const events = jobs.filter((j) => j.source === 'stripe');
  const crmJobs = jobs.filter((j) => j.source === set.object.connector);
  const newestJob = [...jobs].sort((a, b) => +b.eventCreatedAt - +a.eventCreatedAt)[0];
  const jobKey = newestJob?.eventId ?? stripeId;

  const snapshot =
    crmJobs.length > 0
      ? crmSnapshot(
          newestEvent(crmJobs.map((j) => ({ created: j.eventCreatedAt, id: j.eventId, j }))).j,
        )
      : null;
  // A snapshot of a record that is no longer the linked one says nothing about this pair, and
  // one older than our last write to it is out of date: the record is read afresh instead.
  const usable =
    snapshot &&
    (!link || link.crmId === snapshot.id) &&
    (!link?.crmStateAt || snapshot.modifiedAt >= link.crmStateAt);
  const crm = usable ? snapshot : undefined;

  // A deletion polled from the CRM: the pair syncer's read of the record sees it gone.
  const crmGone = crmJobs.some((j) => (j.payload as { deleted?: unknown }).deleted === true);
  const base = { stripeId, jobKey, ...(crm ? { crm } : {}) };
  const fresh = async (changedAt: Date | null): Promise<InputDecision> => {
    const current = await refetch(type, stripeId);
    const echo = current !== 'deleted' && link?.status === 'active' && isEcho(set, link, current);
    if (echo && !crm && !crmGone) {
      return { kind: 'skip', outcome: 'echo', stripeStateAt: changedAt };
    }
    return current === 'deleted'
      ? {
          kind: 'sync',
          input: { ...base, stripe: null, stripeChangedAt: changedAt, stripeDeleted: true },
        }
      : {
          kind: 'sync',
          input: { ...base, stripe: current, stripeChangedAt: changedAt, stripeDeleted: false },
        };
  };

  if (events.length === 0) {
    const d = await fresh(link?.stripeStateAt ?? null);
    return crm && d.kind === 'sync' ? awaitStripeEvent(d.input, crm, set, link, ctx) : d;
  }

  const newest = newestEvent(
    events.map((j) => ({ created: j.eventCreatedAt, id: j.eventId, j })),
  ).j;
  const object = eventObject(newest);
  if (newest.type.endsWith('.deleted')) {
    return {
      kind: 'sync',
      input: {
        ...base,
        stripe: object,
        stripeChangedAt: newest.eventCreatedAt,
        stripeDeleted: true,
      },
    };
  }
  const peers = events.filter(
    (e) => e !== newest && +e.eventCreatedAt === +newest.eventCreatedAt,
  ).length;
  const source = object
    ? decideStripeSource({
        eventCreated: newest.eventCreatedAt,
        appliedAt: link?.stripeStateAt ?? null,
        sameSecondPeers: peers,
      })
    : 'refetch';
  if (source === 'refetch' || (source === 'stale' && crm)) {
    return fresh(maxDate(newest.eventCreatedAt, link?.stripeStateAt ?? null));
  }
  if (source === 'stale') return { kind: 'skip', outcome: 'stale', stripeStateAt: null };
  const payload = object as StripeObject;
  if (!crm && link?.status === 'active' && isEcho(set, link, payload)) {
    return { kind: 'skip', outcome: 'echo', stripeStateAt: newest.eventCreatedAt };
  }
  return {
    kind: 'sync',
    input: {
      ...base,
      stripe: payload,
      stripeChangedAt: newest.eventCreatedAt,
      stripeDeleted: false,
    },
  };
}

/**
 * Only the CRM changed as far as the inbox knows, but the object read from Stripe differs too,
 * on a newest_wins field: a Stripe change whose webhook is still on its way. Its `created` is
 * what newest_wins needs, so the CRM job waits (a grace period) for that event to be processed
 * first. Past the grace, the read is taken as of now: Stripe's change is treated as the newer.
 */
function awaitStripeEvent(
  input: PairInput,
  crm: CrmRecord,
  set: MappingSet,
  link: Link | null,
  ctx: DecideContext,
): InputDecision {
  if (!input.stripe || input.stripeDeleted) return { kind: 'sync', input };
  const plan = planSync({
    rules: set.rules,
    stripe: { values: input.stripe, changedAt: input.stripeChangedAt ?? new Date(0) },
    crm: { values: crm.properties, changedAt: crm.modifiedAt },
    shadow: link?.shadow ?? null,
  });
  if (!plan.conflicts.some((c) => c.policy === 'newest_wins')) return { kind: 'sync', input };
  const waited = ctx.now.getTime() - crm.modifiedAt.getTime();
  if (waited < ctx.graceMs) {
    return { kind: 'defer', delayMs: Math.min(1000, Math.max(50, ctx.graceMs - waited)) };
  }
  return { kind: 'sync', input: { ...input, stripeChangedAt: ctx.now } };
}

/** Every mapped value equals the shadow and the CRM id is already written back. */
function isEcho(set: MappingSet, link: Link, stripe: StripeObject): boolean {
  const key = set.object.crmIdMetadataKey;
  if (key && getPath(stripe, `metadata.${key}`) !== link.crmId && !link.writebackPending) {
    return false;
  }
  return stripeMatchesShadow(set.rules, stripe, link.shadow);
}

const maxDate = (a: Date, b: Date | null): Date => (b && b > a ? b : a);
