import { type ParamSpec } from './params.js';
import { isRecord, type StripeState } from './stripe-state.js';

const ITEM: ParamSpec = {
  id: 'string',
  price: 'string',
  quantity: 'integer',
  metadata: 'metadata',
  deleted: 'boolean',
  clear_usage: 'boolean',
  discounts: 'any',
  tax_rates: 'any',
  price_data: 'any',
};

export const SUB_FIELDS: ParamSpec = {
  metadata: 'metadata',
  default_payment_method: 'string',
  description: 'string',
  cancel_at_period_end: 'boolean',
  cancel_at: 'any',
  collection_method: 'string',
  days_until_due: 'integer',
  trial_end: 'any',
  payment_behavior: 'string',
  proration_behavior: 'string',
  off_session: 'boolean',
  automatic_tax: 'any',
  payment_settings: 'any',
  discounts: 'any',
  default_tax_rates: 'any',
  pending_invoice_item_interval: 'any',
  billing_cycle_anchor: 'any',
  cancellation_details: 'any',
  pause_collection: 'any',
  items: { list: ITEM },
};

/**
 * How subscriptions render: items (si_) as an embedded list, each item with its current
 * price and the legacy `plan` view of it.
 */
export function renderSubscriptions(s: StripeState): void {
  s.onRender('subscription_item', (si) => {
    const price = s.exists('price', String(si.price)) ? s.get('price', String(si.price)) : si.price;
    const p = isRecord(price) ? price : {};
    const rec = isRecord(p.recurring) ? p.recurring : {};
    const plan = isRecord(price)
      ? {
          id: p.id,
          object: 'plan',
          active: p.active,
          amount: p.unit_amount,
          amount_decimal: p.unit_amount_decimal,
          billing_scheme: p.billing_scheme,
          created: p.created,
          currency: p.currency,
          interval: rec.interval ?? null,
          interval_count: rec.interval_count ?? null,
          livemode: false,
          metadata: p.metadata,
          meter: null,
          nickname: p.nickname,
          product: p.product,
          tiers_mode: null,
          transform_usage: null,
          trial_period_days: null,
          usage_type: rec.usage_type ?? 'licensed',
        }
      : null;
    return { ...si, price, plan };
  });
  s.onRender('subscription', (sub) => {
    const items = s.all('subscription_item', (i) => i.subscription === sub.id).reverse();
    return {
      ...sub,
      items: {
        object: 'list',
        data: items,
        has_more: false,
        total_count: items.length,
        url: `/v1/subscription_items?subscription=${String(sub.id)}`,
      },
    };
  });
}
