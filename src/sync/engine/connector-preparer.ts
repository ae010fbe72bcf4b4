import { Injectable, Logger } from '@nestjs/common';
import { CrmError, type CrmConnector } from '../../crm/crm-connector.js';
import { requiredProperties, type MappingSet } from '../../mapping/mapping.service.js';

/**
 * A mapping that cannot be used until an admin acts: its stored fields are invalid (a
 * read-only Stripe field sent to Stripe, a bad transform), or the CRM lacks fields it needs.
 * Its work waits, keeping its attempts, and it is not polled.
 */
export class MappingRefused extends Error {
  readonly code = 'mapping_refused';

  constructor(
    readonly mappingId: string,
    message: string,
  ) {
    super(message);
    this.name = 'MappingRefused';
  }
}

/** A refused mapping's warning is repeated at most this often: the fix does not change. */
const NOTICE_EVERY_MS = 60 * 60 * 1000;

/**
 * Makes sure the CRM has the fields a mapping writes (the Stripe id, flags, billing state)
 * before the first write: a CRM that lets the bridge create them (HubSpot) gets them created; one
 * where an admin must (Salesforce) gets a refusal naming each field and type. The workers check
 * every mapping at start, so the operator reads the list in the boot log, and again before a
 * mapping's first write. Done once per mapping per process; a failure is retried later rather
 * than failing the boot, so a CRM outage at start does not stop ingest.
 */
@Injectable()
export class ConnectorPreparer {
  private readonly ready = new Map<string, Promise<void>>();
  /** The last refusal per mapping key, so callers that can wait (the poller) ask less often. */
  private readonly refusals = new Map<string, { at: number; error: MappingRefused }>();
  private readonly noticed = new Map<string, number>();
  private readonly logger = new Logger(ConnectorPreparer.name);

  /**
   * Resolves once the mapping can be used; rejects with MappingRefused when it cannot, or with
   * the CRM's error when the CRM could not be asked. `recheckAfterMs`: a refusal seen less than
   * this long ago is returned again without asking the CRM.
   */
  prepare(set: MappingSet, connector: CrmConnector, recheckAfterMs = 0): Promise<void> {
    if (set.problems.length > 0) {
      const message = `Fix these field mappings: ${set.problems.join('; ')}`;
      return Promise.reject(new MappingRefused(set.object.id, message));
    }
    const key = `${set.object.id}:${set.object.stripeIdProperty}:${set.rules.map((r) => r.crmProperty).join(',')}`;
    const last = this.refusals.get(key);
    if (last && Date.now() - last.at < recheckAfterMs) return Promise.reject(last.error);
    let p = this.ready.get(key);
    if (!p) {
      p = this.ensure(set, connector).then(
        () => {
          this.refusals.delete(key);
        },
        (err: unknown) => {
          this.ready.delete(key);
          if (err instanceof CrmError && err.code === 'missing_fields') {
            const refused = new MappingRefused(set.object.id, err.message);
            this.refusals.set(key, { at: Date.now(), error: refused });
            throw refused;
          }
          throw err;
        },
      );
      this.ready.set(key, p);
    }
    return p;
  }

  /** One warn line per refused mapping per hour, saying what to fix and what waits meanwhile. */
  noticeRefusal(set: MappingSet, err: MappingRefused, meanwhile: string): void {
    const last = this.noticed.get(set.object.id);
    if (last !== undefined && Date.now() - last < NOTICE_EVERY_MS) return;
    this.noticed.set(set.object.id, Date.now());
    this.logger.warn(
      { mapping: set.object.id, connector: set.object.connector, code: err.code },
      `${set.object.id} (${set.object.connector} ${set.object.crmObject}) is refused: ${err.message}. Meanwhile ${meanwhile}.`,
    );
  }

  /**
   * The same check as `prepare`, now and uncached, for a mapping that is not stored yet (the
   * admin API validates a change with it): creates what the CRM lets the bridge create, throws
   * CrmError `missing_fields` naming what an admin must create.
   */
  checkNow(set: MappingSet, connector: CrmConnector): Promise<void> {
    return this.ensure(set, connector);
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
