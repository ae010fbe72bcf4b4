import type { KeyObject } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { EmulatorHttp } from '../core/emulator-http.js';
import { RecordStore } from '../core/record-store.js';
import { SalesforceData, type SfRow, Txn } from './data.js';
import { defaultUsers, SalesforceAuth, type SfUser, type SfUserSpec } from './oauth.js';
import { SfRouter } from './router.js';
import { registerCollectionRoutes } from './routes-collections.js';
import { registerCompositeRoute } from './routes-composite.js';
import { QueryRoutes } from './routes-query.js';
import { registerSObjectRoutes } from './routes-sobjects.js';
import { type FieldSpec, type ObjectSpec, SchemaRegistry } from './schema.js';
import { formatSfDate, isRecord, makeId, SfHttpError, SfRecordError } from './util.js';

export interface SalesforceEmulatorOptions {
  /** Daily API request allocation; past it every API call answers 403 REQUEST_LIMIT_EXCEEDED. */
  dailyApiBudget?: number;
  clientId?: string;
  clientSecret?: string;
  /** The first user is the integration user (client_credentials runs as it). */
  users?: SfUserSpec[];
  /** Extra fields per sobject, e.g. `{ Contact: [externalIdField('Stripe_Customer_Id__c')] }`. */
  customFields?: Record<string, FieldSpec[]>;
  customObjects?: ObjectSpec[];
  /**
   * Fields per sobject the integration user's field-level security hides, e.g.
   * `{ Contact: ['MailingStreet'] }`: its describe leaves them out, and its SOQL and writes
   * naming them fail with INVALID_FIELD, as for a field that does not exist. Other users (UI
   * edits) still see them.
   */
  hiddenFields?: Record<string, string[]>;
  /** Verify JWT bearer assertions against this RS256 public key (else claims only). */
  jwtPublicKey?: string | KeyObject;
  /** getUpdated/getDeleted granularity; Salesforce ignores seconds (60_000). */
  replicationGranularityMs?: number;
  /** Default query page size (2000). */
  queryBatchSize?: number;
}

/** A unique, case-insensitive text(255) External ID field, the usual upsert key. */
export const externalIdField = (name: string, unique = true): FieldSpec => ({
  name,
  type: 'string',
  length: 255,
  externalId: true,
  unique,
});

const VERSION_RE = /^\/services\/data\/v(\d+)\.0(?:[/?]|$)/;

/** In-memory Salesforce REST API (the subset jsforce 3 uses) on the shared emulator shell. */
export class SalesforceEmulator {
  readonly http = new EmulatorHttp('salesforce');
  readonly store = new RecordStore();
  readonly schema: SchemaRegistry;
  readonly data: SalesforceData;
  readonly auth: SalesforceAuth;
  readonly users: SfUser[];
  private readonly queries: QueryRoutes;
  private readonly budget: number;
  private readonly requestUser = new WeakMap<FastifyRequest, string>();
  private apiCalls = 0;
  private readonly startedAt = Date.now();

  constructor(options: SalesforceEmulatorOptions = {}) {
    this.budget = options.dailyApiBudget ?? 100_000;
    this.schema = new SchemaRegistry(options.customObjects);
    for (const [sobject, fields] of Object.entries(options.customFields ?? {})) {
      for (const f of fields) this.schema.addField(sobject, f);
    }
    this.data = new SalesforceData(this.store, this.schema);
    const specs = options.users ?? defaultUsers();
    this.users = specs.map((u, i) => ({ ...u, id: makeId('005', 1_000_001 + i) }));
    if (this.users.length === 1)
      this.users.push({ ...defaultUsers()[1]!, id: makeId('005', 1_000_002) });
    for (const [sobject, names] of Object.entries(options.hiddenFields ?? {})) {
      this.hideFields(sobject, names);
    }
    this.auth = new SalesforceAuth({
      clientId: options.clientId ?? 'emulator-client-id',
      clientSecret: options.clientSecret ?? 'emulator-client-secret',
      users: this.users,
      orgId: makeId('00D', 1),
      jwtPublicKey: options.jwtPublicKey,
      instanceUrl: () => this.http.baseUrl,
    });
    this.queries = new QueryRoutes(this.data, {
      defaultBatchSize: options.queryBatchSize ?? 2000,
      replicationGranularityMs: options.replicationGranularityMs ?? 60_000,
      startedAt: () => this.startedAt,
    });
    this.configureHttp();
    this.http.onReset(() => this.resetState());
    this.seedUsers();
  }

