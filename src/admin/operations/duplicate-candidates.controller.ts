import { Get, Query } from '@nestjs/common';
import { ApiOperation } from '@nestjs/swagger';
import { AdminApi } from '../api-docs.js';
import { DuplicateCandidatesService } from './duplicate-candidates.service.js';
import { DuplicateCandidateQuery } from './operations.dto.js';
import { AdminController } from '../admin-controller.js';

@AdminController('duplicateCandidates')
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
