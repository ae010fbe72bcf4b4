import { Get } from '@nestjs/common';
import { ApiOperation, ApiResponse } from '@nestjs/swagger';
import { AdminApi } from '../api-docs.js';
import { StatusView } from './status.dto.js';
import { StatusService } from './status.service.js';
import { AdminController } from '../admin-controller.js';

@AdminController('status')
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
