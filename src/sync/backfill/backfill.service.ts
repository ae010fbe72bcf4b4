import { type BeforeApplicationShutdown, Injectable, Logger } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { mapLimit } from '../../common/map-limit.js';
import { retryOnDeadlock } from '../../database/retry-deadlock.js';
import { isQuotaWait, type CrmConnector } from '../../crm/crm-connector.js';
import { CrmConnectors } from '../../crm/crm-registry.js';
import { LinkStore, type LinkScope } from '../../links/link-store.js';
import { MappingService, type MappingSet } from '../../mapping/mapping.service.js';
import { StripeRecords, type StripeObject } from '../../stripe/stripe-records.js';
import { errorSummary } from '../../ops/safe-error.js';
import { ConnectorPreparer } from '../engine/connector-preparer.js';
import { createMatcher, mappedProperties } from '../engine/matcher.js';
import { PairSyncer } from '../engine/pair-syncer.js';
import { type PairInput, type PairResult } from '../engine/pair-work.js';
import { SyncReporter } from '../engine/sync-reporter.js';
import {
  BackfillRuns,
  type BackfillProgress,
  type BackfillRun,
  type OpenedRun,
  type PageTally,
} from './backfill-runs.js';
import { backfillTargets, type BackfillTarget } from './backfill-mappings.js';
import { CrmIndex } from './crm-index.js';
import { InOrder } from './in-order.js';
import { countStripeObjects, stripeBatches } from './stripe-pages.js';

export interface BackfillOptions {
  object: string;
  connector?: string;
  /** Pages synced at once; the CRM's rate limiter paces them. */
  concurrency?: number;
  onProgress?: (p: BackfillProgress) => void;
  progressEveryMs?: number;
}

const PAGE_ATTEMPTS = 5;

/** A backfill whose runs are open (their ids known) and proceeding in the background. */
export interface StartedBackfill {
  runs: BackfillRun[];
  /** Every run, as it ended; rejects with the first run that failed (the later ones then wait). */
  finished: Promise<BackfillRun[]>;
}

/** What this process knows of a run it executes right now, for progress readers. */
export interface LiveProgress {
  done: number;
  total: number | null;
  perSecond: number;
  etaSeconds: number | null;
}

/** How the write-back phase is going, reported every few seconds and at the end. */
export interface WritebackProgress {
  connector: string;
  done: number;
  total: number;
  failed: number;
  perSecond: number;
  etaSeconds: number | null;
}

/**
 * Links every existing Stripe object of a type to the CRM (matching, else creating), in batches
 * of the CRM's largest write: one CRM write call per batch. Resumable: the run row keeps the last page whose links are
 * committed, and a restart continues after it. Safe alongside webhooks: links are upserts and
 * already-linked objects are skipped. The CRM id write-back to Stripe is deferred (flagged on
 * the link) and drained by `drainWritebacks`, at Stripe's pace rather than the CRM's.
 */
@Injectable()
export class BackfillService implements BeforeApplicationShutdown {
  private readonly logger = new Logger(BackfillService.name);
  /** Set at shutdown: runs stop between batches and stay 'running', to be resumed. */
  private stopping = false;
  private readonly inFlight = new Set<Promise<unknown>>();

  constructor(
    private readonly dataSource: DataSource,
    private readonly mappings: MappingService,
    private readonly connectors: CrmConnectors,
    private readonly stripe: StripeRecords,
    private readonly links: LinkStore,
    private readonly preparer: ConnectorPreparer,
    private readonly runs: BackfillRuns,
    private readonly reporter: SyncReporter,
  ) {}

  /** Runs the backfill to its end (the CLI); a run may end cancelled (see BackfillRun.status). */
  async run(opts: BackfillOptions): Promise<BackfillRun[]> {
    return (await this.start(opts)).finished;
  }

