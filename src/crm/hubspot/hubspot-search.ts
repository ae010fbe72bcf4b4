import type {
  Filter,
  PublicObjectSearchRequest,
} from '@hubspot/api-client/lib/codegen/crm/objects/index.js';
import { chunk } from '../batching.js';
import { CrmError, type CrmPage, type CrmRecord } from '../crm-connector.js';
import type { HubSpotCaller, HubSpotLogger } from './hubspot-caller.js';
import { modifiedAtOf, toRecord, type HubSpotObject, type TypeMap } from './hubspot-values.js';
import type { ObjectsApi } from './hubspot-writes.js';

/** HubSpot's search limits: 200 results a page, 100 values in an IN filter, 10 000 in all. */
export const SEARCH_PAGE = 200;
const IN_VALUES_MAX = 100;
const SEARCH_MAX_TOTAL = 10_000;
const MODIFIED = 'hs_lastmodifieddate';

export interface SearchContext {
  api: ObjectsApi;
  caller: HubSpotCaller;
  types: TypeMap;
  logger?: HubSpotLogger;
}

type Operator = `${Filter['operator']}`;
interface SearchAnswer {
  results: HubSpotObject[];
  paging?: { next?: { after: string } };
}

// The SDK types operators as a TS enum whose values are exactly these wire strings.
const IN = 'IN' as Filter['operator'];
const filter = (propertyName: string, operator: Operator, value: string): Filter => ({
  propertyName,
  operator: operator as Filter['operator'],
  value,
});

/**
 * The listChanges cursor. `t` is the window's lower bound (ms); `gt` makes it exclusive. With
 * `id` set, the page walks the records modified exactly at `t` by id ("tie mode").
 */
interface ChangeCursor {
  t: number;
  gt?: boolean;
  id?: string;
}

/**
 * Live records modified at or after `since`, oldest first. Every page is a fresh search
 * (offset 0) whose lower bound is the last page's newest modifiedAt (GTE: boundary records
 * repeat, which the port allows). Keyset paging never pages past HubSpot's 10 000-result
 * window and, unlike offsets, skips nothing when records are edited between pages (an edited
 * record moves behind the cursor and comes again). When a whole page shares one timestamp the
 * bound cannot advance, so the records at that instant are walked by hs_object_id (HubSpot
 * allows only one sort), then the window continues strictly after it.
 */
export async function listChanges(
  ctx: SearchContext,
  objectType: string,
  since: Date,
  properties: string[],
  after?: string | null,
): Promise<CrmPage> {
  const cursor = after ? decodeCursor(after) : { t: since.getTime() };
  const tie = cursor.id !== undefined;
  const filters = tie
    ? [filter(MODIFIED, 'EQ', String(cursor.t)), filter('hs_object_id', 'GT', cursor.id ?? '0')]
    : [filter(MODIFIED, cursor.gt ? 'GT' : 'GTE', String(cursor.t))];
  const answer = await search(ctx, objectType, {
    filterGroups: [{ filters }],
    sorts: sortBy(tie ? 'hs_object_id' : MODIFIED),
    properties: [...new Set([...properties, MODIFIED])],
    limit: SEARCH_PAGE,
  });
  const records = answer.results.map((r) => toRecord(r, properties, ctx.types));
  const last = answer.results[answer.results.length - 1];
  const more = answer.paging?.next !== undefined && last !== undefined;
  let next: ChangeCursor | null;
  if (tie) next = more ? { t: cursor.t, id: last.id } : { t: cursor.t, gt: true };
  else if (!more) next = null;
  else {
    const lastMs = modifiedAtOf(last).getTime();
    next = lastMs > cursor.t ? { t: lastMs } : { t: cursor.t, id: '0' };
  }
  return { records, after: next ? encodeCursor(next) : null };
}

/**
 * Live records whose `property` is one of `values` (case-insensitive), keyed by the values as
 * given: findByProperties with a single lookup.
 */
