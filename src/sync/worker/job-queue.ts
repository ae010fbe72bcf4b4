import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';

/** A claimed inbox row: a Stripe event, or a change polled from a CRM (`source` = connector). */
export interface Job {
  eventId: string;
  source: string;
  type: string;
  objectType: string | null;
  objectId: string | null;
  eventCreatedAt: Date;
  payload: unknown;
  attempts: number;
}

/** A change polled from a CRM, queued for the Stripe object it is linked to. */
export interface CrmChange {
  connector: string;
  crmObject: string;
  crmId: string;
  stripeObject: string;
  stripeId: string;
  /** The record as polled; null when the CRM reports it deleted. */
  properties: Record<string, unknown> | null;
  modifiedAt: Date;
}

export type JobUpdate =
  | { eventIds: string[]; status: 'done'; outcome: string }
  | { eventIds: string[]; status: 'retry'; delayMs: number; error: string }
  | { eventIds: string[]; status: 'dead'; error: string }
  /** Not a failure: try again later without spending an attempt. */
  | { eventIds: string[]; status: 'defer'; delayMs: number; reason: string };

/** Any constant: serialises claims across replicas (claims take milliseconds). */
const CLAIM_LOCK_KEY = 727_002;

// Rows are claimed per object: every due row of an object is taken together, and an object
// with a row still being processed elsewhere is skipped, so one object is never worked on
// twice at once. A crashed worker's rows come back once their lease has run out.
const CLAIM = `
  WITH picked AS (
    SELECT e.event_id, e.object_type, e.object_id FROM inbox_events e
    WHERE ((e.status = 'pending' AND e.next_attempt_at <= now())
           OR (e.status = 'processing' AND e.locked_until < now()))
      AND NOT EXISTS (
        SELECT 1 FROM inbox_events p
        WHERE p.status = 'processing' AND p.locked_until >= now()
          AND p.object_type = e.object_type AND p.object_id = e.object_id)
    ORDER BY e.next_attempt_at, e.event_created_at
    LIMIT $1
    FOR UPDATE SKIP LOCKED
  )
  UPDATE inbox_events e
  SET status = 'processing', locked_until = now() + make_interval(secs => $2),
      attempts = e.attempts + 1
  WHERE e.event_id IN (SELECT event_id FROM picked)
     OR (e.object_id IS NOT NULL
         AND (e.object_type, e.object_id) IN
             (SELECT object_type, object_id FROM picked WHERE object_id IS NOT NULL)
         AND ((e.status = 'pending' AND e.next_attempt_at <= now())
              OR (e.status = 'processing' AND e.locked_until < now())))
  RETURNING e.event_id, e.source, e.type, e.object_type, e.object_id, e.event_created_at,
            e.payload, e.attempts`;

interface JobRow {
  event_id: string;
  source: string;
  type: string;
  object_type: string | null;
  object_id: string | null;
  event_created_at: Date | string;
  payload: unknown;
  attempts: number;
}

/** The inbox as a work queue: claim, settle, and queue polled CRM changes. */
@Injectable()
export class JobQueue {
  constructor(private readonly dataSource: DataSource) {}

  async claim(limit: number, leaseSeconds: number): Promise<Job[]> {
    return this.dataSource.transaction(async (m) => {
      await m.query('SELECT pg_advisory_xact_lock($1)', [CLAIM_LOCK_KEY]);
      const out: unknown = await m.query(CLAIM, [limit, leaseSeconds]);
      // TypeORM returns [rows, count] for UPDATE … RETURNING on Postgres.
      const rows = (Array.isArray(out) && Array.isArray(out[0]) ? out[0] : out) as JobRow[];
      return rows.map((r) => ({
        eventId: r.event_id,
        source: r.source,
        type: r.type,
        objectType: r.object_type,
        objectId: r.object_id,
        eventCreatedAt: new Date(r.event_created_at),
        payload: r.payload,
        attempts: r.attempts,
      }));
    });
  }

