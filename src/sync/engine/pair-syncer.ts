import {
  CrmError,
  type CrmConnector,
  type CrmRecord,
  type CrmValue,
  type CrmWriteResult,
} from '../../crm/crm-connector.js';
import { mapLimit } from '../../common/map-limit.js';
import { type Scalar } from '../../domain/field-rules.js';
import { getPath, toStripeParams } from '../../domain/object-path.js';
import { planSync, type SyncPlan } from '../../domain/sync-planner.js';
import { type Link } from '../../links/link.entity.js';
import { type LinkScope, type LinkStore, type PairRecord } from '../../links/link-store.js';
import { type MappingSet } from '../../mapping/mapping.service.js';
import {
  isPermanentStripeError,
  type StripeObject,
  type StripeRecords,
} from '../../stripe/stripe-records.js';
import { mappedProperties, type Matcher } from './matcher.js';
import { applyDeletions, crmArchived } from './pair-deletes.js';

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
      /** The CRM's error code, when the CRM failed. */
      code?: string;
    };

export interface PairSyncOptions {
  matcher: Matcher;
  /** Leave the CRM id write-back to Stripe for later (backfill), marking the link instead. */
  deferWriteback: boolean;
  /** The inputs' links when the caller has just read them (saves reading them again). */
  links?: Map<string, Link>;
}

interface Work {
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

const STRIPE_CONCURRENCY = 8;

/**
 * load → plan → apply for a batch of Stripe objects of one mapping: reads and writes the CRM
 * in batch calls, writes Stripe per object, and returns what to record. Failures are values
 * per object; nothing is recorded for a failed object, so its retry re-plans from scratch.
 */
export class PairSyncer {
  private readonly scope: LinkScope;
  private readonly properties: string[];

  constructor(
    private readonly set: MappingSet,
    private readonly connector: CrmConnector,
    private readonly stripe: StripeRecords,
    private readonly links: LinkStore,
  ) {
    this.scope = {
      connector: set.object.connector,
      stripeObject: set.object.stripeObject,
      crmObject: set.object.crmObject,
    };
    this.properties = mappedProperties(set);
  }

