import { Injectable, Logger } from '@nestjs/common';
import { type CrmConnector } from '../../crm/crm-connector.js';
import { requiredProperties, type MappingSet } from '../../mapping/mapping.service.js';

/**
 * Makes sure the CRM has the custom properties a mapping writes (the Stripe id, flags, billing
 * state) before the first write. Done once per mapping per process; a failure is retried by
 * the next batch rather than failing the boot, so a CRM outage at start does not stop ingest.
 */
@Injectable()
export class ConnectorPreparer {
  private readonly logger = new Logger(ConnectorPreparer.name);
  private readonly ready = new Map<string, Promise<void>>();

  prepare(set: MappingSet, connector: CrmConnector): Promise<void> {
    const key = `${set.object.id}:${set.rules.map((r) => r.crmProperty).join(',')}`;
    let p = this.ready.get(key);
    if (!p) {
      p = this.ensure(set, connector);
      this.ready.set(key, p);
      p.catch(() => this.ready.delete(key));
    }
    return p;
  }

  private async ensure(set: MappingSet, connector: CrmConnector): Promise<void> {
    const fields = await connector.describe(set.object.crmObject);
    const missing = requiredProperties(set, new Set(fields.map((f) => f.name)));
    if (missing.length === 0) return;
    await connector.ensureProperties(set.object.crmObject, missing);
    this.logger.log(
      `${connector.name}: created ${missing.length} ${set.object.crmObject} properties: ${missing.map((m) => m.name).join(', ')}`,
    );
  }
}
