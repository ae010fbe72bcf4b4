import {
  CrmError,
  type CrmConnector,
  type CrmRecord,
  type CrmValue,
  type CrmWriteResult,
} from '../../crm/crm-connector.js';
import { mapLimit } from '../../common/map-limit.js';
import { type Scalar } from '../../domain/field-rules.js';
import { getPath } from '../../domain/object-path.js';
import { stripeObjectSpec } from '../../domain/stripe-fields.js';
import { stripeUpdateParams } from '../../domain/stripe-writes.js';
import { type LinkScope, type LinkStore, type PairRecord } from '../../links/link-store.js';
import { type MappingSet } from '../../mapping/mapping.service.js';
import { type StripeRecords } from '../../stripe/stripe-records.js';
import { mappedProperties } from './matcher.js';
import { applyDeletions } from './pair-deletes.js';
import { loadAndPlan, type Loaded } from './pair-loader.js';
import {
  actionOf,
  failure,
  type PairAction,
  type PairInput,
  type PairResult,
  type PairSyncOptions,
  type Work,
} from './pair-work.js';

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

  /** What a sync of these objects would do, read from both sides; writes nothing. */
  plan(inputs: PairInput[], opts: PairSyncOptions): Promise<Loaded> {
    return loadAndPlan(this.set, this.connector, this.links, this.properties, inputs, opts);
  }

  async run(
    inputs: PairInput[],
    opts: PairSyncOptions,
  ): Promise<{ results: PairResult[]; records: PairRecord[] }> {
    const { works, deletions, results, records } = await this.plan(inputs, opts);
    const fail = (stripeId: string, err: unknown) => results.set(stripeId, failure(stripeId, err));
    const done = (stripeId: string, action: PairAction) =>
      results.set(stripeId, { stripeId, ok: true, action, conflicts: 0, parked: 0 });

    await applyDeletions(this.set, this.connector, deletions, records, done, fail);
    await this.writeCrm(works, fail);
    const ambiguous = (stripeId: string, matchedBy: string, candidateIds: string[]) => {
      records.push({ kind: 'duplicate', stripeId, matchedBy, candidateIds });
      done(stripeId, 'ambiguous');
    };
    await this.recordAmbiguousUpserts(works, fail, ambiguous);
    await this.refuseTakenRecords(
      works.filter((w) => !results.has(w.input.stripeId)),
      fail,
      ambiguous,
    );
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
        fieldErrors: w.plan.errors,
      });
      results.set(w.input.stripeId, {
        stripeId: w.input.stripeId,
        ok: true,
        action: actionOf(w),
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
    ambiguous: (stripeId: string, matchedBy: string, candidateIds: string[]) => void,
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
        ambiguous(w.input.stripeId, 'stripe_id', ids);
      }
    } catch (err) {
      refused.forEach((w) => fail(w.input.stripeId, err));
    }
  }

  /**
   * A CRM record about to be linked that is already linked to another Stripe object (a stale
   * link left by an earlier setup, or two objects claiming one record): the pair cannot be
   * recorded, and guessing which link is right is a person's call. It becomes a
   * duplicate-candidates row naming the record, instead of a constraint violation.
   */
  private async refuseTakenRecords(
    works: Work[],
    fail: (id: string, err: unknown) => void,
    ambiguous: (stripeId: string, matchedBy: string, candidateIds: string[]) => void,
  ): Promise<void> {
    const fresh = works.filter((w) => {
      const id = (w.written ?? w.crm)?.id;
      return id !== undefined && w.link?.crmId !== id;
    });
    if (fresh.length === 0) return;
    try {
      const taken = await this.links.byCrmIds(
        this.scope,
        fresh.map((w) => (w.written ?? w.crm)!.id),
      );
      for (const w of fresh) {
        const crmId = (w.written ?? w.crm)!.id;
        const other = taken.get(crmId);
        if (other && other.stripeId !== w.input.stripeId) {
          ambiguous(w.input.stripeId, 'crm_record_linked_elsewhere', [crmId]);
        }
      }
    } catch (err) {
      fresh.forEach((w) => fail(w.input.stripeId, err));
    }
  }

  private async writeStripe(
    works: Work[],
    deferWriteback: boolean,
    fail: (id: string, err: unknown) => void,
  ): Promise<void> {
    const key = this.set.object.crmIdMetadataKey;
    const spec = stripeObjectSpec(this.set.object.stripeObject);
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
          // A part of a hash Stripe replaces whole (address) goes with all the other parts.
          const params = stripeUpdateParams(w.stripeWrites, w.input.stripe, spec);
          const res = await this.stripe.update(
            this.set.object.stripeObject,
            w.input.stripeId,
            params,
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
