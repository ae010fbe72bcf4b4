import {
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { DataSource } from 'typeorm';
import { AppConfig } from '../../config/app-config.js';
import { type CrmConnector } from '../../crm/crm-connector.js';
import { CrmConnectors } from '../../crm/crm-registry.js';
import { tryAdvisoryLock } from '../../database/advisory-lock.js';
import { crmMatchesShadow, isOwnLatestWrite } from '../../domain/echo.js';
import { LinkStore, type LinkScope } from '../../links/link-store.js';
import { MappingService, type MappingSet } from '../../mapping/mapping.service.js';
import { errorSummary } from '../../ops/safe-error.js';
import { ConnectorPreparer, MappingRefused } from '../engine/connector-preparer.js';
import { mappedProperties } from '../engine/matcher.js';
import { WorkSignal } from '../inbox/work-signal.js';
import { JobQueue, type CrmChange } from '../worker/job-queue.js';

export interface PollReport {
  connector: string;
  crmObject: string;
  /**
   * throttled: skipped this time to save the CRM's API budget (see pollSlowdown); refused: the
   * mapping cannot be used until an admin fixes it (not polled: no API calls spent on it).
   */
  status: 'polled' | 'started' | 'locked' | 'throttled' | 'refused';
  seen: number;
  queued: number;
  cursor: Date | null;
}

const INTERVAL_NAME = 'crm-poll';
/** A refused mapping's CRM schema is looked at again this often by the poller. */
const REFUSED_RECHECK_MS = 5 * 60 * 1000;

/**
 * CRM → Stripe: polls each CRM for records modified since its durable cursor (minus an
 * overlap, since search indexes lag behind writes), drops what equals the shadow (our own
 * writes coming back), and queues the rest as jobs for the same workers. One replica polls a
 * given connector+object at a time (pg_try_advisory_lock).
 */
@Injectable()
export class CrmPoller implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(CrmPoller.name);
  private polling: Promise<PollReport[]> | null = null;
  /** When each connector+object was last polled, for budget-driven slowdowns. */
  private readonly lastPolled = new Map<string, number>();

  constructor(
    private readonly config: AppConfig,
    private readonly scheduler: SchedulerRegistry,
    private readonly dataSource: DataSource,
    private readonly mappings: MappingService,
    private readonly connectors: CrmConnectors,
    private readonly links: LinkStore,
    private readonly queue: JobQueue,
    private readonly signal: WorkSignal,
    private readonly preparer: ConnectorPreparer,
  ) {}

  onApplicationBootstrap(): void {
    if (this.connectors.all().length === 0 || this.config.sync.workers === 0) return;
    const timer = setInterval(() => {
      this.pollAll().catch((err: unknown) =>
        this.logger.error({ error: errorSummary(err) }, 'CRM poll failed'),
      );
    }, this.config.crmPollIntervalSeconds * 1000);
    this.scheduler.addInterval(INTERVAL_NAME, timer);
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.scheduler.doesExist('interval', INTERVAL_NAME)) {
      this.scheduler.deleteInterval(INTERVAL_NAME);
    }
    await this.polling?.catch(() => undefined);
  }

  /** One poll of every mapping that lets CRM changes reach Stripe. Never runs twice at once. */
  pollAll(): Promise<PollReport[]> {
    this.polling ??= this.runAll().finally(() => {
      this.polling = null;
    });
    return this.polling;
  }

  private async runAll(): Promise<PollReport[]> {
    const reports: PollReport[] = [];
    for (const set of await this.mappings.enabled()) {
      const flowsBack =
        set.object.direction !== 'to_crm' && set.rules.some((r) => r.direction !== 'to_crm');
      if (!flowsBack || !this.connectors.get(set.object.connector)) continue;
      reports.push(await this.pollMapping(set));
    }
    return reports;
  }

  private async pollMapping(set: MappingSet): Promise<PollReport> {
    const scope: LinkScope = {
      connector: set.object.connector,
      stripeObject: set.object.stripeObject,
      crmObject: set.object.crmObject,
    };
    const base = { connector: scope.connector, crmObject: scope.crmObject, seen: 0, queued: 0 };
    const key = `${scope.connector}:${scope.crmObject}`;
    const connector = this.connectors.get(scope.connector);
    if (!connector) throw new Error(`connector ${scope.connector} is not configured`);
    try {
      // Polling a mapping the CRM cannot hold fails every tick and spends API calls for nothing.
      await this.preparer.prepare(set, connector, REFUSED_RECHECK_MS);
    } catch (err) {
      if (!(err instanceof MappingRefused)) throw err;
      this.preparer.noticeRefusal(set, err, 'it is not polled, so CRM edits wait');
      return { ...base, status: 'refused', cursor: null };
    }
    // A CRM short of API budget is polled on every n-th tick only (never, once spent); writes
    // from Stripe keep their share of what is left.
    const slowdown = connector.pollSlowdown();
    const last = this.lastPolled.get(key);
    const intervalMs = this.config.crmPollIntervalSeconds * 1000;
    if (
      !Number.isFinite(slowdown) ||
      (slowdown > 1 && last !== undefined && Date.now() - last < (slowdown - 1) * intervalMs)
    ) {
      this.logger.warn(`${key}: poll skipped to save API budget (slowdown ×${slowdown})`);
      return { ...base, status: 'throttled', cursor: null };
    }
    this.lastPolled.set(key, Date.now());
    const unlock = await tryAdvisoryLock(
      this.dataSource,
      this.config.database,
      `poll:${scope.connector}:${scope.crmObject}`,
    );
    if (!unlock) return { ...base, status: 'locked', cursor: null };
    try {
      return { ...base, ...(await this.pollPages(set, scope, connector)) };
    } finally {
      await unlock();
    }
  }

  private async pollPages(
    set: MappingSet,
    scope: LinkScope,
    connector: CrmConnector,
  ): Promise<Omit<PollReport, 'connector' | 'crmObject'>> {
    const rows: { cursor_at: Date }[] = await this.dataSource.query(
      `SELECT cursor_at FROM poll_cursors WHERE connector = $1 AND crm_object = $2`,
      [scope.connector, scope.crmObject],
    );
    const stored = rows[0]?.cursor_at;
    if (!stored) {
      // First poll: watch from now on. Existing records reach Stripe through the backfill.
      const now = new Date();
      await this.saveCursor(this.dataSource.manager, scope, now);
      return { status: 'started', seen: 0, queued: 0, cursor: now };
    }
    let cursor = new Date(stored);
    const since = new Date(cursor.getTime() - this.config.sync.pollOverlapSeconds * 1000);
    const properties = mappedProperties(set);
    let after: string | null = null;
    let seen = 0;
    let queued = 0;
    do {
      const page = await connector.listChanges(scope.crmObject, since, properties, after);
      seen += page.records.length;
      const links = await this.links.byCrmIds(
        scope,
        page.records.map((r) => r.id),
      );
      const changes: CrmChange[] = [];
      for (const r of page.records) {
        const link = links.get(r.id);
        if (r.modifiedAt > cursor) cursor = r.modifiedAt;
        if (!link || link.status !== 'active') continue;
        if (crmMatchesShadow(set.rules, r.properties, link.shadow)) continue;
        if (isOwnLatestWrite(r, link.crmStateAt)) continue;
        changes.push(crmChange(scope, r.id, link.stripeId, r.properties, r.modifiedAt));
      }
      queued += await this.queueAndAdvance(scope, changes, cursor);
      after = page.after;
    } while (after);
    const deletions = await this.queueDeletions(connector, scope, since);
    seen += deletions.seen;
    queued += deletions.queued;
    if (deletions.cursor && deletions.cursor > cursor) cursor = deletions.cursor;
    if (queued > 0) this.signal.notify();
    return { status: 'polled', seen, queued, cursor };
  }

  /**
   * Records the CRM reports deleted since the cursor (Salesforce's recycle bin), queued for the
   * linked pairs so the CRM-delete policy applies; the cursor moves with them.
   */
  private async queueDeletions(
    connector: CrmConnector,
    scope: LinkScope,
    since: Date,
  ): Promise<{ seen: number; queued: number; cursor: Date | null }> {
    const deleted = await connector.listDeleted(scope.crmObject, since);
    if (!deleted || deleted.length === 0) return { seen: 0, queued: 0, cursor: null };
    const links = await this.links.byCrmIds(
      scope,
      deleted.map((d) => d.id),
    );
    const changes = deleted.flatMap((d) => {
      const link = links.get(d.id);
      return link?.status === 'active'
        ? [crmChange(scope, d.id, link.stripeId, null, d.deletedAt)]
        : [];
    });
    const cursor = new Date(Math.max(...deleted.map((d) => d.deletedAt.getTime())));
    const queued = await this.queueAndAdvance(scope, changes, cursor);
    return { seen: deleted.length, queued, cursor };
  }

  /** Queues changes and moves the cursor in one transaction: it never passes unqueued work. */
  private queueAndAdvance(scope: LinkScope, changes: CrmChange[], cursor: Date): Promise<number> {
    return this.dataSource.transaction(async (m) => {
      const n = await this.queue.enqueueCrmChanges(m, changes);
      await this.saveCursor(m, scope, cursor);
      return n;
    });
  }

  private async saveCursor(
    m: { query: DataSource['query'] },
    scope: LinkScope,
    cursor: Date,
  ): Promise<void> {
    await m.query(
      `INSERT INTO poll_cursors (connector, crm_object, cursor_at) VALUES ($1, $2, $3)
       ON CONFLICT (connector, crm_object) DO UPDATE
         SET cursor_at = GREATEST(poll_cursors.cursor_at, EXCLUDED.cursor_at), updated_at = now()`,
      [scope.connector, scope.crmObject, cursor.toISOString()],
    );
  }
}

/** A polled change (or, with no properties, a deletion) of a linked CRM record, as a job. */
const crmChange = (
  scope: LinkScope,
  crmId: string,
  stripeId: string,
  properties: CrmChange['properties'],
  modifiedAt: Date,
): CrmChange => ({
  connector: scope.connector,
  crmObject: scope.crmObject,
  crmId,
  stripeObject: scope.stripeObject,
  stripeId,
  properties,
  modifiedAt,
});