  private configureHttp(): void {
    const app = this.http.app;
    app.addContentTypeParser(
      'application/x-www-form-urlencoded',
      { parseAs: 'string' },
      (_req, body, done) => done(null, Object.fromEntries(new URLSearchParams(body as string))),
    );
    app.setErrorHandler((err: { statusCode?: number; message: string }, _req, reply) => {
      if (err instanceof SfHttpError || err instanceof SfRecordError) {
        return reply.code(err.status).send(err.errors);
      }
      const status = err.statusCode && err.statusCode < 500 ? 400 : 500;
      const errorCode = status === 400 ? 'JSON_PARSER_ERROR' : 'UNKNOWN_EXCEPTION';
      return reply.code(status).send([{ errorCode, message: err.message }]);
    });
    app.setNotFoundHandler((_req, reply) =>
      reply
        .code(404)
        .send([{ errorCode: 'NOT_FOUND', message: 'The requested resource does not exist' }]),
    );
    app.addHook('onRequest', async (req, reply) => {
      const path = req.url.split('?')[0] ?? '';
      if (!path.startsWith('/services/data/')) return;
      const m = VERSION_RE.exec(path);
      const major = Number(m?.[1] ?? 0);
      if (major < 31 || major > 66) {
        return reply
          .code(404)
          .send([{ errorCode: 'NOT_FOUND', message: 'The requested resource does not exist' }]);
      }
      const userId = this.auth.userFor(req.headers.authorization);
      if (!userId) {
        return reply
          .code(401)
          .send([{ message: 'Session expired or invalid', errorCode: 'INVALID_SESSION_ID' }]);
      }
      if (this.apiCalls >= this.budget) {
        void reply.header('Sforce-Limit-Info', `api-usage=${this.apiCalls}/${this.budget}`);
        return reply
          .code(403)
          .send([
            { message: 'TotalRequests Limit exceeded.', errorCode: 'REQUEST_LIMIT_EXCEEDED' },
          ]);
      }
      this.apiCalls += 1;
      this.requestUser.set(req, userId);
      void reply.header('Sforce-Limit-Info', `api-usage=${this.apiCalls}/${this.budget}`);
    });
    app.get('/services/data', async () => this.versions());
    app.get('/services/data/', async () => this.versions());

    const router = new SfRouter(app, (req) => this.requestUser.get(req) ?? this.integrationUserId);
    router.add('GET', '/limits', () => ({
      status: 200,
      body: { DailyApiRequests: { Max: this.budget, Remaining: this.budget - this.apiCalls } },
    }));
    registerSObjectRoutes(router, this.data);
    registerCollectionRoutes(router, this.data);
    registerCompositeRoute(router, this.data);
    this.queries.register(router);
    this.auth.register(app);
    this.registerControlRoutes();
  }

  private versions() {
    return ['58.0', '59.0', '60.0', '61.0', '62.0'].map((version) => ({
      label: `v${version}`,
      url: `/services/data/v${version}`,
      version,
    }));
  }

