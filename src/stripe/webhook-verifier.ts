import { Injectable } from '@nestjs/common';
import Stripe from 'stripe';
import { AppConfig } from '../config/app-config.js';
import { StripeClient } from './stripe.client.js';

/** Stripe's own default and the tolerance the issue asks for: older signatures are replays. */
export const WEBHOOK_TOLERANCE_SECONDS = 300;

export type WebhookRejectReason =
  | 'missing_signature'
  | 'malformed_signature'
  | 'signature_mismatch'
  | 'timestamp_outside_tolerance'
  | 'empty_body'
  | 'invalid_json'
  | 'invalid_event'
  | 'payload_too_large'
  | 'unsupported_media_type';

export type VerifyResult =
  | { ok: true; event: unknown; raw: string }
  | { ok: false; reason: WebhookRejectReason; message: string };

/** Turns the SDK's verification errors (stable messages, pinned by a unit test) into reasons. */
function reasonOf(err: unknown): WebhookRejectReason | null {
  if (!(err instanceof Stripe.errors.StripeSignatureVerificationError)) return null;
  const m = err.message;
  if (m.startsWith('No stripe-signature header')) return 'missing_signature';
  if (m.startsWith('No webhook payload')) return 'empty_body';
  if (
    m.startsWith('Unable to extract') ||
    m.startsWith('No signatures found with expected scheme')
  ) {
    return 'malformed_signature';
  }
  if (m.startsWith('Timestamp outside the tolerance zone')) return 'timestamp_outside_tolerance';
  return 'signature_mismatch';
}

const MESSAGES: Record<WebhookRejectReason, string> = {
  missing_signature:
    'The Stripe-Signature header is missing: only Stripe (or `stripe listen`) may call this endpoint.',
  malformed_signature:
    'The Stripe-Signature header is not of the form t=<unix time>,v1=<hex signature>.',
  signature_mismatch:
    'No configured STRIPE_WEBHOOK_SECRET matches the signature: check the endpoint signing secret, and that the raw body was forwarded unchanged.',
  timestamp_outside_tolerance: `The signature is older than ${WEBHOOK_TOLERANCE_SECONDS} s (a replay, or this host's clock is off).`,
  empty_body: 'The request body is empty: expected a Stripe event as JSON.',
  invalid_json: 'The signature is valid but the body is not JSON.',
  invalid_event: 'The body is not a Stripe event.',
  payload_too_large: 'The body is larger than the webhook size limit (WEBHOOK_BODY_LIMIT_BYTES).',
  unsupported_media_type: 'Stripe webhooks are sent as application/json.',
};

export const rejectMessage = (reason: WebhookRejectReason): string => MESSAGES[reason];

/**
 * Verifies a webhook against every configured secret (two during rotation), with Stripe's
 * tolerance, over the raw bytes; only then parses it.
 */
@Injectable()
export class WebhookVerifier {
  constructor(
    private readonly stripe: StripeClient,
    private readonly config: AppConfig,
  ) {}

  verify(body: Buffer | undefined, signature: string | undefined, nowMs: number): VerifyResult {
    const raw = body && body.length > 0 ? body.toString('utf8') : '';
    if (!signature) return this.reject('missing_signature');
    if (raw === '') return this.reject('empty_body');
    let best: WebhookRejectReason = 'signature_mismatch';
    for (const secret of this.config.stripe.webhookSecrets) {
      try {
        const event: unknown = this.stripe.webhooks.constructEvent(
          raw,
          signature,
          secret,
          WEBHOOK_TOLERANCE_SECONDS,
          undefined,
          nowMs,
        );
        return { ok: true, event, raw };
      } catch (err) {
        const reason = reasonOf(err);
        if (reason === null) {
          // The signature matched and the body failed to parse (or is a thin event).
          return err instanceof SyntaxError
            ? this.reject('invalid_json')
            : { ok: false, reason: 'invalid_event', message: (err as Error).message };
        }
        // A stale signature that matched one secret is more telling than a mismatch on another.
        if (reason !== 'signature_mismatch') best = reason;
        if (reason === 'malformed_signature' || reason === 'missing_signature') break;
      }
    }
    return this.reject(best);
  }

  private reject(reason: WebhookRejectReason): VerifyResult {
    return { ok: false, reason, message: MESSAGES[reason] };
  }
}
