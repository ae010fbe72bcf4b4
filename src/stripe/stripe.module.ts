import { Module } from '@nestjs/common';
import { InboxModule } from '../sync/inbox/inbox.module.js';
import { StripeWebhookController } from './stripe-webhook.controller.js';
import { StripeClient } from './stripe.client.js';
import { WebhookVerifier } from './webhook-verifier.js';

@Module({
  imports: [InboxModule],
  controllers: [StripeWebhookController],
  providers: [StripeClient, WebhookVerifier],
  exports: [StripeClient],
})
export class StripeModule {}
