import Stripe from 'stripe';

/** The real `stripe` SDK pointed at a local emulator, with no retries to hide a failure. */
export function stripeSdk(baseUrl: string, key: string): Stripe {
  const url = new URL(baseUrl);
  return new Stripe(key, {
    host: url.hostname,
    port: Number(url.port),
    protocol: 'http',
    maxNetworkRetries: 0,
  });
}
