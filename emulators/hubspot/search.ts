import { validation } from './errors.js';
import { stringify, type CrmObjects, type CrmRecord, type PublicObject } from './objects.js';
import type { PropertyDefinition, PropertyRegistry } from './schema.js';

export interface SearchFilter {
  propertyName: string;
  operator: string;
  value?: unknown;
  values?: unknown[];
  highValue?: unknown;
}
export interface SearchRequest {
  filterGroups?: { filters?: SearchFilter[] }[];
  sorts?: (string | { propertyName?: string; direction?: string })[];
  query?: string;
  properties?: string[];
  limit?: number;
  after?: string | number;
}
export interface SearchResponse {
  total: number;
  results: PublicObject[];
  paging?: { next: { after: string; link?: string } };
}

export const SEARCH_MAX_LIMIT = 200;
export const SEARCH_MAX_TOTAL = 10_000;
const MAX_GROUPS = 5;
const MAX_FILTERS_PER_GROUP = 6;
const MAX_FILTERS = 18;

type Comparable = number | string;

/** Dates as ms (HubSpot takes ms epoch strings or ISO), numbers as numbers, text lowercased. */
function comparable(def: PropertyDefinition | undefined, raw: unknown): Comparable | null {
  const s = stringify(raw);
  if (s === null) return null;
  const type = def?.type ?? 'string';
  if (type === 'date' || type === 'datetime') {
    if (/^-?\d+$/.test(s)) return Number(s);
    const ms = Date.parse(s);
    return Number.isNaN(ms) ? s.toLowerCase() : ms;
  }
  if (type === 'number') {
    const n = Number(s);
    return Number.isNaN(n) ? s.toLowerCase() : n;
  }
  return s.toLowerCase();
}

const cmp = (a: Comparable, b: Comparable): number =>
  typeof a === 'number' && typeof b === 'number'
    ? a - b
    : String(a) < String(b)
      ? -1
      : String(a) > String(b)
        ? 1
        : 0;

const tokens = (s: string) =>
  s
    .toLowerCase()
    .split(/[^\p{L}\p{N}@.*]+/u)
    .filter(Boolean);

function tokenMatch(value: string, wanted: string): boolean {
  const w = wanted.toLowerCase();
  if (w.includes('*')) {
    const re = new RegExp(`^${w.split('*').map(escapeRe).join('.*')}$`);
    return tokens(value).some((t) => re.test(t)) || re.test(value.toLowerCase());
  }
  return tokens(value).includes(w) || value.toLowerCase() === w;
}
const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function matches(rec: CrmRecord, f: SearchFilter, defs: PropertyRegistry, type: string): boolean {
  const def = defs.get(type, f.propertyName);
  const raw = f.propertyName === 'hs_object_id' ? rec.id : rec.data[f.propertyName];
  const v = comparable(def, raw);
  const target = comparable(def, f.value);
  switch (f.operator) {
    case 'HAS_PROPERTY':
      return v !== null;
    case 'NOT_HAS_PROPERTY':
      return v === null;
    case 'EQ':
      return v !== null && target !== null && cmp(v, target) === 0;
    case 'NEQ':
      return v === null || target === null || cmp(v, target) !== 0;
    case 'GT':
      return v !== null && target !== null && cmp(v, target) > 0;
    case 'GTE':
      return v !== null && target !== null && cmp(v, target) >= 0;
    case 'LT':
      return v !== null && target !== null && cmp(v, target) < 0;
    case 'LTE':
      return v !== null && target !== null && cmp(v, target) <= 0;
    case 'BETWEEN': {
      const high = comparable(def, f.highValue);
      return (
        v !== null && target !== null && high !== null && cmp(v, target) >= 0 && cmp(v, high) <= 0
      );
    }
    case 'IN':
    case 'NOT_IN': {
      const inList =
        v !== null &&
        (f.values ?? []).some((x) => {
          const t = comparable(def, x);
          return t !== null && cmp(v, t) === 0;
        });
      return f.operator === 'IN' ? inList : !inList;
    }
    case 'CONTAINS_TOKEN':
      return typeof raw === 'string' && tokenMatch(raw, stringify(f.value) ?? '');
    case 'NOT_CONTAINS_TOKEN':
      return typeof raw !== 'string' || !tokenMatch(raw, stringify(f.value) ?? '');
    default:
      throw validation(`Unsupported filter operator: ${f.operator}`);
  }
}

