import {
  ApiProperty,
  ApiPropertyOptional,
  type ApiPropertyOptions,
  IntersectionType,
  PartialType,
  PickType,
} from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Matches,
  MaxLength,
  Min,
  ValidateNested,
  ValidationArguments,
  ValidatorConstraint,
  type ValidatorConstraintInterface,
  Validate,
} from 'class-validator';
import { validateTransforms } from '../../domain/transforms.js';
import { PageQuery } from '../pagination.js';

export const CONNECTORS = ['hubspot', 'salesforce'] as const;
export const DIRECTIONS = ['to_crm', 'to_stripe', 'both'] as const;
export const POLICIES = ['stripe_wins', 'crm_wins', 'newest_wins', 'manual'] as const;
export const FIRST_LINK_POLICIES = ['stripe_wins', 'crm_wins', 'newest_wins'] as const;
export const STRIPE_DELETE_ACTIONS = ['mark', 'unlink'] as const;
export const CRM_DELETE_ACTIONS = ['ignore', 'unlink'] as const;
export const TRANSFORM_KINDS = [
  'trim',
  'lowercase',
  'cents_to_decimal',
  'unix_to_iso',
  'unix_to_date',
  'enum_map',
  'default',
  'boolean_string',
  'name_part',
] as const;

const ID = /^[a-z0-9][a-z0-9_-]{0,99}$/;
const ID_RULE = 'lowercase letters, digits, - and _, at most 100, starting with a letter or digit';
const PATH = /^[A-Za-z0-9_]+(\.[A-Za-z0-9_-]+)*$/;
const PROPERTY = /^[A-Za-z][A-Za-z0-9_]{0,99}$/;

/** The closed set of transforms, each with its parameters (validateTransforms says what's off). */
@ValidatorConstraint({ name: 'transforms' })
class TransformsRule implements ValidatorConstraintInterface {
  validate(value: unknown): boolean {
    return validateTransforms(value).length === 0;
  }
  defaultMessage(args: ValidationArguments): string {
    return `${validateTransforms(args.value).join('; ')} (kinds: ${TRANSFORM_KINDS.join(', ')})`;
  }
}

export class MatchKeyBody {
  @ApiProperty({ example: 'email' })
  @IsString()
  @Matches(PATH, { message: 'stripe must be a Stripe field path such as email' })
  stripe!: string;

  @ApiProperty({ example: ['email', 'hs_additional_emails'] })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(10)
  @IsString({ each: true })
  crm!: string[];
}

const TRANSFORMS_DOC: ApiPropertyOptions = {
  description: `Applied in order toward the CRM, reversed toward Stripe. Kinds: ${TRANSFORM_KINDS.join(', ')}.`,
  example: [{ kind: 'trim' }],
  type: 'array',
  items: {
    type: 'object',
    required: ['kind'],
    properties: { kind: { type: 'string', enum: [...TRANSFORM_KINDS] } },
  },
};

/** A field mapping as the admin sends it. */
export class FieldBody {
  @ApiPropertyOptional({
    description: `Generated from the mapping and the path when left out; ${ID_RULE}.`,
    example: 'hubspot-customer-tier',
  })
  @IsOptional()
  @Matches(ID, { message: `id must be ${ID_RULE}` })
  id?: string;

  @ApiProperty({
    example: 'metadata.tier',
    description: 'A field of the Stripe object; metadata.<key> is always allowed.',
  })
  @IsString()
  @Matches(PATH, {
    message: 'stripe_path must be a Stripe field path such as address.city or metadata.tier',
  })
  stripe_path!: string;

  @ApiProperty({ example: 'stripe_tier' })
  @IsString()
  @Matches(PROPERTY, { message: 'crm_property must be a CRM property or field API name' })
  crm_property!: string;

  @ApiProperty({ enum: DIRECTIONS })
  @IsIn(DIRECTIONS)
  direction!: (typeof DIRECTIONS)[number];

