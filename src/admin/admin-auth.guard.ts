import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { type FastifyRequest } from 'fastify';
import { AppError } from '../common/app-error.js';
import { AppConfig } from '../config/app-config.js';
import { bearerToken, findToken } from './admin-tokens.js';

/** The request after the guard: who is calling, by the label of their token. */
export type AdminRequest = FastifyRequest & { adminActor?: string };

/**
 * Every admin route: a bearer token from ADMIN_API_TOKEN. No header → 401 missing_token; a
 * token that is not configured → 403 invalid_token; no token configured at all → 503
 * admin_api_disabled (the local profile generates one). Tokens are never logged: the
 * Authorization header is redacted, and the audit log records the token's label.
 */
@Injectable()
export class AdminAuthGuard implements CanActivate {
  constructor(private readonly config: AppConfig) {}

  canActivate(context: ExecutionContext): boolean {
    const req = context.switchToHttp().getRequest<AdminRequest>();
    if (this.config.adminApiTokens.length === 0) {
      throw new AppError(
        'unavailable',
        'admin_api_disabled',
        'The admin API is off: set ADMIN_API_TOKEN (tokens of at least 24 characters, each optionally label:token, comma-separated) and restart.',
      );
    }
    const presented = bearerToken(req.headers.authorization);
    if (presented === null) {
      throw new AppError(
        'unauthorized',
        'missing_token',
        'Send the admin token as `Authorization: Bearer <token>` (one of ADMIN_API_TOKEN).',
      );
    }
    const token = findToken(this.config.adminApiTokens, presented);
    if (!token) {
      throw new AppError(
        'forbidden',
        'invalid_token',
        'The bearer token is not one of ADMIN_API_TOKEN: check for a rotated or mistyped token.',
      );
    }
    req.adminActor = token.label;
    return true;
  }
}
