import { Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AppError } from '../../common/app-error.js';
import { WorkSignal } from '../../sync/inbox/work-signal.js';
import { AuditLog } from '../audit-log.js';
import { decodeCursor, pageOf, type Page } from '../pagination.js';

export interface DeadLetterView {
  /** The inbox event id. */
  id: string;
  type: string;
  object_type: string | null;
  object_id: string | null;
  /** The connector a polled CRM change came from; null for a Stripe event. */
  connector: string | null;
  last_error: string | null;
  attempts: number;
  received_at: string;
  /** When it was parked as a dead letter. */
  updated_at: string;
}

interface Row {
  event_id: string;
  type: string;
  object_type: string | null;
  object_id: string | null;
  source: string;
  last_error: string | null;
  attempts: number;
  received_at: Date;
  processed_at: Date | null;
  /** received_at in microseconds, the sort key (a JS Date would lose the microseconds). */
  sort_us: string;
}

const COLUMNS = `event_id, type, object_type, object_id, source, last_error, attempts, received_at,
  processed_at, (extract(epoch FROM received_at) * 1000000)::bigint::text AS sort_us`;

const view = (r: Row): DeadLetterView => ({
  id: r.event_id,
  type: r.type,
  object_type: r.object_type,
  object_id: r.object_id,
  connector: r.source === 'stripe' ? null : r.source,
  last_error: r.last_error,
  attempts: r.attempts,
  received_at: new Date(r.received_at).toISOString(),
  updated_at: new Date(r.processed_at ?? r.received_at).toISOString(),
});

/** How a dead letter goes back to the queue: as a fresh row the workers claim at once. */
const REQUEUE = `status = 'pending', attempts = 0, next_attempt_at = now(), last_error = NULL,
  outcome = NULL, processed_at = NULL, locked_until = NULL`;

const notFound = (id: string) =>
  new AppError(
    'not_found',
    'not_found',
    `Dead letter ${id} does not exist: list them with GET /dead-letters.`,
  );

const notDead = (id: string, status: string) =>
  new AppError(
    'conflict',
    'not_dead',
    `Event ${id} is ${status}, not a dead letter: only rows GET /dead-letters lists can be replayed or discarded.`,
  );

/**
 * Dead letters (inbox rows parked after a permanent failure or their last attempt): listed,
 * replayed (back to pending with fresh attempts, workers woken) or discarded (kept with why,
 * who and when). Every change is audited.
 */
@Injectable()
export class DeadLettersService {
  private readonly logger = new Logger(DeadLettersService.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly signal: WorkSignal,
    private readonly audit: AuditLog,
  ) {}

  async list(
    filter: { connector?: string; stripeObject?: string },
    limit: number,
    cursor?: string,
  ): Promise<Page<DeadLetterView>> {
    const after = decodeCursor(cursor, /^\d{1,20}\|.+$/s);
    const [afterUs, afterId] = after === null ? [null, null] : splitKey(after);
    const rows = await this.dataSource.query<Row[]>(
      `SELECT ${COLUMNS} FROM inbox_events
        WHERE status = 'dead'
          AND ($1::text IS NULL OR source = $1) AND ($2::text IS NULL OR object_type = $2)
          AND ($3::bigint IS NULL
               OR ((extract(epoch FROM received_at) * 1000000)::bigint, event_id) > ($3::bigint, $4))
        ORDER BY received_at, event_id LIMIT $5`,
      [filter.connector ?? null, filter.stripeObject ?? null, afterUs, afterId, limit + 1],
    );
    const page = pageOf(rows, limit, (r) => `${r.sort_us}|${r.event_id}`);
    return { data: page.data.map(view), next_cursor: page.next_cursor };
  }

  async replay(id: string, actor: string): Promise<void> {
    await this.dataSource.transaction(async (m) => {
      const row = await this.lock(m, id);
      await m.query(`UPDATE inbox_events SET ${REQUEUE} WHERE event_id = $1`, [id]);
      await this.audit.record(m, {
        actor,
        action: 'dead_letter.replay',
        targetType: 'dead_letter',
        targetId: id,
        before: auditState(row),
        after: { status: 'pending', attempts: 0 },
      });
    });
    this.logger.log({ eventId: id }, 'dead letter replayed');
    this.signal.notify();
  }

  /** The given dead letters (ids that are not one are skipped), or all of them. */
  async replayMany(ids: string[] | undefined, actor: string): Promise<number> {
    const replayed = await this.dataSource.transaction(async (m) => {
      const out: unknown = await m.query(
        `UPDATE inbox_events SET ${REQUEUE}
          WHERE status = 'dead' AND ($1::text[] IS NULL OR event_id = ANY($1))
          RETURNING event_id, type, object_type, object_id, source, attempts`,
        [ids ?? null],
      );
      // TypeORM returns [rows, count] for UPDATE … RETURNING on Postgres.
      const rows = (Array.isArray(out) && Array.isArray(out[0]) ? out[0] : out) as Row[];
      for (const r of rows) {
        await this.audit.record(m, {
          actor,
          action: 'dead_letter.replay',
          targetType: 'dead_letter',
          targetId: r.event_id,
          before: { ...auditState(r), status: 'dead' },
          after: { status: 'pending', attempts: 0 },
        });
      }
      return rows.length;
    });
    this.logger.log({ replayed, all: ids === undefined }, 'dead letters replayed');
    if (replayed > 0) this.signal.notify();
    return replayed;
  }

  async discard(id: string, reason: string, actor: string): Promise<void> {
    await this.dataSource.transaction(async (m) => {
      const row = await this.lock(m, id);
      await m.query(
        `UPDATE inbox_events SET status = 'discarded', discard_reason = $2, discarded_by = $3,
           discarded_at = now() WHERE event_id = $1`,
        [id, reason, actor],
      );
      await this.audit.record(m, {
        actor,
        action: 'dead_letter.discard',
        targetType: 'dead_letter',
        targetId: id,
        before: auditState(row),
        after: { status: 'discarded', discard_reason: reason },
      });
    });
    this.logger.log({ eventId: id }, 'dead letter discarded');
  }

  private async lock(
    m: { query: DataSource['query'] },
    id: string,
  ): Promise<Row & { status: string }> {
    const rows = await m.query<(Row & { status: string })[]>(
      `SELECT ${COLUMNS}, status FROM inbox_events WHERE event_id = $1 FOR UPDATE`,
      [id],
    );
    const row = rows[0];
    if (!row) throw notFound(id);
    if (row.status !== 'dead') throw notDead(id, row.status);
    return row;
  }
}

const splitKey = (key: string): [string, string] => {
  const at = key.indexOf('|');
  return [key.slice(0, at), key.slice(at + 1)];
};

// What the audit keeps of a row: ids and counters, not the error text (it may quote a value).
const auditState = (
  r: Pick<Row, 'type' | 'object_type' | 'object_id' | 'source' | 'attempts'>,
) => ({
  status: 'dead',
  type: r.type,
  object_type: r.object_type,
  object_id: r.object_id,
  source: r.source,
  attempts: r.attempts,
});
