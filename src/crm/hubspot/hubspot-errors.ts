import { CrmError } from '../crm-connector.js';

/** An HTTP answer HubSpot gave as an error (the SDK's ApiException, narrowed). */
export interface HttpFailure {
  status: number;
  headers: Record<string, string>;
  /** Parsed error body: HubSpot's `{status, message, category, ...}` when it sent one. */
  body: unknown;
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v);

/**
 * The SDK throws `ApiException {code, body, headers}` for any status it does not model as a
 * success, and plain errors (fetch's TypeError) when no answer came: null means the latter.
 */
export function httpFailure(err: unknown): HttpFailure | null {
  if (!isRecord(err) || typeof err.code !== 'number' || err.code < 100) return null;
  const headers: Record<string, string> = {};
  if (isRecord(err.headers)) {
    for (const [k, v] of Object.entries(err.headers)) {
      if (typeof v === 'string') headers[k.toLowerCase()] = v;
    }
  }
  return { status: err.code, headers, body: parseBody(err.body) };
}

function parseBody(body: unknown): unknown {
  if (typeof body !== 'string') return body;
  try {
    return JSON.parse(body) as unknown;
  } catch {
    return { message: body };
  }
}

/** HubSpot's message and category from an error body, whatever shape arrived. */
export function errorFields(body: unknown): { message: string | null; category: string | null } {
  if (!isRecord(body)) return { message: null, category: null };
  return {
    message: typeof body.message === 'string' ? body.message : null,
    category: typeof body.category === 'string' ? body.category : null,
  };
}

/** A 4xx HubSpot refused for good: its category is the code, its message the message. */
export function rejected(failure: HttpFailure, what: string): CrmError {
  const { message, category } = errorFields(failure.body);
  const code = category ?? `http_${failure.status}`;
  return new CrmError(code, `${what}: ${message ?? `HTTP ${failure.status}`}`, false);
}

/** Any thrown value as a CrmError (unexpected ones are not worth retrying). */
export function asCrmError(err: unknown): CrmError {
  if (err instanceof CrmError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new CrmError('internal_error', message, false);
}