  /**
   * Opens one run per mapping the request covers, taking each scope first (so a backfill
   * already running is a 409 before anything starts), then runs them one after the other in
   * the background.
   */
  async start(opts: BackfillOptions): Promise<StartedBackfill> {
    const targets = await backfillTargets(this.mappings, this.connectors, opts);
    const opened: OpenedRun[] = [];
    try {
      for (const t of targets) opened.push(await this.runs.begin(scopeOf(t.set)));
    } catch (err) {
      await Promise.all(opened.map((o) => this.runs.abandon(o)));
      throw err;
    }
    const finished = this.runAll(targets, opened, opts);
    this.inFlight.add(finished);
    void finished.then(
      () => this.inFlight.delete(finished),
      () => this.inFlight.delete(finished),
    );
    return { runs: opened.map((o) => o.run), finished };
  }

  private async runAll(
    targets: BackfillTarget[],
    opened: OpenedRun[],
    opts: BackfillOptions,
  ): Promise<BackfillRun[]> {
    const out: BackfillRun[] = [];
    for (const [i, { set, connector }] of targets.entries()) {
      const o = opened[i];
      if (!o) break;
      try {
        const run = await this.runs.execute(o, (r) => this.runMapping(set, connector, r, opts));
        out.push(run);
        // Interrupted (shutdown): the later runs stay 'running', resumed by the next start.
        if (run.status === 'running') break;
      } catch (err) {
        await Promise.all(opened.slice(i + 1).map((later) => this.runs.abandon(later)));
        throw err;
      }
    }
    await Promise.all(opened.slice(out.length).map((later) => this.runs.abandon(later)));
    return out;
  }

  /** Asks the run to stop between batches; see BackfillRuns.requestCancel. */
  requestCancel(m: EntityManager, id: string): Promise<string | null> {
    return this.runs.requestCancel(m, id);
  }

  /** Rate and ETA of a run this process executes (measured since it started here). */
  liveProgress(id: string): LiveProgress | undefined {
    const live = this.runs.liveRun(id);
    if (!live) return undefined;
    const { run } = live;
    const seconds = (Date.now() - live.startedAt) / 1000;
    const perSecond = seconds > 0 ? (run.done - live.startDone) / seconds : 0;
    const left = run.total !== null ? Math.max(0, run.total - run.done) : null;
    return {
      done: run.done,
      total: run.total,
      perSecond: Math.round(perSecond * 10) / 10,
      etaSeconds: left !== null && perSecond > 0 ? Math.round(left / perSecond) : null,
    };
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    await Promise.allSettled([...this.inFlight]);
  }

  /** Between batches: stop for a shutdown (stays 'running') or an admin's cancel. */
  private async shouldStop(run: BackfillRun, stop: { now: boolean }): Promise<boolean> {
    if (stop.now) return true;
    if (this.stopping) stop.now = true;
    else if (await this.runs.cancelRequested(run)) {
      run.status = 'cancelled';
      stop.now = true;
      this.logger.log(`backfill ${run.id}: cancel requested; stopping after the current batches`);
    }
    return stop.now;
  }

  private async runMapping(
    set: MappingSet,
    connector: CrmConnector,
    run: BackfillRun,
    opts: BackfillOptions,
  ): Promise<BackfillRun> {
    const scope = scopeOf(set);
    await this.preparer.prepare(set, connector);
    const started = Date.now();
    const index = await CrmIndex.build(set, connector);
    this.logger.log(
      `backfill ${run.id}: indexed ${index.size} ${scope.crmObject} in ${connector.name}`,
    );
    const claimed = new Set<string>();
    const matcher = createMatcher(
      set,
      index.lookup(connector, set, mappedProperties(set)),
      this.links,
      claimed,
    );
    const syncer = new PairSyncer(set, connector, this.stripe, this.links);
    void this.countTotal(set, run);

    const commits = new InOrder();
    const reporter = this.runs.reporter(run, started, opts.onProgress, opts.progressEveryMs);
    const pages = stripeBatches(
      this.stripe,
      set.object.stripeObject,
      run.stripeAfter,
      connector.maxBatchSize,
    );
    const stop = { now: false };
    const lanes = Array.from({ length: opts.concurrency ?? 3 }, async () => {
      for (;;) {
        // Checked before taking a page: every page taken is synced and committed in order.
        if (await this.shouldStop(run, stop)) return;
        const next = await pages.next();
        if (next.done) return;
        const { seq, objects } = next.value;
        const counts = await this.syncPage(scope, syncer, matcher, objects);
        const last = objects.at(-1)?.id ?? null;
        await commits.run(seq, () =>
          retryOnDeadlock(() =>
            this.dataSource.transaction(async (m) => {
              await this.links.persist(m, scope, counts.records);
              await this.runs.advance(m, run, counts.tally, last);
            }),
          ),
        );
        this.runs.tally(run, counts.tally, last);
        this.reporter.committed(scope, counts.records);
        reporter.tick();
      }
    });
    await Promise.all(lanes);
    reporter.finish();
    if (!stop.now) run.status = 'done';
    return run;
  }

