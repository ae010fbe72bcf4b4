import { Module } from '@nestjs/common';
import { CrmModule } from '../../crm/crm.module.js';
import { MappingModule } from '../../mapping/mapping.module.js';
import { StripeModule } from '../../stripe/stripe.module.js';
import { InboxModule } from '../../sync/inbox/inbox.module.js';
import { AdminAuthGuard } from '../admin-auth.guard.js';
import { AuditLog } from '../audit-log.js';
import { DeadLettersController } from './dead-letters.controller.js';
import { DeadLettersService } from './dead-letters.service.js';
import { DuplicateCandidatesController } from './duplicate-candidates.controller.js';
import { DuplicateCandidatesService } from './duplicate-candidates.service.js';
import { LinksController } from './links.controller.js';
import { LinksService } from './links.service.js';
import { PairSyncJob } from './pair-sync-job.js';

/** The admin API's operations on sync state: dead letters, links, duplicate candidates. */
@Module({
  imports: [CrmModule, MappingModule, StripeModule, InboxModule],
  controllers: [DeadLettersController, LinksController, DuplicateCandidatesController],
  // AuditLog is stateless (it writes through the caller's transaction): its own instance here.
  providers: [
    AdminAuthGuard,
    AuditLog,
    PairSyncJob,
    DeadLettersService,
    LinksService,
    DuplicateCandidatesService,
  ],
})
export class OperationsModule {}
