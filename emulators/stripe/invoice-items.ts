import { invalid, missingParam } from './stripe-errors.js';
import { bool, int, requireParams, str, type ParamSpec, type Params } from './params.js';
import { LIST, route, type RouteDef } from './route-table.js';
import { listFilter } from './customer-routes.js';
import { type Billing, type LineInput } from './billing.js';
import { isRecord, unix, type Obj, type StripeState } from './stripe-state.js';

const INVOICE_ITEM: ParamSpec = {
  amount: 'integer',
  currency: 'string',
  customer: 'string',
  description: 'string:5000',
  discountable: 'boolean',
  invoice: 'string',
  metadata: 'metadata',
  period: { start: 'integer', end: 'integer' },
  price: 'string',
  pricing: { price: 'string' },
  quantity: 'integer',
  subscription: 'string',
  tax_behavior: 'string',
  tax_code: 'string',
};

/**
 * Invoice items (ii_). Without `invoice` an item is pending, as in Stripe: it waits on the
 * customer until an invoice is created with `pending_invoice_items_behavior=include` (what
 * `stripe trigger invoice.paid` does). With a draft `invoice` it becomes one of its lines.
 */
export class InvoiceItems {
  constructor(
    private readonly s: StripeState,
    private readonly billing: Billing,
  ) {}

  /** The customer's pending one-off items in `currency`, oldest first, as invoice lines. */
  pendingLines(customer: string, currency: string): LineInput[] {
    return this.s
      .all(
        'invoiceitem',
        (ii) =>
          ii.customer === customer &&
          ii.invoice === null &&
          // Items for a subscription wait for that subscription's own invoice.
          ii.subscription === null &&
          ii.currency === currency,
      )
      .reverse()
      .map((ii) => this.lineOf(ii));
  }

  /** Marks the items behind `lines` as billed on `invoiceId` (Stripe emits no event for it). */
  markInvoiced(lines: LineInput[], invoiceId: string): void {
    for (const line of lines) {
      if (!line.invoiceItem) continue;
      const ii = this.s.raw('invoiceitem', line.invoiceItem);
      this.s.store.update('invoiceitem', line.invoiceItem, { ...ii, invoice: invoiceId });
    }
  }

  private lineOf(ii: Obj): LineInput {
    const pricing = isRecord(ii.pricing) ? ii.pricing : null;
    const details = isRecord(pricing?.price_details) ? pricing.price_details : null;
    const quantity = Number(ii.quantity);
    return {
      invoiceItem: String(ii.id),
      ...(details
        ? { price: String(details.price) }
        : { amount: Number(ii.amount), currency: String(ii.currency) }),
      quantity,
      period: ii.period as LineInput['period'],
      description: typeof ii.description === 'string' ? ii.description : undefined,
    };
  }

  private create(p: Params): Obj {
    requireParams(p, 'customer');
    const customerId = String(p.customer);
    const customer = this.s.raw('customer', customerId, 'customer');
    const invoiceId = str(p, 'invoice');
    const invoice = invoiceId ? this.s.raw('invoice', invoiceId, 'invoice') : null;
    if (invoice && invoice.status !== 'draft') {
      throw invalid(
        `You can only add invoice items to draft invoices; invoice ${invoiceId} is ${String(invoice.status)}.`,
        'invoice',
        'invoice_not_editable',
      );
    }
    const priceId = str(p, 'price') ?? (isRecord(p.pricing) ? str(p.pricing, 'price') : undefined);
    const price = priceId
      ? this.s.raw('price', priceId, priceId === p.price ? 'price' : 'pricing[price]')
      : null;
    const quantity = int(p, 'quantity') ?? 1;
    const amount = price ? Number(price.unit_amount) * quantity : int(p, 'amount');
    if (amount === undefined) throw missingParam('amount');
    const currency = price
      ? String(price.currency)
      : (str(p, 'currency')?.toLowerCase() ?? (customer.currency as string | null));
    if (!currency) throw missingParam('currency');
    if (invoice && invoice.currency !== currency) {
      throw invalid(
        `The currency of this invoice item (${currency}) does not match the currency of invoice ${invoiceId} (${String(invoice.currency)}).`,
        'currency',
      );
    }
    const subscription = str(p, 'subscription') ?? null;
    if (subscription) this.s.raw('subscription', subscription, 'subscription');
    const now = unix();
    const period = isRecord(p.period) ? p.period : { start: now, end: now };
    const item = this.s.create('invoiceitem', {
      amount,
      currency,
      customer: customerId,
      customer_account: null,
      date: now,
      description: str(p, 'description') ?? null,
      discountable: bool(p, 'discountable') ?? true,
      discounts: [],
      invoice: invoiceId ?? null,
      metadata: isRecord(p.metadata) ? p.metadata : {},
      parent: subscription
        ? {
            subscription_details: { subscription, subscription_item: null },
            type: 'subscription_details',
          }
        : null,
      period,
      pricing: price
        ? {
            price_details: { price: price.id, product: price.product },
            type: 'price_details',
            unit_amount_decimal: String(price.unit_amount),
          }
        : null,
      proration: false,
      quantity,
      quantity_decimal: String(quantity),
      subscription,
      tax_rates: [],
      test_clock: null,
    });
    if (invoiceId) {
      this.billing.addLine(invoiceId, this.lineOf(item));
      this.billing.recompute(invoiceId);
    }
    this.s.emit('invoiceitem.created', item);
    return item;
  }

  routes(): RouteDef[] {
    return [
      route('POST', '/v1/invoiceitems', INVOICE_ITEM, ({ params }) => this.create(params)),
      route('GET', '/v1/invoiceitems/:id', {}, ({ id }) => this.s.get('invoiceitem', id)),
      route(
        'GET',
        '/v1/invoiceitems',
        { ...LIST, customer: 'string', invoice: 'string', pending: 'boolean' },
        ({ params }) => {
          const match = listFilter(params, ['customer', 'invoice']);
          const pending = bool(params, 'pending');
          return this.s.list(
            '/v1/invoiceitems',
            this.s.all(
              'invoiceitem',
              (ii) => match(ii) && (pending === undefined || (ii.invoice === null) === pending),
            ),
            params,
          );
        },
      ),
    ];
  }
}
