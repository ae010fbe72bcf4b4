import { cardDeclined, invalid } from './stripe-errors.js';
import { bool, int, requireParams, str, type ParamSpec, type Params } from './params.js';
import { LIST, route, type RouteDef } from './route-table.js';
import { applyFields, createdFilter, listFilter } from './customer-routes.js';
import { type CardPayments } from './card-payments.js';
import { unix, type Obj, type StripeState } from './stripe-state.js';

const PI_FIELDS: ParamSpec = {
  amount: 'integer',
  currency: 'string',
  customer: 'string',
  description: 'string',
  metadata: 'metadata',
  payment_method: 'string',
  payment_method_types: 'strings',
  receipt_email: 'string',
  setup_future_usage: 'string',
  statement_descriptor: 'string',
  statement_descriptor_suffix: 'string',
  shipping: 'any',
  payment_method_options: 'any',
  capture_method: 'string',
};
const PI_CONFIRM: ParamSpec = {
  payment_method: 'string',
  return_url: 'string',
  off_session: 'boolean',
  receipt_email: 'string',
  setup_future_usage: 'string',
  error_on_requires_action: 'boolean',
  mandate_data: 'any',
  payment_method_options: 'any',
};

export function paymentRoutes(s: StripeState, cards: CardPayments): RouteDef[] {
  const checkCustomer = (p: Params) => {
    const c = str(p, 'customer');
    if (c) s.raw('customer', c, 'customer');
    return c ?? null;
  };

  const confirm = (id: string, p: Params): Obj => {
    const pi = s.raw('payment_intent', id);
    if (pi.status === 'succeeded' || pi.status === 'canceled') {
      throw invalid(
        `This PaymentIntent's status is ${String(pi.status)}, so it cannot be confirmed.`,
        undefined,
        'payment_intent_unexpected_state',
      );
    }
    const pmId =
      str(p, 'payment_method') ??
      (typeof pi.payment_method === 'string' ? pi.payment_method : null);
    if (!pmId) {
      throw invalid(
        "You cannot confirm this PaymentIntent because it's missing a payment method. To confirm the PaymentIntent with the customer, you must provide a payment method.",
        undefined,
        'payment_intent_unexpected_state',
      );
    }
    cards.paymentMethod(pmId);
    const manual = pi.capture_method === 'manual';
    const { ok, charge } = cards.charge({
      amount: Number(pi.amount),
      currency: String(pi.currency),
      customer: (pi.customer as string | null) ?? null,
      paymentMethod: pmId,
      paymentIntent: id,
      description: (pi.description as string | null) ?? null,
      capture: !manual,
    });
    const updated = s.update(
      'payment_intent',
      id,
      (o) => {
        o.payment_method = pmId;
        o.latest_charge = charge.id;
        if (p.receipt_email !== undefined) o.receipt_email = p.receipt_email;
        if (ok) {
          o.status = manual ? 'requires_capture' : 'succeeded';
          o.amount_received = manual ? 0 : o.amount;
          o.amount_capturable = manual ? o.amount : 0;
          o.last_payment_error = null;
        } else {
          o.status = 'requires_payment_method';
          o.last_payment_error = {
            charge: charge.id,
            code: 'card_declined',
            decline_code: 'generic_decline',
            message: 'Your card was declined.',
            type: 'card_error',
            payment_method: cards.paymentMethod(pmId),
          };
        }
      },
      null,
    );
    if (!ok) {
      s.emit('payment_intent.payment_failed', updated);
      throw cardDeclined(String(charge.id), updated);
    }
    s.emit(
      manual ? 'payment_intent.amount_capturable_updated' : 'payment_intent.succeeded',
      updated,
    );
    return updated;
  };

  return [
    route(
      'POST',
      '/v1/payment_intents',
      {
        ...PI_FIELDS,
        ...PI_CONFIRM,
        confirm: 'boolean',
        automatic_payment_methods: { enabled: 'boolean', allow_redirects: 'string' },
      },
      ({ params }) => {
        requireParams(params, 'amount', 'currency');
        const amount = int(params, 'amount') ?? 0;
        if (amount < 1)
          throw invalid(
            'This value must be greater than or equal to 1.',
            'amount',
            'parameter_invalid_integer',
          );
        const customer = checkCustomer(params);
        const pm = str(params, 'payment_method');
        if (pm) cards.paymentMethod(pm);
        const id = s.newId('payment_intent');
        const pi = s.create(
          'payment_intent',
          {
            amount,
            amount_details: { tip: {} },
            automatic_payment_methods: params.automatic_payment_methods ?? null,
            capture_method: str(params, 'capture_method') ?? 'automatic_async',
            client_secret: `${id}_secret_${Math.random().toString(36).slice(2, 14)}`,
            confirmation_method: 'automatic',
            currency: String(params.currency).toLowerCase(),
            customer,
            description: str(params, 'description') ?? null,
            metadata: params.metadata && params.metadata !== '' ? params.metadata : {},
            payment_method: pm ?? null,
            payment_method_options: {},
            payment_method_types: params.payment_method_types ?? ['card'],
            receipt_email: str(params, 'receipt_email') ?? null,
            setup_future_usage: str(params, 'setup_future_usage') ?? null,
            status: pm ? 'requires_confirmation' : 'requires_payment_method',
          },
          id,
        );
        s.emit('payment_intent.created', pi);
        return bool(params, 'confirm') ? confirm(id, params) : pi;
      },
    ),
    route('GET', '/v1/payment_intents/:id', { client_secret: 'string' }, ({ id }) =>
      s.get('payment_intent', id),
    ),
    route('POST', '/v1/payment_intents/:id', PI_FIELDS, ({ id, params }) => {
      const pi = s.raw('payment_intent', id);
      if (
        pi.status === 'succeeded' &&
        Object.keys(params).some(
          (k) => !['metadata', 'description', 'expand', 'receipt_email', 'shipping'].includes(k),
        )
      ) {
        throw invalid(
          'This PaymentIntent has already succeeded; only metadata, description, receipt_email and shipping can change.',
          undefined,
          'payment_intent_unexpected_state',
        );
      }
      if (params.customer) checkCustomer(params);
      return s.update('payment_intent', id, (o) => applyFields(o, params, Object.keys(PI_FIELDS)));
    }),
    route('POST', '/v1/payment_intents/:id/confirm', PI_CONFIRM, ({ id, params }) =>
      confirm(id, params),
    ),
    route(
      'POST',
      '/v1/payment_intents/:id/capture',
      { amount_to_capture: 'integer', metadata: 'metadata' },
      ({ id }) => {
        const pi = s.raw('payment_intent', id);
        if (pi.status !== 'requires_capture') {
          throw invalid(
            `This PaymentIntent could not be captured because it has a status of ${String(pi.status)}.`,
            undefined,
            'payment_intent_unexpected_state',
          );
        }
        const chargeId = String(pi.latest_charge);
        s.update(
          'charge',
          chargeId,
          (c) => Object.assign(c, { captured: true, amount_captured: c.amount }),
          'charge.captured',
        );
        const out = s.update(
          'payment_intent',
          id,
          (o) =>
            Object.assign(o, {
              status: 'succeeded',
              amount_received: o.amount,
              amount_capturable: 0,
            }),
          null,
        );
        s.emit('payment_intent.succeeded', out);
        return out;
      },
    ),
    route(
      'POST',
      '/v1/payment_intents/:id/cancel',
      { cancellation_reason: 'string' },
      ({ id, params }) => {
        const pi = s.raw('payment_intent', id);
        if (pi.status === 'succeeded' || pi.status === 'canceled') {
          throw invalid(
            `You cannot cancel this PaymentIntent because it has a status of ${String(pi.status)}.`,
            undefined,
            'payment_intent_unexpected_state',
          );
        }
        const out = s.update(
          'payment_intent',
          id,
          (o) =>
            Object.assign(o, {
              status: 'canceled',
              canceled_at: unix(),
              cancellation_reason: params.cancellation_reason ?? null,
            }),
          null,
        );
        s.emit('payment_intent.canceled', out);
        return out;
      },
    ),
    route('GET', '/v1/payment_intents', { ...LIST, customer: 'string' }, ({ params }) => {
      const created = createdFilter(params);
      const items = s.all(
        'payment_intent',
        (o) => created(o) && (!params.customer || o.customer === params.customer),
      );
      return s.list('/v1/payment_intents', items, params);
    }),

    // Charges (legacy create; retrieve, update, list)
    route(
      'POST',
      '/v1/charges',
      {
        amount: 'integer',
        currency: 'string',
        customer: 'string',
        source: 'string',
        description: 'string',
        metadata: 'metadata',
        capture: 'boolean',
        receipt_email: 'string',
      },
      ({ params }) => {
        requireParams(params, 'amount', 'currency');
        const customer = checkCustomer(params);
        const source = str(params, 'source');
        const pm = source
          ? String(
              source.startsWith('tok_')
                ? cards.createPaymentMethod({ type: 'card', card: { token: source } }).id
                : source,
            )
          : cards.customerDefault(customer);
        if (!pm)
          throw invalid('Cannot charge a customer that has no active card', 'card', 'missing');
        const { ok, charge } = cards.charge({
          amount: int(params, 'amount') ?? 0,
          currency: String(params.currency).toLowerCase(),
          customer,
          paymentMethod: pm,
          description: str(params, 'description') ?? null,
          metadata: (params.metadata as Obj | undefined) ?? {},
          capture: bool(params, 'capture') ?? true,
        });
        if (!ok) throw cardDeclined(String(charge.id));
        return charge;
      },
    ),
    route('GET', '/v1/charges/:id', {}, ({ id }) => s.get('charge', id)),
    route(
      'POST',
      '/v1/charges/:id',
      { description: 'string', metadata: 'metadata', receipt_email: 'string', shipping: 'any' },
      ({ id, params }) => {
        s.raw('charge', id);
        return s.update('charge', id, (o) =>
          applyFields(o, params, ['description', 'metadata', 'receipt_email', 'shipping']),
        );
      },
    ),
    route(
      'GET',
      '/v1/charges',
      { ...LIST, customer: 'string', payment_intent: 'string' },
      ({ params }) =>
        s.list(
          '/v1/charges',
          s.all('charge', listFilter(params, ['customer', 'payment_intent'])),
          params,
        ),
    ),
  ];
}
