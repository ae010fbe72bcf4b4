import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsIn,
  IsOptional,
  IsString,
  Matches,
  MaxLength,
} from 'class-validator';
import { CONNECTORS } from '../mappings/mapping.dto.js';
import { PageQuery } from '../pagination.js';

/** An inbox event id: a Stripe `evt_…`, or a polled CRM change (`hubspot:contacts:123:…`). */
export const EVENT_ID = /^[A-Za-z0-9_:.-]{1,300}$/;
export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const STRIPE_OBJECT = /^[a-z][a-z_.]{0,49}$/;
const RECORD_ID = /^[A-Za-z0-9_.:-]{1,200}$/;
const ID_RULE = 'letters, digits, _ . : -, at most 200';

export class DeadLetterQuery extends PageQuery {
  @ApiPropertyOptional({ enum: CONNECTORS, description: 'Only rows of this connector.' })
  @IsOptional()
  @IsIn(CONNECTORS)
  connector?: string;

  @ApiPropertyOptional({ example: 'customer' })
  @IsOptional()
  @IsString()
  @Matches(STRIPE_OBJECT, {
    message: 'stripe_object must be a Stripe object type such as customer',
  })
  stripe_object?: string;
}

export class ReplayBody {
  @ApiPropertyOptional({
    description: 'The dead letters to replay (their id); all of them when omitted.',
    example: ['evt_1QabcDEF'],
    maxItems: 1000,
  })
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(1000)
  @IsString({ each: true })
  @Matches(EVENT_ID, {
    each: true,
    message: 'each id must be a dead letter id from GET /dead-letters',
  })
  ids?: string[];
}

export class DiscardBody {
  @ApiProperty({
    description: 'Why the dead letter is dropped (kept with it, and in the audit log).',
    example: 'Test customer, deleted in HubSpot on purpose',
    maxLength: 500,
  })
  @IsString()
  @Matches(/\S/, { message: 'reason must say why the dead letter is discarded (not blank)' })
  @MaxLength(500)
  reason!: string;
}

export class LinkQuery extends PageQuery {
  @ApiPropertyOptional({ example: 'cus_QabcDEF' })
  @IsOptional()
  @IsString()
  @Matches(RECORD_ID, { message: `stripe_id must be a Stripe id (${ID_RULE})` })
  stripe_id?: string;

  @ApiPropertyOptional({ example: '1234567' })
  @IsOptional()
  @IsString()
  @Matches(RECORD_ID, { message: `crm_id must be a CRM record id (${ID_RULE})` })
  crm_id?: string;

  @ApiPropertyOptional({ enum: CONNECTORS })
  @IsOptional()
  @IsIn(CONNECTORS)
  connector?: string;
}

export class CreateLinkBody {
  @ApiProperty({ enum: CONNECTORS })
  @IsIn(CONNECTORS)
  connector!: string;

  @ApiProperty({ example: 'customer' })
  @IsString()
  @Matches(STRIPE_OBJECT, {
    message: 'stripe_object must be a Stripe object type such as customer',
  })
  stripe_object!: string;

  @ApiProperty({ example: 'cus_QabcDEF' })
  @IsString()
  @Matches(RECORD_ID, { message: `stripe_id must be a Stripe id (${ID_RULE})` })
  stripe_id!: string;

  @ApiProperty({ example: '1234567', description: 'The CRM record (HubSpot id, Salesforce Id).' })
  @IsString()
  @Matches(RECORD_ID, { message: `crm_id must be a CRM record id (${ID_RULE})` })
  crm_id!: string;
}

export const CANDIDATE_STATUSES = ['open', 'resolved'] as const;

export class DuplicateCandidateQuery extends PageQuery {
  @ApiPropertyOptional({ enum: CONNECTORS })
  @IsOptional()
  @IsIn(CONNECTORS)
  connector?: string;

  @ApiPropertyOptional({ enum: CANDIDATE_STATUSES, default: 'open' })
  @IsOptional()
  @IsIn(CANDIDATE_STATUSES)
  status?: string;
}
