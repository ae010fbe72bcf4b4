import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { MicroBatcher } from '../../common/micro-batcher.js';
import { type StripeEventSummary } from '../../domain/stripe-event-summary.js';
import { MetricsService } from '../../ops/metrics.service.js';
import { WorkSignal } from './work-signal.js';

export type StoreOutcome = 'stored' | 'duplicate';

interface StoreRequest {
  summary: StripeEventSummary;
  /** The verified body as received: stored as jsonb without a parse/serialise round trip. */
  rawPayload: string;
}

// unnest() keeps the statement at nine parameters whatever the batch size.
const INSERT_BATCH = `
  INSERT INTO inbox_events
    (event_id, type, object_type, object_id, event_created_at, livemode, api_version, account, payload)
  SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::timestamptz[],
                       $6::boolean[], $7::text[], $8::text[], $9::jsonb[])
  ON CONFLICT (event_id) DO NOTHING
  RETURNING event_id`;

/**
 * The durable inbox. `store` resolves only after the row is committed, so the webhook is
 * acknowledged only for what is safe on disk. Concurrent deliveries share one INSERT and one
 * commit (see MicroBatcher), which is what lets ingest keep up with bursts.
 */
@Injectable()
export class InboxService {
  private readonly batcher: MicroBatcher<StoreRequest, StoreOutcome>;

  constructor(
    private readonly dataSource: DataSource,
    metrics: MetricsService,
    private readonly signal: WorkSignal,
  ) {
    metrics.addSampledGauge(
      'bridge_inbox_depth',
      'Stripe events stored and not yet processed.',
      () => this.pendingCount(),
    );
    const poolSize = Number((dataSource.options as { poolSize?: number }).poolSize ?? 10);
    this.batcher = new MicroBatcher((batch) => this.insertBatch(batch), {
      maxBatch: 500,
      // Leave connections for probes, metrics and (later) workers.
      maxConcurrent: Math.max(1, Math.min(4, poolSize - 2)),
    });
  }

  store(summary: StripeEventSummary, rawPayload: string): Promise<StoreOutcome> {
    return this.batcher.submit({ summary, rawPayload });
  }

  /** Events stored and not yet processed. */
  async pendingCount(): Promise<number> {
    const rows: { n: string }[] = await this.dataSource.query(
      `SELECT count(*) AS n FROM inbox_events WHERE status = 'pending'`,
    );
    return Number(rows[0]?.n ?? 0);
  }

  private async insertBatch(batch: StoreRequest[]): Promise<StoreOutcome[]> {
    const s = batch.map((b) => b.summary);
    const rows: { event_id: string }[] = await this.dataSource.query(INSERT_BATCH, [
      s.map((e) => e.id),
      s.map((e) => e.type),
      s.map((e) => e.objectType),
      s.map((e) => e.objectId),
      s.map((e) => e.createdAt.toISOString()),
      s.map((e) => e.livemode),
      s.map((e) => e.apiVersion),
      s.map((e) => e.account),
      batch.map((b) => b.rawPayload),
    ]);
    const inserted = new Set(rows.map((r) => r.event_id));
    if (inserted.size > 0) this.signal.notify();
    // The same event twice in one batch: the first delivery stored it, the second is a duplicate.
    return s.map((e) => (inserted.delete(e.id) ? 'stored' : 'duplicate'));
  }
}
