import { type RecordStore } from '../core/record-store.js';
import { invalid, notFound } from './stripe-errors.js';
import { baseObject } from './object-templates.js';
import { int, str, type Params } from './params.js';

export type Obj = Record<string, unknown>;

export const API_VERSION = '2026-10-28.endive';

/** Id prefix → object type; `expand` and event lookups go through this. */
export const PREFIXES: Record<string, string> = {
  cus_: 'customer',
  sub_: 'subscription',
  si_: 'subscription_item',
  prod_: 'product',
  price_: 'price',
  in_: 'invoice',
  il_: 'line_item',
  ii_: 'invoiceitem',
  ch_: 'charge',
  pi_: 'payment_intent',
  pm_: 'payment_method',
  re_: 'refund',
  dp_: 'dispute',
  po_: 'payout',
  evt_: 'event',
  we_: 'webhook_endpoint',
};

const PREFIX_OF: Record<string, string> = Object.fromEntries(
  Object.entries(PREFIXES).map(([p, t]) => [t, p]),
);

/** Event names that do not start with the object type. */
const EVENT_PREFIX: Record<string, string> = {
  subscription: 'customer.subscription',
  dispute: 'charge.dispute',
  line_item: 'invoice.line_item',
};

/** Where an API call came from, for `event.request`. */
export interface RequestInfo {
  id: string | null;
  idempotency_key: string | null;
}

/** Stripe's address object with nothing set. */
export const ADDRESS_NULLS: Readonly<Obj> = {
  city: null,
  country: null,
  line1: null,
  line2: null,
  postal_code: null,
  state: null,
};

export const isRecord = (v: unknown): v is Obj =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

export const clone = <T>(v: T): T => structuredClone(v);
export const unix = (ms = Date.now()): number => Math.floor(ms / 1000);

/** Only the old values of changed top-level keys (metadata: only the changed keys). */
export function previousAttributes(before: Obj, after: Obj): Obj {
  const prev: Obj = {};
  for (const key of Object.keys(before)) {
    if (JSON.stringify(before[key]) === JSON.stringify(after[key])) continue;
    if (key === 'metadata' && isRecord(before[key]) && isRecord(after[key])) {
      const b = before[key];
      const a = after[key];
      const changed: Obj = {};
      for (const k of new Set([...Object.keys(b), ...Object.keys(a)])) {
        if (b[k] !== a[k]) changed[k] = b[k] ?? null;
      }
      prev[key] = changed;
    } else {
      prev[key] = before[key];
    }
  }
  return prev;
}

/**
 * Stripe's objects over the shared RecordStore: one collection per object type, ids with
 * Stripe prefixes, render hooks for embedded lists, generic `expand`, list paging and events.
 */
export class StripeState {
  /** Set around each API call (handlers are synchronous) so events carry `request`. */
  request: RequestInfo = { id: null, idempotency_key: null };
  private readonly renderers = new Map<string, (o: Obj) => Obj>();
  private readonly eventListeners: ((event: Obj) => void)[] = [];
  /** Unfiltered listings: live ids newest first and their positions, until the next write. */
  private readonly listings = new Map<
    string,
    { writes: number; ids: string[]; pos: Map<string, number> }
  >();

  constructor(readonly store: RecordStore) {}

  newId(type: string): string {
    const prefix = PREFIX_OF[type] ?? `${type}_`;
    return this.store.nextId(prefix);
  }

  /** A new object: template keys, then `fields`; stored and returned rendered. */
  create(type: string, fields: Obj, id = this.newId(type)): Obj {
    const obj: Obj = {
      id,
      object: type,
      ...baseObject(type),
      livemode: false,
      created: unix(),
      metadata: {},
      ...fields,
    };
    this.store.insert(type, id, obj);
    return this.render(type, obj);
  }

  onRender(type: string, render: (o: Obj) => Obj): void {
    this.renderers.set(type, render);
  }

  render(type: string, raw: Obj): Obj {
    const r = this.renderers.get(type);
    return clone(r ? r(raw) : raw);
  }

  /** The stored (unrendered) object or a 404 in Stripe's shape. */
  raw(type: string, id: string, param = 'id'): Obj {
    const rec = this.store.get<Obj>(type, id);
    if (!rec) throw notFound(type.replace(/_/g, ' '), id, param);
    return rec.data;
  }

  get(type: string, id: string, param = 'id'): Obj {
    return this.render(type, this.raw(type, id, param));
  }

  exists(type: string, id: string): boolean {
    return this.store.get(type, id) !== undefined;
  }

  /** Applies `mutate` to a copy; emits `<type>.updated` with previous_attributes if anything changed. */
  update(type: string, id: string, mutate: (o: Obj) => void, eventType?: string | null): Obj {
    const before = this.get(type, id);
    const next = clone(this.raw(type, id));
    mutate(next);
    this.store.update(type, id, next);
    const after = this.render(type, next);
    const prev = previousAttributes(before, after);
    if (eventType !== null && Object.keys(prev).length > 0) {
      this.emit(eventType ?? `${EVENT_PREFIX[type] ?? type}.updated`, after, prev);
    }
    return after;
  }

  /** Rendered objects of a type, newest first, excluding archived (deleted) ones. */
  all(type: string, filter?: (o: Obj) => boolean): Obj[] {
    return this.store
      .all<Obj>(type)
      .filter((r) => !r.archived && (!filter || filter(r.data)))
      .reverse()
      .map((r) => this.render(type, r.data));
  }

