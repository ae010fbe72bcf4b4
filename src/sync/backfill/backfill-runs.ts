import { Injectable, Logger } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { AppError } from '../../common/app-error.js';
import { AppConfig } from '../../config/app-config.js';
import { tryAdvisoryLock } from '../../database/advisory-lock.js';
import { type LinkScope } from '../../links/link-store.js';

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

export interface BackfillRun extends PageTally {
  id: string;
  connector: string;
  stripeObject: string;
  stripeAfter: string | null;
  total: number | null;
  resumed: boolean;
}

export interface BackfillProgress extends PageTally {
  runId: string;
  total: number | null;
  perSecond: number;
  etaSeconds: number | null;
}

interface RunRow extends PageTally {
  id: string;
  stripe_after: string | null;
  total: number | null;
}

/** The `backfill_runs` table: one running row per connector+object, progress per page. */
@Injectable()
export class BackfillRuns {
  private readonly logger = new Logger('Backfill');

  constructor(
    private readonly dataSource: DataSource,
    private readonly config: AppConfig,
  ) {}

  /**
   * Runs `work` as the only backfill of this scope (advisory lock on Postgres), resuming the
   * unfinished run if there is one, and records how it ended.
   */
  async exclusive(
    scope: LinkScope,
    work: (run: BackfillRun) => Promise<BackfillRun>,
  ): Promise<BackfillRun> {
    const name = `backfill:${scope.connector}:${scope.stripeObject}`;
    const unlock = await tryAdvisoryLock(this.dataSource, this.config.database, name);
    if (!unlock) {
      throw new AppError(
        'conflict',
        'backfill_running',
        `A backfill of ${scope.stripeObject} to ${scope.connector} is already running elsewhere; wait for it to finish.`,
      );
    }
    try {
      const run = await this.openRun(scope);
      try {
        const result = await work(run);
        await this.dataSource.query(
          `UPDATE backfill_runs SET status = 'done', finished_at = now(), updated_at = now() WHERE id = $1`,
          [run.id],
        );
        return result;
      } catch (err) {
        // Left 'running' on purpose: the next start resumes from the last committed page.
        await this.dataSource.query(
          `UPDATE backfill_runs SET last_error = $2, updated_at = now() WHERE id = $1`,
          [run.id, err instanceof Error ? err.message : String(err)],
        );
        throw err;
      }
    } finally {
      await unlock();
    }
  }

  private async openRun(scope: LinkScope): Promise<BackfillRun> {
    const existing: RunRow[] = await this.dataSource.query(
      `SELECT * FROM backfill_runs WHERE connector = $1 AND stripe_object = $2 AND status = 'running'`,
      [scope.connector, scope.stripeObject],
    );
    const resumed = existing[0];
    const inserted: RunRow[] = resumed
      ? []
      : await this.dataSource.query(
          `INSERT INTO backfill_runs (connector, stripe_object, status)
           VALUES ($1, $2, 'running') RETURNING *`,
          [scope.connector, scope.stripeObject],
        );
    const row = resumed ?? inserted[0];
    if (!row) throw new Error('could not open a backfill run');
    if (resumed)
      this.logger.log(
        `resuming backfill ${row.id} after ${row.stripe_after ?? 'the start'} (${row.done} done)`,
      );
    return {
      id: row.id,
      connector: scope.connector,
      stripeObject: scope.stripeObject,
      stripeAfter: row.stripe_after,
      total: row.total,
      ...tallyOf(row),
      resumed: resumed !== undefined,
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
