import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Txn } from './data.js';
import { SfHttpError, SfRecordError } from './util.js';

/** What a handler sees: already authenticated, path params parsed, body as JSON. */
export interface SfRequest {
  method: string;
  /** e.g. `v62.0`. */
  version: string;
  params: Record<string, string>;
  query: Record<string, string>;
  body: unknown;
  headers: Record<string, string | undefined>;
  userId: string;
  /** Set inside an allOrNone composite: writes join it instead of committing. */
  txn: Txn | null;
}

export interface SfResponse {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export type SfHandler = (req: SfRequest) => SfResponse;

interface SfRoute {
  method: string;
  segments: string[];
  handler: SfHandler;
}

export const DATA_PREFIX = '/services/data/:version';

const toResponse = (err: unknown): SfResponse => {
  if (err instanceof SfHttpError) return { status: err.status, body: err.errors };
  if (err instanceof SfRecordError) return { status: err.status, body: err.errors };
  throw err;
};

/**
 * The REST routes under `/services/data/vXX.X`, kept in a table so that `/composite` can
 * dispatch subrequests in-process (one API call, one transaction) through the same handlers.
 */
export class SfRouter {
  private readonly routes: SfRoute[] = [];

  constructor(
    private readonly app: FastifyInstance,
    private readonly userOf: (req: FastifyRequest) => string,
  ) {}

  add(method: string, path: string, handler: SfHandler): void {
    this.routes.push({ method, segments: path.split('/').filter(Boolean), handler });
    const fastifyHandler = async (req: FastifyRequest, reply: FastifyReply) => {
      const params = { ...(req.params as Record<string, string>) };
      const version = params.version ?? '';
      delete params.version;
      const res = this.run(handler, {
        method: req.method,
        version,
        params,
        query: req.query as Record<string, string>,
        body: req.body,
        headers: req.headers as Record<string, string | undefined>,
        userId: this.userOf(req),
        txn: null,
      });
      void reply.code(res.status).headers(res.headers ?? {});
      return res.body === undefined ? reply.send() : reply.send(res.body);
    };
    for (const url of path ? [DATA_PREFIX + path, `${DATA_PREFIX}${path}/`] : [DATA_PREFIX]) {
      this.app.route({ method, url, handler: fastifyHandler });
    }
  }

  run(handler: SfHandler, req: SfRequest): SfResponse {
    try {
      return handler(req);
    } catch (err) {
      return toResponse(err);
    }
  }

  /** In-process dispatch for composite subrequests; `path` is relative to the version root. */
  dispatch(method: string, path: string, base: Omit<SfRequest, 'method' | 'params'>): SfResponse {
    const segs = path.split('/').filter(Boolean).map(decodeURIComponent);
    const candidates = this.routes
      .filter((r) => r.method === method.toUpperCase() && r.segments.length === segs.length)
      .map((r) => {
        const params: Record<string, string> = {};
        let statics = 0;
        const ok = r.segments.every((s, i) => {
          const v = segs[i] ?? '';
          if (s.startsWith(':')) {
            params[s.slice(1)] = v;
            return true;
          }
          statics += 1;
          return s === v;
        });
        return { r, params, ok, statics };
      })
      .filter((c) => c.ok)
      .sort((a, b) => b.statics - a.statics);
    const hit = candidates[0];
    if (!hit) {
      return {
        status: 404,
        body: [{ errorCode: 'NOT_FOUND', message: 'The requested resource does not exist' }],
      };
    }
    return this.run(hit.r.handler, { ...base, method: method.toUpperCase(), params: hit.params });
  }
}