  /**
   * `list` over the live objects of a type, rendering only the page: what keeps paging
   * through 100k customers (a backfill benchmark) linear instead of quadratic.
   */
  page(type: string, url: string, p: Params, filter?: (o: Obj) => boolean): Obj {
    if (!filter) return this.unfilteredPage(type, url, p);
    const raw = this.store
      .all<Obj>(type)
      .filter((r) => !r.archived && (!filter || filter(r.data)))
      .reverse()
      .map((r) => r.data);
    const listed = this.list(url, raw, p);
    return { ...listed, data: (listed.data as Obj[]).map((o) => this.render(type, o)) };
  }

  /** Drops cached listings (the store was reset: write counts start again). */
  forgetListings(): void {
    this.listings.clear();
  }

  /** A page without a filter: O(limit) per page from a listing cached until the next write. */
  private unfilteredPage(type: string, url: string, p: Params): Obj {
    const writes = this.store.writeCount(type);
    let listing = this.listings.get(type);
    if (listing?.writes !== writes) {
      const ids = this.store
        .all<Obj>(type)
        .filter((r) => !r.archived)
        .map((r) => r.id)
        .reverse();
      listing = { writes, ids, pos: new Map(ids.map((id, i) => [id, i])) };
      this.listings.set(type, listing);
    }
    const limit = int(p, 'limit') ?? 10;
    if (limit < 1 || limit > 100) {
      throw invalid('Invalid limit: must be between 1 and 100', 'limit');
    }
    const after = str(p, 'starting_after');
    const before = str(p, 'ending_before');
    const { ids, pos } = listing;
    let from = 0;
    let to = Math.min(ids.length, limit);
    if (after) {
      const i = pos.get(after);
      if (i === undefined) throw notFound('object', after, 'starting_after');
      from = i + 1;
      to = Math.min(ids.length, from + limit);
    } else if (before) {
      const i = pos.get(before);
      if (i === undefined) throw notFound('object', before, 'ending_before');
      to = i;
      from = Math.max(0, i - limit);
    }
    const hasMore = before ? from > 0 : to < ids.length;
    const data = ids.slice(from, to).map((id) => this.render(type, this.raw(type, id)));
    return { object: 'list', data, has_more: hasMore, url };
  }

  /** Stripe list object with limit / starting_after / ending_before. */
  list(url: string, items: Obj[], p: Params): Obj {
    const limit = int(p, 'limit') ?? 10;
    if (limit < 1 || limit > 100) {
      throw invalid('Invalid limit: must be between 1 and 100', 'limit');
    }
    const after = str(p, 'starting_after');
    const before = str(p, 'ending_before');
    let page: Obj[];
    let hasMore: boolean;
    if (after) {
      const i = items.findIndex((o) => o.id === after);
      if (i < 0) throw notFound('object', after, 'starting_after');
      const rest = items.slice(i + 1);
      page = rest.slice(0, limit);
      hasMore = rest.length > limit;
    } else if (before) {
      const i = items.findIndex((o) => o.id === before);
      if (i < 0) throw notFound('object', before, 'ending_before');
      const head = items.slice(0, i);
      page = head.slice(Math.max(0, head.length - limit));
      hasMore = head.length > limit;
    } else {
      page = items.slice(0, limit);
      hasMore = items.length > limit;
    }
    return { object: 'list', data: page, has_more: hasMore, url };
  }

  /** Looks an id up by its prefix (for expand); null if unknown. */
  lookup(id: string): Obj | null {
    const prefix = Object.keys(PREFIXES).find((p) => id.startsWith(p));
    const type = prefix ? PREFIXES[prefix] : undefined;
    if (!type) return null;
    const rec = this.store.get<Obj>(type, id);
    if (!rec) return null;
    if (rec.archived) return { id, object: type, deleted: true };
    return this.render(type, rec.data);
  }

  /** Expands dotted paths (`customer`, `latest_invoice.lines`, `data.items.data.price`). */
  expand(value: unknown, paths: unknown): unknown {
    if (!Array.isArray(paths)) return value;
    for (const path of paths) {
      if (typeof path !== 'string') continue;
      if (path.split('.').length > 4) {
        throw invalid(
          `You cannot expand more than 4 levels of a property. Property: ${path}`,
          'expand',
        );
      }
      this.expandPath(value, path.split('.'));
    }
    return value;
  }

  private expandPath(node: unknown, segs: string[]): void {
    if (Array.isArray(node)) {
      for (const n of node) this.expandPath(n, segs);
      return;
    }
    if (!isRecord(node) || segs.length === 0) return;
    const [head, ...rest] = segs as [string, ...string[]];
    // `items.price` is accepted as a shorthand for `items.data.price`.
    if (node.object === 'list' && head !== 'data') {
      this.expandPath(node.data, segs);
      return;
    }
    let v = node[head];
    if (typeof v === 'string') {
      const found = this.lookup(v);
      if (found) {
        node[head] = found;
        v = found;
      }
    }
    if (rest.length > 0) this.expandPath(v, rest);
  }

  onEvent(listener: (event: Obj) => void): void {
    this.eventListeners.push(listener);
  }

  /** Stores an `evt_` with a snapshot of `object` and hands it to the webhook dispatcher. */
  emit(type: string, object: Obj, previous?: Obj): Obj {
    const data: Obj = { object: clone(object) };
    if (previous) data.previous_attributes = clone(previous);
    const event = this.create('event', {
      api_version: API_VERSION,
      type,
      data,
      pending_webhooks: 0,
      request: { ...this.request },
    });
    for (const l of this.eventListeners) l(event);
    return event;
  }
}
