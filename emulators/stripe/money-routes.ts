import { invalid } from './stripe-errors.js';
import { int, requireParams, str, type Params } from './params.js';
import { LIST, route, type RouteDef } from './route-table.js';
import { applyFields, createdFilter, listFilter } from './customer-routes.js';
import { nowPlusDays } from './card-payments.js';
import { isRecord, type Obj, type StripeState } from './stripe-state.js';

/**
 * Refunds, disputes and payouts, plus the state changes the test hooks trigger
 * (a dispute opened on a charge, a payout marked paid or failed).
 */
export class MoneyMovements {
  constructor(private readonly s: StripeState) {
    // A charge lists its refunds, as Stripe's charge object does.
    s.onRender('charge', (c) => {
      const refunds = s.all('refund', (r) => r.charge === c.id);
      return {
        ...c,
        refunds: {
          object: 'list',
          data: refunds,
          has_more: false,
          total_count: refunds.length,
          url: `/v1/charges/${String(c.id)}/refunds`,
        },
      };
    });
  }

  refund(p: Params): Obj {
    let chargeId = str(p, 'charge');
    const pi = str(p, 'payment_intent');
    if (!chargeId && pi) {
      const intent = this.s.raw('payment_intent', pi, 'payment_intent');
      if (typeof intent.latest_charge !== 'string' || intent.status !== 'succeeded') {
        throw invalid(
          `This PaymentIntent (${pi}) does not have a successful charge to refund.`,
          'payment_intent',
          'charge_not_refundable',
        );
      }
      chargeId = intent.latest_charge;
    }
    if (!chargeId)
      throw invalid(
        'One of the following params should be provided for this request: payment_intent or charge.',
        undefined,
        'parameter_missing',
      );
    const charge = this.s.raw('charge', chargeId, 'charge');
    const remaining = Number(charge.amount_captured) - Number(charge.amount_refunded);
    if (charge.refunded === true || remaining <= 0) {
      throw invalid(
        `Charge ${chargeId} has already been refunded.`,
        undefined,
        'charge_already_refunded',
      );
    }
    const amount = int(p, 'amount') ?? remaining;
    if (amount > remaining || amount < 1) {
      throw invalid(
        `Refund amount (${amount}) is greater than unrefunded amount on charge (${remaining})`,
        'amount',
        'amount_too_large',
      );
    }
    const refund = this.s.create('refund', {
      amount,
      balance_transaction: `txn_re${Math.random().toString(36).slice(2, 12)}`,
      charge: chargeId,
      currency: charge.currency,
      customer: charge.customer ?? null,
      destination_details: {
        card: {
          type: 'refund',
          reference_status: 'pending',
          reference_type: 'acquirer_reference_number',
        },
        type: 'card',
      },
      metadata: isRecord(p.metadata) ? p.metadata : {},
      payment_intent: charge.payment_intent ?? null,
      payment_method: charge.payment_method ?? null,
      reason: str(p, 'reason') ?? null,
      status: 'succeeded',
    });
    this.s.emit('refund.created', refund);
    this.s.update(
      'charge',
      chargeId,
      (c) => {
        c.amount_refunded = Number(c.amount_refunded) + amount;
        c.refunded = c.amount_refunded === c.amount_captured;
      },
      'charge.refunded',
    );
    return this.s.get('refund', String(refund.id));
  }

  openDispute(chargeId: string, p: { amount?: number; reason?: string } = {}): Obj {
    const charge = this.s.raw('charge', chargeId, 'charge');
    const details = isRecord(charge.payment_method_details) ? charge.payment_method_details : {};
    const card = isRecord(details.card) ? details.card : {};
    const dispute = this.s.create('dispute', {
      amount: p.amount ?? charge.amount,
      balance_transactions: [],
      charge: chargeId,
      currency: charge.currency,
      enhanced_eligibility_types: [],
      evidence: {
        customer_email_address: null,
        customer_name: null,
        product_description: null,
        uncategorized_text: null,
      },
      evidence_details: {
        due_by: nowPlusDays(21),
        enhanced_eligibility: {},
        has_evidence: false,
        past_due: false,
        submission_count: 0,
      },
      is_charge_refundable: false,
      payment_intent: charge.payment_intent ?? null,
      payment_method_details: {
        card: { brand: card.brand ?? 'visa', case_type: 'chargeback', network_reason_code: '10.4' },
        type: 'card',
      },
      reason: p.reason ?? 'fraudulent',
      status: 'needs_response',
    });
    this.s.update('charge', chargeId, (c) => (c.disputed = true), null);
    this.s.emit('charge.dispute.created', dispute);
    return dispute;
  }

