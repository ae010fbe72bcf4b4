import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { type EntityManager } from 'typeorm';
import { AppError } from '../../common/app-error.js';
import { CrmError, type CrmRecord } from '../../crm/crm-connector.js';
import { CrmConnectors } from '../../crm/crm-registry.js';
import { MappingService, type MappingSet } from '../../mapping/mapping.service.js';
import { mappedProperties } from '../../sync/engine/matcher.js';

export interface PairRef {
  connector: string;
  stripeObject: string;
  stripeId: string;
  crmId: string;
}

/**
 * Queues a sync of one linked pair the way the poller queues a CRM change (source = the
 * connector, the record's current properties as the snapshot), so the workers sync it with the
 * same claiming, ordering and retries. The id is unique per request: the poller's ids (record
 * + modified time) would collide with a change already processed and queue nothing.
 */
@Injectable()
export class PairSyncJob {
  constructor(
    private readonly mappings: MappingService,
    private readonly connectors: CrmConnectors,
  ) {}

  /** The enabled mapping of a connector and Stripe object, or a 422 saying what to do. */
  async mappingOf(connector: string, stripeObject: string): Promise<MappingSet> {
    const [set] = await this.mappings.enabled({ connector, stripeObject });
    if (!set) {
      throw new AppError(
        'unprocessable',
        'no_enabled_mapping',
        `No enabled mapping for ${connector} ${stripeObject}: create or enable one (GET /mappings) before linking or syncing its records.`,
        [{ field: 'stripe_object', problem: 'no enabled mapping for this connector' }],
      );
    }
    if (!this.connectors.get(connector)) {
      throw new AppError(
        'unprocessable',
        'connector_not_configured',
        `${connector} is not configured: set its credentials (see README, Configuration).`,
        [{ field: 'connector', problem: 'no credentials configured' }],
      );
    }
    return set;
  }

  /** The CRM record as the mapping reads it; null when the CRM has no live record by that id. */
  async readCrm(set: MappingSet, crmId: string): Promise<CrmRecord | null> {
    const connector = this.connectors.get(set.object.connector);
    if (!connector) throw new Error(`connector ${set.object.connector} is not configured`);
    try {
      const found = await connector.read(set.object.crmObject, [crmId], mappedProperties(set));
      return found.get(crmId) ?? null;
    } catch (err) {
      if (err instanceof CrmError && !err.retryable) {
        throw new AppError(
          'unprocessable',
          'crm_refused',
          `${set.object.connector} refused to read ${set.object.crmObject} ${crmId} (${err.code}): check the id.`,
          [{ field: 'crm_id', problem: `refused by ${set.object.connector}` }],
        );
      }
      if (err instanceof CrmError) {
        throw new AppError(
          'unavailable',
          'crm_unavailable',
          `${set.object.connector} could not be asked for ${set.object.crmObject} ${crmId} (${err.code}); nothing was changed: try again.`,
        );
      }
      throw err;
    }
  }

  /**
   * Inserts the job; `record` null (the CRM has no such record any more) queues it as a
   * deletion, so the mapping's CRM-delete policy applies when the worker reads it gone.
   */
  async enqueue(m: EntityManager, set: MappingSet, pair: PairRef, record: CrmRecord | null) {
    const crmObject = set.object.crmObject;
    const modifiedAt = record?.modifiedAt ?? new Date();
    await m.query(
      `INSERT INTO inbox_events (event_id, source, type, object_type, object_id,
         event_created_at, livemode, payload, received_at)
       VALUES ($1, $2, $3, $4, $5, $6, false, $7, clock_timestamp())`,
      [
        `admin:${pair.connector}:${crmObject}:${pair.crmId}:${randomUUID()}`,
        pair.connector,
        `crm.${crmObject}.${record ? 'updated' : 'deleted'}`,
        pair.stripeObject,
        pair.stripeId,
        modifiedAt.toISOString(),
        JSON.stringify({
          crmId: pair.crmId,
          crmObject,
          ...(record ? { properties: record.properties } : { deleted: true }),
          modifiedAt: modifiedAt.toISOString(),
        }),
      ],
    );
  }
}
