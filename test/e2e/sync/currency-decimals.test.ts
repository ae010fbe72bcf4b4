import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startSyncHarness, type SyncHarness } from '../../support/sync-harness.js';

/**
 * Stripe amounts are integers in the currency's minor unit; the CRM shows the decimal a person
 * reads. The same balance of 125000 minor units is ¥125,000, ₩125,000, $1,250.00 and
 * KD 125.000: the exponent comes from the customer's currency, not a fixed 100.
 */
describe('customer balances in zero-, two- and three-decimal currencies, on both CRMs', () => {
  let h: SyncHarness;

  beforeAll(async () => {
    h = await startSyncHarness({ crms: ['hubspot', 'salesforce'] });
  });
  afterAll(async () => {
    await h?.close();
  });

  it.each([
    ['jpy', 125000, 125000],
    ['krw', 125000, 125000],
    ['usd', 125000, 1250],
    ['kwd', 125000, 125],
    ['usd', -1999, -19.99],
    ['kwd', 1999, 1.999],
  ])('%s %d minor units → %d', async (currency, minor, decimal) => {
    const customer = await h.stripe.customers.create({
      email: `${currency}${minor}@example.com`,
      name: `Balance ${currency.toUpperCase()}`,
    });
    // Stripe gives a customer its currency with the first invoice or subscription (and the
    // balance is in it); the emulator's record is set as that would leave it.
    h.stripeEmu.state.update(
      'customer',
      customer.id,
      (o) => {
        o.currency = currency;
        o.balance = minor;
      },
      'customer.updated',
    );
    await h.settle();

    const contact = await h.contactByStripeId(customer.id);
    expect(contact.stripe_currency).toBe(currency);
    expect(Number(contact.stripe_balance)).toBe(decimal);
    const sf = h.sfContactByStripeId(customer.id);
    expect(sf.Stripe_Currency__c).toBe(currency);
    expect(sf.Stripe_Balance__c).toBe(decimal);
  });
});