export async function findByProperty(
  ctx: SearchContext,
  objectType: string,
  property: string,
  values: string[],
  properties: string[],
): Promise<Map<string, CrmRecord[]>> {
  const found = await findByProperties(ctx, objectType, [{ property, values }], properties);
  return found.get(property) ?? new Map(values.map((v) => [v, []]));
}

/** HubSpot allows five filter groups (OR-ed) in one search. */
const GROUPS_MAX = 5;

/**
 * Several property lookups in as few searches as HubSpot allows: one filter group per property
 * (OR-ed), 100 values per group. Results are attributed to every property and value they match.
 */
export async function findByProperties(
  ctx: SearchContext,
  objectType: string,
  lookups: { property: string; values: string[] }[],
  properties: string[],
): Promise<Map<string, Map<string, CrmRecord[]>>> {
  const out = new Map(
    lookups.map((l) => [l.property, new Map(l.values.map((v) => [v, [] as CrmRecord[]]))]),
  );
  const given = new Map(
    lookups.map((l) => {
      const byLower = new Map<string, string[]>();
      for (const v of l.values)
        byLower.set(v.toLowerCase(), [...(byLower.get(v.toLowerCase()) ?? []), v]);
      return [l.property, byLower];
    }),
  );
  // Each search carries up to five (property, 100 values) groups.
  const groups = lookups.flatMap((l) =>
    chunk([...(given.get(l.property)?.keys() ?? [])], IN_VALUES_MAX).map((part) => ({
      property: l.property,
      part,
    })),
  );
  const wanted = [...new Set([...properties, ...lookups.map((l) => l.property)])];
  for (const batch of chunk(groups, GROUPS_MAX)) {
    let after: string | undefined;
    let seen = 0;
    do {
      const answer = await search(ctx, objectType, {
        filterGroups: batch.map((g) => ({
          filters: [{ propertyName: g.property, operator: IN, values: g.part }],
        })),
        properties: wanted,
        limit: SEARCH_PAGE,
        ...(after ? { after } : {}),
      });
      for (const obj of answer.results) {
        const record = toRecord(obj, properties, ctx.types);
        for (const g of batch) {
          const value = obj.properties[g.property]?.toLowerCase() ?? '';
          if (!g.part.includes(value)) continue;
          for (const v of given.get(g.property)?.get(value) ?? []) {
            const list = out.get(g.property)?.get(v);
            if (list && !list.some((r) => r.id === record.id)) list.push(record);
          }
        }
      }
      seen += answer.results.length;
      after = answer.paging?.next?.after;
      if (after && seen + SEARCH_PAGE > SEARCH_MAX_TOTAL) {
        ctx.logger?.warn({ objectType, seen }, 'findByProperties stopped at 10,000 hits');
        after = undefined;
      }
    } while (after);
  }
  return out;
}

/** The SDK types `sorts` as strings; HubSpot's documented wire form is these objects. */
const sortBy = (propertyName: string): string[] =>
  [{ propertyName, direction: 'ASCENDING' }] as unknown as string[];

function search(
  ctx: SearchContext,
  objectType: string,
  request: PublicObjectSearchRequest,
): Promise<SearchAnswer> {
  return ctx.caller.call('search', `search ${objectType}`, () =>
    ctx.api.searchApi.doSearchWithHttpInfo(objectType, request),
  );
}

function encodeCursor(c: ChangeCursor): string {
  return Buffer.from(JSON.stringify(c)).toString('base64url');
}

function decodeCursor(token: string): ChangeCursor {
  const bad = () => new CrmError('invalid_cursor', `Not a listChanges cursor: ${token}`, false);
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    throw bad();
  }
  if (parsed === null || typeof parsed !== 'object') throw bad();
  const { t, gt, id } = parsed as Record<string, unknown>;
  if (typeof t !== 'number' || (id !== undefined && typeof id !== 'string')) throw bad();
  return { t, ...(gt === true ? { gt: true } : {}), ...(typeof id === 'string' ? { id } : {}) };
}
