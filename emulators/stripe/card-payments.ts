import { invalid } from './stripe-errors.js';
import { type Params } from './params.js';
import { ADDRESS_NULLS, isRecord, unix, type Obj, type StripeState } from './stripe-state.js';

/** Stripe's test card numbers by token / pm shortcut; `decline` ones fail when charged. */
const TEST_CARDS: Record<string, { number: string; decline?: boolean }> = {
  visa: { number: '4242424242424242' },
  mastercard: { number: '5555555555554444' },
  amex: { number: '378282246310005' },
  chargeDeclined: { number: '4000000000000002', decline: true },
  chargeDeclinedInsufficientFunds: { number: '4000000000009995', decline: true },
  // Attaches to a customer fine; every charge on it is declined (what `stripe trigger
  // invoice.payment_failed` pays with).
  chargeCustomerFail: { number: '4000000000000341', decline: true },
};
const shortcutCard = (id: string) => {
  const name = /^pm_card_(\w+)$/.exec(id)?.[1];
  return name && Object.hasOwn(TEST_CARDS, name) ? TEST_CARDS[name] : undefined;
};
const DECLINING_NUMBERS = new Set(['4000000000000002', '4000000000009995', '4000000000000341']);

const brandOf = (n: string): string =>
  /^3[47]/.test(n)
    ? 'amex'
    : /^5[1-5]|^2[2-7]/.test(n)
      ? 'mastercard'
      : n.startsWith('6')
        ? 'discover'
        : 'visa';

/**
 * Card payment logic shared by PaymentIntents, invoices and legacy charges: test card data,
 * declines (test cards, or a one-shot "fail the next payment" hook), charges.
 */
export class CardPayments {
  private readonly declining = new Set<string>();
  /** Customers (or '*') whose next payment fails; set by the test hook. */
  private readonly failNext = new Set<string>();

  constructor(private readonly s: StripeState) {}

  reset(): void {
    this.declining.clear();
    this.failNext.clear();
  }

  failNextPayment(customer = '*'): void {
    this.failNext.add(customer);
  }

  /** `card[number]`…, or `card[token]=tok_visa`; returns the stored pm. */
  createPaymentMethod(p: Params, id = this.s.newId('payment_method')): Obj {
    const type = typeof p.type === 'string' ? p.type : 'card';
    if (type !== 'card')
      throw invalid(`The emulator only supports type=card, not ${type}.`, 'type');
    const card = isRecord(p.card) ? p.card : {};
    const token = typeof card.token === 'string' ? card.token.replace(/^tok_/, '') : null;
    const given = typeof card.number === 'string' ? card.number : '4242424242424242';
    const number = (token ? (TEST_CARDS[token]?.number ?? '4242424242424242') : given).replace(
      /\s/g,
      '',
    );
    if (!/^\d{12,19}$/.test(number)) {
      throw invalid('Your card number is incorrect.', 'card[number]', 'incorrect_number');
    }
    const brand = brandOf(number);
    const billing = isRecord(p.billing_details) ? p.billing_details : {};
    const pm = this.s.create(
      'payment_method',
      {
        allow_redisplay: 'unspecified',
        billing_details: {
          address: isRecord(billing.address) ? billing.address : { ...ADDRESS_NULLS },
          email: billing.email ?? null,
          name: billing.name ?? null,
          phone: billing.phone ?? null,
          tax_id: null,
        },
        card: {
          brand,
          checks: {
            address_line1_check: null,
            address_postal_code_check: null,
            cvc_check: card.cvc ? 'pass' : null,
          },
          country: 'US',
          display_brand: brand,
          exp_month: Number(card.exp_month ?? 12),
          exp_year: Number(card.exp_year ?? new Date().getUTCFullYear() + 3),
          fingerprint: `fp${number.slice(-8)}`,
          funding: 'credit',
          generated_from: null,
          last4: number.slice(-4),
          networks: { available: [brand], preferred: null },
          regulated_status: 'unregulated',
          three_d_secure_usage: { supported: true },
          wallet: null,
        },
        customer: null,
        metadata: isRecord(p.metadata) ? p.metadata : {},
        type: 'card',
      },
      id,
    );
    if (DECLINING_NUMBERS.has(number)) this.declining.add(String(pm.id));
    return pm;
  }

