import { Body, Get, HttpCode, Param, Post, Query, Req } from '@nestjs/common';
import { ApiOperation, ApiResponse } from '@nestjs/swagger';
import { type AdminRequest } from '../admin-auth.guard.js';
import { AdminApi } from '../api-docs.js';
import { ConflictListQuery, ConflictView, ResolveConflictBody } from './conflicts.dto.js';
import { ConflictsService } from './conflicts.service.js';
import { AdminController } from '../admin-controller.js';

@AdminController('conflicts')
export class ConflictsController {
  constructor(private readonly conflicts: ConflictsService) {}

  @Get()
  @ApiOperation({ summary: 'Conflicts, newest first (open by default), cursor-paginated' })
  @AdminApi(400)
  list(@Query() q: ConflictListQuery) {
    return this.conflicts.list(
      {
        status: q.status ?? 'open',
        ...(q.connector ? { connector: q.connector } : {}),
        ...(q.stripe_object ? { stripeObject: q.stripe_object } : {}),
      },
      q.limit ?? 50,
      q.cursor,
    );
  }

  @Get(':id')
  @ApiOperation({ summary: 'One conflict' })
  @ApiResponse({ status: 200, type: ConflictView })
  @AdminApi(400, 404)
  get(@Param('id') id: string) {
    return this.conflicts.get(id);
  }

  @Post(':id/resolve')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Settle an open conflict',
    description:
      '`{"winner": "stripe"|"crm"}` keeps that side’s value, `{"value": …}` writes a value to both; the write goes through the normal sync path (Idempotency-Key, shadow updated), once.',
  })
  @ApiResponse({ status: 200, type: ConflictView })
  @AdminApi(400, 404, 409, 422)
  resolve(@Param('id') id: string, @Body() body: ResolveConflictBody, @Req() req: AdminRequest) {
    return this.conflicts.resolve(id, body, req.adminActor ?? 'unknown');
  }
}
