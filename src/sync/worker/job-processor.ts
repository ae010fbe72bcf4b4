import { Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AppConfig } from '../../config/app-config.js';
import { isQuotaWait } from '../../crm/crm-connector.js';
import { CrmConnectors } from '../../crm/crm-registry.js';
import { constraintViolation, describeViolation } from '../../database/constraint-violation.js';
import { retryOnDeadlock } from '../../database/retry-deadlock.js';
import { retryDelayMs } from '../../domain/retry-backoff.js';
import { LinkStore, type LinkScope, type PairRecord } from '../../links/link-store.js';
import { MappingService, type MappingSet } from '../../mapping/mapping.service.js';
import { MetricsService } from '../../ops/metrics.service.js';
import { StripeRecords } from '../../stripe/stripe-records.js';
import { ConnectorPreparer, MappingRefused } from '../engine/connector-preparer.js';
import { createMatcher, searchLookup } from '../engine/matcher.js';
import { linkRecord } from '../engine/pair-deletes.js';
import { PairSyncer } from '../engine/pair-syncer.js';
import { failure, type PairInput, type PairResult } from '../engine/pair-work.js';
import { SyncReporter } from '../engine/sync-reporter.js';
import { decideInput, type Refetch } from './job-inputs.js';
import { JobQueue, type Job, type JobUpdate } from './job-queue.js';

interface Group {
  key: string;
  jobs: Job[];
  results: PairResult[];
  outcomes: string[];
  deferMs?: number;
  deferReason?: string;
}

/** How long work for a refused mapping waits before looking again. */
const SCHEMA_WAIT_MS = 60_000;

interface Persist {
  scope: LinkScope;
  records: PairRecord[];
}

/**
 * One claimed batch: group the jobs per Stripe object, decide each object's input per mapping,
 * sync every mapping's objects in one batch, then record links, shadows, conflicts and the
 * jobs' outcomes in one transaction.
 */
@Injectable()
export class JobProcessor {
  private readonly logger = new Logger(JobProcessor.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly config: AppConfig,
    private readonly mappings: MappingService,
    private readonly connectors: CrmConnectors,
    private readonly stripe: StripeRecords,
    private readonly links: LinkStore,
    private readonly queue: JobQueue,
    private readonly preparer: ConnectorPreparer,
    private readonly metrics: MetricsService,
    private readonly reporter: SyncReporter,
  ) {}

  async process(jobs: Job[], random: () => number = Math.random): Promise<void> {
    const groups = new Map<string, Group>();
    for (const job of jobs) {
      const key = job.objectId ? `${job.objectType ?? ''}/${job.objectId}` : `event/${job.eventId}`;
      const g = groups.get(key) ?? { key, jobs: [], results: [], outcomes: [] };
      g.jobs.push(job);
      groups.set(key, g);
    }
    const refetches = new Map<string, ReturnType<Refetch>>();
    const refetch: Refetch = (type, id) => {
      const key = `${type}/${id}`;
      let p = refetches.get(key);
      if (!p) {
        p = this.stripe.retrieve(type, id).then(
          (o) => (o.deleted === true ? 'deleted' : o),
          (err: unknown) => {
            if ((err as { code?: string }).code === 'resource_missing') return 'deleted' as const;
            throw err;
          },
        );
        refetches.set(key, p);
      }
      return p;
    };

    const persist: Persist[] = [];
    for (const set of await this.mappings.enabled()) {
      const records = await this.syncMapping(set, [...groups.values()], refetch);
      if (records) persist.push(records);
    }

    const settled = [...groups.values()].map((g) => ({ g, update: this.settlement(g, random) }));
    try {
      await this.commit(
        persist,
        settled.map((s) => s.update),
      );
    } catch (err) {
      if (!constraintViolation(err)) throw err;
      // Not transient: retrying the batch would fail the same way forever. Each object is
      // committed alone, so the one that breaks the constraint is dead-lettered with the
      // reason and the rest go through.
      for (const s of settled) s.update = await this.commitAlone(s.g, s.update, persist);
      for (const u of settled.map((s) => s.update)) this.countJobs(u);
      return;
    }
    for (const p of persist) this.reporter.committed(p.scope, p.records);
    for (const s of settled) this.countJobs(s.update);
  }

  private commit(persist: Persist[], updates: JobUpdate[]): Promise<void> {
    return retryOnDeadlock(() =>
      this.dataSource.transaction(async (m) => {
        for (const p of persist) await this.links.persist(m, p.scope, p.records);
        await this.queue.settle(m, updates);
      }),
    );
  }

  /** One object's records and outcome in their own transaction; a violation parks it. */
  private async commitAlone(g: Group, update: JobUpdate, persist: Persist[]): Promise<JobUpdate> {
    const id = g.jobs[0]?.objectId ?? null;
    const own = persist.map((p) => ({
      scope: p.scope,
      records: id === null ? [] : p.records.filter((r) => r.stripeId === id),
    }));
    try {
      await this.commit(own, [update]);
      for (const p of own) this.reporter.committed(p.scope, p.records);
      return update;
    } catch (err) {
      const violation = constraintViolation(err);
      if (!violation) throw err;
      const error = describeViolation(violation);
      this.logger.warn(
        { objects: g.key, code: violation.code, constraint: violation.constraint },
        'sync job parked as a dead letter: it violates a database constraint',
      );
      const dead: JobUpdate = { eventIds: update.eventIds, status: 'dead', error };
      await this.commit([], [dead]);
      return dead;
    }
  }

  private countJobs(u: JobUpdate): void {
    this.metrics.syncJobs.inc({ status: u.status }, u.eventIds.length);
  }

