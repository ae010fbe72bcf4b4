import { Injectable, Logger } from '@nestjs/common';
import { type LinkScope, LinkStore, type PairRecord } from '../../links/link-store.js';
import { MetricsService } from '../../ops/metrics.service.js';

/**
 * Says what committed syncs settled that an operator must be able to see: every conflict (a
 * log line and `bridge_conflicts_total`) and every field left alone because the other side
 * cannot hold its value (`bridge_field_errors_total`). Lines carry ids, field mapping ids,
 * policies and codes; never the values.
 */
@Injectable()
export class SyncReporter {
  private readonly logger = new Logger('Sync');

  constructor(
    private readonly metrics: MetricsService,
    links: LinkStore,
  ) {
    metrics.addSampledGauge(
      'bridge_conflicts_open',
      'Conflicts parked for an admin (manual fields changed on both sides).',
      () => links.openConflictCount(),
    );
  }

  committed(scope: LinkScope, records: PairRecord[]): void {
    const object = scope.stripeObject;
    for (const r of records) {
      if (r.kind !== 'link') continue;
      for (const c of r.conflicts) {
        const policy = c.firstLink ? `first_link_${c.policy}` : c.policy;
        const outcome = c.winner === 'none' ? 'parked' : `${c.winner}_won`;
        this.metrics.conflicts.inc({ connector: scope.connector, object, policy, outcome });
        const line = {
          connector: scope.connector,
          stripeId: r.stripeId,
          crmId: r.crmId,
          field: c.ruleKey,
          policy,
          outcome,
        };
        if (c.winner === 'none') {
          this.logger.warn(line, `conflict parked for an admin: ${c.ruleKey} of ${r.stripeId}`);
        } else if (c.firstLink) {
          // A backfill may find thousands; its summary and sync_conflicts list them.
          this.logger.debug(line, `first-link difference on ${c.ruleKey}: ${outcome}`);
        } else this.logger.log(line, `conflict on ${c.ruleKey} of ${r.stripeId}: ${outcome}`);
      }
      for (const e of r.fieldErrors ?? []) {
        const labels = { connector: scope.connector, object, direction: e.direction, code: e.code };
        this.metrics.fieldErrors.inc(labels);
        this.logger.warn(
          { ...labels, stripeId: r.stripeId, crmId: r.crmId, field: e.ruleKey, limit: e.limit },
          `field ${e.ruleKey} of ${r.stripeId} not synced ${e.direction}: ${e.code}`,
        );
      }
    }
  }
}
