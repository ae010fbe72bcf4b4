/** Request bodies: every request carries a unique, realistic, correctly signed Stripe event. */
import Stripe from 'stripe';
import { randomAlnum } from './common.js';

const EVENT_TAG = randomAlnum(10);
const CUSTOMER_TAG = randomAlnum(8);
const CUSTOMERS = 10_000;
let eventSeq = 0;

export interface SignedEvent {
  id: string;
  body: string;
  signature: string;
}

export function signedEvent(secret: string): SignedEvent {
  const n = eventSeq++;
  const id = `evt_1${EVENT_TAG}${n.toString(36).padStart(9, '0')}`;
  const c = n % CUSTOMERS;
  const created = Math.floor(Date.now() / 1000);
  const body = JSON.stringify({
    id,
    object: 'event',
    api_version: '2026-10-28.endive',
    created,
    data: {
      object: {
        id: `cus_${CUSTOMER_TAG}${c.toString(36).padStart(6, '0')}`,
        object: 'customer',
        address: null,
        balance: 0,
        created: created - 90 * 86_400,
        currency: 'usd',
        default_source: null,
        delinquent: false,
        description: null,
        discount: null,
        email: `customer${c}.${n}@example.com`,
        invoice_prefix: `B${c.toString(16).toUpperCase().padStart(7, '0')}`,
        invoice_settings: {
          custom_fields: null,
          default_payment_method: null,
          footer: null,
          rendering_options: null,
        },
        livemode: false,
        metadata: {},
        name: `Bench Customer ${c}`,
        next_invoice_sequence: 1,
        phone: null,
        preferred_locales: [],
        shipping: null,
        tax_exempt: 'none',
        test_clock: null,
      },
      previous_attributes: { email: `customer${c}@example.com` },
    },
    livemode: false,
    pending_webhooks: 1,
    request: { id: null, idempotency_key: null },
    type: 'customer.updated',
  });
  const signature = Stripe.webhooks.generateTestHeaderString({ payload: body, secret });
  return { id, body, signature };
}
