import { Body, Delete, Get, HttpCode, Param, Post, Query, Req } from '@nestjs/common';
import { ApiOperation, ApiResponse } from '@nestjs/swagger';
import { type AdminRequest } from '../admin-auth.guard.js';
import { AdminApi } from '../api-docs.js';
import { DeadLettersService } from './dead-letters.service.js';
import { DeadLetterQuery, DiscardBody, ReplayBody } from './operations.dto.js';
import { deadLetterId } from './path-ids.js';
import { AdminController, actorOf } from '../admin-controller.js';

@AdminController('deadLetters')
export class DeadLettersController {
  constructor(private readonly deadLetters: DeadLettersService) {}

  @Get()
  @ApiOperation({
    summary: 'List dead letters: work that failed for good, with the last error',
    description: 'Oldest first. Cursor-paginated: ?limit= (default 50, max 200) and ?cursor=.',
  })
  @AdminApi(400)
  list(@Query() q: DeadLetterQuery) {
    return this.deadLetters.list(
      {
        ...(q.connector ? { connector: q.connector } : {}),
        ...(q.stripe_object ? { stripeObject: q.stripe_object } : {}),
      },
      q.limit ?? 50,
      q.cursor,
    );
  }

  // Declared before ':id/replay' so that "replay" is never taken for an id.
  @Post('replay')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Replay dead letters: the given ids, or all of them',
    description:
      'Ids that are not (or no longer) dead letters are skipped; the answer counts the rest.',
  })
  @ApiResponse({ status: 200, description: '{ "replayed": n }' })
  @AdminApi(400)
  async replayMany(@Body() body: ReplayBody, @Req() req: AdminRequest) {
    return { replayed: await this.deadLetters.replayMany(body.ids, actorOf(req)) };
  }

  @Post(':id/replay')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Replay one dead letter',
    description: 'Back to pending with fresh attempts; the workers take it at once.',
  })
  @ApiResponse({ status: 200, description: '{ "replayed": 1 }' })
  @AdminApi(400, 404, 409)
  async replay(@Param('id') id: string, @Req() req: AdminRequest) {
    await this.deadLetters.replay(deadLetterId(id), actorOf(req));
    return { replayed: 1 };
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({
    summary: 'Discard a dead letter',
    description: 'The row is kept as discarded, with the reason, the token label and the time.',
  })
  @ApiResponse({ status: 204, description: 'Discarded' })
  @AdminApi(400, 404, 409)
  async discard(
    @Param('id') id: string,
    @Body() body: DiscardBody,
    @Req() req: AdminRequest,
  ): Promise<void> {
    await this.deadLetters.discard(deadLetterId(id), body.reason.trim(), actorOf(req));
  }
}
