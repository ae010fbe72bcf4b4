/**
 * What went wrong, in words a caller can act on. Domain and service code throws these (or
 * returns them); only the HTTP edge turns a kind into a status code.
 */
export type ErrorKind =
  | 'invalid'
  | 'unauthorized'
  | 'forbidden'
  | 'not_found'
  | 'conflict'
  | 'too_large'
  | 'unsupported_media_type'
  | 'unavailable';

export class AppError extends Error {
  constructor(
    readonly kind: ErrorKind,
    /** Machine-readable, stable: clients branch on it. */
    readonly code: string,
    /** For people: says what to fix. */
    message: string,
  ) {
    super(message);
    this.name = 'AppError';
  }
}
