import {
  Body,
  Delete,
  Get,
  Headers,
  HttpCode,
  Param,
  Patch,
  Post,
  Query,
  Req,
  Res,
} from '@nestjs/common';
import { ApiOperation, ApiResponse } from '@nestjs/swagger';
import { type FastifyReply } from 'fastify';
import { AppError } from '../../common/app-error.js';
import { type AdminRequest } from '../admin-auth.guard.js';
import { AdminApi } from '../api-docs.js';
import { parseIfMatch } from '../if-match.js';
import { PageQuery } from '../pagination.js';
import { MappingAdminService } from './mapping-admin.service.js';
import { MappingApplyService } from './mapping-apply.service.js';
import { MappingPreviewService } from './mapping-preview.service.js';
import {
  CreateMappingBody,
  FieldBody,
  FieldPatch,
  MappingListQuery,
  PatchMappingBody,
  PreviewBody,
  RollbackBody,
} from './mapping.dto.js';
import { type MappingView } from './mapping-view.js';
import { AdminController, actorOf } from '../admin-controller.js';

const versionParam = (raw: string): number => {
  if (!/^\d{1,9}$/.test(raw) || Number(raw) < 1) {
    throw new AppError(
      'invalid',
      'validation_failed',
      `version: expected a whole number from 1, got a path segment that is not one.`,
      [{ field: 'version', problem: 'must be a whole number from 1' }],
    );
  }
  return Number(raw);
};

/** The mapping, with its version as the ETag a later If-Match can send back. */
const withEtag = (reply: FastifyReply, v: MappingView): MappingView => {
  void reply.header('etag', `"${v.version}"`);
  return v;
};

@AdminController('mappings')
export class MappingsController {
  constructor(
    private readonly mappings: MappingAdminService,
    private readonly previews: MappingPreviewService,
    private readonly applies: MappingApplyService,
  ) {}

  @Get()
  @ApiOperation({
    summary: 'List object mappings with their fields',
    description: 'Cursor-paginated: ?limit= (default 50, max 200) and ?cursor=.',
  })
  @AdminApi(400)
  list(@Query() q: MappingListQuery) {
    return this.mappings.list(
      {
        ...(q.connector ? { connector: q.connector } : {}),
        ...(q.stripe_object ? { stripeObject: q.stripe_object } : {}),
      },
      q.limit ?? 50,
      q.cursor,
    );
  }

  @Get(':id')
  @ApiOperation({ summary: 'One object mapping with its fields; the ETag is its version' })
  @AdminApi(404)
  async get(@Param('id') id: string, @Res({ passthrough: true }) reply: FastifyReply) {
    return withEtag(reply, await this.mappings.get(id));
  }

  @Post()
  @HttpCode(201)
  @ApiOperation({
    summary: 'Create an object mapping (and its fields)',
    description:
      'Checked against Stripe and the CRM first: HubSpot custom properties it needs are created; on Salesforce a missing field is a 422 listing what to create.',
  })
  @ApiResponse({ status: 201, description: 'The mapping as stored, at version 1' })
  @AdminApi(400, 409, 422)
  async create(
    @Body() body: CreateMappingBody,
    @Req() req: AdminRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    return withEtag(reply, await this.mappings.create(body, actorOf(req)));
  }

