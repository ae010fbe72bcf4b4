import { Controller, Headers, HttpCode, Post, Req } from '@nestjs/common';
import { RouteConfig } from '@nestjs/platform-fastify';
import { type FastifyRequest } from 'fastify';
import { AppError } from '../common/app-error.js';
import { AppConfig } from '../config/app-config.js';
import { summarizeStripeEvent } from '../domain/stripe-event-summary.js';
import { MetricsService } from '../ops/metrics.service.js';
import { WebhookRefusalLog } from '../ops/webhook-refusal-log.js';
import { InboxService } from '../sync/inbox/inbox.service.js';
import { rejectMessage, WebhookVerifier, type WebhookRejectReason } from './webhook-verifier.js';

export interface WebhookAck {
  received: true;
  duplicate: boolean;
}

/** Reasons that are not "bad request" get their own HTTP status. */
export function rejection(reason: WebhookRejectReason, message = rejectMessage(reason)): AppError {
  switch (reason) {
    case 'payload_too_large':
      return new AppError('too_large', reason, message);
    case 'unsupported_media_type':
      return new AppError('unsupported_media_type', reason, message);
    default:
      return new AppError('invalid', reason, message);
  }
}

/**
 * Ingest only: verify, store once, acknowledge. The work happens later, from the inbox, so a
 * slow CRM never makes Stripe wait or retry.
 */
@Controller('webhooks')
export class StripeWebhookController {
  constructor(
    private readonly verifier: WebhookVerifier,
    private readonly inbox: InboxService,
    private readonly metrics: MetricsService,
    config: AppConfig,
  ) {
    this.refusals = WebhookRefusalLog.for(config);
  }

  private readonly refusals: WebhookRefusalLog;

  @Post('stripe')
  @HttpCode(200)
  // Our body parser hands this route the raw bytes: the signature covers them exactly.
  @RouteConfig({ rawBody: true })
  async receive(
    @Req() req: FastifyRequest,
    @Headers('stripe-signature') signature: string | undefined,
  ): Promise<WebhookAck> {
    if (!/^application\/json\b/i.test(req.headers['content-type'] ?? '')) {
      throw this.reject(req, 'unsupported_media_type');
    }
    const body = Buffer.isBuffer(req.body) ? req.body : undefined;
    const verified = this.verifier.verify(body, signature, Date.now());
    if (!verified.ok) throw this.reject(req, verified.reason, verified.message);
    const summary = summarizeStripeEvent(verified.event);
    if (!summary.ok)
      throw this.reject(
        req,
        'invalid_event',
        `The body is not a Stripe event: ${summary.message}.`,
      );
    const outcome = await this.inbox.store(summary.summary, verified.raw);
    this.metrics.webhooksReceived.inc({ outcome });
    return { received: true, duplicate: outcome === 'duplicate' };
  }

  /** Counted, logged (rate-limited, without body or signature) and answered. */
  private reject(req: FastifyRequest, reason: WebhookRejectReason, message?: string): AppError {
    this.metrics.webhooksRejected.inc({ reason });
    const error = rejection(reason, message);
    this.refusals.refused({
      reason,
      status: error.kind === 'invalid' ? 400 : error.kind === 'too_large' ? 413 : 415,
      message: rejectMessage(reason),
      requestId: String(req.id),
      signatureHeader: req.headers['stripe-signature'],
      contentLength: req.headers['content-length'],
      nowMs: Date.now(),
    });
    return error;
  }
}
