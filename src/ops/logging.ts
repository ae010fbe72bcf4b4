import { type IncomingMessage, type ServerResponse } from 'node:http';
import { type Params } from 'nestjs-pino';
import { type LevelWithSilent, type LogFn, type Logger } from 'pino';
import { errorSummary, serializeError } from './safe-error.js';

/**
 * Paths pino blanks out wherever they appear in a log line: credentials in headers and
 * config, and card data in any Stripe object we might log. Wildcards match one level, so the
 * common nestings are listed.
 */
export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers["stripe-signature"]',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'res.headers["set-cookie"]',
  '*.secret',
  '*.secretKey',
  '*.webhookSecrets',
  '*.password',
  '*.token',
  '*.accessToken',
  '*.access_token',
  '*.refresh_token',
  '*.clientSecret',
  '*.client_secret',
  '*.privateKey',
  '*.apiKey',
  '*.card.number',
  '*.card.cvc',
  '*.*.card.number',
  '*.*.card.cvc',
  'card.number',
  'card.cvc',
];

const QUIET_ROUTES = ['/health/live', '/health/ready', '/metrics'];

/**
 * `logger.error(err)` and `logger.error({ err })` without a message make pino use the error's
 * own message as the line's `msg`, unscrubbed; give it the scrubbed one instead.
 */
function logMethod(this: Logger, args: Parameters<LogFn>, method: LogFn): void {
  const [first] = args;
  if (args.length === 1 && typeof first === 'object' && first !== null) {
    const err: unknown = first instanceof Error ? first : (first as { err?: unknown }).err;
    if (err !== undefined && err !== null) {
      const obj = first instanceof Error ? { err: first } : first;
      return method.call(this, obj, errorSummary(err).message);
    }
  }
  return method.apply(this, args);
}

export function loggerParams(level: string): Params {
  return {
    pinoHttp: {
      level,
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      // Probes and scrapes every few seconds would drown the log.
      autoLogging: { ignore: (req: IncomingMessage) => QUIET_ROUTES.includes(req.url ?? '') },
      // Successful webhooks arrive by the thousand: visible at debug, failures always.
      customLogLevel: (
        _req: IncomingMessage,
        res: ServerResponse,
        err?: Error,
      ): LevelWithSilent => {
        if (err || res.statusCode >= 500) return 'error';
        if (res.statusCode >= 400) return 'warn';
        return 'debug';
      },
      hooks: { logMethod },
      // Errors are logged by class, codes and a scrubbed message: never the SQL, its
      // parameters, a vendor's raw body or headers, or a value the vendor quoted back.
      serializers: {
        err: serializeError,
        error: serializeError,
        req: (req: { method?: string; url?: string; id?: unknown }) => ({
          id: req.id,
          method: req.method,
          url: req.url,
        }),
      },
    },
  };
}