  setPayoutStatus(id: string, status: 'paid' | 'failed' | 'canceled'): Obj {
    const payout = this.s.raw('payout', id);
    if (payout.status === 'paid' || payout.status === 'failed' || payout.status === 'canceled') {
      throw invalid(
        `Payout ${id} is already ${String(payout.status)}.`,
        undefined,
        'payout_unexpected_state',
      );
    }
    return this.s.update(
      'payout',
      id,
      (o) => {
        o.status = status;
        o.reconciliation_status = status === 'paid' ? 'completed' : 'not_applicable';
        if (status === 'failed')
          Object.assign(o, {
            failure_code: 'account_closed',
            failure_message: 'The bank account has been closed.',
          });
      },
      `payout.${status}`,
    );
  }

  routes(): RouteDef[] {
    const s = this.s;
    return [
      route(
        'POST',
        '/v1/refunds',
        {
          charge: 'string',
          payment_intent: 'string',
          amount: 'integer',
          reason: 'string',
          metadata: 'metadata',
          instructions_email: 'string',
        },
        ({ params }) => this.refund(params),
      ),
      route('GET', '/v1/refunds/:id', {}, ({ id }) => s.get('refund', id)),
      route('POST', '/v1/refunds/:id', { metadata: 'metadata' }, ({ id, params }) => {
        s.raw('refund', id);
        return s.update('refund', id, (o) => applyFields(o, params, ['metadata']));
      }),
      route(
        'GET',
        '/v1/refunds',
        { ...LIST, charge: 'string', payment_intent: 'string' },
        ({ params }) =>
          s.list(
            '/v1/refunds',
            s.all('refund', listFilter(params, ['charge', 'payment_intent'])),
            params,
          ),
      ),
      route('GET', '/v1/charges/:id/refunds', LIST, ({ id, params }) => {
        s.raw('charge', id);
        return s.list(
          `/v1/charges/${id}/refunds`,
          s.all('refund', (o) => o.charge === id),
          params,
        );
      }),

      route('GET', '/v1/disputes/:id', {}, ({ id }) => s.get('dispute', id)),
      route(
        'POST',
        '/v1/disputes/:id',
        { metadata: 'metadata', evidence: 'any', submit: 'boolean' },
        ({ id, params }) => {
          s.raw('dispute', id);
          return s.update(
            'dispute',
            id,
            (o) => {
              applyFields(o, params, ['metadata']);
              if (isRecord(params.evidence))
                o.evidence = { ...(isRecord(o.evidence) ? o.evidence : {}), ...params.evidence };
              if (params.submit === true) o.status = 'under_review';
            },
            'charge.dispute.updated',
          );
        },
      ),
      route('POST', '/v1/disputes/:id/close', {}, ({ id }) => {
        s.raw('dispute', id);
        return s.update('dispute', id, (o) => (o.status = 'lost'), 'charge.dispute.closed');
      }),
      route(
        'GET',
        '/v1/disputes',
        { ...LIST, charge: 'string', payment_intent: 'string' },
        ({ params }) =>
          s.list(
            '/v1/disputes',
            s.all('dispute', listFilter(params, ['charge', 'payment_intent'])),
            params,
          ),
      ),

      route(
        'POST',
        '/v1/payouts',
        {
          amount: 'integer',
          currency: 'string',
          description: 'string',
          metadata: 'metadata',
          method: 'string',
          statement_descriptor: 'string',
          destination: 'string',
          source_type: 'string',
        },
        ({ params }) => {
          requireParams(params, 'amount', 'currency');
          const payout = s.create('payout', {
            amount: int(params, 'amount'),
            arrival_date: nowPlusDays(2),
            automatic: false,
            balance_transaction: `txn_po${Math.random().toString(36).slice(2, 12)}`,
            currency: String(params.currency).toLowerCase(),
            description: str(params, 'description') ?? null,
            destination: str(params, 'destination') ?? 'ba_emulator_default',
            metadata: isRecord(params.metadata) ? params.metadata : {},
            method: str(params, 'method') ?? 'standard',
            reconciliation_status: 'not_applicable',
            source_type: str(params, 'source_type') ?? 'card',
            statement_descriptor: str(params, 'statement_descriptor') ?? null,
            status: 'pending',
            trace_id: { status: 'pending', value: null },
            type: 'bank_account',
          });
          s.emit('payout.created', payout);
          return payout;
        },
      ),
      route('GET', '/v1/payouts/:id', {}, ({ id }) => s.get('payout', id)),
      route('POST', '/v1/payouts/:id', { metadata: 'metadata' }, ({ id, params }) => {
        s.raw('payout', id);
        return s.update('payout', id, (o) => applyFields(o, params, ['metadata']));
      }),
      route('POST', '/v1/payouts/:id/cancel', {}, ({ id }) => this.setPayoutStatus(id, 'canceled')),
      route(
        'GET',
        '/v1/payouts',
        { ...LIST, status: 'string', arrival_date: 'range', destination: 'string' },
        ({ params }) => {
          const created = createdFilter(params);
          const items = s.all(
            'payout',
            (o) => created(o) && (!params.status || o.status === params.status),
          );
          return s.list('/v1/payouts', items, params);
        },
      ),
    ];
  }
}
