import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * What the admin API's operations routes keep:
 * - `inbox_events`: a dead letter an admin discards stays (status `discarded`) with why, who
 *   and when, instead of being deleted.
 * - `backfill_runs`: `kind` (a backfill, or a mapping's re-projection), a cancel request the
 *   running process honours between batches, and `cancelled` as an end state.
 */
export class AddAdminOperations1764979200000 implements MigrationInterface {
  name = 'AddAdminOperations1764979200000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE inbox_events DROP CONSTRAINT IF EXISTS inbox_events_status_check`);
    await q.query(`
      ALTER TABLE inbox_events
        ADD CONSTRAINT inbox_events_status_check
          CHECK (status IN ('pending', 'processing', 'done', 'dead', 'discarded')),
        ADD COLUMN discard_reason text,
        ADD COLUMN discarded_by text,
        ADD COLUMN discarded_at timestamptz`);
    await q.query(`ALTER TABLE backfill_runs DROP CONSTRAINT IF EXISTS backfill_runs_status_check`);
    await q.query(`
      ALTER TABLE backfill_runs
        ADD CONSTRAINT backfill_runs_status_check
          CHECK (status IN ('running', 'done', 'failed', 'cancelled')),
        ADD COLUMN kind text NOT NULL DEFAULT 'backfill' CHECK (kind IN ('backfill', 'apply')),
        ADD COLUMN cancel_requested_at timestamptz`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DELETE FROM inbox_events WHERE status = 'discarded'`);
    await q.query(`UPDATE backfill_runs SET status = 'failed' WHERE status = 'cancelled'`);
    await q.query(`
      ALTER TABLE backfill_runs DROP COLUMN cancel_requested_at, DROP COLUMN kind,
        DROP CONSTRAINT backfill_runs_status_check,
        ADD CONSTRAINT backfill_runs_status_check CHECK (status IN ('running', 'done', 'failed'))`);
    await q.query(`
      ALTER TABLE inbox_events DROP COLUMN discarded_at, DROP COLUMN discarded_by,
        DROP COLUMN discard_reason, DROP CONSTRAINT inbox_events_status_check,
        ADD CONSTRAINT inbox_events_status_check
          CHECK (status IN ('pending', 'processing', 'done', 'dead'))`);
  }
}
