import Stripe from 'stripe';

export const TEST_SECRET = 'whsec_test_primary_0123456789abcdef';
export const TEST_SECRET_2 = 'whsec_test_rotated_fedcba9876543210';

/** A real Stripe-Signature header, made by the SDK Stripe publishes (never a stub). */
export function sign(payload: string, secret = TEST_SECRET, timestamp?: number): string {
  return Stripe.webhooks.generateTestHeaderString({
    payload,
    secret,
    ...(timestamp === undefined ? {} : { timestamp }),
  });
}
