import { Logger } from '@nestjs/common';
import { performance } from 'node:perf_hooks';
import { AppConfig } from '../config/app-config.js';
import { decideLog, type LogWindow } from '../domain/log-rate-limit.js';

/** A refused webhook is logged at most once per reason in this window. */
export const REFUSAL_LOG_WINDOW_MS = 10_000;

export interface WebhookRefusal {
  /** The refusal's code, as answered: signature_mismatch, payload_too_large… */
  reason: string;
  status: number;
  /** Says what to check, in our words (never the vendor's, never the body). */
  message: string;
  requestId: string;
  /** Read only for its `t=` timestamp; neither it nor its signatures are logged. */
  signatureHeader: string | string[] | undefined;
  contentLength: string | undefined;
  /** Wall-clock now, to tell the signature's age. */
  nowMs: number;
}

/** The signature's age in seconds from its `t=` element, when the header has one. */
export function signatureAgeSeconds(header: string | undefined, nowMs: number): number | undefined {
  const t = /(?:^|,)\s*t=(\d{1,12})\s*(?:,|$)/.exec(header ?? '')?.[1];
  return t === undefined ? undefined : Math.round(nowMs / 1000 - Number(t));
}

type Sink = (fields: Record<string, unknown>, message: string) => void;

/**
 * The warn line for a refused webhook: a wrong signing secret otherwise shows only as a
 * counter. What helps an operator (reason, how many secrets are configured, the signature's
 * age, the request id), never the body, the signature or a secret; rate-limited per reason.
 */
export class WebhookRefusalLog {
  // The controller and the error filter (where Fastify's own refusals surface) live in
  // different modules; one instance per application keeps one window per reason for both.
  private static readonly perApp = new WeakMap<AppConfig, WebhookRefusalLog>();

  static for(config: AppConfig): WebhookRefusalLog {
    let log = WebhookRefusalLog.perApp.get(config);
    if (!log) {
      const logger = new Logger('StripeWebhook');
      log = new WebhookRefusalLog(config.stripe.webhookSecrets.length, (fields, msg) =>
        logger.warn(fields, msg),
      );
      WebhookRefusalLog.perApp.set(config, log);
    }
    return log;
  }

  private readonly windows = new Map<string, LogWindow>();

  constructor(
    private readonly secretsConfigured: number,
    private readonly sink: Sink,
    // Monotonic: a wall-clock step must not open or hold a window.
    private readonly clock: () => number = () => performance.now(),
    private readonly windowMs = REFUSAL_LOG_WINDOW_MS,
  ) {}

  refused(r: WebhookRefusal): void {
    const decision = decideLog(this.windows.get(r.reason), this.clock(), this.windowMs);
    this.windows.set(r.reason, decision.next);
    if (!decision.log) return;
    const header = Array.isArray(r.signatureHeader) ? r.signatureHeader[0] : r.signatureHeader;
    const age = signatureAgeSeconds(header, r.nowMs);
    const length = Number(r.contentLength);
    const fields: Record<string, unknown> = {
      code: r.reason,
      status: r.status,
      secretsConfigured: this.secretsConfigured,
      ...(age === undefined ? {} : { signatureAgeSeconds: age }),
      ...(r.contentLength !== undefined && Number.isInteger(length)
        ? { contentLength: length }
        : {}),
      requestId: r.requestId,
      suppressed: decision.suppressed,
    };
    const more =
      decision.suppressed > 0
        ? ` (${decision.suppressed} more ${r.reason} refusals in the last ${this.windowMs / 1000} s were not logged)`
        : '';
    this.sink(fields, `Stripe webhook refused (${r.reason}): ${r.message}${more}`);
  }
}
