import { type MigrationInterface, type QueryRunner } from 'typeorm';

/** The sync engine's tables: mappings, links with their shadows, conflicts, cursors, backfills. */
export class CreateSyncEngine1764288000000 implements MigrationInterface {
  name = 'CreateSyncEngine1764288000000';

  async up(q: QueryRunner): Promise<void> {
    // The inbox now also holds changes polled from a CRM (source = connector name), so one
    // queue gives both directions the same claiming, ordering, retries and dead letters.
    await q.query(`
      ALTER TABLE inbox_events
        ADD COLUMN source       text NOT NULL DEFAULT 'stripe',
        ADD COLUMN locked_until timestamptz,
        ADD COLUMN outcome      text`);
    await q.query(
      `CREATE INDEX inbox_events_active ON inbox_events (object_type, object_id)
         WHERE status IN ('pending', 'processing')`,
    );

    await q.query(`
      CREATE TABLE object_mappings (
        id                  text PRIMARY KEY DEFAULT gen_random_uuid()::text,
        connector           text NOT NULL,
        stripe_object       text NOT NULL,
        crm_object          text NOT NULL,
        direction           text NOT NULL CHECK (direction IN ('to_crm', 'to_stripe', 'both')),
        match_keys          jsonb NOT NULL,
        stripe_id_property  text NOT NULL,
        crm_id_metadata_key text,
        stripe_delete_action text NOT NULL DEFAULT 'mark'
                            CHECK (stripe_delete_action IN ('mark', 'unlink')),
        crm_delete_action   text NOT NULL DEFAULT 'ignore'
                            CHECK (crm_delete_action IN ('ignore', 'unlink')),
        enabled             boolean NOT NULL DEFAULT true,
        created_at          timestamptz NOT NULL DEFAULT now(),
        updated_at          timestamptz NOT NULL DEFAULT now(),
        UNIQUE (connector, stripe_object)
      )`);
    await q.query(`
      CREATE TABLE field_mappings (
        id                text PRIMARY KEY DEFAULT gen_random_uuid()::text,
        object_mapping_id text NOT NULL REFERENCES object_mappings (id) ON DELETE CASCADE,
        stripe_path       text NOT NULL,
        crm_property      text NOT NULL,
        direction         text NOT NULL CHECK (direction IN ('to_crm', 'to_stripe', 'both')),
        transforms        jsonb NOT NULL DEFAULT '[]',
        conflict_policy   text NOT NULL DEFAULT 'newest_wins'
                          CHECK (conflict_policy IN ('stripe_wins', 'crm_wins', 'newest_wins', 'manual')),
        blank_overwrites  boolean NOT NULL DEFAULT false,
        enabled           boolean NOT NULL DEFAULT true,
        position          integer NOT NULL DEFAULT 0,
        created_at        timestamptz NOT NULL DEFAULT now(),
        updated_at        timestamptz NOT NULL DEFAULT now(),
        UNIQUE (object_mapping_id, crm_property)
      )`);

    await q.query(`
      CREATE TABLE links (
        id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        connector       text NOT NULL,
        stripe_object   text NOT NULL,
        stripe_id       text NOT NULL,
        crm_object      text NOT NULL,
        crm_id          text NOT NULL,
        status          text NOT NULL DEFAULT 'active'
                        CHECK (status IN ('active', 'stripe_deleted', 'crm_archived')),
        matched_by      text NOT NULL,
        shadow          jsonb NOT NULL DEFAULT '{}',
        stripe_state_at timestamptz,
        crm_state_at    timestamptz,
        writeback_pending boolean NOT NULL DEFAULT false,
        created_at      timestamptz NOT NULL DEFAULT now(),
        updated_at      timestamptz NOT NULL DEFAULT now(),
        UNIQUE (connector, stripe_object, stripe_id),
        UNIQUE (connector, crm_object, crm_id)
      )`);
    await q.query(
      `CREATE INDEX links_writeback ON links (connector, stripe_object) WHERE writeback_pending`,
    );

    await q.query(`
      CREATE TABLE sync_conflicts (
        id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        link_id          uuid NOT NULL REFERENCES links (id) ON DELETE CASCADE,
        field_mapping_id text NOT NULL,
        stripe_path      text NOT NULL,
        crm_property     text NOT NULL,
        stripe_value     jsonb,
        crm_value        jsonb,
        shadow_value     jsonb,
        policy           text NOT NULL,
        winner           text NOT NULL CHECK (winner IN ('stripe', 'crm', 'none')),
        status           text NOT NULL CHECK (status IN ('open', 'resolved')),
        stripe_changed_at timestamptz,
        crm_changed_at   timestamptz,
        created_at       timestamptz NOT NULL DEFAULT now(),
        resolved_at      timestamptz
      )`);
    // A manual conflict stays one open row per field while it waits for an admin.
    await q.query(
      `CREATE UNIQUE INDEX sync_conflicts_open ON sync_conflicts (link_id, field_mapping_id)
         WHERE status = 'open'`,
    );

    await q.query(`
      CREATE TABLE duplicate_candidates (
        id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        connector     text NOT NULL,
        stripe_object text NOT NULL,
        stripe_id     text NOT NULL,
        crm_object    text NOT NULL,
        matched_by    text NOT NULL,
        candidate_ids text[] NOT NULL,
        status        text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'resolved')),
        created_at    timestamptz NOT NULL DEFAULT now(),
        updated_at    timestamptz NOT NULL DEFAULT now(),
        UNIQUE (connector, stripe_object, stripe_id)
      )`);

    await q.query(`
      CREATE TABLE poll_cursors (
        connector  text NOT NULL,
        crm_object text NOT NULL,
        cursor_at  timestamptz NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (connector, crm_object)
      )`);

    await q.query(`
      CREATE TABLE backfill_runs (
        id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        connector     text NOT NULL,
        stripe_object text NOT NULL,
        status        text NOT NULL CHECK (status IN ('running', 'done', 'failed')),
        stripe_after  text,
        total         integer,
        done          integer NOT NULL DEFAULT 0,
        created       integer NOT NULL DEFAULT 0,
        linked        integer NOT NULL DEFAULT 0,
        skipped       integer NOT NULL DEFAULT 0,
        ambiguous     integer NOT NULL DEFAULT 0,
        failed        integer NOT NULL DEFAULT 0,
        last_error    text,
        started_at    timestamptz NOT NULL DEFAULT now(),
        updated_at    timestamptz NOT NULL DEFAULT now(),
        finished_at   timestamptz
      )`);
    await q.query(
      `CREATE UNIQUE INDEX backfill_runs_one_running ON backfill_runs (connector, stripe_object)
         WHERE status = 'running'`,
    );

    await seedHubSpotCustomerMapping(q);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of [
      'backfill_runs',
      'poll_cursors',
      'duplicate_candidates',
      'sync_conflicts',
      'links',
      'field_mappings',
      'object_mappings',
    ]) {
      await q.query(`DROP TABLE ${table}`);
    }
    await q.query(`DROP INDEX inbox_events_active`);
    await q.query(
      `ALTER TABLE inbox_events DROP COLUMN source, DROP COLUMN locked_until, DROP COLUMN outcome`,
    );
  }
}

