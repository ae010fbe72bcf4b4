import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * The admin API's bookkeeping:
 * - `object_mappings.version`: bumped by every change to the mapping or one of its fields;
 *   `If-Match` compares against it.
 * - `mapping_versions`: the whole mapping (object and fields) as it was at each version, so
 *   any version can be read back or rolled back to. A mapping's first stored version is taken
 *   just before its first change (seeded mappings have none until then).
 * - `admin_audit`: every change made through the admin API: when, by which token (its label),
 *   what, and the target before and after.
 */
export class AddMappingVersionsAndAudit1764892800000 implements MigrationInterface {
  name = 'AddMappingVersionsAndAudit1764892800000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE object_mappings ADD COLUMN version integer NOT NULL DEFAULT 1`);
    await q.query(`
      CREATE TABLE mapping_versions (
        mapping_id  text NOT NULL,
        version     integer NOT NULL,
        snapshot    jsonb NOT NULL,
        actor       text NOT NULL,
        created_at  timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (mapping_id, version)
      )`);
    await q.query(`
      CREATE TABLE admin_audit (
        id          bigserial PRIMARY KEY,
        at          timestamptz NOT NULL DEFAULT now(),
        actor       text NOT NULL,
        action      text NOT NULL,
        target_type text NOT NULL,
        target_id   text NOT NULL,
        before      jsonb,
        after       jsonb
      )`);
    await q.query(`CREATE INDEX admin_audit_target ON admin_audit (target_type, target_id, id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE admin_audit`);
    await q.query(`DROP TABLE mapping_versions`);
    await q.query(`ALTER TABLE object_mappings DROP COLUMN version`);
  }
}
