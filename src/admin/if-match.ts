import { AppError } from '../common/app-error.js';

/** `If-Match: 3`, `"3"` or `W/"3"` → 3; absent → null (no precondition). */
export function parseIfMatch(header: string | string[] | undefined): number | null {
  const raw = Array.isArray(header) ? header[0] : header;
  if (raw === undefined || raw.trim() === '') return null;
  const m = /^\s*(?:W\/)?"?(\d{1,9})"?\s*$/.exec(raw);
  if (!m?.[1]) {
    throw new AppError(
      'invalid',
      'invalid_if_match',
      'If-Match: expected the mapping version you read (the `version` field, or the ETag), e.g. If-Match: 3.',
    );
  }
  return Number(m[1]);
}