  @Patch(':id')
  @ApiOperation({
    summary: 'Change an object mapping',
    description:
      'Send If-Match: <version> to refuse the change if someone changed it since you read it.',
  })
  @AdminApi(400, 404, 409, 422)
  async patch(
    @Param('id') id: string,
    @Body() body: PatchMappingBody,
    @Headers('if-match') ifMatch: string | undefined,
    @Req() req: AdminRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    return withEtag(
      reply,
      await this.mappings.patch(id, body, parseIfMatch(ifMatch), actorOf(req)),
    );
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({
    summary: 'Delete an object mapping and its fields (links are kept; its versions stay readable)',
  })
  @AdminApi(400, 404, 409)
  async remove(
    @Param('id') id: string,
    @Headers('if-match') ifMatch: string | undefined,
    @Req() req: AdminRequest,
  ): Promise<void> {
    await this.mappings.remove(id, parseIfMatch(ifMatch), actorOf(req));
  }

  @Post(':id/fields')
  @HttpCode(201)
  @ApiOperation({
    summary: 'Add a field mapping',
    description: 'Answers the whole mapping at its new version.',
  })
  @AdminApi(400, 404, 409, 422)
  async addField(
    @Param('id') id: string,
    @Body() body: FieldBody,
    @Headers('if-match') ifMatch: string | undefined,
    @Req() req: AdminRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    return withEtag(
      reply,
      await this.mappings.addField(id, body, parseIfMatch(ifMatch), actorOf(req)),
    );
  }

  @Patch(':id/fields/:fieldId')
  @ApiOperation({
    summary: 'Change a field mapping',
    description: 'Answers the whole mapping at its new version.',
  })
  @AdminApi(400, 404, 409, 422)
  async patchField(
    @Param('id') id: string,
    @Param('fieldId') fieldId: string,
    @Body() body: FieldPatch,
    @Headers('if-match') ifMatch: string | undefined,
    @Req() req: AdminRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    return withEtag(
      reply,
      await this.mappings.patchField(id, fieldId, body, parseIfMatch(ifMatch), actorOf(req)),
    );
  }

  @Delete(':id/fields/:fieldId')
  @ApiOperation({
    summary: 'Remove a field mapping',
    description: 'Answers the whole mapping at its new version.',
  })
  @AdminApi(400, 404, 409, 422)
  async removeField(
    @Param('id') id: string,
    @Param('fieldId') fieldId: string,
    @Headers('if-match') ifMatch: string | undefined,
    @Req() req: AdminRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    return withEtag(
      reply,
      await this.mappings.removeField(id, fieldId, parseIfMatch(ifMatch), actorOf(req)),
    );
  }

  @Post(':id/preview')
  @HttpCode(200)
  @ApiOperation({
    summary: 'What a sync of one record would write on each side right now',
    description:
      '`{"stripe_id"}` or `{"crm_id"}` (a linked record), optionally with `"mapping"`: a proposed mapping (settings, and `fields` replacing the stored ones) that is not stored. Answers the CRM properties and the Stripe params the bridge would send, and the conflicts it would raise. Writes nothing.',
  })
  @AdminApi(400, 404, 422)
  preview(@Param('id') id: string, @Body() body: PreviewBody) {
    return this.previews.preview(id, body);
  }

  @Post(':id/apply')
  @HttpCode(202)
  @ApiOperation({
    summary: 'Re-sync every record the mapping links, with its current version',
    description:
      'A run tracked like a backfill (GET /backfills/:id, kind `apply`): one job per linked pair, synced by the workers in their batches under the CRM budget. A mapping change otherwise reaches a record only when the record next changes.',
  })
  @ApiResponse({ status: 202, description: '`{"id": "<run id>", "total": <pairs queued>}`' })
  @AdminApi(400, 404, 409)
  apply(@Param('id') id: string, @Req() req: AdminRequest) {
    return this.applies.apply(id, actorOf(req));
  }

  @Get(':id/versions')
  @ApiOperation({ summary: 'The stored versions of a mapping, oldest first (cursor-paginated)' })
  @AdminApi(400, 404)
  versions(@Param('id') id: string, @Query() q: PageQuery) {
    return this.mappings.versions(id, q.limit ?? 50, q.cursor);
  }

  @Get(':id/versions/:version')
  @ApiOperation({ summary: 'The mapping as it was at one version' })
  @AdminApi(400, 404)
  version(@Param('id') id: string, @Param('version') version: string) {
    return this.mappings.version(id, versionParam(version));
  }

  @Post(':id/rollback')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Make the mapping what it was at a version',
    description: 'The rollback is itself a new version; it is checked like any change.',
  })
  @AdminApi(400, 404, 409, 422)
  async rollback(
    @Param('id') id: string,
    @Body() body: RollbackBody,
    @Headers('if-match') ifMatch: string | undefined,
    @Req() req: AdminRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    return withEtag(
      reply,
      await this.mappings.rollback(id, body.version, parseIfMatch(ifMatch), actorOf(req)),
    );
  }
}
