import { Module } from '@nestjs/common';
import { CrmModule } from '../../crm/crm.module.js';
import { LinksModule } from '../../links/links.module.js';
import { InboxModule } from '../../sync/inbox/inbox.module.js';
import { SyncModule } from '../../sync/sync.module.js';
import { AdminAuthGuard } from '../admin-auth.guard.js';
import { AuditLog } from '../audit-log.js';
import { BackfillRunsAdminService } from './backfill-runs-admin.service.js';
import { BackfillsController } from './backfills.controller.js';
import { StatusController } from './status.controller.js';
import { StatusService } from './status.service.js';

/** Backfill runs over REST (start, progress, cancel) and GET /status. */
@Module({
  imports: [CrmModule, SyncModule, InboxModule, LinksModule],
  controllers: [BackfillsController, StatusController],
  providers: [AdminAuthGuard, AuditLog, BackfillRunsAdminService, StatusService],
})
export class RunsModule {}
