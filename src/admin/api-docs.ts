import { applyDecorators } from '@nestjs/common';
import { ApiBearerAuth, ApiProperty, ApiPropertyOptional, ApiResponse } from '@nestjs/swagger';

/** The one error shape of every route (webhook and admin alike). */
export class ErrorResponse {
  @ApiProperty({ example: 400 }) statusCode!: number;
  @ApiProperty({ example: 'validation_failed', description: 'Stable, snake_case: branch on it.' })
  code!: string;
  @ApiProperty({
    example:
      'Fix fields.0.direction (direction must be one of the following values: to_crm, to_stripe, both).',
  })
  message!: string;
  @ApiPropertyOptional({
    example: [
      {
        field: 'fields.0.direction',
        problem: 'direction must be one of the following values: to_crm, to_stripe, both',
      },
    ],
  })
  details?: { field: string; problem: string }[];
}

const WHEN: Record<number, string> = {
  400: 'Malformed JSON, a missing body, a wrong type, an unknown property or value (validation_failed, invalid_json, invalid_cursor, invalid_if_match)',
  401: 'No bearer token (missing_token)',
  403: 'A token that is not one of ADMIN_API_TOKEN (invalid_token)',
  404: 'No such mapping, field, version, conflict, dead letter, link or run (not_found and the like)',
  409: 'The target is not in a state for this (version_conflict, mapping_exists, field_exists, mapping_conflict, already_resolved, not_dead, already_linked, …)',
  422: 'Valid, but Stripe or the CRM cannot hold it (unknown_stripe_field, stripe_refuses_mapping, crm_fields_missing, crm_property_type, crm_refused, connector_not_configured, unsupported_stripe_object, …)',
  429: 'Too many requests from this client (too_many_requests)',
  503: 'The admin API is off (admin_api_disabled) or the CRM could not be asked (crm_unavailable)',
};

/** Bearer auth and the error answers a route can give, documented once. */
export const AdminApi = (...statuses: number[]) =>
  applyDecorators(
    ApiBearerAuth(),
    ...[401, 403, 429, 503, ...statuses].map((status) =>
      ApiResponse({ status, description: WHEN[status], type: ErrorResponse }),
    ),
  );
