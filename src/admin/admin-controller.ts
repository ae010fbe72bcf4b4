import { applyDecorators, Controller, UseGuards, UsePipes } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { AdminAuthGuard, type AdminRequest } from './admin-auth.guard.js';
import { ADMIN_ROUTES } from './admin-routes.js';
import { adminValidationPipe } from './admin-validation.js';

/**
 * An admin controller: mounted at its ADMIN_ROUTES path (so it is throttled), behind the
 * bearer-token guard, with the strict DTO validation, tagged in the OpenAPI document.
 */
export const AdminController = (route: keyof typeof ADMIN_ROUTES) =>
  applyDecorators(
    ApiTags(ADMIN_ROUTES[route]),
    Controller(ADMIN_ROUTES[route]),
    UseGuards(AdminAuthGuard),
    UsePipes(adminValidationPipe),
  );

/** Who made a change, by the label of their token (the audit log's actor). */
export const actorOf = (req: AdminRequest): string => req.adminActor ?? 'unknown';
