/**
 * What an error may say in a log line: its class, its machine codes and a message with the
 * values taken out. Database errors carry the SQL, its parameters and `detail`
 * ("Key (email)=(ada@example.com) already exists"); Stripe's carry `raw` and `headers`;
 * HubSpot and Salesforce quote the value they refused. None of that belongs in a log.
 */
export interface ErrorSummary {
  /** The error's class or name: QueryFailedError, StripeInvalidRequestError, CrmError… */
  type: string;
  /** SQLSTATE for database errors, Stripe's `code`, our CrmError's, Node's ECONNREFUSED… */
  code?: string;
  constraint?: string;
  table?: string;
  column?: string;
  /** HTTP status the vendor answered with. */
  status?: number;
  /** The Stripe parameter the error is about (its name, never its value). */
  param?: string;
  /** Stripe's request id, to find the request in the dashboard. */
  requestId?: string;
  message: string;
}

type Rec = Record<string, unknown>;
const isRecord = (v: unknown): v is Rec => typeof v === 'object' && v !== null;

// Names and codes are short words; a property that does not look like one is not trusted.
const IDENT = /^[A-Za-z_][\w.$[\]-]{0,99}$/;
const CODE = /^[\w.-]{1,64}$/;
const SQLSTATE = /^[0-9A-Z]{5}$/;

const ident = (v: unknown): string | undefined =>
  typeof v === 'string' && IDENT.test(v) ? v : undefined;
const code = (v: unknown): string | undefined =>
  typeof v === 'string' && CODE.test(v) ? v : undefined;
const httpStatus = (v: unknown): number | undefined =>
  typeof v === 'number' && Number.isInteger(v) && v >= 100 && v <= 599 ? v : undefined;

/** Marks where something was taken out. */
const CUT = '…';
/** The whole message when nothing in it could be kept. */
export const WITHHELD = '[withheld]';
const MAX_MESSAGE = 300;

/** A quoted word right after one of these is a name (of a constraint, column…), not a value. */
const NAMED_BY =
  /\b(constraint|column|relation|table|index|type|schema|database|role|sequence|function|view|trigger|extension|field|property|object|entity|parameter)\s+$/i;
const QUOTED_NAME = /^[A-Za-z_][\w.$]{0,62}$/;
// Kept names stand aside as \0<n>\0 while the rest is scrubbed, so no rule below mangles them.
const PLACEHOLDER = /\0(\d+)\0/g;

/**
 * Quotations become CUT, except a name right after a word such as "constraint". A quotation
 * left open (cut by a length limit, or split by the vendor) runs to the end of the line.
 * Single quotes and backticks count only at word edges: "can't" is not a quotation.
 */
