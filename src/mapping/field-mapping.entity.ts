import { Column, Entity, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import {
  type ConflictPolicy,
  type FieldRule,
  type SyncDirection,
  type Transform,
} from '../domain/field-rules.js';
import { ObjectMapping } from './object-mapping.entity.js';

/** One Stripe field path ↔ one CRM property, with its direction, transforms and policy. */
@Entity({ name: 'field_mappings' })
export class FieldMapping {
  @PrimaryColumn({ type: 'text' }) id!: string;
  @Column({ name: 'object_mapping_id', type: 'text' }) objectMappingId!: string;
  @Column({ name: 'stripe_path', type: 'text' }) stripePath!: string;
  @Column({ name: 'crm_property', type: 'text' }) crmProperty!: string;
  @Column({ type: 'text' }) direction!: SyncDirection;
  @Column({ type: 'jsonb' }) transforms!: Transform[];
  @Column({ name: 'conflict_policy', type: 'text' }) conflictPolicy!: ConflictPolicy;
  @Column({ name: 'blank_overwrites', type: 'boolean' }) blankOverwrites!: boolean;
  /** CRM values may reach a Stripe field that moves money (`balance`). */
  @Column({ name: 'allow_money_write', type: 'boolean' }) allowMoneyWrite!: boolean;
  @Column({ type: 'boolean' }) enabled!: boolean;
  @Column({ type: 'integer' }) position!: number;
  @Column({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
  @Column({ name: 'updated_at', type: 'timestamptz' }) updatedAt!: Date;

  @ManyToOne(() => ObjectMapping, (o) => o.fields, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'object_mapping_id' })
  objectMapping!: ObjectMapping;
}

/** The planner's view of a stored field mapping. */
export const toFieldRule = (f: FieldMapping): FieldRule => ({
  key: f.id,
  stripePath: f.stripePath,
  crmProperty: f.crmProperty,
  direction: f.direction,
  transforms: f.transforms,
  conflictPolicy: f.conflictPolicy,
  blankOverwrites: f.blankOverwrites,
  allowMoneyWrite: f.allowMoneyWrite,
});
