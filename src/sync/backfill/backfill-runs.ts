import { Injectable, Logger } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { AppError } from '../../common/app-error.js';
import { AppConfig } from '../../config/app-config.js';
import { tryAdvisoryLock, type Unlock } from '../../database/advisory-lock.js';
import { type LinkScope } from '../../links/link-store.js';
import { settleFinishedApplies } from './apply-runs.js';

/** What a page (and, summed, a run) did with its Stripe objects. */
export interface PageTally {
  done: number;
  created: number;
  linked: number;
  skipped: number;
  ambiguous: number;
  failed: number;
  /** Objects whose first link found the two sides holding different values (see sync_conflicts). */
  differences: number;
}

const TALLY_KEYS = [
  'done',
  'created',
  'linked',
  'skipped',
  'ambiguous',
  'failed',
  'differences',
] as const;
const tallyOf = (from: PageTally): PageTally =>
  Object.fromEntries(TALLY_KEYS.map((k) => [k, Number(from[k])])) as unknown as PageTally;

/**
 * How a run ended in this process: done; cancelled (an admin asked, between batches); or
 * interrupted (this process is shutting down: left 'running', the next start resumes it).
 */
export type RunStatus = 'running' | 'done' | 'cancelled';

export interface BackfillRun extends PageTally {
  id: string;
  connector: string;
  stripeObject: string;
  stripeAfter: string | null;
  total: number | null;
  resumed: boolean;
  status: RunStatus;
}

/** A run this process holds (lock taken, row open): its work has not started or not ended. */
export interface OpenedRun {
  run: BackfillRun;
  unlock: Unlock;
}

/** What this process knows of a run it is executing (the table has no per-session start). */
export interface LiveRun {
  run: BackfillRun;
  startedAt: number;
  startDone: number;
}

export interface BackfillProgress extends PageTally {
  runId: string;
  total: number | null;
  perSecond: number;
  etaSeconds: number | null;
}

interface RunRow extends PageTally {
  id: string;
  status: string;
  stripe_after: string | null;
  total: number | null;
}

const scopeKey = (s: { connector: string; stripeObject: string }) =>
  `${s.connector}:${s.stripeObject}`;

/** Postgres' unique_violation: here, backfill_runs_one_running (another run opened first). */
const isUniqueViolation = (err: unknown): boolean =>
  typeof err === 'object' && err !== null && (err as { code?: unknown }).code === '23505';

/** The `backfill_runs` table: one running row per connector+object, progress per page. */
@Injectable()
export class BackfillRuns {
  private readonly logger = new Logger('Backfill');

  constructor(
    private readonly dataSource: DataSource,
    private readonly config: AppConfig,
  ) {}

  /** Runs in this process, by scope: the advisory lock is a no-op on the embedded database. */
  private readonly live = new Map<string, LiveRun>();

  /**
   * Runs `work` as the only backfill of this scope (advisory lock on Postgres), resuming the
   * unfinished run if there is one, and records how it ended.
   */
  async exclusive(
    scope: LinkScope,
    work: (run: BackfillRun) => Promise<BackfillRun>,
  ): Promise<BackfillRun> {
    return this.execute(await this.begin(scope), work);
  }

  /**
   * Takes the scope (this process's guard, then the advisory lock shared with other processes)
   * and opens its run row; a scope already taken is a 409 naming the running run.
   */
  async begin(scope: LinkScope): Promise<OpenedRun> {
    const key = scopeKey(scope);
    if (this.live.has(key)) throw await this.running(scope);
    const name = `backfill:${scope.connector}:${scope.stripeObject}`;
    const unlock = await tryAdvisoryLock(this.dataSource, this.config.database, name);
    if (!unlock || this.live.has(key)) {
      await unlock?.();
      throw await this.running(scope);
    }
    try {
      const run = await this.openRun(scope);
      this.live.set(key, { run, startedAt: Date.now(), startDone: run.done });
      return { run, unlock };
    } catch (err) {
      await unlock();
      throw isUniqueViolation(err) ? await this.running(scope) : err;
    }
  }