  async run(
    inputs: PairInput[],
    opts: PairSyncOptions,
  ): Promise<{ results: PairResult[]; records: PairRecord[] }> {
    const results = new Map<string, PairResult>();
    const records: PairRecord[] = [];
    const fail = (stripeId: string, err: unknown) => results.set(stripeId, failure(stripeId, err));
    const done = (stripeId: string, action: PairAction) =>
      results.set(stripeId, { stripeId, ok: true, action, conflicts: 0, parked: 0 });

    const existing =
      opts.links ??
      (await this.links.byStripeIds(
        this.scope,
        inputs.map((i) => i.stripeId),
      ));
    const linked: { input: PairInput; link: Link }[] = [];
    const unlinked: PairInput[] = [];
    const deletions: { input: PairInput; link: Link }[] = [];
    for (const input of inputs) {
      const link = existing.get(input.stripeId) ?? null;
      if (input.stripeDeleted) {
        if (link?.status === 'active') deletions.push({ input, link });
        else done(input.stripeId, 'skipped');
      } else if (!link) {
        if (input.stripe) unlinked.push(input);
        else done(input.stripeId, 'skipped');
      } else if (link.status === 'active') linked.push({ input, link });
      else done(input.stripeId, 'skipped');
    }

    await applyDeletions(this.set, this.connector, deletions, records, done, fail);

    const works: Work[] = [];
    const blank: Omit<Work, 'input' | 'link' | 'crm' | 'matchedBy'> = {
      plan: { crmWrites: {}, stripeWrites: {}, shadow: {}, conflicts: [], errors: [] },
      stripeWrites: {},
      writebackPending: false,
    };
    const toRead = linked.filter((l) => l.input.crm === undefined);
    let read = new Map<string, CrmRecord>();
    try {
      if (toRead.length > 0) {
        read = await this.connector.read(
          this.set.object.crmObject,
          toRead.map((l) => l.link.crmId),
          this.properties,
        );
      }
    } catch (err) {
      toRead.forEach((l) => fail(l.input.stripeId, err));
    }
    for (const { input, link } of linked) {
      if (results.has(input.stripeId)) continue;
      const crm = input.crm ?? read.get(link.crmId);
      if (crm) works.push({ ...blank, input, link, crm, matchedBy: link.matchedBy });
      else crmArchived(this.set, input, link, records, done);
    }

    if (unlinked.length > 0) {
      try {
        const matches = await opts.matcher(unlinked.map((u) => u.stripe as StripeObject));
        for (const input of unlinked) {
          const m = matches.get(input.stripeId);
          if (!m || m.decision.kind === 'create') {
            works.push({ ...blank, input, link: null, crm: null, matchedBy: 'created' });
          } else if (m.decision.kind === 'ambiguous') {
            records.push({
              kind: 'duplicate',
              stripeId: input.stripeId,
              matchedBy: m.decision.by,
              candidateIds: m.decision.candidateIds,
            });
            done(input.stripeId, 'ambiguous');
          } else if (m.record) {
            works.push({ ...blank, input, link: null, crm: m.record, matchedBy: m.decision.by });
          } else {
            const crm = await this.connector.read(
              this.set.object.crmObject,
              [m.decision.crmId],
              this.properties,
            );
            const rec = crm.get(m.decision.crmId);
            if (rec)
              works.push({ ...blank, input, link: null, crm: rec, matchedBy: m.decision.by });
            else works.push({ ...blank, input, link: null, crm: null, matchedBy: 'created' });
          }
        }
      } catch (err) {
        unlinked.filter((u) => !results.has(u.stripeId)).forEach((u) => fail(u.stripeId, err));
        works.splice(0, works.length, ...works.filter((w) => w.link !== null));
      }
    }

    for (const w of works) {
      w.plan = planSync({
        rules: this.set.rules,
        stripe: w.input.stripe
          ? { values: w.input.stripe, changedAt: w.input.stripeChangedAt ?? new Date(0) }
          : null,
        crm: w.crm ? { values: w.crm.properties, changedAt: w.crm.modifiedAt } : null,
        shadow: w.link?.shadow ?? null,
      });
    }

    await this.writeCrm(works, fail);
    await this.recordAmbiguousUpserts(works, fail, (stripeId, candidateIds) => {
      records.push({ kind: 'duplicate', stripeId, matchedBy: 'stripe_id', candidateIds });
      done(stripeId, 'ambiguous');
    });
    await this.writeStripe(
      works.filter((w) => !results.has(w.input.stripeId)),
      opts.deferWriteback,
      fail,
    );

    for (const w of works) {
      if (results.has(w.input.stripeId)) continue;
      const record = w.written ?? w.crm;
      if (!record) continue;
      records.push({
        kind: 'link',
        stripeId: w.input.stripeId,
        crmId: record.id,
        status: 'active',
        matchedBy: w.matchedBy,
        shadow: w.plan.shadow,
        stripeStateAt: latest(w.input.stripe ? w.input.stripeChangedAt : null, w.stripeWrittenAt),
        crmStateAt: record.modifiedAt,
        writebackPending: w.writebackPending,
        conflicts: w.plan.conflicts.map((c) => ({
          ...c,
          stripeChangedAt: w.input.stripeChangedAt,
          crmChangedAt: w.crm?.modifiedAt ?? null,
        })),
      });
      const wrote =
        Object.keys(w.plan.crmWrites).length > 0 || Object.keys(w.stripeWrites).length > 0;
      results.set(w.input.stripeId, {
        stripeId: w.input.stripeId,
        ok: true,
        action: !w.crm ? 'created' : !w.link ? 'linked' : wrote ? 'updated' : 'unchanged',
        conflicts: w.plan.conflicts.length,
        parked: w.plan.conflicts.filter((c) => c.winner === 'none').length,
      });
    }
    return {
      results: inputs.map(
        (i) => results.get(i.stripeId) ?? failure(i.stripeId, new Error('not processed')),
      ),
      records,
    };
  }

