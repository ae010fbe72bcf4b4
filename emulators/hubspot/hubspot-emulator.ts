import type { FastifyReply, FastifyRequest } from 'fastify';
import { EmulatorHttp } from '../core/emulator-http.js';
import { RecordStore } from '../core/record-store.js';
import { AssociationStore } from './associations.js';
import {
  AUTH_MISSING_MESSAGE,
  HubSpotError,
  PORTAL_ID,
  errorBody,
  type HubSpotErrorBody,
} from './errors.js';
import { CrmObjects, storeType, type PublicObject } from './objects.js';
import { RateLimiter } from './rate-limit.js';
import { registerObjectRoutes } from './routes-objects.js';
import { registerAssociationRoutes, registerPropertyRoutes } from './routes-meta.js';
import { PropertyRegistry, canonicalType } from './schema.js';

export interface HubSpotEmulatorOptions {
  /** Calls per rolling window (HubSpot private apps: 100 or 190 per 10 s). Default 190. */
  tenSecondBudget?: number;
  /** Length of that rolling window in ms. Default 10 000 (shorten it in tests). */
  rateWindowMs?: number;
  /** Calls per day. Default 1 000 000. */
  dailyBudget?: number;
  /** Search requests per second. Default 5. */
  searchPerSecond?: number;
  /** Accepted bearer tokens; default any non-empty `pat-…` token. */
  tokens?: string[];
}

const APP_ID = 4_242_424;
const CONTROL = '/_emulator';

/**
 * HubSpot CRM v3/v4 emulator for @hubspot/api-client v14: objects (any type), batch, search,
 * properties, associations v4, bearer auth and HubSpot's rate limits, on the shared core.
 */
export class HubSpotEmulator {
  readonly http = new EmulatorHttp('hubspot');
  readonly store = new RecordStore();
  readonly schema: PropertyRegistry;
  readonly objects: CrmObjects;
  readonly associations = new AssociationStore();
  readonly limiter: RateLimiter;
  private readonly tokens: string[] | undefined;

  constructor(opts: HubSpotEmulatorOptions = {}) {
    this.tokens = opts.tokens;
    this.schema = new PropertyRegistry(() => new Date().toISOString());
    this.objects = new CrmObjects(this.store, this.schema);
    this.limiter = new RateLimiter(
      {
        tenSecondBudget: opts.tenSecondBudget ?? 190,
        windowMs: opts.rateWindowMs ?? 10_000,
        dailyBudget: opts.dailyBudget ?? 1_000_000,
        searchPerSecond: opts.searchPerSecond ?? 5,
        searchWindowMs: 1_000,
      },
      `publicapi:private-app:${APP_ID}`,
    );
    this.http.onReset(() => {
      this.store.reset();
      this.objects.resetIndexes();
      this.schema.reset();
      this.associations.reset();
      this.limiter.reset();
    });
    this.configure();
  }

  async start(port = 0): Promise<string> {
    return this.http.listen(port, '127.0.0.1');
  }

  get baseUrl(): string {
    return this.http.baseUrl;
  }

  stop(): Promise<void> {
    return this.http.close();
  }

  /** Clears objects, custom properties, associations, rate-limit counters, faults and the log. */
  reset(): void {
    this.http.reset();
  }

  /** A change "as a user in the HubSpot UI": bumps hs_lastmodifieddate, not an API write. */
  editAsUser(objectType: string, id: string, properties: Record<string, unknown>): PublicObject {
    const type = canonicalType(objectType);
    const rec = this.objects.editAsUser(type, id, properties);
    return this.objects.toPublic(type, rec, undefined, Object.keys(properties));
  }

  /** Object writes made through the API (create, update, archive), per type or in all. */
  writeCount(objectType?: string): number {
    return objectType
      ? this.store.writeCount(storeType(canonicalType(objectType)))
      : this.store.writeCount();
  }

  /** API requests received (control calls excluded), whatever their status. */
  callCount(): number {
    return this.http.requests().length;
  }

  private authorized(req: FastifyRequest): boolean {
    const header = req.headers.authorization ?? '';
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    const token = match?.[1];
    if (!token) return false;
    return this.tokens ? this.tokens.includes(token) : /^pat-.+/.test(token);
  }

  private configure(): void {
    const app = this.http.app;
    app.removeContentTypeParser('application/json');
    app.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) => {
      const text = typeof body === 'string' ? body : body.toString('utf8');
      if (text.trim() === '') return done(null, undefined);
      try {
        done(null, JSON.parse(text));
      } catch (err) {
        const message = `Invalid input JSON: ${(err as Error).message}`;
        done(new HubSpotError(400, errorBody(message, 'VALIDATION_ERROR')), undefined);
      }
    });

    // Runs after the core's fault/latency hook: auth first, then HubSpot's limits.
    app.addHook('onRequest', async (req: FastifyRequest, reply: FastifyReply) => {
      if (reply.sent || req.url.startsWith(CONTROL)) return;
      if (!this.authorized(req)) {
        return reply.code(401).send(errorBody(AUTH_MISSING_MESSAGE, 'INVALID_AUTHENTICATION'));
      }
      const path = req.url.split('?')[0] ?? '';
      const decision = this.limiter.take(req.method === 'POST' && path.endsWith('/search'));
      void reply.headers(decision.headers);
      if (decision.refused) return reply.code(429).send(decision.refused);
    });

    app.setErrorHandler((err: unknown, _req, reply) => {
      if (err instanceof HubSpotError) return reply.code(err.statusCode).send(err.body);
      const e = err as { statusCode?: number; message?: string };
      const status = e.statusCode && e.statusCode < 500 ? e.statusCode : 500;
      const body: HubSpotErrorBody =
        status === 500
          ? errorBody('internal error', 'INTERNAL_ERROR')
          : errorBody(`Invalid input: ${e.message ?? 'bad request'}`, 'VALIDATION_ERROR');
      return reply.code(status).send(body);
    });
    app.setNotFoundHandler((req, reply) =>
      reply.code(404).send(errorBody(`No route for ${req.method} ${req.url}`, 'OBJECT_NOT_FOUND')),
    );

    registerObjectRoutes(app, this.objects, this.schema);
    registerPropertyRoutes(app, this.schema);
    registerAssociationRoutes(app, this.associations, this.objects);

    app.post<{ Body: { objectType?: string; id?: string; properties?: Record<string, unknown> } }>(
      `${CONTROL}/hubspot/edit`,
      async (req) => {
        const { objectType, id, properties } = req.body ?? {};
        if (!objectType || !id)
          throw new HubSpotError(400, errorBody('objectType and id required'));
        return this.editAsUser(objectType, String(id), properties ?? {});
      },
    );
    app.get(`${CONTROL}/hubspot/state`, async () => ({
      portalId: PORTAL_ID,
      writes: this.store.writeCount(),
      calls: this.callCount(),
      associationWrites: this.associations.writes,
    }));
  }
}
