import { Controller, Get, Query, UseGuards, UsePipes } from '@nestjs/common';
import { ApiOperation, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, MaxLength } from 'class-validator';
import { ADMIN_ROUTES } from './admin-routes.js';
import { AdminAuthGuard } from './admin-auth.guard.js';
import { adminValidationPipe } from './admin-validation.js';
import { AdminApi } from './api-docs.js';
import { AuditLog } from './audit-log.js';
import { PageQuery } from './pagination.js';

class AuditQuery extends PageQuery {
  @ApiPropertyOptional({ enum: ['mapping', 'conflict', 'dead_letter', 'link', 'backfill'] })
  @IsOptional()
  @IsIn(['mapping', 'conflict', 'dead_letter', 'link', 'backfill'])
  target_type?: string;

  @ApiPropertyOptional({ example: 'hubspot-customer' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  target_id?: string;
}

@ApiTags('audit')
@Controller(ADMIN_ROUTES.audit)
@UseGuards(AdminAuthGuard)
@UsePipes(adminValidationPipe)
export class AuditController {
  constructor(private readonly audit: AuditLog) {}

  @Get()
  @ApiOperation({
    summary:
      'Every change made through the admin API, newest first: when, which token (its label), what, before and after',
  })
  @AdminApi(400)
  list(@Query() q: AuditQuery) {
    return this.audit.list(
      {
        ...(q.target_type ? { targetType: q.target_type } : {}),
        ...(q.target_id ? { targetId: q.target_id } : {}),
      },
      q.limit ?? 50,
      q.cursor,
    );
  }
}
