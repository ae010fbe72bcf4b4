import { Injectable } from '@nestjs/common';
import Stripe from 'stripe';
import { AppConfig } from '../config/app-config.js';
import { APP_NAME, APP_VERSION } from '../common/app-info.js';
import { STRIPE_API_VERSION } from './stripe-api-version.js';

/**
 * The one seam to Stripe: the only place that constructs the SDK. Tests and the demo point it
 * at a local emulator through STRIPE_API_BASE, never by patching SDK fields.
 */
@Injectable()
export class StripeClient {
  readonly api: Stripe;

  constructor(config: AppConfig) {
    const base = config.stripe.apiBase;
    const protocol = base.protocol === 'http:' ? 'http' : 'https';
    this.api = new Stripe(config.stripe.secretKey, {
      apiVersion: STRIPE_API_VERSION,
      host: base.hostname,
      port: base.port || (protocol === 'http' ? 80 : 443),
      protocol,
      maxNetworkRetries: config.stripe.maxNetworkRetries,
      timeout: config.stripe.timeoutMs,
      telemetry: false,
      appInfo: { name: APP_NAME, version: APP_VERSION },
    });
  }

  get webhooks(): Stripe['webhooks'] {
    return this.api.webhooks;
  }
}
