import { Body, Delete, Get, HttpCode, Param, Post, Query, Req } from '@nestjs/common';
import { ApiOperation, ApiResponse } from '@nestjs/swagger';
import { type AdminRequest } from '../admin-auth.guard.js';
import { AdminApi } from '../api-docs.js';
import { LinksService } from './links.service.js';
import { CreateLinkBody, LinkQuery } from './operations.dto.js';
import { linkId } from './path-ids.js';
import { AdminController, actorOf } from '../admin-controller.js';

@AdminController('links')
export class LinksController {
  constructor(private readonly links: LinksService) {}

  @Get()
  @ApiOperation({
    summary: 'List links (Stripe object ⇄ CRM record), by either side',
    description: 'Cursor-paginated: ?limit= (default 50, max 200) and ?cursor=.',
  })
  @AdminApi(400)
  list(@Query() q: LinkQuery) {
    return this.links.list(
      {
        ...(q.connector ? { connector: q.connector } : {}),
        ...(q.stripe_id ? { stripeId: q.stripe_id } : {}),
        ...(q.crm_id ? { crmId: q.crm_id } : {}),
      },
      q.limit ?? 50,
      q.cursor,
    );
  }

  @Post()
  @HttpCode(201)
  @ApiOperation({
    summary: 'Link a Stripe object to a CRM record by hand',
    description:
      'Both must exist (checked with Stripe and the CRM) and neither be linked already; an open duplicate-candidates row of the Stripe object is resolved, and a sync of the pair is queued.',
  })
  @ApiResponse({ status: 201, description: 'The link as stored' })
  @AdminApi(400, 404, 409, 422)
  create(@Body() body: CreateLinkBody, @Req() req: AdminRequest) {
    return this.links.create(body, actorOf(req));
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Unlink: the link is removed, nothing is deleted on either side' })
  @ApiResponse({ status: 204, description: 'Unlinked' })
  @AdminApi(400, 404)
  async remove(@Param('id') id: string, @Req() req: AdminRequest): Promise<void> {
    await this.links.remove(linkId(id), actorOf(req));
  }

  @Post(':id/resync')
  @HttpCode(202)
  @ApiOperation({
    summary: 'Queue a sync of a linked pair now',
    description:
      'The CRM record is read as it is now and synced with the Stripe object by the workers.',
  })
  @ApiResponse({ status: 202, description: '{ "queued": true }' })
  @AdminApi(400, 404, 422)
  async resync(@Param('id') id: string, @Req() req: AdminRequest) {
    await this.links.resync(linkId(id), actorOf(req));
    return { queued: true };
  }
}