  /** Runs the work of an opened run, records how it ended, and gives the scope back. */
  async execute(
    { run, unlock }: OpenedRun,
    work: (run: BackfillRun) => Promise<BackfillRun>,
  ): Promise<BackfillRun> {
    try {
      const result = await work(run);
      if (result.status === 'cancelled') {
        await this.dataSource.query(
          `UPDATE backfill_runs SET status = 'cancelled', finished_at = now(), updated_at = now()
            WHERE id = $1`,
          [run.id],
        );
      } else if (result.status === 'done') {
        await this.dataSource.query(
          `UPDATE backfill_runs SET status = 'done', finished_at = now(), updated_at = now() WHERE id = $1`,
          [run.id],
        );
      }
      return result;
    } catch (err) {
      // Left 'running' on purpose: the next start resumes from the last committed page.
      await this.dataSource.query(
        `UPDATE backfill_runs SET last_error = $2, updated_at = now() WHERE id = $1`,
        [run.id, err instanceof Error ? err.message : String(err)],
      );
      throw err;
    } finally {
      this.live.delete(scopeKey(run));
      await unlock();
    }
  }

  /** Gives back a scope taken by `begin` whose work will not run (another scope was refused). */
  async abandon({ run, unlock }: OpenedRun): Promise<void> {
    this.live.delete(scopeKey(run));
    await unlock();
  }

  /** The run this process is executing with this id, if any. */
  liveRun(id: string): LiveRun | undefined {
    return [...this.live.values()].find((l) => l.run.id === id);
  }

  /** Whether an admin asked to cancel the run (checked between batches). */
  async cancelRequested(run: BackfillRun): Promise<boolean> {
    const rows: { cancel_requested_at: Date | null }[] = await this.dataSource.query(
      `SELECT cancel_requested_at FROM backfill_runs WHERE id = $1`,
      [run.id],
    );
    return (rows[0]?.cancel_requested_at ?? null) !== null;
  }

  /**
   * Asks the process running this run to stop after its current batches. A run nobody runs
   * any more (its process died: the scope's lock is free) is marked cancelled at once, else it
   * would read 'running' until a new start. Answers the row's status after the request, or
   * null when there is no such run.
   */
  async requestCancel(m: EntityManager, id: string): Promise<string | null> {
    const out: unknown = await m.query(
      `UPDATE backfill_runs SET cancel_requested_at = COALESCE(cancel_requested_at, now()),
              updated_at = now()
        WHERE id = $1 AND status = 'running' RETURNING status, connector, stripe_object`,
      [id],
    );
    // TypeORM answers [rows, count] for UPDATE … RETURNING on Postgres.
    const rows = (Array.isArray(out) && Array.isArray(out[0]) ? out[0] : out) as {
      status: string;
      connector: string;
      stripe_object: string;
    }[];
    const row = rows[0];
    if (!row) return null;
    const scope = { connector: row.connector, stripeObject: row.stripe_object };
    if (this.live.has(scopeKey(scope))) return row.status;
    const unlock = await tryAdvisoryLock(
      this.dataSource,
      this.config.database,
      `backfill:${scope.connector}:${scope.stripeObject}`,
    );
    if (!unlock) return row.status;
    try {
      await m.query(
        `UPDATE backfill_runs SET status = 'cancelled', finished_at = now() WHERE id = $1`,
        [id],
      );
      this.logger.log(`backfill ${id}: no process was running it; marked cancelled`);
      return 'cancelled';
    } finally {
      await unlock();
    }
  }

  private async running(scope: { connector: string; stripeObject: string }): Promise<AppError> {
    const rows: { id: string }[] = await this.dataSource.query(
      `SELECT id FROM backfill_runs WHERE connector = $1 AND stripe_object = $2
          AND status = 'running'`,
      [scope.connector, scope.stripeObject],
    );
    const id = rows[0]?.id ?? this.live.get(scopeKey(scope))?.run.id ?? 'unknown';
    return new AppError(
      'conflict',
      'backfill_running',
      `A backfill of ${scope.stripeObject} to ${scope.connector} is already running (run ${id}); wait for it to finish or cancel it (POST /backfills/${id}/cancel).`,
      [{ field: 'running_id', problem: id }],
    );
  }

