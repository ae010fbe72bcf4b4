/** A PostgreSQL integrity constraint violation (SQLSTATE class 23): retrying cannot help. */
export interface ConstraintViolation {
  /** The SQLSTATE: 23505 unique, 23503 foreign key, 23514 check, 23502 not null. */
  code: string;
  constraint: string | null;
}

/**
 * The violation an error reports, from the pg driver's error or TypeORM's wrapper of it, or
 * null for any other error. Only the code and the constraint's name: never the row's values.
 */
export function constraintViolation(err: unknown): ConstraintViolation | null {
  if (typeof err !== 'object' || err === null) return null;
  const e = err as { code?: unknown; constraint?: unknown; driverError?: unknown };
  const source = (e.driverError ?? e) as { code?: unknown; constraint?: unknown };
  const code = typeof source.code === 'string' ? source.code : null;
  if (!code?.startsWith('23')) return null;
  return { code, constraint: typeof source.constraint === 'string' ? source.constraint : null };
}

const MEANING: Record<string, string> = {
  '23505': 'the record conflicts with one already stored (a unique key)',
  '23503': 'the record refers to a row that is not there (a foreign key)',
  '23514': 'a value of the record breaks a check',
  '23502': 'a value the record needs is missing',
};

/** A dead letter's reason: which constraint, its SQLSTATE and what that means; no values. */
export function describeViolation(v: ConstraintViolation): string {
  const meaning = MEANING[v.code] ?? 'the record breaks an integrity constraint';
  return `constraint_violation: ${v.constraint ?? v.code} (SQLSTATE ${v.code}); ${meaning}`;
}
