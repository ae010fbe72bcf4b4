/**
 * Every top-level key of Stripe's example object per resource (from the fixtures the official
 * OpenAPI spec ships, `fixtures3.json`), grouped by neutral default. Builders start from
 * `baseObject(type)` and set what the emulator models, so responses always carry Stripe's full
 * key set even where the emulator has nothing interesting to say.
 */
interface KeyGroups {
  nulls?: string;
  zeros?: string;
  falses?: string;
  trues?: string;
  arrays?: string;
}

const TEMPLATES: Record<string, KeyGroups> = {
  customer: {
    nulls:
      'address currency default_source description discount email invoice_prefix invoice_settings name phone shipping tax_exempt test_clock',
    zeros: 'balance next_invoice_sequence',
    falses: 'delinquent',
    arrays: 'preferred_locales',
  },
  product: {
    nulls:
      'default_price description name package_dimensions shippable statement_descriptor tax_code type unit_label updated url',
    trues: 'active',
    arrays: 'images marketing_features',
  },
  price: {
    nulls:
      'billing_scheme currency custom_unit_amount lookup_key nickname product recurring tax_behavior tiers_mode transform_quantity type unit_amount_decimal',
    zeros: 'unit_amount',
    trues: 'active',
  },
  subscription: {
    nulls:
      'application application_fee_percent automatic_tax billing_cycle_anchor billing_cycle_anchor_config billing_mode billing_thresholds cancel_at canceled_at cancellation_details collection_method currency customer customer_account days_until_due default_payment_method default_source description ended_at invoice_settings items latest_invoice managed_payments next_pending_invoice_item_invoice on_behalf_of pause_collection payment_settings pending_invoice_item_interval pending_setup_intent pending_update schedule start_date status test_clock transfer_data trial_end trial_settings trial_start',
    falses: 'cancel_at_period_end',
    arrays: 'billing_schedules default_tax_rates discounts',
  },
  subscription_item: {
    nulls: 'billing_thresholds plan price subscription',
    zeros: 'current_period_end current_period_start quantity',
    arrays: 'discounts tax_rates',
  },
  invoice: {
    nulls:
      'account_country account_name account_tax_ids application automatic_tax automatically_finalizes_at billing_reason collection_method currency custom_fields customer customer_account customer_address customer_email customer_name customer_phone customer_shipping customer_tax_exempt default_payment_method default_source description due_date effective_at ending_balance footer from_invoice hosted_invoice_url invoice_pdf issuer last_finalization_error latest_revision lines next_payment_attempt number on_behalf_of parent payment_settings period_end period_start receipt_number rendering shipping_cost shipping_details statement_descriptor status status_transitions subscription test_clock total_pretax_credit_amounts total_taxes webhooks_delivered_at',
    zeros:
      'amount_due amount_overpaid amount_paid amount_remaining amount_shipping attempt_count post_payment_credit_notes_amount pre_payment_credit_notes_amount starting_balance subtotal subtotal_excluding_tax total total_excluding_tax',
    falses: 'attempted auto_advance',
    arrays: 'customer_tax_ids default_tax_rates discounts total_discount_amounts',
  },
  line_item: {
    nulls:
      'currency description invoice parent period pretax_credit_amounts pricing quantity_decimal subscription taxes',
    zeros: 'amount quantity subtotal',
    trues: 'discountable',
    arrays: 'discount_amounts discounts',
  },
  charge: {
    nulls:
      'application application_fee application_fee_amount balance_transaction billing_details calculated_statement_descriptor currency customer description failure_balance_transaction failure_code failure_message fraud_details on_behalf_of outcome payment_intent payment_method payment_method_details receipt_email receipt_number receipt_url refunds review shipping source source_transfer statement_descriptor statement_descriptor_suffix status transfer_data transfer_group',
    zeros: 'amount amount_captured amount_refunded',
    falses: 'captured disputed refunded',
    trues: 'paid',
  },
  payment_intent: {
    nulls:
      'amount_details application application_fee_amount automatic_payment_methods canceled_at cancellation_reason capture_method client_secret confirmation_method currency customer customer_account description excluded_payment_method_types last_payment_error latest_charge managed_payments next_action on_behalf_of payment_method payment_method_configuration_details payment_method_options processing receipt_email review setup_future_usage shipping source statement_descriptor statement_descriptor_suffix status transfer_data transfer_group',
    zeros: 'amount amount_capturable amount_received',
    arrays: 'payment_method_types',
  },
  payment_method: {
    nulls: 'allow_redisplay billing_details card customer customer_account type',
  },
  refund: {
    nulls:
      'balance_transaction charge currency customer customer_account destination_details payment_intent payment_method reason receipt_number source_transfer_reversal status transfer_reversal',
    zeros: 'amount',
  },
  dispute: {
    nulls:
      'charge currency evidence evidence_details payment_intent payment_method_details reason status',
    zeros: 'amount',
    trues: 'is_charge_refundable',
    arrays: 'balance_transactions enhanced_eligibility_types',
  },
  payout: {
    nulls:
      'application_fee application_fee_amount arrival_date balance_transaction currency description destination failure_balance_transaction failure_code failure_message method original_payout payout_method reconciliation_status reversed_by source_type statement_descriptor status trace_id type',
    zeros: 'amount',
    trues: 'automatic',
  },
  event: {
    nulls: 'api_version data request type',
    zeros: 'pending_webhooks',
  },
  webhook_endpoint: {
    nulls: 'api_version application description status url',
    arrays: 'enabled_events',
  },
};

const words = (s: string | undefined): string[] => (s ? s.split(' ') : []);

/** A fresh object of `type` with every key Stripe's example has, at neutral defaults. */
export function baseObject(type: string): Record<string, unknown> {
  const t = TEMPLATES[type] ?? {};
  const o: Record<string, unknown> = {};
  for (const k of words(t.nulls)) o[k] = null;
  for (const k of words(t.zeros)) o[k] = 0;
  for (const k of words(t.falses)) o[k] = false;
  for (const k of words(t.trues)) o[k] = true;
  for (const k of words(t.arrays)) o[k] = [];
  return o;
}
