import { type IncomingMessage, type ServerResponse } from 'node:http';
import { type Params } from 'nestjs-pino';
import { type LevelWithSilent } from 'pino';

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
      serializers: {
        req: (req: { method?: string; url?: string; id?: unknown }) => ({
          id: req.id,
          method: req.method,
          url: req.url,
        }),
      },
    },
  };
}