type Row = [
  key: string,
  stripePath: string,
  crmProperty: string,
  direction: string,
  transforms: object[],
];

/**
 * Stripe customer ↔ HubSpot contact. Literal values on purpose: a migration must keep meaning
 * what it meant when it landed, whatever the code's defaults become later.
 */
async function seedHubSpotCustomerMapping(q: QueryRunner): Promise<void> {
  const id = 'hubspot-customer';
  await q.query(
    `INSERT INTO object_mappings
       (id, connector, stripe_object, crm_object, direction, match_keys, stripe_id_property,
        crm_id_metadata_key)
     VALUES ($1, 'hubspot', 'customer', 'contacts', 'both', $2, 'stripe_customer_id',
             'hubspot_contact_id')`,
    [
      id,
      JSON.stringify([
        { stripe: 'id', crm: ['stripe_customer_id'] },
        { stripe: 'email', crm: ['email', 'hs_additional_emails'] },
      ]),
    ],
  );
  const rows: Row[] = [
    ['stripe-id', 'id', 'stripe_customer_id', 'to_crm', []],
    ['email', 'email', 'email', 'both', [{ kind: 'trim' }, { kind: 'lowercase' }]],
    [
      'first-name',
      'name',
      'firstname',
      'both',
      [{ kind: 'trim' }, { kind: 'name_part', part: 'first' }],
    ],
    [
      'last-name',
      'name',
      'lastname',
      'both',
      [{ kind: 'trim' }, { kind: 'name_part', part: 'last' }],
    ],
    ['phone', 'phone', 'phone', 'both', [{ kind: 'trim' }]],
    ['address-line1', 'address.line1', 'address', 'both', [{ kind: 'trim' }]],
    ['address-line2', 'address.line2', 'stripe_address_line2', 'both', [{ kind: 'trim' }]],
    ['city', 'address.city', 'city', 'both', [{ kind: 'trim' }]],
    ['postal-code', 'address.postal_code', 'zip', 'both', [{ kind: 'trim' }]],
    ['state', 'address.state', 'state', 'both', [{ kind: 'trim' }]],
    ['country', 'address.country', 'country', 'both', [{ kind: 'trim' }]],
    ['description', 'description', 'stripe_description', 'both', []],
    ['delinquent', 'delinquent', 'stripe_delinquent', 'to_crm', [{ kind: 'boolean_string' }]],
    ['currency', 'currency', 'stripe_currency', 'to_crm', []],
    ['balance', 'balance', 'stripe_balance', 'to_crm', [{ kind: 'cents_to_decimal' }]],
    ['created', 'created', 'stripe_created', 'to_crm', [{ kind: 'unix_to_iso' }]],
  ];
  let position = 0;
  for (const [key, stripePath, crmProperty, direction, transforms] of rows) {
    position += 1;
    await q.query(
      `INSERT INTO field_mappings
         (id, object_mapping_id, stripe_path, crm_property, direction, transforms, position)
       VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [
        `${id}-${key}`,
        id,
        stripePath,
        crmProperty,
        direction,
        JSON.stringify(transforms),
        position,
      ],
    );
  }
}
