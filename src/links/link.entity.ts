import { Column, Entity, PrimaryColumn } from 'typeorm';
import { type Scalar } from '../domain/field-rules.js';

export type LinkStatus = 'active' | 'stripe_deleted' | 'crm_archived';

/**
 * A Stripe object paired with a CRM record for one connector, and the shadow: per field
 * mapping id, the value (in CRM form) both sides last agreed on. The shadow lives in the link
 * row so that recording an outcome updates pair and shadow in one statement.
 */
@Entity({ name: 'links' })
export class Link {
  @PrimaryColumn({ type: 'uuid' }) id!: string;
  @Column({ type: 'text' }) connector!: string;
  @Column({ name: 'stripe_object', type: 'text' }) stripeObject!: string;
  @Column({ name: 'stripe_id', type: 'text' }) stripeId!: string;
  @Column({ name: 'crm_object', type: 'text' }) crmObject!: string;
  @Column({ name: 'crm_id', type: 'text' }) crmId!: string;
  @Column({ type: 'text' }) status!: LinkStatus;
  @Column({ name: 'matched_by', type: 'text' }) matchedBy!: string;
  @Column({ type: 'jsonb' }) shadow!: Record<string, Scalar>;
  /** Stripe `created` of the newest event whose state was applied (ordering guard). */
  @Column({ name: 'stripe_state_at', type: 'timestamptz', nullable: true })
  stripeStateAt!: Date | null;
  @Column({ name: 'crm_state_at', type: 'timestamptz', nullable: true })
  crmStateAt!: Date | null;
  /** The CRM id still has to be written to the Stripe object's metadata (backfill defers it). */
  @Column({ name: 'writeback_pending', type: 'boolean' }) writebackPending!: boolean;
  @Column({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
  @Column({ name: 'updated_at', type: 'timestamptz' }) updatedAt!: Date;
}
