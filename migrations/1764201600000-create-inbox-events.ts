import { type MigrationInterface, type QueryRunner } from 'typeorm';

export class CreateInboxEvents1764201600000 implements MigrationInterface {
  name = 'CreateInboxEvents1764201600000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE inbox_events (
        event_id         text PRIMARY KEY,
        type             text NOT NULL,
        object_type      text,
        object_id        text,
        event_created_at timestamptz NOT NULL,
        livemode         boolean NOT NULL,
        api_version      text,
        account          text,
        payload          jsonb NOT NULL,
        received_at      timestamptz NOT NULL DEFAULT now(),
        status           text NOT NULL DEFAULT 'pending'
                         CHECK (status IN ('pending', 'processing', 'done', 'dead')),
        attempts         integer NOT NULL DEFAULT 0,
        next_attempt_at  timestamptz NOT NULL DEFAULT now(),
        last_error       text,
        processed_at     timestamptz
      )`);
    // Workers claim the oldest due pending rows; this index holds only those.
    await q.query(
      `CREATE INDEX inbox_events_due ON inbox_events (next_attempt_at) WHERE status = 'pending'`,
    );
    // Ordering per object: the newest event seen for a given Stripe object.
    await q.query(
      `CREATE INDEX inbox_events_object ON inbox_events (object_type, object_id, event_created_at)`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE inbox_events`);
  }
}
