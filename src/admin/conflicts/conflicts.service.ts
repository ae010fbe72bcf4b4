import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { AppError } from '../../common/app-error.js';
import { CrmConnectors } from '../../crm/crm-registry.js';
import { MappingService } from '../../mapping/mapping.service.js';
import { WorkSignal } from '../../sync/inbox/work-signal.js';
import { mappedProperties } from '../../sync/engine/matcher.js';
import { AuditLog } from '../audit-log.js';
import { decodeCursor, pageOf, type Page } from '../pagination.js';
import { type ConflictView } from './conflicts.dto.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

type Row = Omit<ConflictView, 'created_at' | 'resolved_at'> & {
  created_at: Date;
  resolved_at: Date | null;
  link_id: string;
  crm_object: string;
  link_status: string;
  shadow: Record<string, unknown>;
};

const SELECT = `
  SELECT c.id, l.connector, l.stripe_object, l.stripe_id, l.crm_id, l.crm_object, c.link_id,
         l.status AS link_status, l.shadow, c.field_mapping_id, c.stripe_path, c.crm_property,
         c.stripe_value, c.crm_value, c.shadow_value, c.policy, c.winner, c.status, c.first_link,
         c.created_at, c.resolved_at
    FROM sync_conflicts c JOIN links l ON l.id = c.link_id`;

const view = (r: Row): ConflictView => ({
  id: r.id,
  connector: r.connector,
  stripe_object: r.stripe_object,
  stripe_id: r.stripe_id,
  crm_id: r.crm_id,
  field_mapping_id: r.field_mapping_id,
  stripe_path: r.stripe_path,
  crm_property: r.crm_property,
  stripe_value: r.stripe_value,
  crm_value: r.crm_value,
  shadow_value: r.shadow_value,
  policy: r.policy,
  winner: r.winner,
  status: r.status,
  first_link: r.first_link,
  created_at: new Date(r.created_at).toISOString(),
  resolved_at: r.resolved_at ? new Date(r.resolved_at).toISOString() : null,
});

/**
 * Conflicts over the admin API. Resolving one goes through the engine's normal write path:
 * the link's shadow entry for the field is set to the losing side's value, so the next sync of
 * the pair sees only the winner as changed and copies it across (a Stripe write carries its
 * Idempotency-Key, the shadow is updated when it lands); that sync is queued at once, once.
 */