  /** Syncs one page, retrying objects whose failure may pass (429 exhaustion, 5xx). */
  private async syncPage(
    scope: LinkScope,
    syncer: PairSyncer,
    matcher: ReturnType<typeof createMatcher>,
    objects: StripeObject[],
  ) {
    const linked = await this.links.byStripeIds(
      scope,
      objects.map((o) => o.id),
    );
    let pending: PairInput[] = objects
      .filter((o) => !linked.has(o.id))
      .map((o) => ({
        stripeId: o.id,
        stripe: o,
        stripeChangedAt: null,
        stripeDeleted: false,
        jobKey: `backfill-${o.id}`,
      }));
    const tally: PageTally = {
      done: objects.length,
      skipped: objects.length - pending.length,
      created: 0,
      linked: 0,
      ambiguous: 0,
      failed: 0,
      differences: 0,
    };
    const records: Awaited<ReturnType<PairSyncer['run']>>['records'] = [];
    for (let attempt = 1; pending.length > 0; attempt += 1) {
      const out = await syncer.run(pending, { matcher, deferWriteback: true });
      records.push(...out.records);
      const retry = new Set<string>();
      let waitMs = 500 * 2 ** Math.min(attempt - 1, 6);
      for (const r of out.results) {
        this.count(tally, r, attempt, retry);
        if (!r.ok && retry.has(r.stripeId)) waitMs = Math.max(waitMs, r.retryAfterMs ?? 0);
      }
      pending = pending.filter((p) => retry.has(p.stripeId));
      if (pending.length > 0) await new Promise((r) => setTimeout(r, waitMs));
    }
    tally.differences = records.filter(
      (r) => r.kind === 'link' && r.conflicts.some((c) => c.firstLink),
    ).length;
    return { tally, records };
  }

  private count(tally: PageTally, r: PairResult, attempt: number, retry: Set<string>): void {
    if (!r.ok) {
      // A spent API allocation is waited out however long it takes: the page is not failed.
      if (r.retryable && (attempt < PAGE_ATTEMPTS || isQuotaWait(r.code))) retry.add(r.stripeId);
      else {
        tally.failed += 1;
        // The code only: a CRM's message may quote the refused value.
        this.logger.warn(
          { stripeId: r.stripeId, code: r.code ?? 'error' },
          'backfill: object not synced',
        );
      }
    } else if (r.action === 'created') tally.created += 1;
    else if (r.action === 'linked') tally.linked += 1;
    else if (r.action === 'ambiguous') tally.ambiguous += 1;
    else tally.skipped += 1;
  }

  /** Stripe has no count: a listing in the background fills in the total for progress/ETA. */
  private async countTotal(set: MappingSet, run: BackfillRun): Promise<void> {
    try {
      await this.runs.setTotal(run, await countStripeObjects(this.stripe, set.object.stripeObject));
    } catch (err) {
      this.logger.warn(
        { error: errorSummary(err) },
        'backfill: could not count Stripe objects; no ETA',
      );
    }
  }

