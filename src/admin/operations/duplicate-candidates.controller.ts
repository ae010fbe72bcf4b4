import { Controller, Get, Query, UseGuards, UsePipes } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { ADMIN_ROUTES } from '../admin-routes.js';
import { AdminAuthGuard } from '../admin-auth.guard.js';
import { adminValidationPipe } from '../admin-validation.js';
import { AdminApi } from '../api-docs.js';
import { DuplicateCandidatesService } from './duplicate-candidates.service.js';
import { DuplicateCandidateQuery } from './operations.dto.js';

@ApiTags('duplicate-candidates')
@Controller(ADMIN_ROUTES.duplicateCandidates)
@UseGuards(AdminAuthGuard)
@UsePipes(adminValidationPipe)
export class DuplicateCandidatesController {
  constructor(private readonly candidates: DuplicateCandidatesService) {}

  @Get()
  @ApiOperation({
    summary: 'Stripe objects several CRM records matched (not linked): settle one with POST /links',
    description:
      'Open ones by default. Cursor-paginated: ?limit= (default 50, max 200) and ?cursor=.',
  })
  @AdminApi(400)
  list(@Query() q: DuplicateCandidateQuery) {
    return this.candidates.list(
      { status: q.status ?? 'open', ...(q.connector ? { connector: q.connector } : {}) },
      q.limit ?? 50,
      q.cursor,
    );
  }
}
