/**
 * The validated, typed configuration the rest of the service reads. Built once at boot from
 * the environment (see env.schema.ts); nothing else reads process.env.
 */
export type Profile = 'local' | 'production';

export type DatabaseConfig =
  { kind: 'postgres'; url: string; poolSize: number } | { kind: 'embedded'; dataDir: string };

/** One accepted admin bearer token and the label the audit log records for it. */
export interface AdminToken {
  label: string;
  token: string;
}

export interface StripeConfig {
  secretKey: string;
  webhookSecrets: string[];
  apiBase: URL;
  maxNetworkRetries: number;
  timeoutMs: number;
}

export interface HubSpotConfig {
  accessToken: string;
  apiBase: URL;
  /** Calls per rolling 10 s the app's tier allows (100 for most private apps, 190 on Pro+). */
  tenSecondBudget: number;
  /** How long to stop calling after HubSpot refuses a call for the daily limit. */
  dailyRetryMs: number;
}

export interface SyncConfig {
  /** Worker loops per process claiming inbox rows (0 = this replica only ingests). */
  workers: number;
  /** Objects claimed per batch (and so per CRM batch call). */
  batchSize: number;
  /** Attempts before a job is parked as a dead letter. */
  maxAttempts: number;
  retryBaseMs: number;
  retryMaxMs: number;
  /**
   * A CRM edit that conflicts (newest_wins) with a Stripe change whose webhook has not arrived
   * yet waits this long for it, to learn when the Stripe change was made.
   */
  stripeEventGraceMs: number;
  /** Each CRM poll re-reads this much before its cursor (search indexes lag behind writes). */
  pollOverlapSeconds: number;
}

export type SalesforceAuth =
  | { kind: 'access_token'; accessToken: string }
  | { kind: 'client_credentials'; clientId: string; clientSecret: string }
  | { kind: 'jwt_bearer'; clientId: string; username: string; privateKey: string };

export interface SalesforceConfig {
  instanceUrl: URL;
  /** The OAuth token endpoint's host (login.salesforce.com, or the org's My Domain). */
  loginUrl: URL;
  auth: SalesforceAuth;
  /** REST API version without the "v" ("62.0"). */
  apiVersion: string;
  /** Share (0–1] of the org's daily API allocation this bridge may use. */
  dailyApiShare: number;
  /** How long calls wait once that share, or the org's whole allocation, is spent. */
  budgetPauseMs: number;
}

export abstract class AppConfig {
  abstract readonly profile: Profile;
  abstract readonly port: number;
  abstract readonly host: string;
  abstract readonly logLevel: string;
  abstract readonly dataDir: string;
  abstract readonly database: DatabaseConfig;
  abstract readonly migrationsRun: boolean;
  abstract readonly webhookBodyLimitBytes: number;
  abstract readonly stripe: StripeConfig;
  abstract readonly hubspot: HubSpotConfig | null;
  abstract readonly salesforce: SalesforceConfig | null;
  /** Who may call the admin API; empty = the admin routes are off (503). */
  abstract readonly adminApiTokens: AdminToken[];
  /** Admin API requests one client may make per minute (429 beyond). */
  abstract readonly adminRateLimitPerMinute: number;
  abstract readonly crmPollIntervalSeconds: number;
  abstract readonly sync: SyncConfig;
  /** Lines worth telling the operator at boot (generated values, defaults taken). No secrets. */
  abstract readonly notices: string[];
}
