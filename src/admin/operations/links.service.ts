import { Injectable, Logger } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { AppError } from '../../common/app-error.js';
import { isPermanentStripeError, StripeRecords } from '../../stripe/stripe-records.js';
import { WorkSignal } from '../../sync/inbox/work-signal.js';
import { AuditLog } from '../audit-log.js';
import { decodeCursor, pageOf, type Page } from '../pagination.js';
import { type CreateLinkBody } from './operations.dto.js';
import { PairSyncJob } from './pair-sync-job.js';

export interface LinkView {
  id: string;
  connector: string;
  stripe_object: string;
  stripe_id: string;
  crm_object: string;
  crm_id: string;
  status: string;
  matched_by: string;
  created_at: string;
  updated_at: string;
}

interface Row extends Omit<LinkView, 'created_at' | 'updated_at'> {
  created_at: Date;
  updated_at: Date;
}

// The shadow is left out on purpose: it holds the synced values (emails, names).
const COLUMNS = `id::text AS id, connector, stripe_object, stripe_id, crm_object, crm_id, status,
  matched_by, created_at, updated_at`;

const view = (r: Row): LinkView => ({
  ...r,
  created_at: new Date(r.created_at).toISOString(),
  updated_at: new Date(r.updated_at).toISOString(),
});

const notFound = (id: string) =>
  new AppError('not_found', 'not_found', `Link ${id} does not exist: list them with GET /links.`);

const alreadyLinked = (b: CreateLinkBody) =>
  new AppError(
    'conflict',
    'already_linked',
    `${b.connector} ${b.stripe_object}: ${b.stripe_id} or ${b.crm_id} is linked already: unlink it first (GET /links?stripe_id=${b.stripe_id}, then DELETE /links/:id).`,
  );

/**
 * Links over the admin API: listed, made by hand (checked against Stripe and the CRM first,
 * e.g. to settle duplicate candidates), removed (nothing is deleted on either side), and
 * synced again on demand. Every change is audited.
 */
@Injectable()
export class LinksService {
  private readonly logger = new Logger(LinksService.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly stripe: StripeRecords,
    private readonly jobs: PairSyncJob,
    private readonly signal: WorkSignal,
    private readonly audit: AuditLog,
  ) {}

  async list(
    filter: { connector?: string; stripeId?: string; crmId?: string },
    limit: number,
    cursor?: string,
  ): Promise<Page<LinkView>> {
    const after = decodeCursor(cursor, UUID_KEY);
    const rows = await this.dataSource.query<Row[]>(
      `SELECT ${COLUMNS} FROM links
        WHERE ($1::text IS NULL OR connector = $1) AND ($2::text IS NULL OR stripe_id = $2)
          AND ($3::text IS NULL OR crm_id = $3) AND ($4::uuid IS NULL OR id > $4::uuid)
        ORDER BY id LIMIT $5`,
      [filter.connector ?? null, filter.stripeId ?? null, filter.crmId ?? null, after, limit + 1],
    );
    return pageOf(rows.map(view), limit, (l) => l.id);
  }

  async create(b: CreateLinkBody, actor: string): Promise<LinkView> {
    const set = await this.jobs.mappingOf(b.connector, b.stripe_object);
    const crmObject = set.object.crmObject;
    // Checked before the two API reads (cheap), and again by the insert (a concurrent link).
    if (await this.linkedAlready(this.dataSource.manager, b, crmObject)) throw alreadyLinked(b);
    await this.checkStripe(b);
    const record = await this.jobs.readCrm(set, b.crm_id);
    if (!record) {
      throw new AppError(
        'not_found',
        'crm_record_not_found',
        `${b.connector} has no live ${crmObject} record ${b.crm_id}: check crm_id (an archived or deleted record cannot be linked).`,
        [{ field: 'crm_id', problem: `no such ${crmObject} record` }],
      );
    }
    const link = await this.dataSource.transaction(async (m) => {
      const rows = await m.query<Row[]>(
        `INSERT INTO links (connector, stripe_object, stripe_id, crm_object, crm_id, status,
           matched_by)
         VALUES ($1, $2, $3, $4, $5, 'active', 'manual')
         ON CONFLICT DO NOTHING RETURNING ${COLUMNS}`,
        [b.connector, b.stripe_object, b.stripe_id, crmObject, b.crm_id],
      );
      const row = rows[0];
      if (!row) throw alreadyLinked(b);
      // The admin settled it: the duplicate candidates of this Stripe object are resolved.
      await m.query(
        `UPDATE duplicate_candidates SET status = 'resolved', updated_at = now()
          WHERE connector = $1 AND stripe_object = $2 AND stripe_id = $3 AND status = 'open'`,
        [b.connector, b.stripe_object, b.stripe_id],
      );
      const pair = {
        connector: b.connector,
        stripeObject: b.stripe_object,
        stripeId: b.stripe_id,
        crmId: b.crm_id,
      };
      await this.jobs.enqueue(m, set, pair, record);
      const created = view(row);
      await this.audit.record(m, {
        actor,
        action: 'link.create',
        targetType: 'link',
        targetId: created.id,
        before: null,
        after: created,
      });
      return created;
    });
    this.logger.log({ linkId: link.id, connector: b.connector }, 'manual link made');
    this.signal.notify();
    return link;
  }

