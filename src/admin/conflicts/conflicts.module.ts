import { Module } from '@nestjs/common';
import { CrmModule } from '../../crm/crm.module.js';
import { MappingModule } from '../../mapping/mapping.module.js';
import { InboxModule } from '../../sync/inbox/inbox.module.js';
import { AuditLog } from '../audit-log.js';
import { ConflictsController } from './conflicts.controller.js';
import { ConflictsService } from './conflicts.service.js';

@Module({
  imports: [CrmModule, MappingModule, InboxModule],
  controllers: [ConflictsController],
  providers: [ConflictsService, AuditLog],
})
export class ConflictsModule {}
