import { Module } from '@nestjs/common';
import { InboxModule } from '../sync/inbox/inbox.module.js';
import { StripeWebhookController } from './stripe-webhook.controller.js';
import { StripeRecords } from './stripe-records.js';
import { StripeClient } from './stripe.client.js';
import { WebhookVerifier } from './webhook-verifier.js';

@Module({
  imports: [InboxModule],
  controllers: [StripeWebhookController],
  providers: [StripeClient, StripeRecords, WebhookVerifier],
  exports: [StripeClient, StripeRecords],
})
export class StripeModule {}
