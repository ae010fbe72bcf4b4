import { Column, Entity, PrimaryColumn } from 'typeorm';

export type InboxStatus = 'pending' | 'processing' | 'done' | 'dead';

/**
 * A verified Stripe event, stored once by its id before the webhook is acknowledged. Workers
 * claim pending rows later (FOR UPDATE SKIP LOCKED); the payload is kept as Stripe sent it.
 */
@Entity({ name: 'inbox_events' })
export class InboxEvent {
  @PrimaryColumn({ name: 'event_id', type: 'text' })
  eventId!: string;

  @Column({ type: 'text' })
  type!: string;

  @Column({ name: 'object_type', type: 'text', nullable: true })
  objectType!: string | null;

  @Column({ name: 'object_id', type: 'text', nullable: true })
  objectId!: string | null;

  /** Stripe's `created` for the event: the ordering hint for the object's changes. */
  @Column({ name: 'event_created_at', type: 'timestamptz' })
  eventCreatedAt!: Date;

  @Column({ type: 'boolean' })
  livemode!: boolean;

  @Column({ name: 'api_version', type: 'text', nullable: true })
  apiVersion!: string | null;

  /** The connected account for Connect events, null for the platform's own. */
  @Column({ type: 'text', nullable: true })
  account!: string | null;

  @Column({ type: 'jsonb' })
  payload!: unknown;

  @Column({ name: 'received_at', type: 'timestamptz' })
  receivedAt!: Date;

  @Column({ type: 'text' })
  status!: InboxStatus;

  @Column({ type: 'integer' })
  attempts!: number;

  @Column({ name: 'next_attempt_at', type: 'timestamptz' })
  nextAttemptAt!: Date;

  @Column({ name: 'last_error', type: 'text', nullable: true })
  lastError!: string | null;

  @Column({ name: 'processed_at', type: 'timestamptz', nullable: true })
  processedAt!: Date | null;
}
