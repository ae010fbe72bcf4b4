import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { setTimeout as sleep } from 'node:timers/promises';
import { FaultPlan, type FaultKind } from './faults.js';

export interface RequestLogEntry {
  method: string;
  path: string;
  status: number;
  at: number;
  /**
   * The request's parsed body (form params for Stripe, JSON for the others), so tests can
   * assert exactly what a client sent. Kept for the most recent requests only.
   */
  body?: unknown;
}

/** Bodies are dropped from older entries: a 100k-record benchmark must not hold them all. */
const BODIES_KEPT = 2000;

const CONTROL_PREFIX = '/_emulator';

interface FaultBody {
  method?: string;
  path?: string;
  count?: number;
  status?: number;
  body?: unknown;
  headers?: Record<string, string>;
  timeout?: boolean;
  reset?: boolean;
}

/**
 * The HTTP shell every emulator shares: a Fastify server on loopback, a request log, and the
 * control API under /_emulator (reset, faults, latency, requests). Each emulator adds its own
 * routes and reset hook; nothing here knows about Stripe, HubSpot or Salesforce.
 */
export class EmulatorHttp {
  readonly app: FastifyInstance;
  readonly faults = new FaultPlan();
  /**
   * Keep each request's parsed body in the log, for tests that assert what an SDK sent. Off by
   * default: benchmarks push hundreds of thousands of records through an emulator.
   */
  recordBodies = false;
  private log: RequestLogEntry[] = [];
  private readonly resetHooks: (() => void)[] = [];
  private url: string | null = null;

  constructor(readonly name: string) {
    this.app = Fastify({ logger: false, bodyLimit: 10 * 1024 * 1024, forceCloseConnections: true });
    this.app.addHook('onRequest', async (req, reply) => {
      const path = req.url.split('?')[0] ?? req.url;
      if (path.startsWith(CONTROL_PREFIX)) return;
      const delay = this.faults.latencyFor(req.method, path);
      if (delay > 0) await sleep(delay);
      const fault = this.faults.takeFault(req.method, path);
      if (fault) await this.applyFault(fault, req, reply);
    });
    this.app.addHook('onResponse', (req, reply, done) => {
      const path = req.url.split('?')[0] ?? req.url;
      if (!path.startsWith(CONTROL_PREFIX)) {
        const entry: RequestLogEntry = {
          method: req.method,
          path,
          status: reply.statusCode,
          at: Date.now(),
        };
        if (req.body !== undefined && req.body !== null) entry.body = req.body;
        this.log.push(entry);
        const old = this.log[this.log.length - 1 - BODIES_KEPT];
        if (old) delete old.body;
      }
      done();
    });
    this.registerControlRoutes();
  }

  onReset(hook: () => void): void {
    this.resetHooks.push(hook);
  }

  reset(): void {
    for (const hook of this.resetHooks) hook();
    this.faults.reset();
    this.log = [];
  }

  /** Requests served (control calls excluded), optionally only those matching. */
  requests(filter?: { method?: string; path?: string | RegExp }): RequestLogEntry[] {
    return this.log.filter(
      (r) =>
        (!filter?.method || r.method === filter.method.toUpperCase()) &&
        (!filter?.path ||
          (typeof filter.path === 'string'
            ? r.path.startsWith(filter.path)
            : filter.path.test(r.path))),
    );
  }

  async listen(port = 0, host = '127.0.0.1'): Promise<string> {
    await this.app.listen({ port, host });
    const address = this.app.server.address();
    if (address === null || typeof address === 'string') throw new Error('no TCP address');
    this.url = `http://${host}:${address.port}`;
    return this.url;
  }

  get baseUrl(): string {
    if (!this.url) throw new Error(`${this.name} emulator is not listening`);
    return this.url;
  }

  close(): Promise<void> {
    return this.app.close();
  }

  private async applyFault(
    fault: FaultKind,
    req: FastifyRequest,
    reply: FastifyReply,
  ): Promise<void> {
    switch (fault.kind) {
      case 'status':
        await reply
          .code(fault.status)
          .headers(fault.headers ?? {})
          .send(fault.body ?? { message: `injected ${fault.status}` });
        return;
      case 'reset':
        req.raw.socket.destroy();
        await reply.hijack();
        return;
      case 'timeout':
        // Never answer: the client's own timeout fires. The socket is freed on close().
        reply.hijack();
        return;
    }
  }

  private registerControlRoutes(): void {
    this.app.post(`${CONTROL_PREFIX}/reset`, async () => {
      this.reset();
      return { reset: true };
    });
    this.app.post<{ Body: FaultBody }>(`${CONTROL_PREFIX}/faults`, async (req) => {
      const b = req.body ?? {};
      const fault: FaultKind = b.timeout
        ? { kind: 'timeout' }
        : b.reset
          ? { kind: 'reset' }
          : { kind: 'status', status: b.status ?? 500, body: b.body, headers: b.headers };
      this.faults.addFault({ method: b.method, path: b.path, count: b.count ?? 1, fault });
      return { added: true };
    });
    this.app.post<{ Body: { ms?: number; method?: string; path?: string } }>(
      `${CONTROL_PREFIX}/latency`,
      async (req) => {
        this.faults.setLatency({
          ms: req.body?.ms ?? 0,
          method: req.body?.method,
          path: req.body?.path,
        });
        return { latency: req.body?.ms ?? 0 };
      },
    );
    this.app.get<{ Querystring: { path?: string; method?: string } }>(
      `${CONTROL_PREFIX}/requests`,
      async (req) => ({ data: this.requests({ method: req.query.method, path: req.query.path }) }),
    );
  }
}