function parseSorts(sorts: SearchRequest['sorts']): { name: string; desc: boolean }[] {
  return (sorts ?? []).map((s) => {
    if (typeof s === 'string') {
      const trimmed = s.trim();
      if (trimmed.startsWith('{'))
        return parseSorts([JSON.parse(trimmed) as { propertyName?: string }])[0]!;
      return trimmed.startsWith('-')
        ? { name: trimmed.slice(1), desc: true }
        : { name: trimmed, desc: false };
    }
    if (!s.propertyName) throw validation('Each sort needs a propertyName');
    return { name: s.propertyName, desc: s.direction === 'DESCENDING' };
  });
}

/** POST /crm/v3/objects/{type}/search, as HubSpot documents its limits. */
export function runSearch(
  type: string,
  body: SearchRequest,
  objects: CrmObjects,
  defs: PropertyRegistry,
): SearchResponse {
  const limit = body.limit ?? 10;
  const after = Number(body.after ?? 0);
  if (!Number.isInteger(limit) || limit < 0 || limit > SEARCH_MAX_LIMIT) {
    throw validation(`limit must be between 0 and ${SEARCH_MAX_LIMIT} (got ${limit})`, [
      { message: `must be less than or equal to ${SEARCH_MAX_LIMIT}`, in: 'limit' },
    ]);
  }
  if (!Number.isInteger(after) || after < 0)
    throw validation(`Invalid after: ${String(body.after)}`);
  if (after + limit > SEARCH_MAX_TOTAL) {
    throw validation(
      `Search results are limited to ${SEARCH_MAX_TOTAL} records; after=${after} with limit=${limit} pages past them.`,
    );
  }
  const groups = body.filterGroups ?? [];
  const filterCount = groups.reduce((n, g) => n + (g.filters?.length ?? 0), 0);
  if (
    groups.length > MAX_GROUPS ||
    filterCount > MAX_FILTERS ||
    groups.some((g) => (g.filters?.length ?? 0) > MAX_FILTERS_PER_GROUP)
  ) {
    throw validation(
      `Too many filters: at most ${MAX_GROUPS} filterGroups, ${MAX_FILTERS_PER_GROUP} filters each and ${MAX_FILTERS} in total`,
    );
  }
  let hits = objects.live(type);
  if (groups.length > 0) {
    hits = hits.filter((r) =>
      groups.some((g) => (g.filters ?? []).every((f) => matches(r, f, defs, type))),
    );
  }
  const q = body.query?.trim().toLowerCase();
  if (q) {
    hits = hits.filter((r) =>
      Object.values(r.data).some((v) =>
        v
          .toLowerCase()
          .split(/\s+/)
          .some((t) => t.startsWith(q)),
      ),
    );
  }
  const sorts = parseSorts(body.sorts);
  const ordered = [...hits].sort((a, b) => {
    for (const s of sorts) {
      const def = defs.get(type, s.name);
      const av = comparable(def, s.name === 'hs_object_id' ? a.id : a.data[s.name]);
      const bv = comparable(def, s.name === 'hs_object_id' ? b.id : b.data[s.name]);
      if (av === null && bv === null) continue;
      if (av === null) return 1; // empty values last
      if (bv === null) return -1;
      const c = cmp(av, bv);
      if (c !== 0) return s.desc ? -c : c;
    }
    return Number(a.id) - Number(b.id);
  });
  const page = ordered.slice(after, after + limit);
  const next = after + page.length;
  return {
    total: ordered.length,
    results: page.map((r) => objects.toPublic(type, r, body.properties)),
    ...(next < ordered.length && page.length > 0
      ? { paging: { next: { after: String(next) } } }
      : {}),
  };
}
