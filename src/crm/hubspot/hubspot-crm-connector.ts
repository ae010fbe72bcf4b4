import type { Client } from '@hubspot/api-client';
import { chunk } from '../batching.js';
import {
  CrmConnector,
  type CrmCreateInput,
  type CrmFieldDescription,
  type CrmPage,
  type CrmPropertyDefinition,
  type CrmRecord,
  type CrmUpdateInput,
  type CrmUpsertInput,
  type CrmValue,
  type CrmWriteResult,
  type PropertyLookup,
} from '../crm-connector.js';
import { invalidValue } from '../crm-values.js';
import { HubSpotCaller, type HubSpotLogger } from './hubspot-caller.js';
import { createHubSpotClient } from './hubspot-client.js';
import { asCrmError } from './hubspot-errors.js';
import { HubSpotRateLimiter } from './hubspot-rate-limiter.js';
import * as searches from './hubspot-search.js';
import {
  describeProperty,
  encodeProperties,
  portType,
  propertyCreate,
  toRecord,
  type HubSpotObject,
  type TypeMap,
} from './hubspot-values.js';
import { WriteCoalescer } from './hubspot-write-coalescer.js';
import {
  sendCreate,
  sendUpdate,
  sendUpsert,
  type ObjectsApi,
  type WriteContext,
} from './hubspot-writes.js';

export interface HubSpotConnectorOptions {
  accessToken: string;
  /** https://api.hubapi.com, or an emulator. */
  apiBase: URL;
  /** Calls per rolling window the app may make (HubSpot private apps: 100 or 190 per 10 s). */
  tenSecondBudget: number;
  /** That window's length. Default 10 000 ms (HubSpot's); emulators may use shorter ones. */
  rateWindowMs?: number;
  /** Pause after HubSpot's daily limit is hit. Default 15 minutes. */
  dailyRetryMs?: number;
  /** Search requests per second. Default 4 (HubSpot allows 5). */
  searchPerSecond?: number;
  /** Window in which concurrent writes are merged into shared batch calls. Default 20 ms. */
  coalesceMs?: number;
  /** Attempts for a call failing with 5xx or no answer. Default 3. */
  maxAttempts?: number;
  /** First backoff after such a failure, doubling each time. Default 200 ms. */
  retryDelayMs?: number;
  /**
   * Longest wait for one answer (default 30 s): the SDK has no timeout of its own, and a hung
   * connection would otherwise hold a worker. A timed-out call counts as a network failure.
   */
  requestTimeoutMs?: number;
  /** Property group for created properties per object type (HubSpot's default groups). */
  propertyGroups?: Record<string, string>;
  logger?: HubSpotLogger;
}

/** HubSpot's own "… information" group per standard object; custom objects name theirs so. */
const DEFAULT_GROUPS: Record<string, string> = {
  contacts: 'contactinformation',
  companies: 'companyinformation',
  deals: 'dealinformation',
  products: 'productinformation',
  line_items: 'lineiteminformation',
  tickets: 'ticketinformation',
};

const BATCH_MAX = 100;
const PAGE_MAX = 100;
/** Burst-limit refusals tolerated per call before it fails as retryable. */
const RATE_LIMIT_RETRIES = 10;

/**
 * HubSpot through @hubspot/api-client v14 and its generic `crm.objects` APIs, so any object
 * type works. All calls share one client-side rate limiter; writes are coalesced, chunked and
 * isolated per input (see WriteCoalescer); values are encoded for their property's type (see
 * encodeValue) and read back typed (numbers, booleans, normalised dates), as the in-memory
 * connector stores them.
 */
export class HubSpotCrmConnector extends CrmConnector {
  readonly name = 'hubspot';
  readonly maxBatchSize = BATCH_MAX;

  private readonly client: Client;
  private readonly objects: ObjectsApi;
  private readonly caller: HubSpotCaller;
  private readonly groups: Record<string, string>;
  private readonly logger: HubSpotLogger | undefined;
  /** Property types per object type, loaded once (ensureProperties/describe refresh them). */
  private readonly typeCache = new Map<string, Promise<TypeMap>>();
  private readonly creates: WriteCoalescer<CrmCreateInput, WriteContext>;
  private readonly updates: WriteCoalescer<CrmUpdateInput, WriteContext>;
  private readonly upserts: WriteCoalescer<CrmUpsertInput, WriteContext>;

