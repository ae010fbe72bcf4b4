import { Transform } from 'class-transformer';
import {
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsUrl,
  Matches,
  Max,
  Min,
} from 'class-validator';

/** Blank strings count as unset: `FOO=` in a .env file should not defeat a default. */
const blankToUndefined = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' && value.trim() === '' ? undefined : value;
const toInt = ({ value }: { value: unknown }): unknown => {
  const v = blankToUndefined({ value });
  return typeof v === 'string' && /^-?\d+$/.test(v.trim()) ? Number(v) : v;
};
const toBool = ({ value }: { value: unknown }): unknown => {
  const v = blankToUndefined({ value });
  if (typeof v !== 'string') return v;
  const s = v.trim().toLowerCase();
  if (['true', '1', 'yes', 'on'].includes(s)) return true;
  if (['false', '0', 'no', 'off'].includes(s)) return false;
  return v;
};

const URL_OPTS = { require_tld: false, require_protocol: true, protocols: ['http', 'https'] };
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/**
 * The environment as the service accepts it. Messages name what is expected and never echo a
 * value, so a rejected secret is not printed.
 */
export class EnvironmentVariables {
  @IsOptional()
  @Transform(blankToUndefined)
  @IsIn(['local', 'production'], { message: 'expected "local" or "production"' })
  APP_PROFILE?: 'local' | 'production';

  @IsOptional()
  @Transform(toInt)
  @IsInt({ message: 'expected a whole number from 0 to 65535' })
  @Min(0, { message: 'expected a whole number from 0 to 65535' })
  @Max(65535, { message: 'expected a whole number from 0 to 65535' })
  PORT?: number;

  @IsOptional()
  @Transform(blankToUndefined)
  @IsString()
  HOST?: string;

  @IsOptional()
  @Transform(blankToUndefined)
  @IsIn(LOG_LEVELS, { message: `expected one of ${LOG_LEVELS.join(', ')}` })
  LOG_LEVEL?: string;

  @IsOptional()
  @Transform(blankToUndefined)
  @Matches(/^postgres(ql)?:\/\/\S+$/, {
    message: 'expected a postgres:// URL, e.g. postgres://user:password@host:5432/dbname',
  })
  DATABASE_URL?: string;

  @IsOptional()
  @Transform(toInt)
  @IsInt({ message: 'expected a whole number from 1 to 100' })
  @Min(1, { message: 'expected a whole number from 1 to 100' })
  @Max(100, { message: 'expected a whole number from 1 to 100' })
  DATABASE_POOL_SIZE?: number;

  @IsOptional()
  @Transform(blankToUndefined)
  @IsString()
  DATA_DIR?: string;

  @IsOptional()
  @Transform(toBool)
  @IsBoolean({ message: 'expected true or false' })
  MIGRATIONS_RUN?: boolean;

  @IsOptional()
  @Transform(toInt)
  @IsInt({ message: 'expected a byte count from 1024 to 10485760' })
  @Min(1024, { message: 'expected a byte count from 1024 to 10485760' })
  @Max(10 * 1024 * 1024, { message: 'expected a byte count from 1024 to 10485760' })
  WEBHOOK_BODY_LIMIT_BYTES?: number;

  @IsOptional()
  @Transform(blankToUndefined)
  @Matches(/^(sk|rk)_(test|live)_[A-Za-z0-9_]{8,}$/, {
    message: 'expected a Stripe secret or restricted key (sk_live_…, sk_test_…, rk_…)',
  })
  STRIPE_SECRET_KEY?: string;

  @IsOptional()
  @Transform(blankToUndefined)
  @Matches(/^whsec_[A-Za-z0-9+/=_-]{8,}(\s*,\s*whsec_[A-Za-z0-9+/=_-]{8,})*$/, {
    message: 'expected one or more webhook signing secrets (whsec_…), comma-separated',
  })
  STRIPE_WEBHOOK_SECRET?: string;

  @IsOptional()
  @Transform(blankToUndefined)
  @IsUrl(URL_OPTS, { message: 'expected an http(s) URL such as https://api.stripe.com' })
  STRIPE_API_BASE?: string;

  @IsOptional()
  @Transform(toInt)
  @IsInt({ message: 'expected a whole number from 0 to 10' })
  @Min(0, { message: 'expected a whole number from 0 to 10' })
  @Max(10, { message: 'expected a whole number from 0 to 10' })
  STRIPE_MAX_NETWORK_RETRIES?: number;

  @IsOptional()
  @Transform(toInt)
  @IsInt({ message: 'expected milliseconds from 1000 to 120000' })
  @Min(1000, { message: 'expected milliseconds from 1000 to 120000' })
  @Max(120000, { message: 'expected milliseconds from 1000 to 120000' })
  STRIPE_TIMEOUT_MS?: number;

  @IsOptional()
  @Transform(blankToUndefined)
  @IsString()
  HUBSPOT_ACCESS_TOKEN?: string;

  @IsOptional()
  @Transform(blankToUndefined)
  @IsUrl(URL_OPTS, { message: 'expected an http(s) URL such as https://api.hubapi.com' })
  HUBSPOT_API_BASE?: string;

  @IsOptional()
  @Transform(blankToUndefined)
  @IsUrl(URL_OPTS, { message: 'expected your org URL, e.g. https://acme.my.salesforce.com' })
  SALESFORCE_INSTANCE_URL?: string;

  @IsOptional()
  @Transform(blankToUndefined)
  @IsUrl(URL_OPTS, { message: 'expected an http(s) URL such as https://login.salesforce.com' })
  SALESFORCE_LOGIN_URL?: string;

  @IsOptional() @Transform(blankToUndefined) @IsString() SALESFORCE_ACCESS_TOKEN?: string;
  @IsOptional() @Transform(blankToUndefined) @IsString() SALESFORCE_CLIENT_ID?: string;
  @IsOptional() @Transform(blankToUndefined) @IsString() SALESFORCE_CLIENT_SECRET?: string;
  @IsOptional() @Transform(blankToUndefined) @IsString() SALESFORCE_USERNAME?: string;
  @IsOptional() @Transform(blankToUndefined) @IsString() SALESFORCE_PRIVATE_KEY?: string;

  @IsOptional()
  @Transform(blankToUndefined)
  @Matches(/^[^\s,]{24,}(\s*,\s*[^\s,]{24,})*$/, {
    message: 'expected one or more tokens of at least 24 characters, comma-separated',
  })
  ADMIN_API_TOKEN?: string;

  @IsOptional()
  @Transform(toInt)
  @IsInt({ message: 'expected seconds from 5 to 3600' })
  @Min(5, { message: 'expected seconds from 5 to 3600' })
  @Max(3600, { message: 'expected seconds from 5 to 3600' })
  CRM_POLL_INTERVAL_SECONDS?: number;
}
