import { Get, Query } from '@nestjs/common';
import { ApiOperation, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, MaxLength } from 'class-validator';
import { AdminApi } from './api-docs.js';
import { AuditLog } from './audit-log.js';
import { PageQuery } from './pagination.js';
import { AdminController } from './admin-controller.js';

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

@AdminController('audit')
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