  private registerControlRoutes(): void {
    const app = this.http.app;
    app.post<{ Body: { sobject?: string; id?: string; fields?: SfRow; userId?: string } }>(
      '/_emulator/salesforce/edit',
      async (req) => {
        const b = req.body ?? {};
        const id = this.editAsUser(b.sobject ?? '', b.id ?? '', b.fields ?? {}, b.userId);
        return { id, success: true };
      },
    );
    app.post('/_emulator/salesforce/expire-sessions', async () => {
      this.expireSessions();
      return { expired: true };
    });
    // Setup, as an admin would use it: a bad request says why (400), not a 500.
    const setup = async (reply: FastifyReply, change: () => unknown) => {
      try {
        return change();
      } catch (err) {
        return reply.code(400).send({ error: err instanceof Error ? err.message : String(err) });
      }
    };
    app.post<{ Body: { sobject?: string; field?: FieldSpec } }>(
      '/_emulator/salesforce/fields',
      async (req, reply) => {
        const { sobject, field } = req.body ?? {};
        if (!sobject || !isRecord(field)) return reply.code(400).send({ error: 'sobject, field' });
        return setup(reply, () => this.addCustomField(sobject, field));
      },
    );
    app.post<{ Body: { sobject?: string; fields?: string[]; visible?: boolean } }>(
      '/_emulator/salesforce/field-access',
      async (req, reply) => {
        const { sobject, fields, visible } = req.body ?? {};
        if (!sobject || !Array.isArray(fields) || typeof visible !== 'boolean') {
          return reply.code(400).send({ error: 'sobject, fields, visible' });
        }
        return setup(reply, () => {
          if (visible) this.grantFieldAccess(sobject, fields.map(String));
          else this.hideFields(sobject, fields.map(String));
          return { sobject, fields, visible };
        });
      },
    );
    app.post<{ Body: { used?: number } }>('/_emulator/salesforce/api-usage', async (req) => {
      this.setApiUsage(req.body?.used ?? 0);
      return { used: this.apiCalls, budget: this.budget };
    });
    app.get('/_emulator/salesforce/api-usage', async () => ({
      used: this.apiCalls,
      budget: this.budget,
    }));
  }

  private seedUsers(): void {
    const stamp = formatSfDate(this.startedAt);
    for (const u of this.users) {
      this.store.insert<SfRow>('User', u.id, {
        Id: u.id,
        Username: u.username,
        Name: u.name ?? u.username,
        Email: u.email ?? u.username,
        IsDeleted: false,
        CreatedDate: stamp,
        CreatedById: this.users[0]!.id,
        LastModifiedDate: stamp,
        LastModifiedById: this.users[0]!.id,
        SystemModstamp: stamp,
      });
    }
  }

  private resetState(): void {
    this.store.reset();
    this.data.reset();
    this.queries.reset();
    this.apiCalls = 0;
    this.seedUsers();
  }

  get integrationUserId(): string {
    return this.users[0]!.id;
  }

  get uiUserId(): string {
    return this.users[1]!.id;
  }

  /** Binds 127.0.0.1 and returns the instance URL (also the OAuth login URL). */
  start(port = 0): Promise<string> {
    return this.http.listen(port);
  }

  stop(): Promise<void> {
    return this.http.close();
  }

  /**
   * Clears records, recycle bin, cursors, API usage and faults; keeps schema (custom fields and
   * field-level security), users and sessions.
   */
  reset(): void {
    this.http.reset();
  }

  get instanceUrl(): string {
    return this.http.baseUrl;
  }

  /** A UI edit by another user: bumps SystemModstamp/LastModifiedDate, not counted as an API write. */
  editAsUser(sobject: string, id: string, fields: SfRow, userId = this.uiUserId): string {
    return this.data.update(sobject, id, fields, userId, new Txn());
  }

  expireSessions(): void {
    this.auth.expireSessions();
  }

  issueToken(): string {
    return this.auth.issueAccessToken();
  }

  issueRefreshToken(): string {
    return this.auth.issueRefreshToken();
  }

  addCustomField(sobject: string, field: FieldSpec) {
    return this.schema.addField(sobject, field);
  }

  /** Field-level security takes these fields away from a user (the integration user). */
  hideFields(sobject: string, names: string[], userId = this.integrationUserId): void {
    this.schema.setFieldAccess(userId, sobject, names, false);
  }

  /** An admin grants a user (the integration user) access to these fields again. */
  grantFieldAccess(sobject: string, names: string[], userId = this.integrationUserId): void {
    this.schema.setFieldAccess(userId, sobject, names, true);
  }

  /** Committed API writes (record creates, updates, deletes) since the last reset. */
  writeCount(sobject?: string): number {
    return this.data.writeCount(sobject);
  }

  apiCallsToday(): number {
    return this.apiCalls;
  }

  setApiUsage(used: number): void {
    this.apiCalls = used;
  }

  /** A record's fields as stored (deleted ones included), for assertions. */
  record(sobject: string, id: string): SfRow | undefined {
    const obj = this.schema.get(sobject);
    return obj ? this.store.get<SfRow>(obj.name, id)?.data : undefined;
  }

  records(sobject: string, includeDeleted = false): SfRow[] {
    const obj = this.data.object(sobject);
    return (includeDeleted ? this.data.all(obj) : this.data.live(obj)).map((r) => r.data);
  }
}
