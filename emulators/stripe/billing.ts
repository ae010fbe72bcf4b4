import { cardDeclined, invalid } from './stripe-errors.js';
import { type CardPayments, nowPlusDays } from './card-payments.js';
import { isRecord, unix, type Obj, type StripeState } from './stripe-state.js';

/** A line from a price (subscriptions, price-based items) or a bare amount (`amount` items). */
export interface LineInput {
  price?: string;
  /** Without a price: the line's whole amount and its currency. */
  amount?: number;
  currency?: string;
  /** The invoice item (ii_) the line bills, if any. */
  invoiceItem?: string;
  quantity: number;
  subscription?: string | null;
  subscriptionItem?: string | null;
  period: { start: number; end: number };
  description?: string;
}

/** Adds `count` intervals to a unix time (calendar months/years, like Stripe's billing). */
export function addInterval(start: number, interval: string, count: number): number {
  const d = new Date(start * 1000);
  if (interval === 'day') d.setUTCDate(d.getUTCDate() + count);
  else if (interval === 'week') d.setUTCDate(d.getUTCDate() + 7 * count);
  else if (interval === 'year') d.setUTCFullYear(d.getUTCFullYear() + count);
  else d.setUTCMonth(d.getUTCMonth() + count);
  return Math.floor(d.getTime() / 1000);
}

/** The currency an invoice for `customer` gets unless the request names one. */
export const invoiceCurrency = (customer: Obj, opts: Obj): string =>
  typeof opts.currency === 'string'
    ? opts.currency
    : typeof customer.currency === 'string'
      ? customer.currency
      : 'usd';

const money = (amount: number, currency: string) =>
  `${(amount / 100).toFixed(2)} ${currency.toUpperCase()}`;

/**
 * Invoices and their lines, shared by the invoice endpoints and subscriptions: create a draft
 * with lines, finalize, pay (charging a card; a decline emits invoice.payment_failed).
 */
export class Billing {
  constructor(
    private readonly s: StripeState,
    private readonly cards: CardPayments,
  ) {
    s.onRender('invoice', (inv) => {
      const lines = s.all('line_item', (l) => l.invoice === inv.id).reverse();
      return {
        ...inv,
        lines: {
          object: 'list',
          data: lines,
          has_more: false,
          total_count: lines.length,
          url: `/v1/invoices/${String(inv.id)}/lines`,
        },
      };
    });
  }

  createInvoice(customerId: string, opts: Obj = {}, lines: LineInput[] = []): Obj {
    const customer = this.s.raw('customer', customerId, 'customer');
    const id = this.s.newId('invoice');
    const subscription = typeof opts.subscription === 'string' ? opts.subscription : null;
    const invoice = this.s.create(
      'invoice',
      {
        account_country: 'US',
        account_name: 'Stripe Emulator',
        auto_advance: opts.auto_advance ?? !subscription,
        automatic_tax: {
          disabled_reason: null,
          enabled: false,
          liability: null,
          provider: null,
          status: null,
        },
        billing_reason: opts.billing_reason ?? 'manual',
        collection_method: opts.collection_method ?? 'charge_automatically',
        currency: invoiceCurrency(customer, opts),
        customer: customerId,
        customer_address: customer.address ?? null,
        customer_email: customer.email ?? null,
        customer_name: customer.name ?? null,
        customer_phone: customer.phone ?? null,
        customer_shipping: customer.shipping ?? null,
        customer_tax_exempt: customer.tax_exempt ?? 'none',
        default_payment_method: opts.default_payment_method ?? null,
        description: opts.description ?? null,
        due_date:
          opts.collection_method === 'send_invoice'
            ? nowPlusDays(Number(opts.days_until_due ?? 30))
            : null,
        issuer: { type: 'self' },
        metadata: isRecord(opts.metadata) ? opts.metadata : {},
        parent: subscription
          ? {
              quote_details: null,
              subscription_details: { metadata: null, subscription },
              type: 'subscription_details',
            }
          : null,
        payment_settings: {
          default_mandate: null,
          payment_method_options: null,
          payment_method_types: null,
        },
        period_end: unix(),
        period_start: unix(),
        status: 'draft',
        status_transitions: {
          finalized_at: null,
          marked_uncollectible_at: null,
          paid_at: null,
          voided_at: null,
        },
        subscription,
        total_pretax_credit_amounts: [],
        total_taxes: [],
        webhooks_delivered_at: null,
      },
      id,
    );
    for (const line of lines) this.addLine(id, line);
    this.recompute(id);
    const created = this.s.get('invoice', String(invoice.id));
    this.s.emit('invoice.created', created);
    return created;
  }

