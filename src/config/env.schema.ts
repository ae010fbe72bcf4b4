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

type Decorator = (target: object, key: string) => void;
const all =
  (...decorators: Decorator[]): Decorator =>
  (target, key) => {
    for (const d of decorators) d(target, key);
  };

// Every variable is optional here; what a profile requires is decided in load-config.ts.
// Messages say what is expected and never echo the value, so a rejected secret is not printed.
const OptionalInt = (min: number, max: number, what = `a whole number from ${min} to ${max}`) => {
  const message = `expected ${what}`;
  return all(
    IsOptional(),
    Transform(toInt),
    IsInt({ message }),
    Min(min, { message }),
    Max(max, { message }),
  );
};
const OptionalString = () => all(IsOptional(), Transform(blankToUndefined), IsString());
const OptionalMatch = (pattern: RegExp, message: string) =>
  all(IsOptional(), Transform(blankToUndefined), Matches(pattern, { message }));
const OptionalOneOf = (values: readonly string[], message: string) =>
  all(IsOptional(), Transform(blankToUndefined), IsIn(values, { message }));
const OptionalUrl = (example: string) =>
  all(
    IsOptional(),
    Transform(blankToUndefined),
    IsUrl(
      { require_tld: false, require_protocol: true, protocols: ['http', 'https'] },
      { message: `expected an http(s) URL such as ${example}` },
    ),
  );
const OptionalBoolean = () =>
  all(IsOptional(), Transform(toBool), IsBoolean({ message: 'expected true or false' }));

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
/** `label:token` or a bare token; a label is what the audit log names the caller by. */
const ADMIN_TOKEN = '([A-Za-z0-9_.-]{1,40}:)?[^\\s,:]{24,}';
const WEBHOOK_SECRET = 'whsec_[A-Za-z0-9+/=_-]{8,}';

/** The environment as the service accepts it (see the README's configuration table). */
export class EnvironmentVariables {
  @OptionalOneOf(['local', 'production'], 'expected "local" or "production"')
  APP_PROFILE?: 'local' | 'production';

  @OptionalInt(0, 65535) PORT?: number;
  @OptionalString() HOST?: string;

  @OptionalOneOf(LOG_LEVELS, `expected one of ${LOG_LEVELS.join(', ')}`)
  LOG_LEVEL?: string;

  @OptionalMatch(
    /^postgres(ql)?:\/\/\S+$/,
    'expected a postgres:// URL, e.g. postgres://user:password@host:5432/dbname',
  )
  DATABASE_URL?: string;

  @OptionalInt(1, 100) DATABASE_POOL_SIZE?: number;
  @OptionalString() DATA_DIR?: string;
  @OptionalBoolean() MIGRATIONS_RUN?: boolean;
  @OptionalInt(1024, 10 * 1024 * 1024, 'a byte count from 1024 to 10485760')
  WEBHOOK_BODY_LIMIT_BYTES?: number;

  @OptionalMatch(
    /^(sk|rk)_(test|live)_[A-Za-z0-9_]{8,}$/,
    'expected a Stripe secret or restricted key (sk_live_…, sk_test_…, rk_…)',
  )
  STRIPE_SECRET_KEY?: string;

  @OptionalMatch(
    new RegExp(`^${WEBHOOK_SECRET}(\\s*,\\s*${WEBHOOK_SECRET})*$`),
    'expected one or more webhook signing secrets (whsec_…), comma-separated',
  )
  STRIPE_WEBHOOK_SECRET?: string;

  @OptionalUrl('https://api.stripe.com') STRIPE_API_BASE?: string;
  @OptionalInt(0, 10) STRIPE_MAX_NETWORK_RETRIES?: number;
  @OptionalInt(1000, 120000, 'milliseconds from 1000 to 120000') STRIPE_TIMEOUT_MS?: number;

  @OptionalString() HUBSPOT_ACCESS_TOKEN?: string;
  @OptionalUrl('https://api.hubapi.com') HUBSPOT_API_BASE?: string;

  @OptionalUrl('https://acme.my.salesforce.com') SALESFORCE_INSTANCE_URL?: string;
  @OptionalUrl('https://login.salesforce.com') SALESFORCE_LOGIN_URL?: string;
  @OptionalString() SALESFORCE_ACCESS_TOKEN?: string;
  @OptionalString() SALESFORCE_CLIENT_ID?: string;
  @OptionalString() SALESFORCE_CLIENT_SECRET?: string;
  @OptionalString() SALESFORCE_USERNAME?: string;
  @OptionalString() SALESFORCE_PRIVATE_KEY?: string;
  @OptionalMatch(/^\d{2}\.0$/, 'expected a REST API version such as 62.0')
  SALESFORCE_API_VERSION?: string;
  @OptionalInt(1, 100, 'a percentage from 1 to 100') SALESFORCE_DAILY_API_SHARE?: number;
  @OptionalInt(1, 86400, 'seconds from 1 to 86400') SALESFORCE_BUDGET_PAUSE_SECONDS?: number;

  @OptionalMatch(
    new RegExp(`^${ADMIN_TOKEN}(\\s*,\\s*${ADMIN_TOKEN})*$`),
    'expected one or more tokens of at least 24 characters, each optionally labelled (label:token), comma-separated',
  )
  ADMIN_API_TOKEN?: string;

  @OptionalInt(1, 100_000, 'requests from 1 to 100000')
  ADMIN_API_RATE_LIMIT_PER_MINUTE?: number;

  @OptionalInt(1, 3600, 'seconds from 1 to 3600') CRM_POLL_INTERVAL_SECONDS?: number;
  @OptionalInt(0, 3600, 'seconds from 0 to 3600') CRM_POLL_OVERLAP_SECONDS?: number;

  @OptionalInt(1, 1000, 'calls per 10 seconds from 1 to 1000') HUBSPOT_RATE_LIMIT_PER_10S?: number;
  @OptionalInt(1, 86400, 'seconds from 1 to 86400') HUBSPOT_DAILY_RETRY_SECONDS?: number;

  @OptionalInt(0, 32) SYNC_WORKERS?: number;
  @OptionalInt(1, 500) SYNC_BATCH_SIZE?: number;
  @OptionalInt(1, 100) SYNC_MAX_ATTEMPTS?: number;
  @OptionalInt(10, 3_600_000, 'milliseconds from 10 to 3600000') SYNC_RETRY_BASE_MS?: number;
  @OptionalInt(10, 86_400_000, 'milliseconds from 10 to 86400000') SYNC_RETRY_MAX_MS?: number;
  @OptionalInt(0, 3_600_000, 'milliseconds from 0 to 3600000') SYNC_STRIPE_EVENT_GRACE_MS?: number;
}
