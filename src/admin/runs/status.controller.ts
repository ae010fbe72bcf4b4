import { Controller, Get, UseGuards, UsePipes } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { ADMIN_ROUTES } from '../admin-routes.js';
import { AdminAuthGuard } from '../admin-auth.guard.js';
import { adminValidationPipe } from '../admin-validation.js';
import { AdminApi } from '../api-docs.js';
import { StatusView } from './status.dto.js';
import { StatusService } from './status.service.js';

@ApiTags('status')
@Controller(ADMIN_ROUTES.status)
@UseGuards(AdminAuthGuard)
@UsePipes(adminValidationPipe)
export class StatusController {
  constructor(private readonly statusService: StatusService) {}

  @Get()
  @ApiOperation({
    summary:
      'The sync at a glance: inbox depth and age, dead letters, open conflicts, error rate, and per CRM its poll cursors, lag and API budget',
  })
  @ApiResponse({ status: 200, description: 'The status now', type: StatusView })
  @AdminApi()
  status() {
    return this.statusService.status();
  }
}
