import { Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { applyProgress, cancelApply } from '../mappings/mapping-apply.service.js';
import { AppError } from '../../common/app-error.js';
import { errorSummary } from '../../ops/safe-error.js';
import { BackfillService } from '../../sync/backfill/backfill.service.js';
import { AuditLog } from '../audit-log.js';
import { decodeCursor, pageOf, type Page } from '../pagination.js';
import { type BackfillRunView, type StartedBackfillView } from './backfill.dto.js';
import { runView, type RunRow } from './run-view.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** A list cursor: the last row's started_at (to the microsecond, UTC) and id. */
const CURSOR = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z\|[0-9a-f-]{36}$/;

const SELECT = `SELECT *, to_char(started_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS sort_at
  FROM backfill_runs`;

/** Only a uuid reaches the database: a malformed id is a 400, never a driver error. */
export function runIdParam(raw: string): string {
  if (!UUID.test(raw)) {
    throw new AppError(
      'invalid',
      'validation_failed',
      'id: expected a backfill run id (a uuid, as POST /backfills answers it).',
      [{ field: 'id', problem: 'must be a uuid' }],
    );
  }
  return raw.toLowerCase();
}

/** Backfill runs over the admin API: started in this process, read from `backfill_runs`. */
@Injectable()
export class BackfillRunsAdminService {
  private readonly logger = new Logger('BackfillAdmin');

  constructor(
    private readonly dataSource: DataSource,
    private readonly backfill: BackfillService,
    private readonly audit: AuditLog,
  ) {}

  async start(
    body: { object: string; connector?: string },
    actor: string,
  ): Promise<StartedBackfillView> {
    const started = await this.backfill.start({
      object: body.object,
      ...(body.connector ? { connector: body.connector } : {}),
    });
    const ids = started.runs.map((r) => r.id);
    started.finished.then(
      (runs) => {
        for (const r of runs)
          this.logger.log(`backfill ${r.id} (${r.connector}) ended ${r.status}`);
      },
      (err: unknown) =>
        // The run row keeps the message; the log gets the ids and the code only.
        this.logger.error({ runs: ids, error: errorSummary(err).code }, 'backfill failed'),
    );
    await this.dataSource.transaction(async (m) => {
      for (const r of started.runs) {
        await this.audit.record(m, {
          actor,
          action: 'backfill.start',
          targetType: 'backfill',
          targetId: r.id,
          before: null,
          after: {
            connector: r.connector,
            stripe_object: r.stripeObject,
            status: 'running',
            resumed: r.resumed,
          },
        });
      }
    });
    const [first] = ids;
    if (first === undefined) throw new Error('a started backfill opened no run');
    return ids.length > 1 ? { id: first, ids } : { id: first };
  }

  async get(rawId: string): Promise<BackfillRunView> {
    const id = runIdParam(rawId);
    // A mapping's apply run is counted from its jobs, whoever syncs them.
    await applyProgress(this.dataSource.manager, id);
    const rows: RunRow[] = await this.dataSource.query(`${SELECT} WHERE id = $1`, [id]);
    const row = rows[0];
    if (!row) throw notFound(id);
    return runView(row, this.backfill.liveProgress(id));
  }

  /** Newest first. */
  async list(
    filter: { connector?: string; stripeObject?: string; status?: string },
    limit: number,
    cursor: string | undefined,
  ): Promise<Page<BackfillRunView>> {
    const key = decodeCursor(cursor, CURSOR);
    const [at, id] = key ? key.split('|') : [null, null];
    const rows: RunRow[] = await this.dataSource.query(
      `${SELECT}
        WHERE ($1::text IS NULL OR connector = $1) AND ($2::text IS NULL OR stripe_object = $2)
          AND ($3::text IS NULL OR status = $3)
          AND ($4::timestamptz IS NULL OR (started_at, id) < ($4::timestamptz, $5::uuid))
        ORDER BY started_at DESC, id DESC LIMIT $6`,
      [
        filter.connector ?? null,
        filter.stripeObject ?? null,
        filter.status ?? null,
        at ?? null,
        id ?? null,
        limit + 1,
      ],
    );
    const page = pageOf(rows, limit, (r) => `${r.sort_at}|${r.id}`);
    return {
      data: page.data.map((r) => runView(r, this.backfill.liveProgress(r.id))),
      next_cursor: page.next_cursor,
    };
  }

  async cancel(rawId: string, actor: string): Promise<{ id: string; status: string }> {
    const id = runIdParam(rawId);
    return this.dataSource.transaction(async (m) => {
      const status =
        (await cancelApply(m, id, actor)) ?? (await this.backfill.requestCancel(m, id));
      if (status === null) {
        const rows: { status: string }[] = await m.query(
          `SELECT status FROM backfill_runs WHERE id = $1`,
          [id],
        );
        const row = rows[0];
        if (!row) throw notFound(id);
        throw new AppError(
          'conflict',
          'not_running',
          `Backfill run ${id} is not running (it is ${row.status}): only a running backfill can be cancelled.`,
          [{ field: 'id', problem: `run is ${row.status}` }],
        );
      }
      await this.audit.record(m, {
        actor,
        action: 'backfill.cancel',
        targetType: 'backfill',
        targetId: id,
        before: { status: 'running', cancel_requested: false },
        after: { status, cancel_requested: true },
      });
      this.logger.log(`backfill ${id}: cancel requested by ${actor}`);
      return { id, status };
    });
  }
}

const notFound = (id: string) =>
  new AppError('not_found', 'not_found', `No backfill run ${id}: list them with GET /backfills.`);
