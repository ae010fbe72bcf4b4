import { invalid } from './stripe-errors.js';
import { bool, requireParams, str, type ParamSpec } from './params.js';
import { LIST, route, type RouteDef } from './route-table.js';
import { applyFields, listFilter } from './customer-routes.js';
import { invoiceCurrency, type Billing } from './billing.js';
import { type InvoiceItems } from './invoice-items.js';
import { unix, type Obj, type StripeState } from './stripe-state.js';

const INVOICE_FIELDS: ParamSpec = {
  auto_advance: 'boolean',
  collection_method: 'string',
  days_until_due: 'integer',
  description: 'string',
  metadata: 'metadata',
  default_payment_method: 'string',
  footer: 'string',
  custom_fields: 'any',
  due_date: 'integer',
  rendering: 'any',
  payment_settings: 'any',
  automatic_tax: 'any',
  discounts: 'any',
};

/** Invoices: draft → open → paid / void / uncollectible. */
export function invoiceRoutes(s: StripeState, billing: Billing, items: InvoiceItems): RouteDef[] {
  const draft = (id: string, param = 'id'): Obj => {
    const inv = s.raw('invoice', id, param);
    if (inv.status !== 'draft') {
      throw invalid(
        `You can only modify draft invoices; invoice ${id} is ${String(inv.status)}.`,
        param,
        'invoice_not_editable',
      );
    }
    return inv;
  };
  const transition = (id: string, from: string[], to: string, event: string): Obj => {
    const inv = s.raw('invoice', id);
    if (!from.includes(String(inv.status))) {
      throw invalid(
        `You can only ${to === 'void' ? 'void' : 'mark uncollectible'} an open invoice.`,
        undefined,
        'invoice_not_editable',
      );
    }
    const key = to === 'void' ? 'voided_at' : 'marked_uncollectible_at';
    const out = s.update(
      'invoice',
      id,
      (o) => {
        o.status = to;
        o.status_transitions = { ...(o.status_transitions as Obj), [key]: unix() };
        o.next_payment_attempt = null;
      },
      null,
    );
    s.emit(event, out);
    return out;
  };

  return [
    route(
      'POST',
      '/v1/invoices',
      {
        ...INVOICE_FIELDS,
        customer: 'string',
        subscription: 'string',
        currency: 'string',
        pending_invoice_items_behavior: 'string',
      },
      ({ params }) => {
        requireParams(params, 'customer');
        const customer = s.raw('customer', String(params.customer), 'customer');
        // Stripe's default is `exclude`: pending items wait unless the caller asks for them.
        const pending =
          params.pending_invoice_items_behavior === 'include'
            ? items.pendingLines(String(customer.id), invoiceCurrency(customer, params))
            : [];
        const inv = billing.createInvoice(String(params.customer), params, pending);
        items.markInvoiced(pending, String(inv.id));
        if (params.footer !== undefined)
          return s.update(
            'invoice',
            String(inv.id),
            (o) => applyFields(o, params, ['footer']),
            null,
          );
        return inv;
      },
    ),
    route('GET', '/v1/invoices/:id', {}, ({ id }) => s.get('invoice', id)),
    route('POST', '/v1/invoices/:id', INVOICE_FIELDS, ({ id, params }) => {
      const inv = s.raw('invoice', id);
      const onlyMeta = Object.keys(params).every((k) =>
        ['metadata', 'expand', 'description', 'footer'].includes(k),
      );
      if (inv.status !== 'draft' && !onlyMeta) draft(id);
      return s.update('invoice', id, (o) => applyFields(o, params, Object.keys(INVOICE_FIELDS)));
    }),
    route('DELETE', '/v1/invoices/:id', {}, ({ id }) => {
      draft(id);
      const before = s.get('invoice', id);
      s.store.setArchived('invoice', id, true);
      s.emit('invoice.deleted', before);
      return { id, object: 'invoice', deleted: true };
    }),
    route('POST', '/v1/invoices/:id/finalize', { auto_advance: 'boolean' }, ({ id }) =>
      billing.finalize(id),
    ),
    route(
      'POST',
      '/v1/invoices/:id/pay',
      {
        payment_method: 'string',
        paid_out_of_band: 'boolean',
        off_session: 'boolean',
        forgive: 'boolean',
        source: 'string',
        mandate: 'string',
      },
      ({ id, params }) =>
        billing.pay(id, {
          payment_method: str(params, 'payment_method'),
          paid_out_of_band: bool(params, 'paid_out_of_band'),
        }),
    ),
    route('POST', '/v1/invoices/:id/void', {}, ({ id }) =>
      transition(id, ['open'], 'void', 'invoice.voided'),
    ),
    route('POST', '/v1/invoices/:id/mark_uncollectible', {}, ({ id }) =>
      transition(id, ['open'], 'uncollectible', 'invoice.marked_uncollectible'),
    ),
    route('GET', '/v1/invoices/:id/lines', LIST, ({ id, params }) => {
      s.raw('invoice', id);
      return s.list(
        `/v1/invoices/${id}/lines`,
        s.all('line_item', (l) => l.invoice === id).reverse(),
        params,
      );
    }),
    route(
      'GET',
      '/v1/invoices',
      {
        ...LIST,
        customer: 'string',
        subscription: 'string',
        status: 'string',
        collection_method: 'string',
        due_date: 'range',
      },
      ({ params }) =>
        s.list(
          '/v1/invoices',
          s.all('invoice', listFilter(params, ['customer', 'subscription', 'status'])),
          params,
        ),
    ),
  ];
}