  /** Creates are upserts by the Stripe id property, so a retried create never duplicates. */
  private async writeCrm(works: Work[], fail: (id: string, err: unknown) => void): Promise<void> {
    const type = this.set.object.crmObject;
    const creates = works.filter((w) => !w.crm);
    const updates = works.filter((w) => w.crm && Object.keys(w.plan.crmWrites).length > 0);
    const none = Promise.resolve<CrmWriteResult[]>([]);
    const [created, updated] = await Promise.all(
      [
        creates.length === 0
          ? none
          : this.connector.upsert(
              type,
              this.set.object.stripeIdProperty,
              creates.map((w) => ({
                ref: w.input.stripeId,
                key: w.input.stripeId,
                properties: {
                  ...toCrmValues(w.plan.crmWrites),
                  [this.set.object.stripeIdProperty]: w.input.stripeId,
                },
              })),
            ),
        updates.length === 0
          ? none
          : this.connector.update(
              type,
              updates.map((w) => ({
                ref: w.input.stripeId,
                id: (w.crm as CrmRecord).id,
                properties: toCrmValues(w.plan.crmWrites),
              })),
            ),
      ].map((p) => p.catch((err: unknown) => err as Error)),
    );
    const settle = (ws: Work[], res: CrmWriteResult[] | Error) =>
      ws.forEach((w, i) => {
        const r = res instanceof Error ? null : res[i];
        if (!r) fail(w.input.stripeId, res instanceof Error ? res : new Error('no result'));
        else if (!r.ok) {
          w.writeError = r.error;
          fail(w.input.stripeId, r.error);
        } else w.written = r.record;
      });
    settle(creates, created as CrmWriteResult[] | Error);
    settle(updates, updated as CrmWriteResult[] | Error);
  }

  /**
   * An upsert the CRM refused because several records already hold the Stripe id (Salesforce's
   * 300 Multiple Choices, on a non-unique External ID): no guess, a duplicate-candidates row
   * naming them, as for an ambiguous match.
   */
  private async recordAmbiguousUpserts(
    works: Work[],
    fail: (id: string, err: unknown) => void,
    ambiguous: (stripeId: string, candidateIds: string[]) => void,
  ): Promise<void> {
    const refused = works.filter(
      (w) => !w.crm && w.writeError instanceof CrmError && w.writeError.code === 'multiple_matches',
    );
    if (refused.length === 0) return;
    const { crmObject, stripeIdProperty } = this.set.object;
    try {
      const found = await this.connector.findByProperty(
        crmObject,
        stripeIdProperty,
        refused.map((w) => w.input.stripeId),
        [],
      );
      for (const w of refused) {
        const ids = (found.get(w.input.stripeId) ?? []).map((r) => r.id).sort();
        ambiguous(w.input.stripeId, ids);
      }
    } catch (err) {
      refused.forEach((w) => fail(w.input.stripeId, err));
    }
  }

  private async writeStripe(
    works: Work[],
    deferWriteback: boolean,
    fail: (id: string, err: unknown) => void,
  ): Promise<void> {
    const key = this.set.object.crmIdMetadataKey;
    for (const w of works) {
      w.stripeWrites = { ...w.plan.stripeWrites };
      const crmId = (w.written ?? w.crm)?.id;
      const stored = w.input.stripe ? getPath(w.input.stripe, `metadata.${key}`) : undefined;
      if (key && crmId && w.input.stripe && stored !== crmId) {
        if (deferWriteback) w.writebackPending = true;
        else w.stripeWrites[`metadata.${key}`] = crmId;
      }
    }
    await mapLimit(
      works.filter((w) => Object.keys(w.stripeWrites).length > 0),
      STRIPE_CONCURRENCY,
      async (w) => {
        try {
          const res = await this.stripe.update(
            this.set.object.stripeObject,
            w.input.stripeId,
            toStripeParams(w.stripeWrites),
            `${w.input.jobKey}-${this.set.object.connector}`,
          );
          w.stripeWrittenAt = res.writtenAt;
        } catch (err) {
          fail(w.input.stripeId, err);
        }
      },
    );
  }
}

const latest = (a: Date | null | undefined, b: Date | null | undefined): Date | null =>
  a && b ? (a > b ? a : b) : (a ?? b ?? null);

const toCrmValues = (writes: Record<string, Scalar>): Record<string, CrmValue> => ({ ...writes });

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
  return { stripeId, ok: false, retryable: !isPermanentStripeError(err), error: message };
}
