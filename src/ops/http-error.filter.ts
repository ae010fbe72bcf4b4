import {
  type ArgumentsHost,
  Catch,
  type ExceptionFilter,
  HttpException,
  HttpStatus,
  Logger,
} from '@nestjs/common';
import { type FastifyReply, type FastifyRequest } from 'fastify';
import { AppError, type ErrorDetail, type ErrorKind } from '../common/app-error.js';
import { WEBHOOK_PATH } from '../common/routes.js';
import { AppConfig } from '../config/app-config.js';
import { MetricsService } from './metrics.service.js';
import { WebhookRefusalLog } from './webhook-refusal-log.js';

export interface ErrorBody {
  statusCode: number;
  code: string;
  message: string;
  details?: ErrorDetail[];
}

const STATUS: Record<ErrorKind, number> = {
  invalid: HttpStatus.BAD_REQUEST,
  unauthorized: HttpStatus.UNAUTHORIZED,
  forbidden: HttpStatus.FORBIDDEN,
  not_found: HttpStatus.NOT_FOUND,
  conflict: HttpStatus.CONFLICT,
  unprocessable: HttpStatus.UNPROCESSABLE_ENTITY,
  too_many_requests: HttpStatus.TOO_MANY_REQUESTS,
  too_large: HttpStatus.PAYLOAD_TOO_LARGE,
  unsupported_media_type: HttpStatus.UNSUPPORTED_MEDIA_TYPE,
  unavailable: HttpStatus.SERVICE_UNAVAILABLE,
};

/** snake_case code for Nest's built-in exceptions, e.g. 404 → not_found. */
const codeForStatus = (status: number): string => (HttpStatus[status] ?? 'error').toLowerCase();

/** Fastify's own request errors (before any handler ran), in our codes. */
const FASTIFY_CODES: Record<string, string> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'payload_too_large',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'unsupported_media_type',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'invalid_content_length',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'invalid_json',
  FST_ERR_CTP_INVALID_JSON_BODY: 'invalid_json',
};

interface FastifyRequestError {
  statusCode: number;
  code: string;
  message: string;
}

const isFastifyRequestError = (err: unknown): err is FastifyRequestError =>
  err instanceof Error &&
  typeof (err as Partial<FastifyRequestError>).statusCode === 'number' &&
  typeof (err as Partial<FastifyRequestError>).code === 'string' &&
  (err as unknown as FastifyRequestError).statusCode < 500;

/** Nest wraps Fastify's request errors in an HttpException; the original says more. */
function fastifyCause(err: unknown): FastifyRequestError | null {
  if (isFastifyRequestError(err)) return err;
  if (err instanceof HttpException && isFastifyRequestError(err.cause)) return err.cause;
  return null;
}

export function toErrorBody(raw: unknown): ErrorBody {
  const err = fastifyCause(raw) ?? raw;
  if (isFastifyRequestError(err)) {
    return {
      statusCode: err.statusCode,
      code: FASTIFY_CODES[err.code] ?? codeForStatus(err.statusCode),
      message:
        err.code === 'FST_ERR_CTP_BODY_TOO_LARGE'
          ? 'The request body is larger than the limit set by WEBHOOK_BODY_LIMIT_BYTES (default 1 MiB).'
          : err.message,
    };
  }
  if (err instanceof AppError) {
    return {
      statusCode: STATUS[err.kind],
      code: err.code,
      message: err.message,
      ...(err.details && err.details.length > 0 ? { details: err.details } : {}),
    };
  }
  if (err instanceof HttpException) {
    const status = err.getStatus();
    const res = err.getResponse();
    const message =
      typeof res === 'object' && res !== null && 'message' in res
        ? ([] as unknown[]).concat(res.message).join('; ')
        : err.message;
    return { statusCode: status, code: codeForStatus(status), message };
  }
  return {
    statusCode: 500,
    code: 'internal_error',
    message: 'Internal error; see the service log.',
  };
}

/** Every error leaves as { statusCode, code, message }; unexpected ones are logged in full. */
@Catch()
export class HttpErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger(HttpErrorFilter.name);

  private readonly refusals: WebhookRefusalLog;

  constructor(
    private readonly metrics: MetricsService,
    config: AppConfig,
  ) {
    this.refusals = WebhookRefusalLog.for(config);
  }

  catch(err: unknown, host: ArgumentsHost): void {
    const body = toErrorBody(err);
    if (body.statusCode >= 500) this.logger.error(err);
    const http = host.switchToHttp();
    // A webhook refused by Fastify itself (too large, wrong type) never reached the controller.
    const req = http.getRequest<FastifyRequest>();
    if (fastifyCause(err) !== null && req.routeOptions.url === WEBHOOK_PATH) {
      this.metrics.webhooksRejected.inc({ reason: body.code });
      this.refusals.refused({
        reason: body.code,
        status: body.statusCode,
        message: body.message,
        requestId: String(req.id),
        signatureHeader: req.headers['stripe-signature'],
        contentLength: req.headers['content-length'],
        nowMs: Date.now(),
      });
    }
    void http.getResponse<FastifyReply>().status(body.statusCode).send(body);
  }
}
