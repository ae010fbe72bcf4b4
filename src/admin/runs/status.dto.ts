import { ApiProperty } from '@nestjs/swagger';
import { CONNECTORS } from '../mappings/mapping.dto.js';

export class PollCursorView {
  @ApiProperty({ example: 'contacts' }) crm_object!: string;

  @ApiProperty({
    format: 'date-time',
    description: 'CRM changes up to here have been queued (the last seen modification time).',
  })
  cursor_at!: string;

  @ApiProperty({
    description:
      'Seconds between now and the cursor: how far behind CRM → Stripe could be. It also grows while nothing changes in the CRM.',
  })
  lag_s!: number;

  @ApiProperty({
    format: 'date-time',
    description: 'When a poll last completed a page of this object (the cursor row was written).',
  })
  last_polled_at!: string;
}

export class ApiBudgetView {
  @ApiProperty({
    type: Number,
    nullable: true,
    description:
      "Calls the org used in the CRM's rolling 24 h window, as the CRM last reported them (Salesforce's Sforce-Limit-Info). Null when the CRM reports none (HubSpot: its limits are enforced per 10 s window by the bridge's limiter; daily usage is not reported to it) or before the first call.",
  })
  used!: number | null;

  @ApiProperty({
    type: Number,
    nullable: true,
    description: 'The daily allocation; null as above.',
  })
  limit!: number | null;

  @ApiProperty({ type: Number, nullable: true, description: 'limit − used; null as above.' })
  left!: number | null;

  @ApiProperty({
    type: Number,
    nullable: true,
    description:
      'How much polling is stretched to save budget: 1 = every tick; null = paused until the budget recovers.',
  })
  poll_slowdown!: number | null;
}

export class ConnectorStatusView {
  @ApiProperty({ enum: CONNECTORS }) name!: string;

  @ApiProperty({
    type: [PollCursorView],
    description: 'One per polled CRM object; none before the first poll.',
  })
  polls!: PollCursorView[];

  @ApiProperty({
    type: String,
    format: 'date-time',
    nullable: true,
    description: 'The latest last_polled_at of its objects.',
  })
  last_successful_poll_at!: string | null;

  @ApiProperty({ description: 'Polled CRM changes of this connector waiting in the inbox.' })
  inbox_pending!: number;

  @ApiProperty({ description: 'sync_conflicts rows still open on links of this connector.' })
  open_conflicts!: number;

  @ApiProperty({ type: ApiBudgetView }) api_budget!: ApiBudgetView;
}

export class InboxStatusView {
  @ApiProperty({
    description: 'Rows waiting to be processed (Stripe events and polled CRM changes).',
  })
  pending!: number;

  @ApiProperty({ description: 'Rows a worker holds right now.' }) processing!: number;

  @ApiProperty({
    type: Number,
    nullable: true,
    description: 'Seconds since the oldest pending row was received; null when none is pending.',
  })
  oldest_pending_age_s!: number | null;

  @ApiProperty({ description: 'Rows parked as dead letters after their last attempt.' })
  dead_letters!: number;
}

export class ErrorRateView {
  @ApiProperty({
    description:
      'Inbox rows settled in the last 5 minutes: processed (done) or parked as dead letters, by processed_at.',
  })
  settled!: number;

  @ApiProperty({ description: 'Of those, the dead letters.' }) failed!: number;

  @ApiProperty({
    type: Number,
    nullable: true,
    description:
      'failed / settled, 0 to 1; null when nothing settled. Attempts that failed and wait for a retry are not counted until they settle.',
  })
  rate!: number | null;
}

export class StatusView {
  @ApiProperty({ format: 'date-time' }) at!: string;

  @ApiProperty({ type: InboxStatusView, description: 'The inbox is shared by every connector.' })
  inbox!: InboxStatusView;

  @ApiProperty({ description: 'Every open sync_conflicts row.' }) open_conflicts!: number;

  @ApiProperty({ type: ErrorRateView }) error_rate_5m!: ErrorRateView;

  @ApiProperty({ type: [ConnectorStatusView], description: 'The configured CRMs.' })
  connectors!: ConnectorStatusView[];
}
