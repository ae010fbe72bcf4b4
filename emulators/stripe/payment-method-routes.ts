import { invalid } from './stripe-errors.js';
import { requireParams, str, type ParamSpec, type Params } from './params.js';
import { LIST, route, type RouteDef } from './route-table.js';
import { applyFields } from './customer-routes.js';
import { type CardPayments } from './card-payments.js';
import { type StripeState } from './stripe-state.js';

const CARD: ParamSpec = {
  number: 'string',
  exp_month: 'integer',
  exp_year: 'integer',
  cvc: 'string',
  token: 'string',
};
const BILLING: ParamSpec = { address: 'any', email: 'string', name: 'string', phone: 'string' };

/** Card payment methods: create (test card data), attach/detach to customers, list. */
export function paymentMethodRoutes(s: StripeState, cards: CardPayments): RouteDef[] {
  const checkCustomer = (p: Params) => s.raw('customer', String(p.customer), 'customer').id;
  return [
    route(
      'POST',
      '/v1/payment_methods',
      {
        type: 'string',
        card: CARD,
        billing_details: BILLING,
        metadata: 'metadata',
        allow_redisplay: 'string',
      },
      ({ params }) => {
        requireParams(params, 'type');
        return cards.createPaymentMethod(params);
      },
    ),
    route('GET', '/v1/payment_methods/:id', {}, ({ id }) => cards.paymentMethod(id, 'id')),
    route(
      'POST',
      '/v1/payment_methods/:id',
      {
        metadata: 'metadata',
        billing_details: BILLING,
        allow_redisplay: 'string',
        card: { exp_month: 'integer', exp_year: 'integer' },
      },
      ({ id, params }) => {
        cards.paymentMethod(id, 'id');
        return s.update('payment_method', id, (o) =>
          applyFields(o, params, ['metadata', 'billing_details', 'allow_redisplay']),
        );
      },
    ),
    route('POST', '/v1/payment_methods/:id/attach', { customer: 'string' }, ({ id, params }) => {
      requireParams(params, 'customer');
      if (!cards.isShortcut(id)) cards.paymentMethod(id, 'id');
      const customer = checkCustomer(params);
      // `pm_card_visa` attaches a fresh copy (its new id is in the answer), as in Stripe.
      const pm = String(cards.instantiate(id, 'id').id);
      return s.update(
        'payment_method',
        pm,
        (o) => (o.customer = customer),
        'payment_method.attached',
      );
    }),
    route('POST', '/v1/payment_methods/:id/detach', {}, ({ id }) => {
      const pm = cards.paymentMethod(id, 'id');
      if (!pm.customer) {
        throw invalid(
          `The payment method you provided is not attached to a customer so detachment is impossible.`,
          undefined,
          'payment_method_unexpected_state',
        );
      }
      return s.update('payment_method', id, (o) => (o.customer = null), 'payment_method.detached');
    }),
    route(
      'GET',
      '/v1/payment_methods',
      { ...LIST, customer: 'string', type: 'string' },
      ({ params }) => {
        const customer = str(params, 'customer');
        const type = str(params, 'type');
        const items = s.all(
          'payment_method',
          (o) => (!customer || o.customer === customer) && (!type || o.type === type),
        );
        return s.list('/v1/payment_methods', items, params);
      },
    ),
  ];
}