  @ApiPropertyOptional(TRANSFORMS_DOC)
  @IsOptional()
  @Validate(TransformsRule)
  transforms?: unknown[];

  @ApiPropertyOptional({ enum: POLICIES, default: 'newest_wins' })
  @IsOptional()
  @IsIn(POLICIES)
  conflict_policy?: (typeof POLICIES)[number];

  @ApiPropertyOptional({
    default: false,
    description: 'A blank value may overwrite a non-blank one.',
  })
  @IsOptional()
  @IsBoolean()
  blank_overwrites?: boolean;

  @ApiPropertyOptional({
    default: false,
    description: 'CRM values may reach a Stripe field that moves money (balance).',
  })
  @IsOptional()
  @IsBoolean()
  allow_money_write?: boolean;

  @ApiPropertyOptional({ default: true })
  @IsOptional()
  @IsBoolean()
  enabled?: boolean;

  @ApiPropertyOptional({ description: 'Order among the mapping’s fields (default: last).' })
  @IsOptional()
  @IsInt()
  @Min(0)
  position?: number;
}

/** A change to one field mapping: what is sent changes, the rest stays. */
export class FieldPatch {
  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @Matches(PATH, {
    message: 'stripe_path must be a Stripe field path such as address.city or metadata.tier',
  })
  stripe_path?: string;
  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @Matches(PROPERTY, { message: 'crm_property must be a CRM property or field API name' })
  crm_property?: string;
  @ApiPropertyOptional({ enum: DIRECTIONS })
  @IsOptional()
  @IsIn(DIRECTIONS)
  direction?: (typeof DIRECTIONS)[number];
  @ApiPropertyOptional(TRANSFORMS_DOC)
  @IsOptional()
  @Validate(TransformsRule)
  transforms?: unknown[];
  @ApiPropertyOptional({ enum: POLICIES })
  @IsOptional()
  @IsIn(POLICIES)
  conflict_policy?: (typeof POLICIES)[number];
  @ApiPropertyOptional() @IsOptional() @IsBoolean() blank_overwrites?: boolean;
  @ApiPropertyOptional() @IsOptional() @IsBoolean() allow_money_write?: boolean;
  @ApiPropertyOptional() @IsOptional() @IsBoolean() enabled?: boolean;
  @ApiPropertyOptional() @IsOptional() @IsInt() @Min(0) position?: number;
}

/** What a mapping carries besides its identity (connector and Stripe object). */
class MappingSettings {
  @ApiPropertyOptional({ enum: DIRECTIONS, default: 'both' })
  @IsOptional()
  @IsIn(DIRECTIONS)
  direction?: (typeof DIRECTIONS)[number];

