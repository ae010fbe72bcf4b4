import jsforce, { type Connection } from 'jsforce';
import { withTimeout } from '../../common/with-timeout.js';
import { CrmError } from '../crm-connector.js';
import { SalesforceApiBudget } from './salesforce-budget.js';
import {
  describeFailure,
  isSessionExpired,
  isTransient,
  sessionExpired,
  toCrmError,
} from './salesforce-errors.js';
import { type TokenSource } from './salesforce-session.js';

export interface SalesforceApiOptions {
  instanceUrl: URL;
  /** The session to start with; without one, the first call asks `refreshToken` for it. */
  accessToken?: string;
  /** REST API version without the "v" ("62.0"). */
  apiVersion?: string;
  /** Gets a fresh access token (at first use, and when Salesforce answers INVALID_SESSION_ID). */
  refreshToken?: TokenSource;
  /** Pause before the n-th retry of a transient failure is `retryBaseMs * n` (tests use 0). */
  retryBaseMs?: number;
  /** Share (0–1] of the org's daily API allocation to stay under (default 1). */
  dailyApiShare?: number;
  /** How long calls wait once that share (or the org's whole allocation) is spent. */
  budgetPauseMs?: number;
  /** How long one API interaction may take before it counts as a network failure. */
  requestTimeoutMs?: number;
}

export type Row = Record<string, unknown>;

const ATTEMPTS = 3;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * One org's REST API through jsforce: the session (first token, single-flight renewal), the
 * API budget, timeouts and in-place retries. The connector speaks the CRM port on top of it.
 */
export class SalesforceApi {
  private conn: Connection | null;
  private renewing: Promise<Connection> | null = null;
  /** The integration user's id (15 characters) when the grant named it, for provenance. */
  private self: string | null = null;
  private readonly retryBaseMs: number;
  readonly budget: SalesforceApiBudget;

  constructor(private readonly options: SalesforceApiOptions) {
    this.conn = options.accessToken ? this.connect(options.accessToken) : null;
    this.retryBaseMs = options.retryBaseMs ?? 250;
    this.budget = new SalesforceApiBudget({
      share: options.dailyApiShare ?? 1,
      ...(options.budgetPauseMs !== undefined ? { pauseMs: options.budgetPauseMs } : {}),
    });
  }

  /** The integration user's 15-character id, once a token grant has named it. */
  get selfId(): string | null {
    return this.self;
  }

  private connect(accessToken: string): Connection {
    return new jsforce.Connection({
      instanceUrl: this.options.instanceUrl.toString().replace(/\/$/, ''),
      accessToken,
      version: this.options.apiVersion ?? '62.0',
    });
  }

  /**
   * A connection with a session that was valid when last used. Concurrent calls that find the
   * session expired share one token request; a call whose stale session another call already
   * replaced just uses the new one.
   */
  private session(stale: Connection | null = null): Promise<Connection> {
    if (this.conn && this.conn !== stale) return Promise.resolve(this.conn);
    const refresh = this.options.refreshToken;
    if (!refresh) return Promise.reject(sessionExpired());
    this.renewing ??= refresh()
      .then((grant) => {
        this.conn = this.connect(grant.accessToken);
        if (grant.userId) this.self = grant.userId.slice(0, 15);
        return this.conn;
      })
      .finally(() => {
        this.renewing = null;
      });
    return this.renewing;
  }

  /**
   * Runs one API interaction: holds it while the API budget is spent, renews the session once
   * on INVALID_SESSION_ID (the request was rejected before it ran, so repeating it is safe),
   * retries transient failures when `idempotent`, and turns whatever is left into a CrmError.
   * Every answer's Sforce-Limit-Info (jsforce keeps the last in `limitInfo`) feeds the budget.
   */
  async call<T>(fn: (conn: Connection) => Promise<T>, idempotent = true): Promise<T> {
    let renewed = false;
    let attempt = 1;
    for (;;) {
      this.budget.check();
      const conn = await this.session();
      try {
        // jsforce gives up only after 30 minutes; a hung org must not hold a worker that long.
        const ms = this.options.requestTimeoutMs ?? 120_000;
        return await withTimeout(
          fn(conn),
          ms,
          () => new CrmError('timeout', `Salesforce did not answer within ${ms} ms`, true),
        );
      } catch (err) {
        const failure = describeFailure(err);
        if (isSessionExpired(failure) && this.options.refreshToken && !renewed) {
          renewed = true;
          await this.session(conn);
          continue;
        }
        if (failure.errorCode === 'REQUEST_LIMIT_EXCEEDED') throw this.budget.exceeded();
        if (idempotent && isTransient(failure) && attempt < ATTEMPTS) {
          await sleep(this.retryBaseMs * attempt);
          attempt += 1;
          continue;
        }
        throw toCrmError(err);
      } finally {
        this.budget.observe(conn.limitInfo.apiUsage);
      }
    }
  }

  /** Every row of a SOQL query, following query locators; `scanAll` includes the recycle bin. */
  query(soql: string, scanAll = false): Promise<Row[]> {
    return this.call(async (conn) => {
      let res = await conn.query<Row>(soql, { scanAll, autoFetch: false });
      const rows = [...res.records];
      while (!res.done && res.nextRecordsUrl) {
        res = await conn.queryMore<Row>(res.nextRecordsUrl);
        rows.push(...res.records);
      }
      return rows;
    });
  }
}