  /**
   * The scope's running row (a killed process's) is resumed in place. Otherwise a new row; if
   * the scope's last run was cancelled it starts after that run's last committed page with its
   * counts, so a cancel then a start ends exactly where an uninterrupted run would.
   */
  private async openRun(scope: LinkScope): Promise<BackfillRun> {
    // A finished apply run of the scope would otherwise hold its one running slot.
    await settleFinishedApplies((sql, params) => this.dataSource.query(sql, params), scope);
    const existing: RunRow[] = await this.dataSource.query(
      `SELECT * FROM backfill_runs WHERE connector = $1 AND stripe_object = $2
          AND status = 'running' AND kind = 'backfill'`,
      [scope.connector, scope.stripeObject],
    );
    const resumed = existing[0];
    const [last]: RunRow[] = resumed
      ? []
      : await this.dataSource.query(
          `SELECT * FROM backfill_runs WHERE connector = $1 AND stripe_object = $2
              AND kind = 'backfill' ORDER BY started_at DESC LIMIT 1`,
          [scope.connector, scope.stripeObject],
        );
    const from = last?.status === 'cancelled' ? last : undefined;
    const inserted: RunRow[] = resumed
      ? []
      : await this.dataSource.query(
          `INSERT INTO backfill_runs (connector, stripe_object, status, kind, stripe_after, total,
             done, created, linked, skipped, ambiguous, failed, differences)
           VALUES ($1, $2, 'running', 'backfill', $3, $4, $5, $6, $7, $8, $9, $10, $11)
           RETURNING *`,
          [
            scope.connector,
            scope.stripeObject,
            from?.stripe_after ?? null,
            from?.total ?? null,
            ...TALLY_KEYS.map((k) => (from ? Number(from[k]) : 0)),
          ],
        );
    const row = resumed ?? inserted[0];
    if (!row) throw new Error('could not open a backfill run');
    if (resumed)
      this.logger.log(
        `resuming backfill ${row.id} after ${row.stripe_after ?? 'the start'} (${row.done} done)`,
      );
    if (from)
      this.logger.log(
        `backfill ${row.id}: resuming cancelled run ${from.id} after ${from.stripe_after ?? 'the start'} (${from.done} done)`,
      );
    return {
      id: row.id,
      connector: scope.connector,
      stripeObject: scope.stripeObject,
      stripeAfter: row.stripe_after,
      total: row.total,
      ...tallyOf(row),
      resumed: resumed !== undefined || from !== undefined,
      status: 'running',
    };
  }

  /** Records a committed page in the run row (inside the page's transaction). */
  async advance(
    m: EntityManager,
    run: BackfillRun,
    t: PageTally,
    cursor: string | null,
  ): Promise<void> {
    await m.query(
      `UPDATE backfill_runs SET stripe_after = $2, done = done + $3, created = created + $4,
         linked = linked + $5, skipped = skipped + $6, ambiguous = ambiguous + $7,
         failed = failed + $8, differences = differences + $9, updated_at = now() WHERE id = $1`,
      [
        run.id,
        cursor,
        t.done,
        t.created,
        t.linked,
        t.skipped,
        t.ambiguous,
        t.failed,
        t.differences,
      ],
    );
  }

  /** The in-memory run, once that transaction has committed (progress reports read it). */
  tally(run: BackfillRun, t: PageTally, cursor: string | null): void {
    for (const k of TALLY_KEYS) run[k] += t[k];
    run.stripeAfter = cursor;
  }

  async setTotal(run: BackfillRun, total: number): Promise<void> {
    run.total = total;
    await this.dataSource.query(`UPDATE backfill_runs SET total = $2 WHERE id = $1`, [
      run.id,
      total,
    ]);
  }

  /** Progress to the log (and a callback) at most every `everyMs`, and once at the end. */
  reporter(
    run: BackfillRun,
    startedAt: number,
    onProgress?: (p: BackfillProgress) => void,
    everyMs = 5000,
  ) {
    const startDone = run.done;
    let last = 0;
    const emit = () => {
      const seconds = (Date.now() - startedAt) / 1000;
      const perSecond = seconds > 0 ? (run.done - startDone) / seconds : 0;
      const left = run.total !== null ? Math.max(0, run.total - run.done) : null;
      const p: BackfillProgress = {
        runId: run.id,
        ...tallyOf(run),
        total: run.total,
        perSecond: Math.round(perSecond),
        etaSeconds: left !== null && perSecond > 0 ? Math.round(left / perSecond) : null,
      };
      this.logger.log(
        p,
        `backfill ${run.stripeObject}→${run.connector}: ${p.done}/${p.total ?? '?'} at ${p.perSecond}/s, ETA ${p.etaSeconds ?? '?'} s`,
      );
      onProgress?.(p);
    };
    return {
      tick: () => {
        if (Date.now() - last >= everyMs) {
          last = Date.now();
          emit();
        }
      },
      finish: emit,
    };
  }
}