  constructor(options: HubSpotConnectorOptions) {
    super();
    this.client = createHubSpotClient(options);
    this.objects = this.client.crm.objects;
    this.logger = options.logger;
    this.groups = { ...DEFAULT_GROUPS, ...options.propertyGroups };
    const limiter = new HubSpotRateLimiter({
      tenSecondBudget: options.tenSecondBudget,
      windowMs: options.rateWindowMs,
      searchPerSecond: options.searchPerSecond,
      dailyRetryMs: options.dailyRetryMs,
    });
    this.caller = new HubSpotCaller(limiter, {
      maxAttempts: options.maxAttempts ?? 3,
      retryDelayMs: options.retryDelayMs ?? 200,
      timeoutMs: options.requestTimeoutMs ?? 30_000,
      maxRateLimitRetries: RATE_LIMIT_RETRIES,
      sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
      logger: options.logger,
    });
    const coalesce = { coalesceMs: options.coalesceMs ?? 20, maxBatch: BATCH_MAX };
    this.creates = new WriteCoalescer({
      ...coalesce,
      keyOf: () => null,
      send: (ctx, inputs) => sendCreate(this.objects, this.caller, ctx, inputs),
    });
    this.updates = new WriteCoalescer({
      ...coalesce,
      keyOf: (i) => i.id,
      send: (ctx, inputs) => sendUpdate(this.objects, this.caller, ctx, inputs),
    });
    this.upserts = new WriteCoalescer({
      ...coalesce,
      keyOf: (i) => i.key.toLowerCase(),
      send: (ctx, inputs) => sendUpsert(this.objects, this.caller, ctx, inputs),
    });
  }

  async describe(objectType: string): Promise<CrmFieldDescription[]> {
    const all = await this.properties(objectType);
    this.typeCache.set(objectType, Promise.resolve(new Map(all.map((p) => [p.name, portType(p)]))));
    return all.map(describeProperty);
  }

  async ensureProperties(objectType: string, definitions: CrmPropertyDefinition[]): Promise<void> {
    const existing = new Set((await this.properties(objectType)).map((p) => p.name));
    const groupName = this.groups[objectType] ?? `${objectType}_information`;
    for (const def of definitions) {
      if (existing.has(def.name)) continue;
      try {
        await this.caller.call('call', `create property ${objectType}.${def.name}`, () =>
          this.client.crm.properties.coreApi.createWithHttpInfo(
            objectType,
            propertyCreate(def, groupName),
          ),
        );
      } catch (err) {
        // Created meanwhile by another instance: that is the state we want.
        if (asCrmError(err).code !== 'OBJECT_ALREADY_EXISTS') throw err;
      }
      existing.add(def.name);
    }
    this.typeCache.delete(objectType);
  }

  async read(
    objectType: string,
    ids: string[],
    properties: string[],
  ): Promise<Map<string, CrmRecord>> {
    const found = await this.batchRead(objectType, ids, properties, false);
    const types = await this.types(objectType);
    return new Map(found.map((o) => [o.id, toRecord(o, properties, types)]));
  }

  async findByProperty(
    objectType: string,
    property: string,
    values: string[],
    properties: string[],
  ): Promise<Map<string, CrmRecord[]>> {
    const ctx = await this.searchContext(objectType);
    return searches.findByProperty(ctx, objectType, property, values, properties);
  }

  override async findByProperties(
    objectType: string,
    lookups: PropertyLookup[],
    properties: string[],
  ): Promise<Map<string, Map<string, CrmRecord[]>>> {
    const ctx = await this.searchContext(objectType);
    return searches.findByProperties(ctx, objectType, lookups, properties);
  }

  create(objectType: string, inputs: CrmCreateInput[]): Promise<CrmWriteResult[]> {
    return this.write(this.creates, `${objectType}|create`, { objectType }, inputs);
  }

  update(objectType: string, inputs: CrmUpdateInput[]): Promise<CrmWriteResult[]> {
    return this.write(this.updates, `${objectType}|update`, { objectType }, inputs);
  }

