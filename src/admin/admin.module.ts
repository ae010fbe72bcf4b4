import { Module } from '@nestjs/common';
import { CrmModule } from '../crm/crm.module.js';
import { MappingModule } from '../mapping/mapping.module.js';
import { SyncModule } from '../sync/sync.module.js';
import { AdminAuthGuard } from './admin-auth.guard.js';
import { AuditController } from './audit.controller.js';
import { AuditLog } from './audit-log.js';
import { ConflictsModule } from './conflicts/conflicts.module.js';
import { MappingAdminService } from './mappings/mapping-admin.service.js';
import { MappingsController } from './mappings/mappings.controller.js';

/** The admin REST API: bearer-token auth, throttled per client (admin-routes.ts), every change audited. */
@Module({
  imports: [CrmModule, MappingModule, SyncModule, ConflictsModule],
  controllers: [MappingsController, AuditController],
  providers: [AdminAuthGuard, AuditLog, MappingAdminService],
})
export class AdminModule {}