  /**
   * The pm to attach for `id`: a test shortcut (`pm_card_visa`…) becomes a fresh `pm_` each
   * time, as in Stripe, so two customers attaching `pm_card_visa` get two cards (the CLI's
   * triggers then pay with the id the attach returned).
   */
  instantiate(id: string, param = 'payment_method'): Obj {
    const card = shortcutCard(id);
    if (!card) return this.paymentMethod(id, param);
    return this.createPaymentMethod({ type: 'card', card: { number: card.number } });
  }

  /** `pm_card_visa` and the other test shortcuts Stripe knows. */
  isShortcut(id: string): boolean {
    return shortcutCard(id) !== undefined;
  }

  /** A stored pm, creating Stripe's `pm_card_visa`-style test shortcuts on first use. */
  paymentMethod(id: string, param = 'payment_method'): Obj {
    const card = shortcutCard(id);
    if (card && !this.s.exists('payment_method', id)) {
      this.createPaymentMethod({ type: 'card', card: { number: card.number } }, id);
    }
    return this.s.get('payment_method', id, param);
  }

  /** Creates a charge; `ok: false` means declined (a failed charge and charge.failed). */
  charge(input: {
    amount: number;
    currency: string;
    customer: string | null;
    paymentMethod: string;
    paymentIntent?: string | null;
    description?: string | null;
    metadata?: Obj;
    capture?: boolean;
  }): { ok: boolean; charge: Obj } {
    const pm = this.paymentMethod(input.paymentMethod);
    const declined =
      this.declining.has(input.paymentMethod) ||
      this.failNext.delete('*') ||
      (input.customer !== null && this.failNext.delete(input.customer));
    const card = isRecord(pm.card) ? pm.card : {};
    const id = this.s.newId('charge');
    const capture = input.capture ?? true;
    const charge = this.s.create(
      'charge',
      {
        amount: input.amount,
        amount_captured: declined || !capture ? 0 : input.amount,
        balance_transaction: declined ? null : `txn_${id.slice(3)}`,
        billing_details: pm.billing_details,
        calculated_statement_descriptor: 'EMULATOR',
        captured: !declined && capture,
        currency: input.currency,
        customer: input.customer,
        description: input.description ?? null,
        failure_code: declined ? 'card_declined' : null,
        failure_message: declined ? 'Your card was declined.' : null,
        fraud_details: {},
        metadata: input.metadata ?? {},
        outcome: {
          advice_code: null,
          network_advice_code: null,
          network_decline_code: null,
          network_status: declined ? 'declined_by_network' : 'approved_by_network',
          reason: declined ? 'generic_decline' : null,
          risk_level: 'normal',
          seller_message: declined
            ? 'The bank did not return any further details with this decline.'
            : 'Payment complete.',
          type: declined ? 'issuer_declined' : 'authorized',
        },
        paid: !declined,
        payment_intent: input.paymentIntent ?? null,
        payment_method: input.paymentMethod,
        payment_method_details: {
          card: {
            amount_authorized: declined ? null : input.amount,
            brand: card.brand,
            checks: card.checks,
            country: card.country,
            exp_month: card.exp_month,
            exp_year: card.exp_year,
            fingerprint: card.fingerprint,
            funding: card.funding,
            last4: card.last4,
            network: card.brand,
          },
          type: 'card',
        },
        receipt_url: `https://pay.stripe.com/receipts/emulator/${id}`,
        refunds: null,
        shipping: null,
        status: declined ? 'failed' : 'succeeded',
      },
      id,
    );
    this.s.emit(declined ? 'charge.failed' : 'charge.succeeded', charge);
    return { ok: !declined, charge };
  }

  /** Default payment method of a customer (invoice_settings), if any. */
  customerDefault(customer: string | null): string | null {
    if (!customer || !this.s.exists('customer', customer)) return null;
    const c = this.s.raw('customer', customer);
    const settings = isRecord(c.invoice_settings) ? c.invoice_settings : {};
    return typeof settings.default_payment_method === 'string'
      ? settings.default_payment_method
      : null;
  }
}

export const nowPlusDays = (days: number): number => unix() + days * 86400;
