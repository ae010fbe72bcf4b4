import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * - `object_mappings.first_link_policy`: how a first link settles fields both sides hold
 *   differently (no shadow yet, so no side can be said to have changed). Stripe's values by
 *   default; blanks are filled from either side whatever the policy.
 * - `field_mappings.allow_money_write`: a CRM value may reach a Stripe field that moves money
 *   (`balance`) only when the admin says so.
 * - `sync_conflicts.first_link`: the row reports a first-link difference, not a later edit.
 * - `backfill_runs.differences`: objects whose first link found differing values.
 * - `field_errors`: a field the bridge left alone for one pair because the other side cannot
 *   hold its value (longer than Stripe allows, a transform that cannot convert it): one open row
 *   per link and field mapping, resolved once the field syncs again.
 */
export class AddFirstLinkPolicyAndFieldErrors1764806400000 implements MigrationInterface {
  name = 'AddFirstLinkPolicyAndFieldErrors1764806400000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE object_mappings
        ADD COLUMN first_link_policy text NOT NULL DEFAULT 'stripe_wins'
          CHECK (first_link_policy IN ('stripe_wins', 'crm_wins', 'newest_wins'))`);
    await q.query(
      `ALTER TABLE field_mappings ADD COLUMN allow_money_write boolean NOT NULL DEFAULT false`,
    );
    await q.query(
      `ALTER TABLE sync_conflicts ADD COLUMN first_link boolean NOT NULL DEFAULT false`,
    );
    await q.query(`ALTER TABLE backfill_runs ADD COLUMN differences integer NOT NULL DEFAULT 0`);
    await q.query(`
      CREATE TABLE field_errors (
        id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        link_id          uuid NOT NULL REFERENCES links (id) ON DELETE CASCADE,
        field_mapping_id text NOT NULL,
        direction        text NOT NULL CHECK (direction IN ('to_crm', 'to_stripe')),
        code             text NOT NULL,
        limit_text       text,
        message          text NOT NULL,
        status           text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'resolved')),
        occurrences      integer NOT NULL DEFAULT 1,
        first_seen_at    timestamptz NOT NULL DEFAULT now(),
        last_seen_at     timestamptz NOT NULL DEFAULT now(),
        resolved_at      timestamptz
      )`);
    await q.query(
      `CREATE UNIQUE INDEX field_errors_open ON field_errors (link_id, field_mapping_id)
         WHERE status = 'open'`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE field_errors`);
    await q.query(`ALTER TABLE backfill_runs DROP COLUMN differences`);
    await q.query(`ALTER TABLE sync_conflicts DROP COLUMN first_link`);
    await q.query(`ALTER TABLE field_mappings DROP COLUMN allow_money_write`);
    await q.query(`ALTER TABLE object_mappings DROP COLUMN first_link_policy`);
  }
}
