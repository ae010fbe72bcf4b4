import { Column, Entity, OneToMany, PrimaryColumn } from 'typeorm';
import { type FirstLinkPolicy, type SyncDirection } from '../domain/field-rules.js';
import { FieldMapping } from './field-mapping.entity.js';

/** One match key: a Stripe field and the CRM properties that may hold the same value. */
export interface MatchKey {
  stripe: string;
  crm: string[];
}

/** What to do to the CRM record when its Stripe object is deleted. */
export type StripeDeleteAction = 'mark' | 'unlink';
/** What to do when the CRM record is archived: never delete in Stripe; at most forget the pair. */
export type CrmDeleteAction = 'ignore' | 'unlink';

/** A Stripe object type paired with a CRM object type for one connector. */
@Entity({ name: 'object_mappings' })
export class ObjectMapping {
  @PrimaryColumn({ type: 'text' }) id!: string;
  @Column({ type: 'text' }) connector!: string;
  @Column({ name: 'stripe_object', type: 'text' }) stripeObject!: string;
  @Column({ name: 'crm_object', type: 'text' }) crmObject!: string;
  @Column({ type: 'text' }) direction!: SyncDirection;
  /** Tried in order on first sight of a Stripe object; see src/domain/match-decision.ts. */
  @Column({ name: 'match_keys', type: 'jsonb' }) matchKeys!: MatchKey[];
  /** The CRM property that holds the Stripe id (unique; the upsert key). */
  @Column({ name: 'stripe_id_property', type: 'text' }) stripeIdProperty!: string;
  /** The Stripe metadata key the CRM id is written back to; null turns write-back off. */
  @Column({ name: 'crm_id_metadata_key', type: 'text', nullable: true })
  crmIdMetadataKey!: string | null;
  /** The CRM property flagging a deleted Stripe object (`stripe_deleted`, `Stripe_Deleted__c`). */
  @Column({ name: 'deleted_flag_property', type: 'text' }) deletedFlagProperty!: string;
  @Column({ name: 'stripe_delete_action', type: 'text' }) stripeDeleteAction!: StripeDeleteAction;
  @Column({ name: 'crm_delete_action', type: 'text' }) crmDeleteAction!: CrmDeleteAction;
  /** How a first link settles values both sides hold differently (Stripe's by default). */
  @Column({ name: 'first_link_policy', type: 'text' }) firstLinkPolicy!: FirstLinkPolicy;
  @Column({ type: 'boolean' }) enabled!: boolean;
  /** Bumped by every change made through the admin API (see mapping_versions). */
  @Column({ type: 'integer' }) version!: number;
  @Column({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
  @Column({ name: 'updated_at', type: 'timestamptz' }) updatedAt!: Date;

  @OneToMany(() => FieldMapping, (f) => f.objectMapping)
  fields!: FieldMapping[];
}
