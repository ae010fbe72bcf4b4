import {
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { AppConfig } from '../../config/app-config.js';
import { CrmConnectors } from '../../crm/crm-registry.js';
import { MappingService } from '../../mapping/mapping.service.js';
import { MetricsService } from '../../ops/metrics.service.js';
import { errorSummary } from '../../ops/safe-error.js';
import { ConnectorPreparer, MappingRefused } from '../engine/connector-preparer.js';
import { WorkSignal } from '../inbox/work-signal.js';
import { JobProcessor } from './job-processor.js';
import { JobQueue } from './job-queue.js';

/** How long a claimed batch stays ours; a crashed worker's rows are reclaimed after it. */
const LEASE_SECONDS = 300;
/** With nothing signalled, look for due rows (retries, other replicas' webhooks) this often. */
const IDLE_MS = 500;

/**
 * Worker loops that drain the inbox: claim a batch, process it, repeat. Decoupled from ingest:
 * the webhook answers once the row is stored, however slow or down the CRM is.
 */
@Injectable()
export class SyncWorker implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(SyncWorker.name);
  private running = false;
  private loops: Promise<void>[] = [];

  constructor(
    private readonly config: AppConfig,
    private readonly connectors: CrmConnectors,
    private readonly queue: JobQueue,
    private readonly processor: JobProcessor,
    private readonly signal: WorkSignal,
    private readonly mappings: MappingService,
    private readonly preparer: ConnectorPreparer,
    metrics: MetricsService,
  ) {
    metrics.addSampledGauge(
      'bridge_dead_letters',
      'Inbox rows parked as dead letters after their last attempt.',
      () => this.queue.deadCount(),
    );
    // Salesforce reports org-wide usage on every answer (Sforce-Limit-Info): worth a dashboard.
    const usage = (pick: 'used' | 'limit') => () =>
      this.connectors.all().flatMap((c) => {
        const u = c.apiUsage();
        return u ? [{ labels: { connector: c.name }, value: u[pick] }] : [];
      });
    metrics.addSampledGauges(
      'bridge_crm_daily_api_used',
      'API calls the CRM org has used in its rolling 24 h window, as it last reported them.',
      ['connector'],
      usage('used'),
    );
    metrics.addSampledGauges(
      'bridge_crm_daily_api_limit',
      "The CRM org's daily API allocation, as it last reported it.",
      ['connector'],
      usage('limit'),
    );
  }

  onApplicationBootstrap(): void {
    if (this.config.sync.workers === 0 || this.connectors.all().length === 0) return;
    this.running = true;
    void this.prepareConnectors();
    const workers = this.config.database.kind === 'embedded' ? 1 : this.config.sync.workers;
    this.loops = Array.from({ length: workers }, (_, i) => this.loop(i));
  }

  async onApplicationShutdown(): Promise<void> {
    this.running = false;
    this.signal.notify();
    await Promise.all(this.loops);
  }

  /** Processes whatever is due now, until nothing is left (tests and the CLI use this). */
  async drain(): Promise<void> {
    for (;;) {
      const jobs = await this.queue.claim(this.config.sync.batchSize, LEASE_SECONDS);
      if (jobs.length === 0) return;
      await this.processor.process(jobs);
    }
  }

  private async loop(index: number): Promise<void> {
    while (this.running) {
      try {
        const jobs = await this.queue.claim(this.config.sync.batchSize, LEASE_SECONDS);
        if (jobs.length > 0) {
          await this.processor.process(jobs).catch(async (err: unknown) => {
            // Not an outcome the processor could settle (the database went away, a bug):
            // hand the rows back now rather than after the lease, backing off, and park
            // those out of attempts. Logged by code and ids: the error may quote row values.
            const summary = errorSummary(err);
            this.logger.error(
              {
                error: summary,
                worker: index,
                jobs: jobs.length,
                events: jobs.map((j) => j.eventId),
              },
              'sync batch failed; its jobs go back (dead letters once out of attempts)',
            );
            const { retryBaseMs, retryMaxMs, maxAttempts } = this.config.sync;
            await this.queue.release(
              jobs,
              `batch_failed: ${summary.code ?? summary.type}: ${summary.message}`,
              {
                baseMs: retryBaseMs,
                maxMs: retryMaxMs,
                maxAttempts,
              },
            );
          });
          continue;
        }
      } catch (err) {
        this.logger.error(
          { error: errorSummary(err), worker: index },
          'sync worker could not claim; retrying',
        );
      }
      if (this.running) await this.signal.wait(IDLE_MS);
    }
  }

  /**
   * Checks every mapping against its CRM's schema at start (creating what the CRM lets the
   * bridge create) and logs, per mapping, that it is ready or exactly which fields are missing.
   * A failure is retried by the first batch.
   */
  private async prepareConnectors(): Promise<void> {
    for (const set of await this.mappings.enabled()) {
      const connector = this.connectors.get(set.object.connector);
      if (!connector) continue;
      const what = `${set.object.id} (${connector.name} ${set.object.crmObject})`;
      await this.preparer.prepare(set, connector).then(
        () => this.logger.log(`${what}: every mapped field is in place`),
        (err: unknown) => {
          const message = err instanceof MappingRefused ? err.message : errorSummary(err).message;
          this.logger.error(`${what}: not ready: ${message}`);
        },
      );
    }
  }
}
