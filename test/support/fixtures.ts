import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { randomUUID } from 'node:crypto';

const EVENTS_DIR = fileURLToPath(new URL('../fixtures/stripe/events/', import.meta.url));

export type StripeEventFixture = Record<string, unknown> & {
  id: string;
  type: string;
  created: number;
};

/** One of Stripe's example events (test/fixtures/stripe/events), with overrides. */
export function stripeEvent(
  type: string,
  overrides: Partial<StripeEventFixture> = {},
): StripeEventFixture {
  const base = JSON.parse(readFileSync(`${EVENTS_DIR}${type}.json`, 'utf8')) as StripeEventFixture;
  return {
    ...base,
    id: `evt_${randomUUID().replaceAll('-', '')}`,
    created: Math.floor(Date.now() / 1000),
    ...overrides,
  };
}
