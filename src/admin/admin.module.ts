import { Module } from '@nestjs/common';
import { CrmModule } from '../crm/crm.module.js';
import { MappingModule } from '../mapping/mapping.module.js';
import { SyncModule } from '../sync/sync.module.js';
import { StripeModule } from '../stripe/stripe.module.js';
import { LinksModule } from '../links/links.module.js';
import { InboxModule } from '../sync/inbox/inbox.module.js';
import { AdminAuthGuard } from './admin-auth.guard.js';
import { AuditController } from './audit.controller.js';
import { AuditLog } from './audit-log.js';
import { ConflictsModule } from './conflicts/conflicts.module.js';
import { MappingAdminService } from './mappings/mapping-admin.service.js';
import { MappingApplyService } from './mappings/mapping-apply.service.js';
import { MappingPreviewService } from './mappings/mapping-preview.service.js';
import { MappingsController } from './mappings/mappings.controller.js';
import { OperationsModule } from './operations/operations.module.js';
import { RunsModule } from './runs/runs.module.js';

/** The admin REST API: bearer-token auth, throttled per client (admin-routes.ts), every change audited. */
@Module({
  imports: [
    CrmModule,
    MappingModule,
    SyncModule,
    StripeModule,
    LinksModule,
    InboxModule,
    ConflictsModule,
    OperationsModule,
    RunsModule,
  ],
  controllers: [MappingsController, AuditController],
  providers: [
    AdminAuthGuard,
    AuditLog,
    MappingAdminService,
    MappingPreviewService,
    MappingApplyService,
  ],
})
export class AdminModule {}