function scrubQuotes(line: string, names: string[]): string {
  const keep = (quoted: string, inner: string, before: string): string => {
    if (!NAMED_BY.test(before) || !QUOTED_NAME.test(inner)) return CUT;
    names.push(quoted);
    return `\0${names.length - 1}\0`;
  };
  return line
    .replace(/"([^"]*)"|".*$/g, (m: string, inner: string | undefined, at: number, all: string) =>
      inner === undefined ? CUT : keep(m, inner, all.slice(0, at)),
    )
    .replace(
      /(^|[\s(=,:[])(?:(['`])([^'`]*)\2(?=$|[\s).,;:\]])|['`].*$)/g,
      (
        _m: string,
        pre: string,
        q: string | undefined,
        inner: string | undefined,
        at: number,
        all: string,
      ) =>
        pre +
        (q === undefined || inner === undefined
          ? CUT
          : keep(`${q}${inner}${q}`, inner, all.slice(0, at + pre.length))),
    );
}

/** Takes out what looks like a value wherever it stands. */
function scrubTokens(line: string, names: string[]): string {
  return (
    scrubQuotes(
      line
        // JSON or a list (HubSpot's per-property errors, Salesforce's field lists): to the end.
        .replace(/[[{].*$/, CUT)
        // PostgreSQL's "Key (email)=(ada@…)" detail, nested parentheses and all: to the end.
        .replace(/\S*\)=\(.*$/, CUT),
      names,
    )
      .replace(/[^\s\0]*@[^\s\0]*/g, CUT)
      .replace(/([A-Za-z_][\w.-]*)=[^\s\0]+/g, `$1=${CUT}`)
      // Phone and card numbers, long ids, dates and times, host:port.
      .replace(/\+?\d[\d\s().:\-/]{7,}\d/g, CUT)
  );
}

/** A last segment kept as it is: a bare error code, or an HTTP status. */
const SAFE_TAIL = /^([A-Z][A-Z0-9_]{2,63}|HTTP \d{3})$/;

/**
 * One clause ("a: b: c"): the last of several segments is what the message is about, which for
 * a vendor or the database is the refused value ("Invalid email address: ada@x"), so it goes;
 * what leads up to it names the field and the problem, and stays once scrubbed.
 */
function scrubClause(clause: string): string {
  const segments = clause.trim().split(/:\s+/);
  const tail = segments.length > 1 ? segments.pop()?.trim() : undefined;
  if (tail !== undefined && SAFE_TAIL.test(tail)) segments.push(tail);
  return segments
    .map((s) => s.trim())
    .filter((s) => s !== '' && s !== CUT)
    .join(': ')
    .replace(/[\s:;,]+$/, '');
}

/**
 * A message with the values taken out. Conservative: the first line only, clause by clause;
 * when nothing is left, WITHHELD, and the type and code have to do.
 */
export function scrubMessage(message: string): string {
  const names: string[] = [];
  const firstLine = (message.split(/\r?\n/, 1)[0] ?? '').replace(/\0/g, '').slice(0, 2000);
  const out = scrubTokens(firstLine, names)
    .split(/;\s+/)
    .map(scrubClause)
    .filter((c) => c !== '' && c !== CUT)
    .join('; ')
    .replace(PLACEHOLDER, (_m: string, i: string) => names[Number(i)] ?? CUT);
  if (out === '') return message.trim() === '' ? '' : WITHHELD;
  return out.length > MAX_MESSAGE ? `${out.slice(0, MAX_MESSAGE)}${CUT}` : out;
}

function typeOf(err: unknown): string {
  if (err instanceof Error) {
    const ctor = (err.constructor as { name?: unknown } | undefined)?.name;
    return ident(ctor !== 'Error' ? ctor : undefined) ?? ident(err.name) ?? 'Error';
  }
  if (isRecord(err)) return ident(err.type) ?? ident(err.name) ?? 'Object';
  return typeof err;
}

/** TypeORM's QueryFailedError, or the pg DatabaseError it wraps. */
function databaseError(rec: Rec, type: string): Rec | null {
  if (isRecord(rec.driverError)) return rec.driverError;
  if (type === 'QueryFailedError' || type === 'DatabaseError') return rec;
  if (typeof rec.code === 'string' && SQLSTATE.test(rec.code) && 'severity' in rec) return rec;
  return null;
}

function statusOf(err: Rec): number | undefined {
  // Nest's HttpException has getStatus(); HubSpot's ApiException calls its status `code`.
  const fromMethod =
    err instanceof Error && typeof err.getStatus === 'function'
      ? (err.getStatus as () => unknown).call(err)
      : undefined;
  return (
    httpStatus(err.statusCode) ??
    httpStatus(err.status) ??
    httpStatus(err.code) ??
    httpStatus(fromMethod)
  );
}

/**
 * Marks what errorSummary made, so the log serializer passes it through as it is: scrubbing a
 * scrubbed message again would drop one more segment each time.
 */
const SUMMARY = Symbol('errorSummary');
const branded = (summary: ErrorSummary): ErrorSummary =>
  Object.defineProperty(summary, SUMMARY, { value: true, enumerable: false });

/** The loggable part of any thrown value. Never its stack, SQL, parameters, raw body or headers. */
export function errorSummary(err: unknown): ErrorSummary {
  const type = typeOf(err);
  if (typeof err === 'string') return branded({ type, message: scrubMessage(err) });
  if (!isRecord(err)) return branded({ type, message: WITHHELD });
  const db = databaseError(err, type);
  const source = db ?? err;
  const summary: ErrorSummary = { type, message: '' };
  const c = code(source.code) ?? code(err.code) ?? code(err.errorCode);
  if (c !== undefined) summary.code = c;
  if (db) {
    for (const key of ['constraint', 'table', 'column'] as const) {
      const v = ident(db[key]) ?? ident(err[key]);
      if (v !== undefined) summary[key] = v;
    }
  }
  const status = statusOf(err);
  if (status !== undefined) summary.status = status;
  const param = ident(err.param);
  if (param !== undefined) summary.param = param;
  const requestId = ident(err.requestId);
  if (requestId !== undefined) summary.requestId = requestId;
  const message = typeof source.message === 'string' ? source.message : err.message;
  summary.message = typeof message === 'string' ? scrubMessage(message) : '';
  return branded(summary);
}

/** The code locations of a stack, without its first line (which repeats the message). */
function frames(err: unknown): string | undefined {
  if (!(err instanceof Error) || typeof err.stack !== 'string') return undefined;
  const lines = err.stack
    .split('\n')
    .filter((l) => /^\s+at /.test(l))
    .slice(0, 10)
    .map((l) => l.trim());
  return lines.length > 0 ? lines.join('\n') : undefined;
}

/**
 * pino's `err` serializer. pino-http hands serializers the output of pino's standard one,
 * which keeps the original error as a non-enumerable `raw` getter: that is what we read.
 * A string (a joined error list) stays a string, scrubbed.
 */
export function serializeError(value: unknown): unknown {
  const proto: unknown = isRecord(value) ? Object.getPrototypeOf(value) : null;
  const wrapped =
    !(value instanceof Error) &&
    isRecord(proto) &&
    typeof Object.getOwnPropertyDescriptor(proto, 'raw')?.get === 'function';
  const err = wrapped ? (value as { raw: unknown }).raw : value;
  if (typeof err === 'string') return scrubMessage(err);
  if (err === undefined || err === null) return err;
  if (isRecord(err) && (err as { [SUMMARY]?: boolean })[SUMMARY] === true) return err;
  const stack = frames(err);
  return stack === undefined ? errorSummary(err) : { ...errorSummary(err), stack };
}
