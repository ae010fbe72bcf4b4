import type { SalesforceData, SfRow } from './data.js';
import type { SfRequest, SfRouter } from './router.js';
import { runSoql } from './soql-eval.js';
import { formatSfDate, httpError, makeId, parseSfDate } from './util.js';

interface Cursor {
  records: SfRow[];
  batch: number;
  totalSize: number;
}

export interface QueryOptions {
  /** Default page size (Salesforce: 2000). */
  defaultBatchSize: number;
  /** getUpdated/getDeleted round start/end down to this (Salesforce: one minute). */
  replicationGranularityMs: number;
  /** When the org's recycle bin starts (earliestDateAvailable). */
  startedAt: () => number;
}

const MAX_CURSORS = 200;

/** `/query`, `/queryAll`, query locators, and the replication calls `updated` / `deleted`. */
export class QueryRoutes {
  private readonly cursors = new Map<string, Cursor>();
  private seq = 0;

  constructor(
    private readonly data: SalesforceData,
    private readonly opts: QueryOptions,
  ) {}

  reset(): void {
    this.cursors.clear();
  }

  register(router: SfRouter): void {
    router.add('GET', '/query', (req) => this.query(req, false));
    router.add('GET', '/queryAll', (req) => this.query(req, true));
    router.add('GET', '/query/:locator', (req) => this.more(req));
    router.add('GET', '/queryAll/:locator', (req) => this.more(req));
    router.add('GET', '/sobjects/:type/updated', (req) => this.replication(req, 'updated'));
    router.add('GET', '/sobjects/:type/deleted', (req) => this.replication(req, 'deleted'));
  }

  private batchSize(req: SfRequest): number {
    const m = /batchSize\s*=\s*(\d+)/i.exec(req.headers['sforce-query-options'] ?? '');
    if (!m) return this.opts.defaultBatchSize;
    return Math.min(2000, Math.max(200, Number(m[1])));
  }

  private query(req: SfRequest, all: boolean) {
    const soql = req.query.q;
    if (!soql) throw httpError(400, 'MALFORMED_QUERY', 'A query string has to be specified');
    const result = runSoql(this.data, soql, all, req.version, req.userId);
    const cursor = { ...result, batch: this.batchSize(req) };
    if (cursor.records.length <= cursor.batch) {
      return {
        status: 200,
        body: { totalSize: result.totalSize, done: true, records: result.records },
      };
    }
    this.seq += 1;
    const id = makeId('01g', this.seq);
    this.cursors.set(id, cursor);
    if (this.cursors.size > MAX_CURSORS) {
      const oldest = this.cursors.keys().next().value;
      if (oldest) this.cursors.delete(oldest);
    }
    return { status: 200, body: this.page(req, id, cursor, 0) };
  }

  private page(req: SfRequest, id: string, cursor: Cursor, offset: number) {
    const end = offset + cursor.batch;
    const done = end >= cursor.records.length;
    if (done) this.cursors.delete(id);
    return {
      totalSize: cursor.totalSize,
      done,
      ...(done ? {} : { nextRecordsUrl: `/services/data/${req.version}/query/${id}-${end}` }),
      records: cursor.records.slice(offset, end),
    };
  }

  private more(req: SfRequest) {
    const m = /^(\w{15,18})-(\d+)$/.exec(req.params.locator ?? '');
    const cursor = m ? this.cursors.get(m[1] ?? '') : undefined;
    if (!m || !cursor) throw httpError(400, 'INVALID_QUERY_LOCATOR', 'invalid query locator');
    return { status: 200, body: this.page(req, m[1] ?? '', cursor, Number(m[2])) };
  }

  private replication(req: SfRequest, kind: 'updated' | 'deleted') {
    const obj = this.data.object(req.params.type ?? '');
    const { start: rawStart, end: rawEnd } = req.query;
    if (!rawStart || !rawEnd) {
      throw httpError(400, 'MISSING_ARGUMENT', 'start and end are required');
    }
    const start = parseSfDate(rawStart);
    const end = parseSfDate(rawEnd);
    if (start === null || end === null) {
      throw httpError(400, 'INVALID_REPLICATION_DATE', 'start and end must be valid dateTimes');
    }
    if (end < start) {
      throw httpError(400, 'INVALID_REPLICATION_DATE', 'EndDate can not be before StartDate');
    }
    // The store's clock is strictly after every write so far (it can run ahead of Date.now()).
    const now = this.data.store.now();
    if (start < now - 30 * 24 * 3600_000) {
      throw httpError(400, 'INVALID_REPLICATION_DATE', 'startDate cannot be more than 30 days ago');
    }
    const g = this.opts.replicationGranularityMs;
    const trunc = (ms: number) => Math.floor(ms / g) * g;
    const from = trunc(start);
    const latest = Math.min(trunc(end), trunc(now));
    const inWindow = (stamp: unknown) => {
      const t = typeof stamp === 'string' ? parseSfDate(stamp) : null;
      return t !== null && t >= from && t < latest;
    };
    const rows = this.data
      .all(obj)
      .filter((r) => r.archived === (kind === 'deleted') && inWindow(r.data.SystemModstamp));
    const latestDateCovered = formatSfDate(latest);
    if (kind === 'updated') {
      return { status: 200, body: { ids: rows.map((r) => r.id), latestDateCovered } };
    }
    return {
      status: 200,
      body: {
        deletedRecords: rows.map((r) => ({ id: r.id, deletedDate: r.data.SystemModstamp })),
        earliestDateAvailable: formatSfDate(trunc(this.opts.startedAt())),
        latestDateCovered,
      },
    };
  }
}