  /**
   * Writes the CRM id into the Stripe objects' metadata for links the backfill created,
   * `ratePerSecond` at most (Stripe's own limit is 100 requests/s in live mode), with progress
   * (done/total, rate, ETA) to the log and `onProgress` every few seconds and at the end.
   */
  async drainWritebacks(opts: {
    object: string;
    ratePerSecond: number;
    onProgress?: (p: WritebackProgress) => void;
    progressEveryMs?: number;
  }): Promise<number> {
    let written = 0;
    for (const set of await this.mappings.enabled({ stripeObject: opts.object })) {
      written += await this.drainMapping(set, opts);
    }
    return written;
  }

  private async drainMapping(
    set: MappingSet,
    opts: Parameters<BackfillService['drainWritebacks']>[0],
  ): Promise<number> {
    const { connector, stripeObject } = set.object;
    const key = set.object.crmIdMetadataKey;
    const [count] = await this.dataSource.query<{ n: string }[]>(
      `SELECT count(*) AS n FROM links WHERE connector = $1 AND stripe_object = $2
         AND writeback_pending`,
      [connector, stripeObject],
    );
    let total = Number(count?.n ?? 0);
    if (total === 0) return 0;
    const started = Date.now();
    let done = 0;
    let failed = 0;
    let lastReport = 0;
    let meanwhile = 0;
    const report = (force: boolean) => {
      const everyMs = opts.progressEveryMs ?? 5000;
      if (!force && Date.now() - lastReport < everyMs) return;
      lastReport = Date.now();
      const seconds = (Date.now() - started) / 1000;
      const perSecond = seconds > 0 ? done / seconds : 0;
      const p: WritebackProgress = {
        connector,
        done,
        total,
        failed,
        perSecond: Math.round(perSecond),
        etaSeconds: perSecond > 0 ? Math.round((total - done) / perSecond) : null,
      };
      this.logger.log(
        p,
        `write-back ${stripeObject}→${connector}: ${done}/${total} at ${p.perSecond}/s, ETA ${p.etaSeconds ?? '?'} s${meanwhile > 0 ? ` (${meanwhile} more written meanwhile by the running service)` : ''}`,
      );
      opts.onProgress?.(p);
    };
    for (;;) {
      const rows: { stripe_id: string; crm_id: string }[] = await this.dataSource.query(
        `SELECT stripe_id, crm_id FROM links WHERE connector = $1 AND stripe_object = $2
           AND writeback_pending ORDER BY stripe_id LIMIT 100`,
        [connector, stripeObject],
      );
      if (rows.length === 0) break;
      const startedAt = Date.now();
      const results = await mapLimit(rows, 8, async (r) => {
        if (!key) return r.stripe_id;
        try {
          await this.stripe.update(
            stripeObject,
            r.stripe_id,
            { metadata: { [key]: r.crm_id } },
            `writeback-${connector}-${r.crm_id}`,
          );
          return r.stripe_id;
        } catch (err) {
          this.logger.warn(
            { error: errorSummary(err), stripeId: r.stripe_id },
            'write-back failed; will retry',
          );
          return null;
        }
      });
      const ok = results.filter((id): id is string => id !== null);
      failed += rows.length - ok.length;
      if (ok.length === 0) throw new Error('write-back: every Stripe update failed; stopping');
      await retryOnDeadlock(() =>
        this.dataSource.query(
          // Rows locked in stripe_id order, as the link upserts lock them.
          `UPDATE links SET writeback_pending = false
             FROM (SELECT id FROM links WHERE connector = $1 AND stripe_object = $2
                     AND stripe_id = ANY($3) ORDER BY stripe_id FOR UPDATE) AS locked
            WHERE links.id = locked.id`,
          [connector, stripeObject, ok],
        ),
      );
      done += ok.length;
      report(false);
      const minMs = (rows.length / opts.ratePerSecond) * 1000;
      const wait = minMs - (Date.now() - startedAt);
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    }
    // The service writes the ids of links it syncs meanwhile (webhooks keep flowing): the
    // total counted at the start then includes some this loop never saw.
    meanwhile = Math.max(0, total - done - failed);
    total = done + failed;
    report(true);
    return done;
  }
}

const scopeOf = (set: MappingSet): LinkScope => ({
  connector: set.object.connector,
  stripeObject: set.object.stripeObject,
  crmObject: set.object.crmObject,
});
