import { CrmError, type CrmRecord } from '../../crm/crm-connector.js';
import { type Scalar } from '../../domain/field-rules.js';
import { type SyncPlan } from '../../domain/sync-planner.js';
import { type Link } from '../../links/link.entity.js';
import { isPermanentStripeError, type StripeObject } from '../../stripe/stripe-records.js';
import { type Matcher } from './matcher.js';

export interface PairInput {
  stripeId: string;
  /** The Stripe object's current state; null = not loaded (the plan assumes it unchanged). */
  stripe: StripeObject | null;
  /** When that state was produced (the event's `created`); drives newest_wins and ordering. */
  stripeChangedAt: Date | null;
  stripeDeleted: boolean;
  /** The CRM record as a poll just saw it; undefined = read it now. */
  crm?: CrmRecord;
  /** Seeds the Idempotency-Key of Stripe writes (the job's id). */
  jobKey: string;
}

export type PairAction =
  | 'created'
  | 'linked'
  | 'updated'
  | 'unchanged'
  /** A `manual` field differs on both sides: parked for an admin, nothing overwritten. */
  | 'conflict_parked'
  | 'ambiguous'
  | 'stripe_deleted'
  | 'crm_archived'
  | 'unlinked'
  | 'skipped';

export type PairResult =
  | { stripeId: string; ok: true; action: PairAction; conflicts: number; parked: number }
  | {
      stripeId: string;
      ok: false;
      retryable: boolean;
      error: string;
      retryAfterMs?: number;
      /** A machine code for logs (the CRM's, Stripe's, or the bridge's own). */
      code?: string;
    };

export interface PairSyncOptions {
  matcher: Matcher;
  /** Leave the CRM id write-back to Stripe for later (backfill), marking the link instead. */
  deferWriteback: boolean;
  /** The inputs' links when the caller has just read them (saves reading them again). */
  links?: Map<string, Link>;
}

/** One Stripe object on its way through load → plan → apply. */
export interface Work {
  input: PairInput;
  link: Link | null;
  /** The CRM record before our write; null = to be created. */
  crm: CrmRecord | null;
  matchedBy: string;
  plan: SyncPlan;
  written?: CrmRecord;
  /** Why the CRM refused this record's write, when it did. */
  writeError?: CrmError;
  stripeWrites: Record<string, Scalar>;
  writebackPending: boolean;
  /** Stripe's time of our write: events created before it are older than what we wrote. */
  stripeWrittenAt?: Date | null;
}

export const EMPTY_PLAN: SyncPlan = {
  crmWrites: {},
  stripeWrites: {},
  shadow: {},
  conflicts: [],
  errors: [],
};

/** A failed pair as a result: a CRM's code, retryability and wait are kept. */
export function failure(stripeId: string, err: unknown): Extract<PairResult, { ok: false }> {
  if (err instanceof CrmError) {
    return {
      stripeId,
      ok: false,
      retryable: err.retryable,
      error: `${err.code}: ${err.message}`,
      code: err.code,
      ...(err.retryAfterMs !== undefined ? { retryAfterMs: err.retryAfterMs } : {}),
    };
  }
  const message = err instanceof Error ? err.message : String(err);
  const e = err as { code?: unknown; type?: unknown };
  const code =
    typeof e.code === 'string' ? e.code : typeof e.type === 'string' ? e.type : undefined;
  return {
    stripeId,
    ok: false,
    retryable: !isPermanentStripeError(err),
    error: message,
    ...(code ? { code } : {}),
  };
}

/** What happened to a pair whose writes went through. */
export function actionOf(w: Work): PairAction {
  if (!w.crm) return 'created';
  if (!w.link) return 'linked';
  const wrote = Object.keys(w.plan.crmWrites).length > 0 || Object.keys(w.stripeWrites).length > 0;
  if (w.plan.conflicts.some((c) => c.winner === 'none')) return 'conflict_parked';
  return wrote ? 'updated' : 'unchanged';
}