  async settle(m: EntityManager, updates: JobUpdate[]): Promise<void> {
    for (const u of updates) {
      if (u.eventIds.length === 0) continue;
      switch (u.status) {
        case 'done':
          await m.query(
            `UPDATE inbox_events SET status = 'done', outcome = $2, processed_at = now(),
               locked_until = NULL, last_error = NULL WHERE event_id = ANY($1)`,
            [u.eventIds, u.outcome],
          );
          break;
        case 'retry':
          await m.query(
            `UPDATE inbox_events SET status = 'pending', last_error = $2, locked_until = NULL,
               next_attempt_at = now() + make_interval(secs => $3) WHERE event_id = ANY($1)`,
            [u.eventIds, u.error, u.delayMs / 1000],
          );
          break;
        case 'defer':
          await m.query(
            `UPDATE inbox_events SET status = 'pending', outcome = $2, locked_until = NULL,
               attempts = GREATEST(attempts - 1, 0),
               next_attempt_at = now() + make_interval(secs => $3) WHERE event_id = ANY($1)`,
            [u.eventIds, u.reason, u.delayMs / 1000],
          );
          break;
        case 'dead':
          await m.query(
            `UPDATE inbox_events SET status = 'dead', last_error = $2, processed_at = now(),
               locked_until = NULL, outcome = 'dead_letter' WHERE event_id = ANY($1)`,
            [u.eventIds, u.error],
          );
          break;
      }
    }
  }

  /**
   * Gives claimed rows back after a failure the processor could not settle (they keep the
   * attempt they spent), backing off exponentially; a row out of attempts becomes a dead letter
   * instead, so a failure that never passes cannot loop forever.
   */
  async release(
    jobs: Job[],
    error: string,
    backoff: { baseMs: number; maxMs: number; maxAttempts: number },
  ): Promise<void> {
    await this.dataSource.query(
      `UPDATE inbox_events SET locked_until = NULL, last_error = $2,
         status = CASE WHEN attempts >= $5 THEN 'dead' ELSE 'pending' END,
         outcome = CASE WHEN attempts >= $5 THEN 'dead_letter' ELSE outcome END,
         processed_at = CASE WHEN attempts >= $5 THEN now() ELSE processed_at END,
         next_attempt_at = now() + make_interval(
           secs => LEAST($4::float8, $3::float8 * power(2, GREATEST(attempts - 1, 0))) / 1000)
       WHERE event_id = ANY($1) AND status = 'processing'`,
      [jobs.map((j) => j.eventId), error, backoff.baseMs, backoff.maxMs, backoff.maxAttempts],
    );
  }

  /** Rows parked as dead letters (a gauge for alerts). */
  async deadCount(): Promise<number> {
    const rows: { n: string }[] = await this.dataSource.query(
      `SELECT count(*) AS n FROM inbox_events WHERE status = 'dead'`,
    );
    return Number(rows[0]?.n ?? 0);
  }

  /**
   * Queues polled CRM changes. The id includes the record's modified time, so a record seen
   * again by an overlapping poll is not queued twice, while a later edit is.
   */
  async enqueueCrmChanges(m: EntityManager, changes: CrmChange[]): Promise<number> {
    if (changes.length === 0) return 0;
    const out: unknown = await m.query(
      `INSERT INTO inbox_events (event_id, source, type, object_type, object_id,
         event_created_at, livemode, payload, received_at)
       SELECT *, clock_timestamp() FROM unnest($1::text[], $2::text[], $3::text[], $4::text[],
         $5::text[], $6::timestamptz[], $7::boolean[], $8::jsonb[])
       ON CONFLICT (event_id) DO NOTHING RETURNING event_id`,
      [
        changes.map(
          (c) =>
            `${c.connector}:${c.crmObject}:${c.crmId}:${c.modifiedAt.getTime()}${c.properties ? '' : ':deleted'}`,
        ),
        changes.map((c) => c.connector),
        changes.map((c) => `crm.${c.crmObject}.${c.properties ? 'updated' : 'deleted'}`),
        changes.map((c) => c.stripeObject),
        changes.map((c) => c.stripeId),
        changes.map((c) => c.modifiedAt.toISOString()),
        changes.map(() => false),
        changes.map((c) =>
          JSON.stringify({
            crmId: c.crmId,
            crmObject: c.crmObject,
            // A deletion carries no properties: there is no snapshot to plan from, and the
            // worker's read of the record finds it gone.
            ...(c.properties ? { properties: c.properties } : { deleted: true }),
            modifiedAt: c.modifiedAt.toISOString(),
          }),
        ),
      ],
    );
    return Array.isArray(out) ? out.length : 0;
  }
}