  async remove(id: string, actor: string): Promise<void> {
    await this.dataSource.transaction(async (m) => {
      const before = await this.lock(m, id);
      await m.query(`DELETE FROM links WHERE id = $1::uuid`, [id]);
      await this.audit.record(m, {
        actor,
        action: 'link.delete',
        targetType: 'link',
        targetId: id,
        before,
        after: null,
      });
    });
    this.logger.log({ linkId: id }, 'link removed');
  }

  async resync(id: string, actor: string): Promise<void> {
    const link = await this.get(id);
    const set = await this.jobs.mappingOf(link.connector, link.stripe_object);
    const record = await this.jobs.readCrm(set, link.crm_id);
    await this.dataSource.transaction(async (m) => {
      const pair = {
        connector: link.connector,
        stripeObject: link.stripe_object,
        stripeId: link.stripe_id,
        crmId: link.crm_id,
      };
      await this.jobs.enqueue(m, set, pair, record);
      await this.audit.record(m, {
        actor,
        action: 'link.resync',
        targetType: 'link',
        targetId: id,
        before: null,
        after: { queued: true, crm_record_found: record !== null },
      });
    });
    this.logger.log({ linkId: id }, 'link resync queued');
    this.signal.notify();
  }

  private async get(id: string): Promise<LinkView> {
    const rows = await this.dataSource.query<Row[]>(
      `SELECT ${COLUMNS} FROM links WHERE id = $1::uuid`,
      [id],
    );
    const row = rows[0];
    if (!row) throw notFound(id);
    return view(row);
  }

  private async lock(m: EntityManager, id: string): Promise<LinkView> {
    const rows = await m.query<Row[]>(
      `SELECT ${COLUMNS} FROM links WHERE id = $1::uuid FOR UPDATE`,
      [id],
    );
    const row = rows[0];
    if (!row) throw notFound(id);
    return view(row);
  }

  private async linkedAlready(m: EntityManager, b: CreateLinkBody, crmObject: string) {
    const rows = await m.query<unknown[]>(
      `SELECT 1 FROM links WHERE connector = $1
          AND ((stripe_object = $2 AND stripe_id = $3) OR (crm_object = $4 AND crm_id = $5))
        LIMIT 1`,
      [b.connector, b.stripe_object, b.stripe_id, crmObject, b.crm_id],
    );
    return rows.length > 0;
  }

  private async checkStripe(b: CreateLinkBody): Promise<void> {
    const missing = () =>
      new AppError(
        'not_found',
        'stripe_object_not_found',
        `Stripe has no live ${b.stripe_object} ${b.stripe_id}: check stripe_id (a deleted object cannot be linked).`,
        [{ field: 'stripe_id', problem: `no such ${b.stripe_object}` }],
      );
    try {
      const object = await this.stripe.retrieve(b.stripe_object, b.stripe_id);
      if (object.deleted === true) throw missing();
    } catch (err) {
      if (err instanceof AppError) throw err;
      if ((err as { code?: string }).code === 'resource_missing') throw missing();
      if (isPermanentStripeError(err)) {
        throw new AppError(
          'unprocessable',
          'stripe_refused',
          `Stripe refused to read ${b.stripe_object} ${b.stripe_id}: check stripe_id.`,
          [{ field: 'stripe_id', problem: 'refused by Stripe' }],
        );
      }
      throw new AppError(
        'unavailable',
        'stripe_unavailable',
        `Stripe could not be asked for ${b.stripe_object} ${b.stripe_id}; nothing was changed: try again.`,
      );
    }
  }
}

const UUID_KEY = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