  @ApiPropertyOptional({
    type: [MatchKeyBody],
    description: 'Tried in order on first sight of a Stripe object.',
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(10)
  @ValidateNested({ each: true })
  @Type(() => MatchKeyBody)
  match_keys?: MatchKeyBody[];

  @ApiPropertyOptional({
    nullable: true,
    example: 'hubspot_contact_id',
    description: 'Stripe metadata key the CRM id is written back to; null turns write-back off.',
  })
  @IsOptional()
  @IsString()
  @Matches(/^[A-Za-z0-9_-]{1,40}$/, {
    message: 'crm_id_metadata_key must be a metadata key of at most 40 characters',
  })
  crm_id_metadata_key?: string | null;

  @ApiPropertyOptional({ enum: STRIPE_DELETE_ACTIONS })
  @IsOptional()
  @IsIn(STRIPE_DELETE_ACTIONS)
  stripe_delete_action?: (typeof STRIPE_DELETE_ACTIONS)[number];

  @ApiPropertyOptional({ enum: CRM_DELETE_ACTIONS })
  @IsOptional()
  @IsIn(CRM_DELETE_ACTIONS)
  crm_delete_action?: (typeof CRM_DELETE_ACTIONS)[number];

  @ApiPropertyOptional({ enum: FIRST_LINK_POLICIES })
  @IsOptional()
  @IsIn(FIRST_LINK_POLICIES)
  first_link_policy?: (typeof FIRST_LINK_POLICIES)[number];

  @ApiPropertyOptional({ default: true })
  @IsOptional()
  @IsBoolean()
  enabled?: boolean;

  @ApiPropertyOptional({
    description:
      'Enabling it disables the enabled mapping of the same connector and Stripe object (409 without it).',
  })
  @IsOptional()
  @IsBoolean()
  replace?: boolean;
}

export class CreateMappingBody extends MappingSettings {
  @ApiPropertyOptional({
    description: `Generated when left out; ${ID_RULE}.`,
    example: 'hubspot-customer-companies',
  })
  @IsOptional()
  @Matches(ID, { message: `id must be ${ID_RULE}` })
  id?: string;

  @ApiProperty({ enum: CONNECTORS })
  @IsIn(CONNECTORS)
  connector!: (typeof CONNECTORS)[number];

  @ApiProperty({ example: 'customer' })
  @IsString()
  @MaxLength(60)
  stripe_object!: string;

  @ApiProperty({ example: 'contacts' })
  @IsString()
  @Matches(PROPERTY, {
    message: 'crm_object must be a CRM object API name (contacts, Contact, Account)',
  })
  crm_object!: string;

  @ApiProperty({
    example: 'stripe_customer_id',
    description: 'The CRM property holding the Stripe id (unique: the upsert key).',
  })
  @IsString()
  @Matches(PROPERTY, { message: 'stripe_id_property must be a CRM property or field API name' })
  stripe_id_property!: string;

  @ApiProperty({ example: 'stripe_deleted' })
  @IsString()
  @Matches(PROPERTY, { message: 'deleted_flag_property must be a CRM property or field API name' })
  deleted_flag_property!: string;

  @ApiPropertyOptional({ type: [FieldBody] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(200)
  @ValidateNested({ each: true })
  @Type(() => FieldBody)
  fields?: FieldBody[];
}

/** A change to a mapping: its settings, and the CRM-side names create takes, all optional. */
export class PatchMappingBody extends IntersectionType(
  MappingSettings,
  PartialType(
    PickType(CreateMappingBody, ['crm_object', 'stripe_id_property', 'deleted_flag_property']),
  ),
) {}

export class RollbackBody {
  @ApiProperty({ example: 1 })
  @IsInt()
  @Min(1)
  version!: number;
}

export class MappingListQuery extends PageQuery {
  @ApiPropertyOptional({ enum: CONNECTORS }) @IsOptional() @IsIn(CONNECTORS) connector?: string;
  @ApiPropertyOptional({ example: 'customer' }) @IsOptional() @IsString() stripe_object?: string;
}

/** A mapping as it might become: its settings changed and, when given, its fields replaced. */
export class ProposedMapping extends PatchMappingBody {
  @ApiPropertyOptional({
    type: [FieldBody],
    description: 'The whole list of fields, replacing the stored ones.',
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(200)
  @ValidateNested({ each: true })
  @Type(() => FieldBody)
  fields?: FieldBody[];
}

export class PreviewBody {
  @ApiPropertyOptional({
    example: 'cus_123',
    description: 'The Stripe object to preview (or crm_id).',
  })
  @IsOptional()
  @IsString()
  @Matches(/^[A-Za-z0-9_]{3,255}$/, {
    message: 'stripe_id must be a Stripe object id such as cus_123',
  })
  stripe_id?: string;

  @ApiPropertyOptional({ description: 'A linked CRM record to preview (or stripe_id).' })
  @IsOptional()
  @IsString()
  @MaxLength(255)
  crm_id?: string;

  @ApiPropertyOptional({
    type: ProposedMapping,
    description: 'Preview this mapping instead of the stored one (it is not stored).',
  })
  @IsOptional()
  @ValidateNested()
  @Type(() => ProposedMapping)
  mapping?: ProposedMapping;
}
