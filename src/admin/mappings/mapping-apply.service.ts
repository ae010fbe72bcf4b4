import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { AppError } from '../../common/app-error.js';
import { AppConfig } from '../../config/app-config.js';
import { applyJobPrefix, settleFinishedApplies } from '../../sync/backfill/apply-runs.js';
import { WorkSignal } from '../../sync/inbox/work-signal.js';
import { AuditLog } from '../audit-log.js';
import { MappingAdminService } from './mapping-admin.service.js';

const jobPrefix = applyJobPrefix;

/**
 * `POST /mappings/:id/apply`: re-projects a mapping onto every record it links, with its
 * current version. Each active pair gets one job in the inbox, as a Stripe re-read: the
 * workers sync them in their usual batches, under the CRM's budget and limiter, through the
 * normal three-way merge (so a pair the change does not affect is an echo: no CRM call). The
 * run is a `backfill_runs` row of kind `apply`; its progress is counted from its jobs.
 */
@Injectable()
export class MappingApplyService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly mappings: MappingAdminService,
    private readonly signal: WorkSignal,
    private readonly audit: AuditLog,
    config: AppConfig,
  ) {
    // The jobs are our own, not Stripe events: their mode is the configured key's.
    this.livemode = /^(sk|rk)_live_/.test(config.stripe.secretKey);
  }

  private readonly livemode: boolean;

  async apply(id: string, actor: string): Promise<{ id: string; total: number }> {
    const mapping = await this.mappings.get(id);
    if (!mapping.enabled) {
      throw new AppError(
        'conflict',
        'mapping_disabled',
        `Mapping ${id} is disabled: enable it (PATCH /mappings/${id} {"enabled": true}) before applying it.`,
      );
    }
    const scope = { connector: mapping.connector, stripeObject: mapping.stripe_object };
    await settleFinishedApplies((sql, params) => this.dataSource.query(sql, params), scope);
    const run = await this.dataSource.transaction(async (m) => {
      const busy = await m.query<{ id: string; kind: string }[]>(
        `SELECT id, kind FROM backfill_runs WHERE connector = $1 AND stripe_object = $2
            AND status = 'running'`,
        [mapping.connector, mapping.stripe_object],
      );
      if (busy[0]) {
        throw new AppError(
          'conflict',
          'run_in_progress',
          `A ${busy[0].kind} run of ${mapping.stripe_object} to ${mapping.connector} is in progress (run ${busy[0].id}): wait for it (GET /backfills/${busy[0].id}) or cancel it, then apply again.`,
          [{ field: 'running_id', problem: busy[0].id }],
        );
      }
      const [row] = await m.query<{ id: string }[]>(
        `INSERT INTO backfill_runs (connector, stripe_object, status, kind, total)
         VALUES ($1, $2, 'running', 'apply', 0) RETURNING id`,
        [mapping.connector, mapping.stripe_object],
      );
      const runId = row!.id;
      // The pair's last applied Stripe time, not now: a re-read must not look newer than a
      // CRM edit still on its way (newest_wins).
      const queued = await m.query<unknown[]>(
        `INSERT INTO inbox_events (event_id, source, type, object_type, object_id,
           event_created_at, livemode, payload, received_at)
         SELECT $1 || stripe_id, 'stripe', 'bridge.mapping_applied', stripe_object, stripe_id,
                COALESCE(stripe_state_at, created_at), $4, '{}'::jsonb,
                clock_timestamp()
           FROM links WHERE connector = $2 AND stripe_object = $3 AND status = 'active'
         ON CONFLICT (event_id) DO NOTHING RETURNING event_id`,
        [jobPrefix(runId), mapping.connector, mapping.stripe_object, this.livemode],
      );
      await m.query(`UPDATE backfill_runs SET total = $2 WHERE id = $1`, [runId, queued.length]);
      await this.audit.record(m, {
        actor,
        action: 'mapping.apply',
        targetType: 'mapping',
        targetId: id,
        before: null,
        after: { run: runId, version: mapping.version, pairs: queued.length },
      });
      return { id: runId, total: queued.length };
    });
    this.signal.notify();
    return run;
  }
}

/**
 * An apply run's progress from its jobs: done = settled (synced, echo, or dead: `errors`);
 * the run ends once none is waiting. Called when the run is read, so it is true even if the
 * process that started it is gone.
 */
export async function applyProgress(
  m: EntityManager,
  runId: string,
): Promise<{ done: number; errors: number; waiting: number }> {
  const [row] = await m.query<{ done: number; errors: number; waiting: number }[]>(
    `SELECT count(*) FILTER (WHERE status IN ('done', 'dead', 'discarded'))::int AS done,
            count(*) FILTER (WHERE status IN ('dead', 'discarded'))::int AS errors,
            count(*) FILTER (WHERE status IN ('pending', 'processing'))::int AS waiting
       FROM inbox_events WHERE event_id LIKE $1`,
    [`${jobPrefix(runId)}%`],
  );
  const p = row ?? { done: 0, errors: 0, waiting: 0 };
  await m.query(
    `UPDATE backfill_runs SET done = $2, failed = $3, updated_at = now(),
            status = CASE WHEN $4::int = 0 AND status = 'running' THEN 'done' ELSE status END,
            finished_at = CASE WHEN $4::int = 0 AND finished_at IS NULL THEN now() ELSE finished_at END
      WHERE id = $1 AND kind = 'apply'`,
    [runId, p.done, p.errors, p.waiting],
  );
  return p;
}

/**
 * Cancels an apply run: its jobs not yet taken are discarded (kept, with the reason), the ones
 * being synced finish. Null when the run is not a running apply.
 */
export async function cancelApply(
  m: EntityManager,
  runId: string,
  actor: string,
): Promise<'cancelled' | null> {
  const running = await m.query<unknown[]>(
    `SELECT id FROM backfill_runs WHERE id = $1 AND kind = 'apply' AND status = 'running'
        FOR UPDATE`,
    [runId],
  );
  if (running.length === 0) return null;
  await m.query(
    `UPDATE backfill_runs SET status = 'cancelled', cancel_requested_at = now(),
            finished_at = now(), updated_at = now() WHERE id = $1`,
    [runId],
  );
  await m.query(
    `UPDATE inbox_events SET status = 'discarded', discard_reason = 'apply run cancelled',
            discarded_by = $2, discarded_at = now()
      WHERE event_id LIKE $1 AND status = 'pending'`,
    [`${jobPrefix(runId)}%`, actor],
  );
  return 'cancelled';
}
