import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  IsIn,
  IsOptional,
  IsString,
  MaxLength,
  Validate,
  ValidatorConstraint,
  type ValidatorConstraintInterface,
} from 'class-validator';
import { PageQuery } from '../pagination.js';

export class ConflictListQuery extends PageQuery {
  @ApiPropertyOptional({ enum: ['open', 'resolved'], default: 'open' })
  @IsOptional()
  @IsIn(['open', 'resolved'])
  status?: 'open' | 'resolved';

  @ApiPropertyOptional({ enum: ['hubspot', 'salesforce'] })
  @IsOptional()
  @IsIn(['hubspot', 'salesforce'])
  connector?: string;

  @ApiPropertyOptional({ example: 'customer' })
  @IsOptional()
  @IsString()
  @MaxLength(60)
  stripe_object?: string;
}

@ValidatorConstraint({ name: 'scalar' })
class ScalarRule implements ValidatorConstraintInterface {
  validate(v: unknown): boolean {
    return v === null || ['string', 'number', 'boolean'].includes(typeof v);
  }
  defaultMessage(): string {
    return 'value must be a string, number, boolean or null (in the CRM’s form, as crm_value shows it)';
  }
}

/** Either a side (`winner`) or a value for both (`value`), not both. */
export class ResolveConflictBody {
  @ApiPropertyOptional({
    enum: ['stripe', 'crm'],
    description: 'Keep this side’s value; the other side gets it.',
  })
  @IsOptional()
  @IsIn(['stripe', 'crm'])
  winner?: 'stripe' | 'crm';

  @ApiPropertyOptional({
    description: 'A value written to both sides, in the CRM’s form (as crm_value shows it).',
    oneOf: [{ type: 'string' }, { type: 'number' }, { type: 'boolean' }],
    nullable: true,
    example: '+44 20 7946 0000',
  })
  @IsOptional()
  @Validate(ScalarRule)
  value?: string | number | boolean | null;
}

export class ConflictView {
  @ApiProperty() id!: string;
  @ApiProperty() connector!: string;
  @ApiProperty() stripe_object!: string;
  @ApiProperty() stripe_id!: string;
  @ApiProperty() crm_id!: string;
  @ApiProperty() field_mapping_id!: string;
  @ApiProperty() stripe_path!: string;
  @ApiProperty() crm_property!: string;
  @ApiProperty({ description: 'Stripe’s value, in the CRM’s form' }) stripe_value!: unknown;
  @ApiProperty() crm_value!: unknown;
  @ApiProperty({ description: 'The value both sides last agreed on' }) shadow_value!: unknown;
  @ApiProperty() policy!: string;
  @ApiProperty({ enum: ['stripe', 'crm', 'none'] }) winner!: string;
  @ApiProperty({ enum: ['open', 'resolved'] }) status!: string;
  @ApiProperty() first_link!: boolean;
  @ApiProperty() created_at!: string;
  @ApiPropertyOptional({ nullable: true }) resolved_at!: string | null;
}
