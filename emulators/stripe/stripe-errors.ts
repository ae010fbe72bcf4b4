/** Stripe's error envelope: `{"error": {type, code, message, param}}` with an HTTP status. */
export type StripeErrorType =
  | 'invalid_request_error'
  | 'idempotency_error'
  | 'card_error'
  | 'api_error'
  | 'authentication_error';

export interface StripeErrorBody {
  type: StripeErrorType;
  message: string;
  code?: string;
  param?: string;
  decline_code?: string;
  doc_url?: string;
}

export class StripeApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: StripeErrorBody,
  ) {
    super(body.message);
  }

  toJSON(): { error: StripeErrorBody } {
    return { error: this.body };
  }
}

const docUrl = (code: string) => `https://stripe.com/docs/error-codes/${code.replace(/_/g, '-')}`;

export const invalid = (message: string, param?: string, code?: string): StripeApiError =>
  new StripeApiError(400, {
    type: 'invalid_request_error',
    message,
    ...(code ? { code, doc_url: docUrl(code) } : {}),
    ...(param ? { param } : {}),
  });

export const unknownParam = (param: string): StripeApiError =>
  invalid(`Received unknown parameter: ${param}`, param, 'parameter_unknown');

export const missingParam = (param: string): StripeApiError =>
  invalid(`Missing required param: ${param}.`, param, 'parameter_missing');

export const invalidInteger = (param: string, value: unknown): StripeApiError =>
  invalid(`Invalid integer: ${String(value)}`, param, 'parameter_invalid_integer');

/** 404 with the object name Stripe uses in its message ("No such customer: 'cus_x'"). */
export const notFound = (objectName: string, id: string, param = 'id'): StripeApiError =>
  new StripeApiError(404, {
    type: 'invalid_request_error',
    code: 'resource_missing',
    doc_url: docUrl('resource_missing'),
    message: `No such ${objectName}: '${id}'`,
    param,
  });

export const noApiKey = (): StripeApiError =>
  new StripeApiError(401, {
    type: 'invalid_request_error',
    message:
      "You did not provide an API key. You need to provide your API key in the Authorization header, using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY'). See https://stripe.com/docs/api#authentication for details, or we can help at https://support.stripe.com/.",
  });

export const badApiKey = (key: string): StripeApiError =>
  new StripeApiError(401, {
    type: 'invalid_request_error',
    code: 'api_key_invalid',
    message: `Invalid API Key provided: ${key.slice(0, 8)}${'*'.repeat(Math.max(0, key.length - 12))}${key.slice(-4)}`,
  });

export const idempotencyMismatch = (key: string): StripeApiError =>
  new StripeApiError(400, {
    type: 'idempotency_error',
    message: `Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '${key}' if you meant to execute a different request.`,
  });

export const cardDeclined = (chargeId: string | null, paymentIntent?: unknown): StripeApiError =>
  new StripeApiError(402, {
    type: 'card_error',
    code: 'card_declined',
    decline_code: 'generic_decline',
    doc_url: docUrl('card_declined'),
    message: 'Your card was declined.',
    ...(chargeId ? { charge: chargeId } : {}),
    ...(paymentIntent ? { payment_intent: paymentIntent } : {}),
  });