  addLine(invoiceId: string, l: LineInput): Obj {
    const price = l.price ? this.s.raw('price', l.price, 'price') : null;
    const unit = Number(price?.unit_amount ?? 0);
    const amount = price ? unit * l.quantity : Number(l.amount ?? 0);
    const product =
      price && this.s.exists('product', String(price.product))
        ? this.s.raw('product', String(price.product))
        : {};
    const recurring = isRecord(price?.recurring)
      ? ` (at ${money(unit, String(price.currency))} / ${String(price.recurring.interval)})`
      : '';
    const named = typeof product.name === 'string' ? product.name : null;
    return this.s.create('line_item', {
      amount,
      currency: price ? price.currency : l.currency,
      // A bare amount has no product to name: its line says what the item said, or nothing.
      description:
        l.description ?? (price ? `${l.quantity} × ${named ?? 'Item'}${recurring}` : null),
      discount_amounts: [],
      discountable: true,
      discounts: [],
      invoice: invoiceId,
      parent: l.subscriptionItem
        ? {
            invoice_item_details: null,
            subscription_item_details: {
              invoice_item: null,
              proration: false,
              proration_details: { credited_items: null },
              subscription: l.subscription ?? null,
              subscription_item: l.subscriptionItem,
            },
            type: 'subscription_item_details',
          }
        : {
            invoice_item_details: {
              invoice_item: l.invoiceItem ?? null,
              proration: false,
              proration_details: { credited_items: null },
              subscription: null,
            },
            subscription_item_details: null,
            type: 'invoice_item_details',
          },
      period: l.period,
      pretax_credit_amounts: [],
      pricing: price
        ? {
            price_details: { price: l.price, product: price.product },
            type: 'price_details',
            unit_amount_decimal: String(price.unit_amount),
          }
        : null,
      quantity: l.quantity,
      subscription: l.subscription ?? null,
      subtotal: amount,
      taxes: [],
    });
  }

  /** Totals from the lines (no tax, no discounts). */
  recompute(invoiceId: string): void {
    const total = this.s
      .all('line_item', (l) => l.invoice === invoiceId)
      .reduce((a, l) => a + Number(l.amount), 0);
    const inv = this.s.raw('invoice', invoiceId);
    this.s.store.update('invoice', invoiceId, {
      ...inv,
      subtotal: total,
      subtotal_excluding_tax: total,
      total,
      total_excluding_tax: total,
      amount_due: total,
      amount_remaining: total - Number(inv.amount_paid ?? 0),
    });
  }

  finalize(id: string): Obj {
    const inv = this.s.raw('invoice', id);
    if (inv.status !== 'draft') {
      throw invalid(
        `This invoice is already finalized, you can't re-finalize a non-draft invoice.`,
        undefined,
        'invoice_not_editable',
      );
    }
    const customer = this.s.raw('customer', String(inv.customer));
    const seq = Number(customer.next_invoice_sequence ?? 1);
    this.s.store.update('customer', String(inv.customer), {
      ...customer,
      next_invoice_sequence: seq + 1,
    });
    const now = unix();
    const out = this.s.update(
      'invoice',
      id,
      (o) => {
        o.status = 'open';
        o.number = `${typeof customer.invoice_prefix === 'string' ? customer.invoice_prefix : 'EMU'}-${String(seq).padStart(4, '0')}`;
        o.effective_at = now;
        o.hosted_invoice_url = `https://invoice.stripe.com/i/emulator/${id}`;
        o.invoice_pdf = `https://pay.stripe.com/invoice/emulator/${id}/pdf`;
        o.status_transitions = { ...(o.status_transitions as Obj), finalized_at: now };
        if (o.collection_method === 'charge_automatically' && Number(o.amount_due) > 0)
          o.next_payment_attempt = now;
      },
      null,
    );
    this.s.emit('invoice.finalized', out);
    return out;
  }

  /** Pays an open (or draft) invoice; a decline throws a 402 unless `quiet` (subscriptions). */
  pay(
    id: string,
    opts: { payment_method?: string; paid_out_of_band?: boolean; quiet?: boolean } = {},
  ): Obj {
    let inv = this.s.raw('invoice', id);
    if (inv.status === 'draft') this.finalize(id);
    inv = this.s.raw('invoice', id);
    if (inv.status === 'paid')
      throw invalid('Invoice is already paid', undefined, 'invoice_already_paid');
    if (inv.status !== 'open')
      throw invalid(
        `You cannot pay an invoice with status ${String(inv.status)}.`,
        undefined,
        'invoice_not_editable',
      );
    const due = Number(inv.amount_remaining);
    let chargeOk = true;
    let chargeId: string | null = null;
    if (due > 0 && !opts.paid_out_of_band) {
      const sub =
        typeof inv.subscription === 'string' ? this.s.raw('subscription', inv.subscription) : null;
      const pm =
        opts.payment_method ??
        (inv.default_payment_method as string | null) ??
        (sub?.default_payment_method as string | null | undefined) ??
        this.cards.customerDefault(String(inv.customer));
      if (!pm) {
        if (opts.quiet) return this.s.get('invoice', id);
        throw invalid(
          'This customer has no attached payment source or default payment method. Please consider adding a default payment method.',
          undefined,
          'invoice_no_payment_method',
        );
      }
      const { ok, charge } = this.cards.charge({
        amount: due,
        currency: String(inv.currency),
        customer: String(inv.customer),
        paymentMethod: pm,
        description: `Payment for Invoice`,
      });
      chargeOk = ok;
      chargeId = String(charge.id);
    }
    const now = unix();
    const out = this.s.update(
      'invoice',
      id,
      (o) => {
        o.attempted = true;
        o.attempt_count = Number(o.attempt_count) + (due > 0 ? 1 : 0);
        if (chargeOk) {
          Object.assign(o, {
            status: 'paid',
            amount_paid: Number(o.amount_paid) + due,
            amount_remaining: 0,
            next_payment_attempt: null,
          });
          o.status_transitions = { ...(o.status_transitions as Obj), paid_at: now };
        } else {
          o.next_payment_attempt = nowPlusDays(3);
        }
      },
      null,
    );
    if (!chargeOk) {
      this.s.emit('invoice.payment_failed', out);
      if (opts.quiet) return out;
      throw cardDeclined(chargeId);
    }
    this.s.emit('invoice.paid', out);
    this.s.emit('invoice.payment_succeeded', out);
    return out;
  }
}