  upsert(
    objectType: string,
    idProperty: string,
    inputs: CrmUpsertInput[],
  ): Promise<CrmWriteResult[]> {
    const key = `${objectType}|upsert|${idProperty}`;
    return this.write(this.upserts, key, { objectType, idProperty }, inputs);
  }

  async listChanges(
    objectType: string,
    since: Date,
    properties: string[],
    after?: string | null,
  ): Promise<CrmPage> {
    const ctx = await this.searchContext(objectType);
    return searches.listChanges(ctx, objectType, since, properties, after);
  }

  async scan(objectType: string, properties: string[], after?: string | null): Promise<CrmPage> {
    const types = await this.types(objectType);
    const page = await this.caller.call('call', `list ${objectType}`, () =>
      this.objects.basicApi.getPageWithHttpInfo(
        objectType,
        PAGE_MAX,
        after ?? undefined,
        properties,
        undefined,
        undefined,
        false,
      ),
    );
    return {
      records: page.results.map((o) => toRecord(o, properties, types)),
      after: page.paging?.next?.after ?? null,
    };
  }

  async archived(objectType: string, ids: string[]): Promise<string[]> {
    const found = await this.batchRead(objectType, ids, [], true);
    return found.map((o) => o.id);
  }

  /**
   * Loads the property types first (failing every input if that fails), encodes each input's
   * values for them (an input a property refuses fails alone, unsent), then coalesces.
   */
  private async write<I extends { ref: string; properties: Record<string, CrmValue> }>(
    coalescer: WriteCoalescer<I, WriteContext>,
    key: string,
    context: Omit<WriteContext, 'types'>,
    inputs: I[],
  ): Promise<CrmWriteResult[]> {
    if (inputs.length === 0) return [];
    let types: TypeMap;
    try {
      types = await this.types(context.objectType);
    } catch (err) {
      const error = asCrmError(err);
      return inputs.map((i) => ({ ref: i.ref, ok: false, error }));
    }
    const results: CrmWriteResult[] = [];
    const sendable: { at: number; input: I }[] = [];
    inputs.forEach((input, at) => {
      const encoded = encodeProperties(input.properties, types);
      if (encoded.ok) {
        sendable.push({ at, input: { ...input, properties: encoded.properties } });
        return;
      }
      const { property, type, expected } = encoded;
      const error = invalidValue('HubSpot', context.objectType, property, type, expected);
      results[at] = { ref: input.ref, ok: false, error };
    });
    const sent = await coalescer.submit(
      key,
      { ...context, types },
      sendable.map((s) => s.input),
    );
    sent.forEach((r, n) => (results[sendable[n]!.at] = r));
    return results;
  }

  /** Batch read, ≤100 ids a call; ids HubSpot does not find (207) are simply absent. */
  private async batchRead(
    objectType: string,
    ids: string[],
    properties: string[],
    archived: boolean,
  ): Promise<HubSpotObject[]> {
    const parts = chunk([...new Set(ids)], BATCH_MAX);
    const answers = await Promise.all(
      parts.map((part) =>
        this.caller.call('call', `read ${objectType}`, () =>
          this.objects.batchApi.readWithHttpInfo(
            objectType,
            { inputs: part.map((id) => ({ id })), properties, propertiesWithHistory: [] },
            archived,
          ),
        ),
      ),
    );
    return answers.flatMap((a) => a.results);
  }

  private async properties(objectType: string) {
    const all = await this.caller.call('call', `properties of ${objectType}`, () =>
      this.client.crm.properties.coreApi.getAllWithHttpInfo(objectType, false),
    );
    return all.results;
  }

  private types(objectType: string): Promise<TypeMap> {
    let cached = this.typeCache.get(objectType);
    if (!cached) {
      cached = this.properties(objectType).then(
        (all): TypeMap => new Map(all.map((p) => [p.name, portType(p)])),
      );
      const loading = cached;
      this.typeCache.set(objectType, loading);
      // A failed load is not kept: the next call tries again.
      void loading.catch(() => {
        if (this.typeCache.get(objectType) === loading) this.typeCache.delete(objectType);
      });
    }
    return cached;
  }

  private async searchContext(objectType: string): Promise<searches.SearchContext> {
    const types = await this.types(objectType);
    return { api: this.objects, caller: this.caller, types, logger: this.logger };
  }
}
