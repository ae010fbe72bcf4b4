import { type FieldRule } from '../../domain/field-rules.js';
import { type FieldMapping } from '../../mapping/field-mapping.entity.js';
import { type FieldBody } from './mapping.dto.js';
import { type ObjectMapping } from '../../mapping/object-mapping.entity.js';

/** A field mapping as the admin API shows it (snake_case, as stored). */
export interface FieldView {
  id: string;
  stripe_path: string;
  crm_property: string;
  direction: string;
  transforms: unknown[];
  conflict_policy: string;
  blank_overwrites: boolean;
  allow_money_write: boolean;
  enabled: boolean;
  position: number;
}

/** An object mapping with its fields, as the admin API shows it and as versions store it. */
export interface MappingView {
  id: string;
  connector: string;
  stripe_object: string;
  crm_object: string;
  direction: string;
  match_keys: { stripe: string; crm: string[] }[];
  stripe_id_property: string;
  crm_id_metadata_key: string | null;
  deleted_flag_property: string;
  stripe_delete_action: string;
  crm_delete_action: string;
  first_link_policy: string;
  enabled: boolean;
  version: number;
  fields: FieldView[];
}

export const fieldView = (f: FieldMapping): FieldView => ({
  id: f.id,
  stripe_path: f.stripePath,
  crm_property: f.crmProperty,
  direction: f.direction,
  transforms: f.transforms,
  conflict_policy: f.conflictPolicy,
  blank_overwrites: f.blankOverwrites,
  allow_money_write: f.allowMoneyWrite,
  enabled: f.enabled,
  position: f.position,
});

export const mappingView = (o: ObjectMapping, fields: FieldMapping[]): MappingView => ({
  id: o.id,
  connector: o.connector,
  stripe_object: o.stripeObject,
  crm_object: o.crmObject,
  direction: o.direction,
  match_keys: o.matchKeys,
  stripe_id_property: o.stripeIdProperty,
  crm_id_metadata_key: o.crmIdMetadataKey,
  deleted_flag_property: o.deletedFlagProperty,
  stripe_delete_action: o.stripeDeleteAction,
  crm_delete_action: o.crmDeleteAction,
  first_link_policy: o.firstLinkPolicy,
  enabled: o.enabled,
  version: o.version,
  fields: [...fields]
    .sort((a, b) => a.position - b.position || (a.id < b.id ? -1 : 1))
    .map(fieldView),
});

/** The object mapping's columns of a view (what a rollback restores). */
export const objectColumns = (v: MappingView): Partial<ObjectMapping> => ({
  crmObject: v.crm_object,
  direction: v.direction as ObjectMapping['direction'],
  matchKeys: v.match_keys,
  stripeIdProperty: v.stripe_id_property,
  crmIdMetadataKey: v.crm_id_metadata_key,
  deletedFlagProperty: v.deleted_flag_property,
  stripeDeleteAction: v.stripe_delete_action as ObjectMapping['stripeDeleteAction'],
  crmDeleteAction: v.crm_delete_action as ObjectMapping['crmDeleteAction'],
  firstLinkPolicy: v.first_link_policy as ObjectMapping['firstLinkPolicy'],
  enabled: v.enabled,
});

export const fieldColumns = (mappingId: string, f: FieldView): Partial<FieldMapping> => ({
  id: f.id,
  objectMappingId: mappingId,
  stripePath: f.stripe_path,
  crmProperty: f.crm_property,
  direction: f.direction as FieldMapping['direction'],
  transforms: f.transforms as FieldMapping['transforms'],
  conflictPolicy: f.conflict_policy as FieldMapping['conflictPolicy'],
  blankOverwrites: f.blank_overwrites,
  allowMoneyWrite: f.allow_money_write,
  enabled: f.enabled,
  position: f.position,
});

/** The planner's rule for a field as the API holds it (to check a mapping before storing it). */
export const ruleOf = (f: FieldView): FieldRule => ({
  key: f.id,
  stripePath: f.stripe_path,
  crmProperty: f.crm_property,
  direction: f.direction as FieldRule['direction'],
  transforms: f.transforms as FieldRule['transforms'],
  conflictPolicy: f.conflict_policy as FieldRule['conflictPolicy'],
  blankOverwrites: f.blank_overwrites,
  allowMoneyWrite: f.allow_money_write,
});

/** A field as sent, with the defaults of what it leaves out. */
export const fieldFromBody = (f: FieldBody, id: string, position: number): FieldView => ({
  id,
  stripe_path: f.stripe_path,
  crm_property: f.crm_property,
  direction: f.direction,
  transforms: f.transforms ?? [],
  conflict_policy: f.conflict_policy ?? 'newest_wins',
  blank_overwrites: f.blank_overwrites ?? false,
  allow_money_write: f.allow_money_write ?? false,
  enabled: f.enabled ?? true,
  position: f.position ?? position,
});
