import { invalid } from './stripe-errors.js';
import { bool, int, requireParams, str, type Params } from './params.js';
import { LIST, route, type RouteDef } from './route-table.js';
import { renderSubscriptions, SUB_FIELDS } from './subscription-shapes.js';
import { applyFields, createdFilter } from './customer-routes.js';
import { addInterval, type Billing } from './billing.js';
import { type CardPayments } from './card-payments.js';
import { isRecord, unix, type Obj, type StripeState } from './stripe-state.js';

const INACTIVE = ['canceled', 'incomplete_expired'];

export function subscriptionRoutes(
  s: StripeState,
  cards: CardPayments,
  billing: Billing,
): { routes: RouteDef[]; renew: (id: string) => Obj } {
  renderSubscriptions(s);

  const recurringPrice = (id: string, param: string): Obj => {
    const price = s.raw('price', id, param);
    if (!isRecord(price.recurring)) {
      throw invalid(
        `The price specified is set to \`type=one_time\` but this field only accepts prices with \`type=recurring\`.`,
        param,
      );
    }
    if (price.active === false)
      throw invalid(
        `The price specified is inactive. This field only accepts active prices.`,
        param,
      );
    return price;
  };

  const addItem = (sub: string, item: Params, start: number, index: number): Obj => {
    if (!item.price)
      throw invalid(
        'Missing required param: items[0][price].',
        `items[${index}][price]`,
        'parameter_missing',
      );
    const price = recurringPrice(str(item, 'price') ?? '', `items[${index}][price]`);
    const rec = price.recurring as Obj;
    return s.create('subscription_item', {
      billing_thresholds: null,
      current_period_end: addInterval(start, String(rec.interval), Number(rec.interval_count ?? 1)),
      current_period_start: start,
      metadata: isRecord(item.metadata) ? item.metadata : {},
      price: price.id,
      quantity: int(item, 'quantity') ?? 1,
      subscription: sub,
    });
  };

  const invoiceFor = (subId: string, reason: string): Obj => {
    const sub = s.raw('subscription', subId);
    const items = s.all('subscription_item', (i) => i.subscription === subId).reverse();
    const lines = items.map((i) => ({
      price: String((i.price as Obj).id),
      quantity: Number(i.quantity),
      subscription: subId,
      subscriptionItem: String(i.id),
      period: { start: Number(i.current_period_start), end: Number(i.current_period_end) },
    }));
    const trial = sub.status === 'trialing';
    const inv = billing.createInvoice(
      String(sub.customer),
      {
        subscription: subId,
        billing_reason: reason,
        collection_method: sub.collection_method,
        days_until_due: sub.days_until_due,
        currency: sub.currency,
      },
      trial ? [] : lines,
    );
    s.store.update('subscription', subId, {
      ...s.raw('subscription', subId),
      latest_invoice: inv.id,
    });
    billing.finalize(String(inv.id));
    if (sub.collection_method === 'send_invoice') return s.get('invoice', String(inv.id));
    return billing.pay(String(inv.id), { quiet: true });
  };

  /** Subscription status after its latest invoice was attempted. */
  const settle = (subId: string, first: boolean): Obj => {
    const sub = s.raw('subscription', subId);
    const inv = s.raw('invoice', String(sub.latest_invoice));
    let status = sub.status;
    if (sub.status !== 'trialing') {
      if (inv.status === 'paid' || sub.collection_method === 'send_invoice') status = 'active';
      else status = first ? 'incomplete' : 'past_due';
    }
    return s.update(
      'subscription',
      subId,
      (o) => (o.status = status),
      'customer.subscription.updated',
    );
  };

  /** Test hook: bill the next period now (renewal invoice, paid → active, failed → past_due). */
  const renew = (id: string): Obj => {
    const sub = s.raw('subscription', id);
    if (INACTIVE.includes(String(sub.status)))
      throw invalid(`Subscription ${id} is ${String(sub.status)}.`);
    for (const si of s.all('subscription_item', (i) => i.subscription === id)) {
      const rec = (si.price as Obj).recurring as Obj;
      const start = Number(si.current_period_end);
      const end = addInterval(start, String(rec.interval), Number(rec.interval_count ?? 1));
      s.store.update('subscription_item', String(si.id), {
        ...s.raw('subscription_item', String(si.id)),
        current_period_start: start,
        current_period_end: end,
      });
    }
    if (sub.status === 'trialing')
      s.store.update('subscription', id, { ...sub, status: 'active', trial_end: unix() });
    invoiceFor(id, 'subscription_cycle');
    return settle(id, false);
  };

  const routes = [
    route(
      'POST',
      '/v1/subscriptions',
      { ...SUB_FIELDS, customer: 'string', currency: 'string', trial_period_days: 'integer' },
      ({ params }) => {
        requireParams(params, 'customer');
        const customer = s.raw('customer', String(params.customer), 'customer');
        const items = Array.isArray(params.items) ? (params.items as Params[]) : [];
        if (items.length === 0)
          throw invalid('Missing required param: items.', 'items', 'parameter_missing');
        const firstPrice = recurringPrice(str(items[0] ?? {}, 'price') ?? '', 'items[0][price]');
        const pm = str(params, 'default_payment_method');
        if (pm) cards.paymentMethod(pm, 'default_payment_method');
        const now = unix();
        const trialDays = int(params, 'trial_period_days');
        const trialEnd = trialDays
          ? now + trialDays * 86400
          : typeof params.trial_end === 'string' && /^\d+$/.test(params.trial_end)
            ? Number(params.trial_end)
            : null;
        const id = s.newId('subscription');
        const fields: Obj = {
          automatic_tax: { disabled_reason: null, enabled: false, liability: null },
          billing_cycle_anchor: trialEnd ?? now,
          billing_mode: { flexible: null, type: 'classic' },
          cancel_at_period_end: bool(params, 'cancel_at_period_end') ?? false,
          cancellation_details: { comment: null, feedback: null, reason: null },
          collection_method: str(params, 'collection_method') ?? 'charge_automatically',
          currency: firstPrice.currency,
          customer: customer.id,
          days_until_due: int(params, 'days_until_due') ?? null,
          default_payment_method: pm ?? null,
          description: str(params, 'description') ?? null,
          invoice_settings: { account_tax_ids: null, issuer: { type: 'self' } },
          metadata: isRecord(params.metadata) ? params.metadata : {},
          payment_settings: {
            payment_method_options: null,
            payment_method_types: null,
            save_default_payment_method: 'off',
          },
          start_date: now,
          status: trialEnd ? 'trialing' : 'incomplete',
          trial_end: trialEnd,
          trial_settings: { end_behavior: { missing_payment_method: 'create_invoice' } },
          trial_start: trialEnd ? now : null,
        };
        s.create('subscription', fields, id);
        items.forEach((item, i) => addItem(id, item, now, i));
        s.emit('customer.subscription.created', s.get('subscription', id));
        invoiceFor(id, 'subscription_create');
        return settle(id, true);
      },
    ),
    route('GET', '/v1/subscriptions/:id', {}, ({ id }) => s.get('subscription', id)),
    route('POST', '/v1/subscriptions/:id', SUB_FIELDS, ({ id, params }) => {
      const sub = s.raw('subscription', id);
      if (INACTIVE.includes(String(sub.status))) {
        throw invalid(
          `A canceled subscription can only update its cancellation_details and metadata.`,
          undefined,
          'resource_missing',
        );
      }
      const pm = str(params, 'default_payment_method');
      if (pm) cards.paymentMethod(pm, 'default_payment_method');
      return s.update('subscription', id, (o) => {
        applyFields(o, params, [
          'metadata',
          'default_payment_method',
          'description',
          'cancel_at_period_end',
          'collection_method',
          'days_until_due',
        ]);
        if (params.cancel_at_period_end !== undefined) {
          o.cancel_at =
            params.cancel_at_period_end === true
              ? Math.min(
                  ...s
                    .all('subscription_item', (i) => i.subscription === id)
                    .map((i) => Number(i.current_period_end)),
                )
              : null;
        }
        if (params.pause_collection !== undefined)
          o.pause_collection = params.pause_collection === '' ? null : params.pause_collection;
        const items = Array.isArray(params.items) ? (params.items as Params[]) : [];
        items.forEach((item, i) => {
          const itemId = str(item, 'id');
          if (!itemId) return void addItem(id, item, unix(), i);
          const si = s.raw('subscription_item', itemId, `items[${i}][id]`);
          if (si.subscription !== id)
            throw invalid(
              `Subscription item ${itemId} does not belong to this subscription.`,
              `items[${i}][id]`,
            );
          if (item.deleted === true) return void s.store.remove('subscription_item', itemId);
          const newPrice = str(item, 'price');
          if (newPrice) recurringPrice(newPrice, `items[${i}][price]`);
          const next = { ...si };
          applyFields(next, item, ['price', 'quantity', 'metadata']);
          s.store.update('subscription_item', itemId, next);
        });
      });
    }),
    route(
      'DELETE',
      '/v1/subscriptions/:id',
      { invoice_now: 'boolean', prorate: 'boolean', cancellation_details: 'any' },
      ({ id, params }) => {
        const sub = s.raw('subscription', id);
        if (INACTIVE.includes(String(sub.status))) {
          throw invalid(`No such subscription: '${id}'`, 'id', 'resource_missing');
        }
        const now = unix();
        const out = s.update(
          'subscription',
          id,
          (o) => {
            Object.assign(o, { status: 'canceled', canceled_at: now, ended_at: now });
            const details = isRecord(params.cancellation_details)
              ? params.cancellation_details
              : {};
            o.cancellation_details = {
              comment: details.comment ?? null,
              feedback: details.feedback ?? null,
              reason: 'cancellation_requested',
            };
          },
          null,
        );
        s.emit('customer.subscription.deleted', out);
        return out;
      },
    ),
    route(
      'GET',
      '/v1/subscriptions',
      {
        ...LIST,
        customer: 'string',
        price: 'string',
        status: 'string',
        collection_method: 'string',
      },
      ({ params }) => {
        const status = str(params, 'status');
        const created = createdFilter(params);
        const items = s
          .all(
            'subscription',
            (o) =>
              created(o) &&
              (!params.customer || o.customer === params.customer) &&
              (status === 'all' ||
                (status ? o.status === status : !INACTIVE.includes(String(o.status)))),
          )
          .filter(
            (o) =>
              !params.price ||
              ((o.items as Obj).data as Obj[]).some((i) => (i.price as Obj).id === params.price),
          );
        return s.list('/v1/subscriptions', items, params);
      },
    ),
    route('GET', '/v1/subscription_items', { ...LIST, subscription: 'string' }, ({ params }) => {
      requireParams(params, 'subscription');
      return s.list(
        '/v1/subscription_items',
        s.all('subscription_item', (i) => i.subscription === params.subscription),
        params,
      );
    }),
    route('GET', '/v1/subscription_items/:id', {}, ({ id }) => s.get('subscription_item', id)),
  ];
  return { routes, renew };
}
