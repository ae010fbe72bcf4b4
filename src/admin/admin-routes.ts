import rateLimit from '@fastify/rate-limit';
import { type NestFastifyApplication } from '@nestjs/platform-fastify';
import { AppError } from '../common/app-error.js';

/** Where each admin controller lives; every path here is authenticated and throttled. */
export const ADMIN_ROUTES = {
  mappings: 'mappings',
  audit: 'audit',
  deadLetters: 'dead-letters',
  links: 'links',
  duplicateCandidates: 'duplicate-candidates',
  conflicts: 'conflicts',
  backfills: 'backfills',
  status: 'status',
} as const;

const PREFIXES = Object.values(ADMIN_ROUTES).map((p) => `/${p}`);

export const isAdminRoute = (url: string | undefined): boolean =>
  url !== undefined && PREFIXES.some((p) => url === p || url.startsWith(`${p}/`));

/**
 * Throttles the admin routes per client address (ADMIN_API_RATE_LIMIT_PER_MINUTE) with @fastify/rate-limit (webhooks, health and metrics
 * are not limited: Stripe's bursts must never be refused). A refusal is our usual error body.
 */
export async function throttleAdminRoutes(
  app: NestFastifyApplication,
  perMinute: number,
): Promise<void> {
  await app.register(rateLimit, {
    global: true,
    max: perMinute,
    timeWindow: 60_000,
    allowList: (req) => !isAdminRoute(req.routeOptions.url),
    errorResponseBuilder: (_req, ctx) =>
      new AppError(
        'too_many_requests',
        'too_many_requests',
        `More than ${ctx.max} admin API requests a minute from this client: retry in ${ctx.after}.`,
      ),
  });
}
