import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { type CrmConnector } from '../../crm/crm-connector.js';
import { CrmConnectors } from '../../crm/crm-registry.js';
import { LinkStore } from '../../links/link-store.js';
import { InboxService } from '../../sync/inbox/inbox.service.js';
import { JobQueue } from '../../sync/worker/job-queue.js';
import { type ApiBudgetView, type ConnectorStatusView, type StatusView } from './status.dto.js';

interface CursorRow {
  connector: string;
  crm_object: string;
  cursor_at: Date;
  updated_at: Date;
}

const seconds = (from: Date, now: number) =>
  Math.max(0, Math.round((now - new Date(from).getTime()) / 1000));

/**
 * What an operator checks first. The dead-letter, pending and open-conflict counts are the
 * queries the metrics gauges sample (JobQueue, InboxService, LinkStore); the rest is read here.
 */
@Injectable()
export class StatusService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly connectors: CrmConnectors,
    private readonly queue: JobQueue,
    private readonly inbox: InboxService,
    private readonly links: LinkStore,
  ) {}

  async status(): Promise<StatusView> {
    const now = Date.now();
    const [pending, dead, openConflicts, inboxRows, rateRows, cursors, perConnector] =
      await Promise.all([
        this.inbox.pendingCount(),
        this.queue.deadCount(),
        this.links.openConflictCount(),
        this.dataSource.query<{ processing: string; oldest: Date | null }[]>(
          `SELECT count(*) FILTER (WHERE status = 'processing') AS processing,
                  min(received_at) FILTER (WHERE status = 'pending') AS oldest
             FROM inbox_events WHERE status IN ('pending', 'processing')`,
        ),
        this.dataSource.query<{ settled: string; failed: string }[]>(
          `SELECT count(*) AS settled, count(*) FILTER (WHERE status = 'dead') AS failed
             FROM inbox_events
            WHERE status IN ('done', 'dead') AND processed_at > now() - interval '5 minutes'`,
        ),
        this.dataSource.query<CursorRow[]>(
          `SELECT connector, crm_object, cursor_at, updated_at FROM poll_cursors
            ORDER BY connector, crm_object`,
        ),
        this.dataSource.query<{ connector: string; pending: string; conflicts: string }[]>(
          `SELECT c.connector,
                  (SELECT count(*) FROM inbox_events e
                    WHERE e.source = c.connector AND e.status = 'pending') AS pending,
                  (SELECT count(*) FROM sync_conflicts s JOIN links l ON l.id = s.link_id
                    WHERE l.connector = c.connector AND s.status = 'open') AS conflicts
             FROM unnest($1::text[]) AS c (connector)`,
          [this.connectors.all().map((c) => c.name)],
        ),
      ]);
    const settled = Number(rateRows[0]?.settled ?? 0);
    const failed = Number(rateRows[0]?.failed ?? 0);
    const oldest = inboxRows[0]?.oldest ?? null;
    return {
      at: new Date(now).toISOString(),
      inbox: {
        pending,
        processing: Number(inboxRows[0]?.processing ?? 0),
        oldest_pending_age_s: oldest === null ? null : seconds(oldest, now),
        dead_letters: dead,
      },
      open_conflicts: openConflicts,
      error_rate_5m: {
        settled,
        failed,
        rate: settled > 0 ? Math.round((failed / settled) * 1000) / 1000 : null,
      },
      connectors: this.connectors.all().map((c): ConnectorStatusView => {
        const polls = cursors
          .filter((r) => r.connector === c.name)
          .map((r) => ({
            crm_object: r.crm_object,
            cursor_at: new Date(r.cursor_at).toISOString(),
            lag_s: seconds(r.cursor_at, now),
            last_polled_at: new Date(r.updated_at).toISOString(),
          }));
        const counts = perConnector.find((r) => r.connector === c.name);
        return {
          name: c.name,
          polls,
          last_successful_poll_at:
            polls
              .map((p) => p.last_polled_at)
              .sort()
              .at(-1) ?? null,
          inbox_pending: Number(counts?.pending ?? 0),
          open_conflicts: Number(counts?.conflicts ?? 0),
          api_budget: budgetOf(c),
        };
      }),
    };
  }
}

/** What the connector knows of its API allocation (see ApiBudgetView). */
function budgetOf(c: CrmConnector): ApiBudgetView {
  const usage = c.apiUsage();
  const slowdown = c.pollSlowdown();
  return {
    used: usage?.used ?? null,
    limit: usage?.limit ?? null,
    left: usage ? Math.max(0, usage.limit - usage.used) : null,
    poll_slowdown: Number.isFinite(slowdown) ? slowdown : null,
  };
}
