import { randomUUID } from 'node:crypto';

/** HubSpot's error body: `{status:'error', message, correlationId, category, ...}`. */
export interface HubSpotErrorBody {
  status: 'error';
  message: string;
  correlationId: string;
  category?: string;
  subCategory?: string;
  errors?: { message: string; in?: string; code?: string; context?: Record<string, string[]> }[];
  context?: Record<string, string[]>;
  errorType?: string;
  policyName?: string;
  groupName?: string;
  links?: Record<string, string>;
}

/** Thrown by handlers; the router turns it into the response. */
export class HubSpotError extends Error {
  constructor(
    readonly statusCode: number,
    readonly body: HubSpotErrorBody,
  ) {
    super(body.message);
  }
}

export const correlationId = (): string => randomUUID();

export function errorBody(
  message: string,
  category?: string,
  extra: Partial<HubSpotErrorBody> = {},
): HubSpotErrorBody {
  return {
    status: 'error',
    message,
    correlationId: correlationId(),
    ...(category ? { category } : {}),
    ...extra,
  };
}

export const fail = (status: number, message: string, category?: string, extra = {}) =>
  new HubSpotError(status, errorBody(message, category, extra));

/** One entry of HubSpot's "Property values were not valid" list. */
export interface PropertyValueError {
  isValid: false;
  message: string;
  error: string;
  name: string;
  localizedErrorMessage: string;
  /** The value refused, for type refusals (HubSpot echoes it). */
  propertyValue?: string;
  portalId: number;
}

export const PORTAL_ID = 1_234_567;

export function propertyError(
  name: string,
  error: string,
  message: string,
  propertyValue?: string,
): PropertyValueError {
  return {
    isValid: false,
    message,
    error,
    name,
    localizedErrorMessage: message,
    ...(propertyValue !== undefined ? { propertyValue } : {}),
    portalId: PORTAL_ID,
  };
}

/** 400 VALIDATION_ERROR with HubSpot's JSON-in-the-message listing of invalid properties. */
export function invalidProperties(errors: PropertyValueError[]): HubSpotError {
  return fail(
    400,
    `Property values were not valid: ${JSON.stringify(errors)}`,
    'VALIDATION_ERROR',
    {
      errors: errors.map((e) => ({
        message: e.message,
        code: e.error,
        context: { propertyName: [e.name] },
      })),
    },
  );
}

export const validation = (message: string, errors?: HubSpotErrorBody['errors']) =>
  fail(400, message, 'VALIDATION_ERROR', errors ? { errors } : {});

export const notFound = (message = 'resource not found') => fail(404, message, 'OBJECT_NOT_FOUND');

export const AUTH_MISSING_MESSAGE =
  'Authentication credentials not found. This API supports OAuth 2.0 authentication and you can find more details at https://developers.hubspot.com/docs/methods/auth/oauth-overview';

export const TEN_SECONDLY_MESSAGE = 'You have reached your ten_secondly_rolling limit.';
export const DAILY_MESSAGE = 'You have reached your daily limit.';
/** The exact text @hubspot/api-client's RetryDecorator looks for on search 429s. */
export const SECONDLY_MESSAGE = 'You have reached your secondly limit.';

export function rateLimitBody(
  policyName: 'TEN_SECONDLY_ROLLING' | 'DAILY' | 'SECONDLY',
  groupName: string,
): HubSpotErrorBody {
  const message =
    policyName === 'DAILY'
      ? DAILY_MESSAGE
      : policyName === 'SECONDLY'
        ? SECONDLY_MESSAGE
        : TEN_SECONDLY_MESSAGE;
  return {
    status: 'error',
    message,
    errorType: 'RATE_LIMIT',
    correlationId: correlationId(),
    policyName,
    groupName,
  };
}
