import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { CONNECTORS } from '../mappings/mapping.dto.js';
import { PageQuery } from '../pagination.js';

export const RUN_STATUSES = ['running', 'done', 'failed', 'cancelled'] as const;
export const RUN_KINDS = ['backfill', 'apply'] as const;

export class StartBackfillBody {
  @ApiProperty({
    example: 'customer',
    description: 'The Stripe object type to backfill (an enabled object mapping must exist).',
  })
  @IsString()
  @Matches(/^[a-z][a-z_]{0,49}$/, {
    message: 'object must be a Stripe object type such as customer',
  })
  object!: string;

  @ApiPropertyOptional({
    enum: CONNECTORS,
    description: 'Only this CRM; without it, every configured CRM with an enabled mapping.',
  })
  @IsOptional()
  @IsIn(CONNECTORS)
  connector?: string;
}

export class BackfillListQuery extends PageQuery {
  @ApiPropertyOptional({ enum: CONNECTORS })
  @IsOptional()
  @IsIn(CONNECTORS)
  connector?: string;

  @ApiPropertyOptional({ example: 'customer' })
  @IsOptional()
  @IsString()
  @MaxLength(50)
  stripe_object?: string;

  @ApiPropertyOptional({ enum: RUN_STATUSES })
  @IsOptional()
  @IsIn(RUN_STATUSES)
  status?: string;
}

export class StartedBackfillView {
  @ApiProperty({ format: 'uuid', description: 'The run of the first (or only) mapping covered.' })
  id!: string;

  @ApiPropertyOptional({
    type: [String],
    description: 'Every run opened, one per mapping, when the request covers several CRMs.',
  })
  ids?: string[];
}

export class CancelledBackfillView {
  @ApiProperty({ format: 'uuid' }) id!: string;

  @ApiProperty({
    enum: ['running', 'cancelled'],
    description:
      "'running' until its process stops between batches (poll GET /backfills/{id}); 'cancelled' at once when no process was running it.",
  })
  status!: string;
}

export class BackfillRunView {
  @ApiProperty({ format: 'uuid' }) id!: string;

  @ApiProperty({ enum: RUN_KINDS, description: "'apply': a mapping's re-projection." })
  kind!: string;

  @ApiProperty({ enum: CONNECTORS }) connector!: string;

  @ApiProperty({ example: 'customer' }) stripe_object!: string;

  @ApiProperty({
    enum: RUN_STATUSES,
    description:
      "'running' also for a run whose process died: the next start resumes it after its last committed page.",
  })
  status!: string;

  @ApiProperty({ description: 'Stripe objects handled (committed pages only).' }) done!: number;

  @ApiProperty({
    type: Number,
    nullable: true,
    description: 'Stripe objects of this type, once counted (null until then).',
  })
  total!: number | null;

  @ApiProperty({
    type: Number,
    nullable: true,
    description:
      'Objects per second: measured since it started in this process while it runs here; else averaged over the run (a run resumed after a cancel carries the counts of the one it resumed). Null before any page.',
  })
  rate_per_s!: number | null;

  @ApiProperty({
    type: Number,
    nullable: true,
    description: 'Seconds left at that rate, while running with a known total; else null.',
  })
  eta_s!: number | null;

  @ApiProperty({ description: 'Objects that could not be synced (their codes are in the log).' })
  errors!: number;

  @ApiProperty({
    type: String,
    nullable: true,
    description: 'Why the run last stopped on an error, if it did.',
  })
  last_error!: string | null;

  @ApiProperty() created!: number;
  @ApiProperty() linked!: number;
  @ApiProperty({ description: 'Already linked or unchanged.' }) skipped!: number;
  @ApiProperty({ description: 'More than one CRM record matched (see duplicate candidates).' })
  ambiguous!: number;
  @ApiProperty({ description: 'First links that found the two sides differing.' })
  differences!: number;

  @ApiProperty({ format: 'date-time' }) started_at!: string;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  finished_at!: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  cancel_requested_at!: string | null;
}
