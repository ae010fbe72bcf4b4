import { Injectable } from '@nestjs/common';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * Prometheus metrics, one catalogue for the service. Each app instance has its own registry (tests run several apps in one
 * process); names are prefixed `bridge_` except the conventional HTTP and process metrics.
 */
@Injectable()
export class MetricsService {
  readonly registry = new Registry();

  readonly webhooksReceived = new Counter({
    name: 'bridge_webhooks_received_total',
    help: 'Stripe webhooks verified and acknowledged, by outcome (stored or duplicate).',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });

  readonly webhooksRejected = new Counter({
    name: 'bridge_webhooks_rejected_total',
    help: 'Stripe webhooks refused before storage, by reason.',
    labelNames: ['reason'] as const,
    registers: [this.registry],
  });

  readonly httpDuration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request latency, from request received to response sent.',
    labelNames: ['method', 'route', 'status_code'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });

  readonly syncJobs = new Counter({
    name: 'bridge_sync_jobs_total',
    help: 'Inbox rows settled by the sync workers, by status (done, retry, dead).',
    labelNames: ['status'] as const,
    registers: [this.registry],
  });

  readonly syncPairs = new Counter({
    name: 'bridge_sync_pairs_total',
    help: 'Stripe objects synced with a CRM record, by connector and action.',
    labelNames: ['connector', 'action'] as const,
    registers: [this.registry],
  });

  readonly conflicts = new Counter({
    name: 'bridge_conflicts_total',
    help: 'Fields both sides changed (or, on a first link, held differently), by connector, Stripe object, the policy that settled them and the outcome (stripe_won, crm_won, parked).',
    labelNames: ['connector', 'object', 'policy', 'outcome'] as const,
    registers: [this.registry],
  });

  readonly fieldErrors = new Counter({
    name: 'bridge_field_errors_total',
    help: 'Fields left alone for one record because the other side cannot hold the value (too long for Stripe, a transform that cannot convert it), by connector, Stripe object, direction and code.',
    labelNames: ['connector', 'object', 'direction', 'code'] as const,
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }

  /** A labelled gauge read at scrape time: one value per label set the sampler returns. */
  addSampledGauges(
    name: string,
    help: string,
    labelNames: string[],
    sample: () => { labels: Record<string, string>; value: number }[],
  ): void {
    new Gauge({
      name,
      help,
      labelNames,
      registers: [this.registry],
      collect() {
        this.reset();
        for (const s of sample()) this.set(s.labels, s.value);
      },
    });
  }

  /** A gauge read at scrape time (e.g. a row count), owned by the module that can read it. */
  addSampledGauge(name: string, help: string, sample: () => Promise<number>): void {
    new Gauge({
      name,
      help,
      registers: [this.registry],
      async collect() {
        this.set(await sample());
      },
    });
  }
}
