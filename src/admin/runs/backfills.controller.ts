import { Body, Get, HttpCode, Param, Post, Query, Req } from '@nestjs/common';
import { ApiOperation, ApiResponse } from '@nestjs/swagger';
import { type AdminRequest } from '../admin-auth.guard.js';
import { AdminApi, ErrorResponse } from '../api-docs.js';
import { BackfillRunsAdminService } from './backfill-runs-admin.service.js';
import {
  BackfillListQuery,
  BackfillRunView,
  CancelledBackfillView,
  StartBackfillBody,
  StartedBackfillView,
} from './backfill.dto.js';
import { AdminController, actorOf } from '../admin-controller.js';

const NOT_FOUND = {
  status: 404,
  description: 'No such backfill run (not_found)',
  type: ErrorResponse,
};

@AdminController('backfills')
export class BackfillsController {
  constructor(private readonly runs: BackfillRunsAdminService) {}

  @Post()
  @HttpCode(202)
  @ApiOperation({
    summary: 'Start a backfill of a Stripe object to the CRM(s); it runs in the background',
    description:
      'One run per mapping covered (one per CRM without `connector`). A run cancelled earlier is resumed after its last committed page. Poll GET /backfills/{id} for progress.',
  })
  @ApiResponse({ status: 202, description: 'The runs opened', type: StartedBackfillView })
  @ApiResponse({
    status: 409,
    description:
      'A backfill of that object to that CRM is already running, here or in another process (backfill_running; details name its id as running_id)',
    type: ErrorResponse,
  })
  @AdminApi(400)
  start(@Body() body: StartBackfillBody, @Req() req: AdminRequest) {
    return this.runs.start(body, actorOf(req));
  }

  @Get()
  @ApiOperation({
    summary: 'Backfill runs, newest first',
    description: 'Cursor-paginated: ?limit= (default 50, max 200) and ?cursor=.',
  })
  @AdminApi(400)
  list(@Query() q: BackfillListQuery) {
    return this.runs.list(
      {
        ...(q.connector ? { connector: q.connector } : {}),
        ...(q.stripe_object ? { stripeObject: q.stripe_object } : {}),
        ...(q.status ? { status: q.status } : {}),
      },
      q.limit ?? 50,
      q.cursor,
    );
  }

  @Get(':id')
  @ApiOperation({ summary: 'One backfill run: status, progress, rate and ETA' })
  @ApiResponse({ status: 200, description: 'The run', type: BackfillRunView })
  @ApiResponse(NOT_FOUND)
  @AdminApi(400)
  get(@Param('id') id: string) {
    return this.runs.get(id);
  }

  @Post(':id/cancel')
  @HttpCode(202)
  @ApiOperation({
    summary: 'Cancel a running backfill',
    description:
      'Its process stops between batches and marks it cancelled; what it committed stays, and the next start resumes after it.',
  })
  @ApiResponse({ status: 202, description: 'Cancel requested', type: CancelledBackfillView })
  @ApiResponse(NOT_FOUND)
  @ApiResponse({
    status: 409,
    description: 'The run already ended (not_running)',
    type: ErrorResponse,
  })
  @AdminApi(400)
  cancel(@Param('id') id: string, @Req() req: AdminRequest) {
    return this.runs.cancel(id, actorOf(req));
  }
}
