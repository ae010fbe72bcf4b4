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
  | 'unprocessable'
  | 'too_many_requests'
  | 'too_large'
  | 'unsupported_media_type'
  | 'unavailable';

export interface ErrorDetail {
  /** The request field (`fields[2].stripe_path`), or the CRM/Stripe field, at fault. */
  field: string;
  problem: string;
}

export class AppError extends Error {
  constructor(
    readonly kind: ErrorKind,
    /** Machine-readable, stable: clients branch on it. */
    readonly code: string,
    /** For people: says what to fix. */
    message: string,
    /** One entry per field at fault, for clients that show them next to the field. */
    readonly details?: ErrorDetail[],
  ) {
    super(message);
    this.name = 'AppError';
  }
}
