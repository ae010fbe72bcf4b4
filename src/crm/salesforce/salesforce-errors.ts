import { CrmError } from '../crm-connector.js';

/** One per-record error of an sObject Collections result (jsforce's `SaveError`). */
export interface SfSaveError {
  errorCode: string;
  message: string;
  fields?: string[];
}

/**
 * Error codes that mean "this record does not exist (any more)". MALFORMED_ID on the record's
 * own Id (an id of another sObject type) belongs here too: no record of this type has it.
 */
const NOT_FOUND_CODES = new Set(['ENTITY_IS_DELETED', 'INVALID_CROSS_REFERENCE_KEY', 'NOT_FOUND']);

/**
 * Codes Salesforce answers with when the server, not the request, failed. jsforce does not
 * expose the HTTP status of a failed call, only the body's errorCode (or `ERROR_HTTP_<status>`
 * when the body has none), so transient failures are recognised by code.
 */
const SERVER_CODES = new Set([
  'UNKNOWN_EXCEPTION',
  'SERVER_UNAVAILABLE',
  'REQUEST_RUNNING_TOO_LONG',
]);

/** Network-level failures node-fetch (inside jsforce) reports by `code`. */
const NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ENOTFOUND',
  'ENETDOWN',
  'ENETUNREACH',
  'EHOSTDOWN',
  'ETIMEDOUT',
  'EPIPE',
  'UND_ERR_SOCKET',
]);

/** The parts of a jsforce failure the connector looks at, narrowed from `unknown`. */
export interface SfFailure {
  errorCode: string | null;
  message: string;
  network: boolean;
}

export function describeFailure(err: unknown): SfFailure {
  if (err instanceof CrmError) return { errorCode: err.code, message: err.message, network: false };
  const rec = typeof err === 'object' && err !== null ? (err as Record<string, unknown>) : {};
  const message = typeof rec.message === 'string' ? rec.message : String(err);
  const errorCode = typeof rec.errorCode === 'string' ? rec.errorCode : null;
  const code = typeof rec.code === 'string' ? rec.code : null;
  const network = rec.name === 'FetchError' || (code !== null && NETWORK_CODES.has(code));
  return { errorCode, message, network };
}

export const isSessionExpired = (f: SfFailure): boolean => f.errorCode === 'INVALID_SESSION_ID';

/** Worth retrying in place: a 5xx or a broken connection (not a rate limit: that is daily). */
export function isTransient(f: SfFailure): boolean {
  if (f.network) return true;
  if (f.errorCode === null) return false;
  return SERVER_CODES.has(f.errorCode) || /^ERROR_HTTP_5\d\d$/.test(f.errorCode);
}

/**
 * A session that expired with no way to renew it (a fixed SALESFORCE_ACCESS_TOKEN): retryable,
 * so work waits for the operator rather than being dropped.
 */
export const sessionExpired = (): CrmError =>
  new CrmError(
    'session_expired',
    'Salesforce rejected the session (INVALID_SESSION_ID) and the bridge cannot renew a fixed SALESFORCE_ACCESS_TOKEN: set a current one, or configure client credentials or JWT bearer',
    true,
    60_000,
  );

/** A whole-call failure as the port's error. */
export function toCrmError(err: unknown): CrmError {
  if (err instanceof CrmError) return err;
  const f = describeFailure(err);
  if (isSessionExpired(f)) return sessionExpired();
  if (isTransient(f)) return new CrmError(f.errorCode ?? 'network_error', f.message, true);
  if (f.errorCode === 'MULTIPLE_CHOICES') return new CrmError('multiple_matches', f.message, false);
  return new CrmError(f.errorCode ?? 'salesforce_error', f.message, false);
}

/** A per-record failure of a collection write: never retryable, coded like Salesforce. */
export function recordError(errors: SfSaveError[], mode: 'create' | 'update' | 'upsert'): CrmError {
  const first = errors[0];
  const message = errors.map((e) => `${e.errorCode}: ${e.message}`).join('; ') || 'write failed';
  if (!first) return new CrmError('salesforce_error', message, false);
  const ownId = first.errorCode === 'MALFORMED_ID' && (first.fields ?? []).includes('Id');
  // On update a missing record is the caller's stale link, which it handles as such; on create
  // INVALID_CROSS_REFERENCE_KEY means a lookup field points nowhere, a data error.
  if (mode === 'update' && (NOT_FOUND_CODES.has(first.errorCode) || ownId)) {
    return new CrmError('not_found', message, false);
  }
  // Collections report "more than one record matched this key" (REST's 300) as
  // DUPLICATE_EXTERNAL_ID; the same code also means "this key twice in one call", which the
  // connector avoids by splitting such inputs across calls.
  if (mode === 'upsert' && first.errorCode === 'DUPLICATE_EXTERNAL_ID') {
    return new CrmError('multiple_matches', message, false);
  }
  return new CrmError(first.errorCode, message, false);
}
