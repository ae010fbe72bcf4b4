import { describe, expect, test } from '@jest/globals';
import type { FieldRule } from './field-rules.js';
import { stripeObjectSpec } from './stripe-fields.js';
import { planSync } from './sync-planner.js';

const T0 = new Date('2026-01-01T00:00:00Z');
const rule = (key: string, stripePath: string, crmProperty: string): FieldRule => ({
  key,
  stripePath,
  crmProperty,
  direction: 'both',
  transforms: [{ kind: 'trim' }],
  conflictPolicy: 'newest_wins',
  blankOverwrites: false,
});
const rules = [
  rule('phone', 'phone', 'phone'),
  rule('city', 'address.city', 'city'),
  rule('line1', 'address.line1', 'address'),
  rule('notes', 'metadata.notes', 'notes'),
];
const stripe = {
  id: 'cus_1',
  phone: '+1 555 0100',
  address: { line1: '1 Main St', city: 'Boston', country: 'US' },
  metadata: {},
};
const shadow = { phone: '+1 555 0100', city: 'Boston', line1: '1 Main St' };

describe('planSync with Stripe limits: a value Stripe cannot hold is that field’s outcome', () => {
  test('a 27-character phone and a 600-character note from the CRM: the rest syncs', () => {
    const crm = {
      phone: '+44 (0)20 7946 0000 ext 123',
      city: 'Cambridge',
      address: '1 Main St',
      notes: 'n'.repeat(600),
    };
    const plan = planSync({
      rules,
      stripe: { values: stripe, changedAt: T0 },
      crm: { values: crm, changedAt: new Date(T0.getTime() + 5000) },
      shadow,
      stripeSpec: stripeObjectSpec('customer')!,
    });
    expect(plan.stripeWrites).toStrictEqual({ 'address.city': 'Cambridge' });
    // Refused fields keep their old agreed value: nothing truncated, nothing lost.
    expect(plan.shadow).toStrictEqual({ ...shadow, city: 'Cambridge' });
    expect(
      plan.errors.map(({ ruleKey, code, limit, direction }) => ({
        ruleKey,
        code,
        limit,
        direction,
      })),
    ).toStrictEqual([
      {
        ruleKey: 'phone',
        code: 'too_long',
        limit: 'at most 20 characters',
        direction: 'to_stripe',
      },
      {
        ruleKey: 'notes',
        code: 'too_long',
        limit: 'metadata values of at most 500 characters',
        direction: 'to_stripe',
      },
    ]);
    expect(JSON.stringify(plan.errors)).not.toContain('7946');
  });

  test('without the object spec nothing is checked (an object type the bridge does not know)', () => {
    const plan = planSync({
      rules,
      stripe: { values: stripe, changedAt: T0 },
      crm: { values: { ...shadow, phone: 'p'.repeat(30), address: '1 Main St' }, changedAt: T0 },
      shadow,
    });
    expect(plan.stripeWrites).toStrictEqual({ phone: 'p'.repeat(30) });
  });

  test('a part of a whole-replaced hash is not written blind when Stripe is not loaded', () => {
    const plan = planSync({
      rules,
      stripe: null,
      crm: { values: { ...shadow, city: 'Cambridge', address: '1 Main St' }, changedAt: T0 },
      shadow,
      stripeSpec: stripeObjectSpec('customer')!,
    });
    expect(plan.stripeWrites).toStrictEqual({});
    expect(plan.errors).toMatchObject([{ ruleKey: 'city', code: 'stripe_not_loaded' }]);
  });
});