  private async syncMapping(
    set: MappingSet,
    groups: Group[],
    refetch: Refetch,
  ): Promise<{ scope: LinkScope; records: PairRecord[] } | null> {
    const connector = this.connectors.get(set.object.connector);
    const relevant = groups.filter(
      (g) =>
        g.jobs[0]?.objectType === set.object.stripeObject &&
        g.jobs[0].objectId !== null &&
        g.jobs.some((j) => j.source === 'stripe' || j.source === set.object.connector),
    );
    if (!connector || relevant.length === 0) return null;
    const scope: LinkScope = {
      connector: set.object.connector,
      stripeObject: set.object.stripeObject,
      crmObject: set.object.crmObject,
    };
    // Preparing the CRM failed: worth retrying whatever it was (the CRM's code and wait kept,
    // so a spent API budget defers rather than fails).
    const failAll = (err: unknown) => {
      for (const g of relevant) {
        g.results.push({ ...failure(g.jobs[0]?.objectId ?? '', err), retryable: true });
      }
    };
    try {
      await this.preparer.prepare(set, connector);
    } catch (err) {
      if (err instanceof MappingRefused) {
        // The mapping is invalid as stored, or names fields the CRM lacks: it is refused until
        // an admin fixes it, and its work waits (not dead-lettered) with the message that says
        // what to do.
        this.preparer.noticeRefusal(set, err, 'its work waits, keeping its attempts');
        for (const g of relevant) {
          g.deferMs = Math.max(g.deferMs ?? 0, SCHEMA_WAIT_MS);
          g.deferReason = `mapping_refused: ${err.message}`;
        }
      } else failAll(err);
      return null;
    }

    const ids = relevant.map((g) => g.jobs[0]?.objectId ?? '');
    const links = await this.links.byStripeIds(scope, ids);
    const inputs: PairInput[] = [];
    const inputGroups = new Map<string, Group>();
    const records: PairRecord[] = [];
    for (const g of relevant) {
      const id = g.jobs[0]?.objectId ?? '';
      const link = links.get(id) ?? null;
      try {
        const d = await decideInput(g.jobs, set, link, {
          refetch,
          now: new Date(),
          graceMs: this.config.sync.stripeEventGraceMs,
        });
        if (d.kind === 'defer') {
          g.deferMs = Math.max(g.deferMs ?? 0, d.delayMs);
        } else if (d.kind === 'sync') {
          inputs.push(d.input);
          inputGroups.set(id, g);
        } else {
          g.results.push({ stripeId: id, ok: true, action: 'unchanged', conflicts: 0, parked: 0 });
          g.outcomes.push(`${set.object.connector}:${d.outcome}`);
          if (link && d.stripeStateAt) {
            records.push({ ...linkRecord(link), stripeStateAt: d.stripeStateAt });
          }
          this.metrics.syncPairs.inc({ connector: set.object.connector, action: d.outcome });
        }
      } catch (err) {
        g.results.push({ ...failure(id, err), retryable: true });
      }
    }

    if (inputs.length > 0) {
      const syncer = new PairSyncer(set, connector, this.stripe, this.links);
      const matcher = createMatcher(set, searchLookup(set, connector), this.links);
      const out = await syncer.run(inputs, { matcher, deferWriteback: false, links });
      records.push(...out.records);
      for (const r of out.results) {
        const g = inputGroups.get(r.stripeId);
        g?.results.push(r);
        if (r.ok) {
          g?.outcomes.push(`${set.object.connector}:${r.action}`);
          this.metrics.syncPairs.inc({ connector: set.object.connector, action: r.action });
        }
      }
    }
    return { scope, records };
  }

  private settlement(g: Group, random: () => number): JobUpdate {
    const eventIds = g.jobs.map((j) => j.eventId);
    const failures = g.results.filter((r) => !r.ok);
    if (failures.length === 0 && g.deferMs !== undefined) {
      const reason = g.deferReason ?? 'awaiting_stripe_event';
      return { eventIds, status: 'defer', delayMs: g.deferMs, reason };
    }
    if (failures.length === 0) {
      return { eventIds, status: 'done', outcome: g.outcomes.join(',') || 'unmapped' };
    }
    const error = failures.map((f) => `${f.stripeId}: ${f.error}`).join('; ');
    const quota = failures.filter((f) => isQuotaWait(f.code));
    if (quota.length === failures.length) {
      // A spent allocation is not the work's fault: it waits for the budget, keeping its
      // attempts, however long that takes.
      const delayMs = Math.max(1000, ...quota.map((f) => f.retryAfterMs ?? 0));
      const codes = [...new Set(quota.map((f) => f.code))].join(',');
      return { eventIds, status: 'defer', delayMs, reason: `waiting_for_quota:${codes}` };
    }
    const attempts = Math.max(...g.jobs.map((j) => j.attempts));
    const { maxAttempts, retryBaseMs, retryMaxMs } = this.config.sync;
    if (failures.some((f) => !f.retryable) || attempts >= maxAttempts) {
      // Codes only: a CRM's or Stripe's message may quote the refused value (an email).
      const codes = [...new Set(failures.map((f) => f.code ?? 'error'))];
      this.logger.warn(
        { objects: g.key, attempts, codes, retryable: failures.every((f) => f.retryable) },
        'sync job parked as a dead letter',
      );
      return { eventIds, status: 'dead', error };
    }
    const retryAfter = Math.max(0, ...failures.map((f) => f.retryAfterMs ?? 0));
    const delayMs = retryDelayMs(
      attempts,
      { baseMs: retryBaseMs, maxMs: retryMaxMs },
      random,
      retryAfter || undefined,
    );
    return { eventIds, status: 'retry', delayMs, error };
  }
}
