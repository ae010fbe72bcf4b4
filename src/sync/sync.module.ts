import { Module } from '@nestjs/common';
import { ScheduleModule } from '@nestjs/schedule';
import { CrmModule } from '../crm/crm.module.js';
import { LinksModule } from '../links/links.module.js';
import { MappingModule } from '../mapping/mapping.module.js';
import { StripeModule } from '../stripe/stripe.module.js';
import { BackfillDryRun } from './backfill/backfill-dry-run.js';
import { BackfillRuns } from './backfill/backfill-runs.js';
import { BackfillService } from './backfill/backfill.service.js';
import { ConnectorPreparer } from './engine/connector-preparer.js';
import { SyncReporter } from './engine/sync-reporter.js';
import { InboxModule } from './inbox/inbox.module.js';
import { CrmPoller } from './poller/crm-poller.js';
import { JobProcessor } from './worker/job-processor.js';
import { JobQueue } from './worker/job-queue.js';
import { SyncWorker } from './worker/sync-worker.js';

/** The engine: workers draining the inbox, CRM pollers, backfill. */
@Module({
  imports: [
    ScheduleModule.forRoot(),
    InboxModule,
    StripeModule,
    CrmModule,
    MappingModule,
    LinksModule,
  ],
  providers: [
    ConnectorPreparer,
    SyncReporter,
    JobQueue,
    JobProcessor,
    SyncWorker,
    CrmPoller,
    BackfillRuns,
    BackfillService,
    BackfillDryRun,
  ],
  exports: [SyncWorker, CrmPoller, BackfillService, BackfillDryRun, JobQueue, ConnectorPreparer],
})
export class SyncModule {}