@Injectable()
export class ConflictsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly connectors: CrmConnectors,
    private readonly mappings: MappingService,
    private readonly signal: WorkSignal,
    private readonly audit: AuditLog,
  ) {}

  async list(
    filter: { status: string; connector?: string; stripeObject?: string },
    limit: number,
    cursor?: string,
  ): Promise<Page<ConflictView>> {
    // Newest first; the cursor is the last row's created_at and id.
    const after = decodeCursor(cursor, /^\d{4}-\d\d-\d\dT[\d:.]+Z\|[0-9a-f-]{36}$/);
    const [at, id] = after ? after.split('|') : [null, null];
    const rows = await this.dataSource.query<Row[]>(
      `${SELECT}
        WHERE c.status = $1 AND ($2::text IS NULL OR l.connector = $2)
          AND ($3::text IS NULL OR l.stripe_object = $3)
          AND ($4::timestamptz IS NULL OR (c.created_at, c.id) < ($4::timestamptz, $5::uuid))
        ORDER BY c.created_at DESC, c.id DESC LIMIT $6`,
      [filter.status, filter.connector ?? null, filter.stripeObject ?? null, at, id, limit + 1],
    );
    return pageOf(rows.map(view), limit, (v) => `${v.created_at}|${v.id}`);
  }

  async get(id: string): Promise<ConflictView> {
    return view(await this.row(this.dataSource.manager, id));
  }

  async resolve(
    id: string,
    choice: { winner?: 'stripe' | 'crm'; value?: string | number | boolean | null },
    actor: string,
  ): Promise<ConflictView> {
    if ((choice.winner === undefined) === (choice.value === undefined)) {
      throw new AppError(
        'invalid',
        'validation_failed',
        'Send either "winner" ("stripe" or "crm") or "value" (written to both sides), not both and not neither.',
        [{ field: 'winner', problem: 'exactly one of winner and value' }],
      );
    }
    const before = await this.row(this.dataSource.manager, id);
    if (before.status !== 'open') {
      throw new AppError('conflict', 'already_resolved', `Conflict ${id} is resolved already.`);
    }
    if (before.link_status !== 'active') {
      throw new AppError(
        'conflict',
        'link_inactive',
        `The pair of conflict ${id} is ${before.link_status}: there is nothing to write to.`,
      );
    }
    const connector = this.connectors.get(before.connector);
    const [set] = await this.mappings.enabled({
      connector: before.connector,
      stripeObject: before.stripe_object,
    });
    if (!connector || !set) {
      throw new AppError(
        'conflict',
        'mapping_off',
        `No enabled ${before.connector} mapping for ${before.stripe_object}: enable it (PATCH /mappings/:id) before resolving.`,
      );
    }
    if (choice.value !== undefined) {
      // The value goes to the CRM first, through the connector; the queued sync then sees the
      // CRM as the side that changed and writes it to Stripe.
      const [written] = await connector.update(before.crm_object, [
        {
          ref: before.stripe_id,
          id: before.crm_id,
          properties: { [before.crm_property]: choice.value },
        },
      ]);
      if (!written?.ok) {
        throw new AppError(
          'unprocessable',
          'crm_refused',
          `${before.connector} refused the value for ${before.crm_property}: ${written?.error.message ?? 'no answer'}.`,
        );
      }
    }
    const record = (
      await connector.read(before.crm_object, [before.crm_id], mappedProperties(set))
    ).get(before.crm_id);
    if (!record) {
      throw new AppError(
        'conflict',
        'crm_record_gone',
        `${before.connector} ${before.crm_object} ${before.crm_id} no longer exists.`,
      );
    }
    // The loser's value becomes the agreed one: only the winner then differs from the shadow.
    const agreed = choice.winner === 'stripe' ? before.crm_value : before.stripe_value;
    await this.dataSource.transaction(async (m) => {
      const locked = await this.row(m, id, true);
      if (locked.status !== 'open') {
        throw new AppError('conflict', 'already_resolved', `Conflict ${id} is resolved already.`);
      }
      await m.query(
        `UPDATE links SET shadow = jsonb_set(shadow, ARRAY[$2::text], $3::jsonb, true),
                updated_at = now() WHERE id = $1`,
        [locked.link_id, locked.field_mapping_id, JSON.stringify(agreed ?? null)],
      );
      await m.query(
        `UPDATE sync_conflicts SET status = 'resolved', resolved_at = now() WHERE id = $1`,
        [id],
      );
      await this.queueSync(m, locked, record.properties, record.modifiedAt, id);
      await this.audit.record(m, {
        actor,
        action: 'conflict.resolve',
        targetType: 'conflict',
        targetId: id,
        before: view(locked),
        after: { ...choice, status: 'resolved' },
      });
    });
    this.signal.notify();
    return this.get(id);
  }

  /** A CRM-side job for the pair, carrying the record as just read; keyed by the conflict. */
  private async queueSync(
    m: EntityManager,
    r: Row,
    properties: Record<string, unknown>,
    modifiedAt: Date,
    conflictId: string,
  ): Promise<void> {
    await m.query(
      `INSERT INTO inbox_events (event_id, source, type, object_type, object_id, event_created_at,
         livemode, payload, received_at)
       VALUES ($1, $2, $3, $4, $5, $6, false, $7, clock_timestamp())
       ON CONFLICT (event_id) DO NOTHING`,
      [
        `resolve:${conflictId}`,
        r.connector,
        `crm.${r.crm_object}.updated`,
        r.stripe_object,
        r.stripe_id,
        modifiedAt.toISOString(),
        JSON.stringify({
          crmId: r.crm_id,
          crmObject: r.crm_object,
          properties,
          modifiedAt: modifiedAt.toISOString(),
        }),
      ],
    );
  }

  private async row(m: EntityManager, id: string, lock = false): Promise<Row> {
    if (!UUID.test(id)) {
      throw new AppError('invalid', 'validation_failed', 'id: a conflict id is a UUID.', [
        { field: 'id', problem: 'must be a UUID' },
      ]);
    }
    const [row] = await m.query<Row[]>(
      `${SELECT} WHERE c.id = $1${lock ? ' FOR UPDATE OF c, l' : ''}`,
      [id],
    );
    if (!row) {
      throw new AppError(
        'not_found',
        'not_found',
        `Conflict ${id} does not exist: list them with GET /conflicts.`,
      );
    }
    return row;
  }
}
