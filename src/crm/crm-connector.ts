/**
 * The CRM port. Every CRM (HubSpot, Salesforce, the in-memory test double) is one subclass;
 * the sync engine only ever sees these types. The abstract class is also the DI token.
 *
 * Values cross the port as plain scalars. Object types are the CRM's own names ("contacts",
 * "Contact"); the object mapping table says which one a Stripe type pairs with.
 */
export type CrmValue = string | number | boolean | null;

export interface CrmRecord {
  id: string;
  properties: Record<string, CrmValue>;
  /** The CRM's last-modified time for the record (HubSpot `hs_lastmodifieddate`). */
  modifiedAt: Date;
  /** Set by CRMs that say who changed a record last: true when it was this bridge's own user. */
  modifiedBySelf?: boolean;
}

export type CrmPropertyType = 'string' | 'number' | 'bool' | 'date' | 'datetime' | 'enumeration';

export interface CrmPropertyDefinition {
  name: string;
  label: string;
  type: CrmPropertyType;
  /** Unique across the object type (usable as an upsert/lookup key). */
  unique?: boolean;
  description?: string;
  /** For `enumeration`/`bool`: the allowed values. */
  options?: string[];
}

export interface CrmFieldDescription {
  name: string;
  label: string;
  type: CrmPropertyType;
  unique: boolean;
  readOnly: boolean;
  custom: boolean;
}

/** Why a write or read failed. `retryable`: worth trying again later (429, 5xx, network). */
export class CrmError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly retryable: boolean,
    /** When the CRM said (or the budget implies) a retry can succeed, if known. */
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = 'CrmError';
  }
}

/**
 * Codes that mean a spent allocation (a daily limit, the bridge's API budget) rather than a
 * failure of the work: such work waits, without spending its attempts, until the budget allows.
 */
const QUOTA_CODES = new Set(['rate_limited_daily', 'api_budget', 'request_limit_exceeded']);

export const isQuotaWait = (code: string | undefined): boolean =>
  code !== undefined && QUOTA_CODES.has(code);

export interface CrmDeletion {
  id: string;
  deletedAt: Date;
}

export interface CrmCreateInput {
  /** The caller's correlation key, echoed in the result (e.g. the Stripe id). */
  ref: string;
  properties: Record<string, CrmValue>;
}

export interface CrmUpdateInput {
  ref: string;
  id: string;
  properties: Record<string, CrmValue>;
}

export interface CrmUpsertInput {
  ref: string;
  /** Value of the unique `idProperty` that identifies the record. */
  key: string;
  properties: Record<string, CrmValue>;
}

/** One result per input, in input order. A failure is a value, not an exception. */
export type CrmWriteResult =
  | { ref: string; ok: true; record: CrmRecord; created: boolean }
  | { ref: string; ok: false; error: CrmError };

export interface PropertyLookup {
  property: string;
  values: string[];
}

export interface CrmPage {
  records: CrmRecord[];
  /** Opaque token for the next page; null when there is none. */
  after: string | null;
}

export abstract class CrmConnector {
  /** Stable connector name stored on links, cursors and mappings: "hubspot", "salesforce". */
  abstract readonly name: string;
  /** The most inputs one write call can carry (HubSpot 100, Salesforce 200). */
  abstract readonly maxBatchSize: number;

  /** The object type's fields as the CRM describes them. */
  abstract describe(objectType: string): Promise<CrmFieldDescription[]>;

  /** Creates the custom properties that are missing; existing ones are left as they are. */
  abstract ensureProperties(
    objectType: string,
    definitions: CrmPropertyDefinition[],
  ): Promise<void>;

  /** Live (not archived/deleted) records by id; ids not found are absent from the map. */
  abstract read(
    objectType: string,
    ids: string[],
    properties: string[],
  ): Promise<Map<string, CrmRecord>>;

  /**
   * Live records whose `property` equals one of `values`, compared case-insensitively. The map
   * is keyed by the value as given (every given value is a key, possibly with no records).
   */
  abstract findByProperty(
    objectType: string,
    property: string,
    values: string[],
    properties: string[],
  ): Promise<Map<string, CrmRecord[]>>;

  /**
   * Several findByProperty lookups at once, by property then value. A CRM that can ask them
   * in one request (HubSpot: one search, OR-ed filter groups) overrides this.
   */
  async findByProperties(
    objectType: string,
    lookups: PropertyLookup[],
    properties: string[],
  ): Promise<Map<string, Map<string, CrmRecord[]>>> {
    const out = new Map<string, Map<string, CrmRecord[]>>();
    for (const l of lookups) {
      out.set(l.property, await this.findByProperty(objectType, l.property, l.values, properties));
    }
    return out;
  }

  abstract create(objectType: string, inputs: CrmCreateInput[]): Promise<CrmWriteResult[]>;
  abstract update(objectType: string, inputs: CrmUpdateInput[]): Promise<CrmWriteResult[]>;
  /** Creates or updates by a unique property (`idProperty`), which is set on creation. */
  abstract upsert(
    objectType: string,
    idProperty: string,
    inputs: CrmUpsertInput[],
  ): Promise<CrmWriteResult[]>;

  /**
   * Live records modified at or after `since`, oldest first, a page at a time. Paging through
   * every page visits every such record at least once (a record may repeat across pages).
   */
  abstract listChanges(
    objectType: string,
    since: Date,
    properties: string[],
    after?: string | null,
  ): Promise<CrmPage>;

  /** Every live record, in a stable order, a page at a time (for backfill matching). */
  abstract scan(objectType: string, properties: string[], after?: string | null): Promise<CrmPage>;

  /** Ids among `ids` that are archived/deleted in the CRM (for the CRM-delete policy). */
  abstract archived(objectType: string, ids: string[]): Promise<string[]>;

  /**
   * Records deleted at or after `since`, oldest first, for the poller to notice deletions. null
   * when the CRM cannot list them cheaply (HubSpot's search skips archived records): such
   * deletions are noticed when the bridge next reads the record.
   */
  listDeleted(_objectType: string, _since: Date): Promise<CrmDeletion[] | null> {
    return Promise.resolve(null);
  }

  /**
   * How much to stretch the polling interval to save API budget: 1 = poll on every tick,
   * Infinity = skip polling until the budget recovers. Writes are never held by this.
   */
  pollSlowdown(): number {
    return 1;
  }

  /** The org's daily API usage as the CRM last reported it, when it reports one. */
  apiUsage(): { used: number; limit: number } | null {
    return null;
  }
}
