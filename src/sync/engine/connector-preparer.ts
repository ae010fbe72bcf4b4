import { Injectable, Logger } from '@nestjs/common';
import { CrmError, type CrmConnector } from '../../crm/crm-connector.js';
import { requiredProperties, type MappingSet } from '../../mapping/mapping.service.js';

/**
 * Makes sure the CRM has the fields a mapping writes (the Stripe id, flags, billing state)
 * before the first write: a CRM that lets the bridge create them (HubSpot) gets them created; one
 * where an admin must (Salesforce) gets a `missing_fields` refusal naming each field and type.
 * The workers check every mapping at start, so the operator reads the list in the boot log, and
 * again before a mapping's first write. Done once per mapping per process; a failure is retried by the
 * next batch rather than failing the boot, so a CRM outage at start does not stop ingest.
 */
@Injectable()
export class ConnectorPreparer {
  private readonly ready = new Map<string, Promise<void>>();
  private readonly logger = new Logger(ConnectorPreparer.name);

  prepare(set: MappingSet, connector: CrmConnector): Promise<void> {
    const key = `${set.object.id}:${set.object.stripeIdProperty}:${set.rules.map((r) => r.crmProperty).join(',')}`;
    let p = this.ready.get(key);
    if (!p) {
      p = this.ensure(set, connector);
      this.ready.set(key, p);
      p.catch(() => this.ready.delete(key));
    }
    return p;
  }

  private async ensure(set: MappingSet, connector: CrmConnector): Promise<void> {
    const { crmObject, stripeIdProperty } = set.object;
    const fields = await connector.describe(crmObject);
    const missing = requiredProperties(set, new Set(fields.map((f) => f.name)));
    if (missing.length > 0) {
      await connector.ensureProperties(crmObject, missing);
      this.logger.log(
        `${connector.name}: created ${missing.length} ${crmObject} properties: ${missing.map((m) => m.name).join(', ')}`,
      );
      return;
    }
    // Upserts key on this field: a plain text field would let one Stripe id match two records.
    const idField = fields.find((f) => f.name === stripeIdProperty);
    if (idField && !idField.unique) {
      throw new CrmError(
        'missing_fields',
        `${crmObject}.${stripeIdProperty} exists but is not unique: make it an External ID (Unique) field, the key the bridge upserts on`,
        false,
      );
    }
  }
}
