import { type SalesforceData, Txn } from './data.js';
import type { SfResponse, SfRouter } from './router.js';
import { bodyObject } from './routes-sobjects.js';
import { httpError, isRecord, str } from './util.js';

const MAX_SUBREQUESTS = 25;
const REF_RE = /@\{([A-Za-z0-9_]+)((?:\.[A-Za-z0-9_]+|\[\d+\])*)\}/g;

interface SubRequest {
  method: string;
  url: string;
  referenceId: string;
  body?: unknown;
  httpHeaders?: Record<string, string>;
}

class UnresolvedReference extends Error {}

const halted = (message: string): SfResponse => ({
  status: 400,
  body: [{ errorCode: 'PROCESSING_HALTED', message }],
});

function lookup(results: Map<string, unknown>, ref: string, path: string): unknown {
  if (!results.has(ref)) throw new UnresolvedReference(`${ref}${path}`);
  let cur: unknown = results.get(ref);
  for (const part of path.match(/[A-Za-z0-9_]+|\[\d+\]/g) ?? []) {
    const key = part.startsWith('[') ? Number(part.slice(1, -1)) : part;
    cur =
      Array.isArray(cur) && typeof key === 'number'
        ? cur[key]
        : isRecord(cur)
          ? cur[String(key)]
          : undefined;
    if (cur === undefined) throw new UnresolvedReference(`${ref}${path}`);
  }
  return cur;
}

/** Substitutes `@{ref.path}` in strings; a string that is exactly one reference keeps its type. */
function resolve(value: unknown, results: Map<string, unknown>): unknown {
  if (typeof value === 'string') {
    const whole = /^@\{([A-Za-z0-9_]+)((?:\.[A-Za-z0-9_]+|\[\d+\])*)\}$/.exec(value);
    if (whole) return lookup(results, whole[1]!, whole[2] ?? '');
    return value.replace(REF_RE, (_m, ref: string, path: string) => {
      const v = lookup(results, ref, path);
      return str(v);
    });
  }
  if (Array.isArray(value)) return value.map((v) => resolve(v, results));
  if (isRecord(value)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolve(v, results)]));
  }
  return value;
}

function parseSubRequests(body: unknown): { allOrNone: boolean; subs: SubRequest[] } {
  const b = bodyObject(body);
  const subs = b.compositeRequest;
  if (!Array.isArray(subs) || subs.length === 0) {
    throw httpError(400, 'INVALID_API_INPUT', 'compositeRequest must be a non-empty array');
  }
  if (subs.length > MAX_SUBREQUESTS) {
    throw httpError(
      400,
      'INVALID_API_INPUT',
      `Limit Exceeded. The composite request can contain at most ${MAX_SUBREQUESTS} subrequests.`,
    );
  }
  const seen = new Set<string>();
  for (const s of subs) {
    if (
      !isRecord(s) ||
      typeof s.method !== 'string' ||
      typeof s.url !== 'string' ||
      typeof s.referenceId !== 'string' ||
      !/^[A-Za-z][A-Za-z0-9_]*$/.test(s.referenceId)
    ) {
      throw httpError(400, 'INVALID_API_INPUT', 'each subrequest needs method, url, referenceId');
    }
    if (seen.has(s.referenceId)) {
      throw httpError(400, 'INVALID_API_INPUT', `Duplicate referenceId: ${s.referenceId}`);
    }
    seen.add(s.referenceId);
  }
  return { allOrNone: b.allOrNone === true, subs: subs as SubRequest[] };
}

/** `POST /composite`: up to 25 subrequests, `@{ref.id}` references, optional allOrNone. */
export function registerCompositeRoute(router: SfRouter, data: SalesforceData): void {
  router.add('POST', '/composite', (req) => {
    const { allOrNone, subs } = parseSubRequests(req.body);
    const txn = allOrNone ? new Txn() : null;
    const results = new Map<string, unknown>();
    const out: { referenceId: string; res: SfResponse }[] = [];
    let failedAt = -1;
    for (const [i, sub] of subs.entries()) {
      let res: SfResponse;
      try {
        const url = resolve(sub.url, results) as string;
        const m = /^\/services\/data\/(v\d+\.\d)(\/[^?]*)?(?:\?(.*))?$/.exec(url);
        if (!m) {
          res = {
            status: 400,
            body: [{ errorCode: 'INVALID_API_INPUT', message: `bad url ${url}` }],
          };
        } else {
          res = router.dispatch(sub.method, m[2] ?? '', {
            version: m[1] ?? req.version,
            query: Object.fromEntries(new URLSearchParams(m[3] ?? '')),
            body: resolve(sub.body, results),
            headers: { ...req.headers, ...sub.httpHeaders },
            userId: req.userId,
            txn,
          });
        }
      } catch (err) {
        if (!(err instanceof UnresolvedReference)) throw err;
        res = halted(
          `Invalid reference specified. No value for ${err.message} found in ${sub.referenceId}. Provided referenceId ${err.message.split(/[.[]/)[0]} is not a valid referenceId or the referenced request failed.`,
        );
      }
      out.push({ referenceId: sub.referenceId, res });
      if (res.status < 300) results.set(sub.referenceId, res.body);
      if (res.status >= 300 && allOrNone) {
        failedAt = i;
        break;
      }
    }
    if (txn && failedAt >= 0) {
      txn.rollback();
      const rolledBack = halted(
        'The transaction was rolled back since another operation in the same transaction failed.',
      );
      for (const [i, sub] of subs.entries()) {
        if (i !== failedAt) out[i] = { referenceId: sub.referenceId, res: rolledBack };
      }
    } else if (txn) {
      data.commit(txn);
    }
    return {
      status: 200,
      body: {
        compositeResponse: out.map(({ referenceId, res }) => ({
          body: res.body ?? null,
          httpHeaders: res.headers ?? {},
          httpStatusCode: res.status,
          referenceId,
        })),
      },
    };
  });
}
