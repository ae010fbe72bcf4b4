import { describe, expect, test } from '@jest/globals';
import type { FieldRule, Scalar } from './field-rules.js';
import { planSync, type PlanInput, type SyncPlan } from './sync-planner.js';

// Plans where rules interact: several rules at once, and name parts sharing one Stripe path.
const T0 = new Date('2026-01-01T00:00:00Z');
const UNLOADED = Symbol('unloaded');

const rule = (over: Partial<FieldRule> = {}): FieldRule => ({
  key: 'k',
  stripePath: 'email',
  crmProperty: 'prop',
  direction: 'both',
  transforms: [],
  conflictPolicy: 'stripe_wins',
  blankOverwrites: false,
  ...over,
});

describe('planSync, several rules', () => {
  const email = rule({ key: 'email', stripePath: 'email', crmProperty: 'email' });
  const vip = rule({
    key: 'vip',
    stripePath: 'metadata.vip',
    crmProperty: 'vip',
    transforms: [{ kind: 'boolean_string' }],
  });

  test('plans each rule, drops shadow keys of removed rules, leaves the input alone', () => {
    const input: PlanInput = {
      rules: [email, vip],
      stripe: { values: { email: 'new@x.io', metadata: { vip: true } }, changedAt: T0 },
      crm: { values: { email: 'old@x.io', vip: 'nope' }, changedAt: T0 },
      shadow: { email: 'old@x.io', vip: 'true', removed: 'x' },
    };
    const before = structuredClone(input);
    expect(planSync(input)).toStrictEqual({
      crmWrites: { email: 'new@x.io' },
      stripeWrites: {},
      shadow: { email: 'new@x.io', vip: 'true' },
      conflicts: [],
      errors: [
        {
          ruleKey: 'vip',
          direction: 'to_stripe',
          code: 'transform_failed',
          message: expect.stringContaining('boolean_string'),
        },
      ],
    });
    expect(input).toStrictEqual(before);
  });
});

describe('planSync, name parts', () => {
  const first = rule({
    key: 'first',
    stripePath: 'name',
    crmProperty: 'firstname',
    transforms: [{ kind: 'name_part', part: 'first' }],
  });
  const last = rule({
    key: 'last',
    stripePath: 'name',
    crmProperty: 'lastname',
    transforms: [{ kind: 'name_part', part: 'last' }],
  });

  const plan = (
    rules: FieldRule[],
    name: string | null | typeof UNLOADED,
    crm: Record<string, Scalar> | null,
    shadow: Record<string, Scalar> | null,
  ) =>
    planSync({
      rules,
      stripe: name === UNLOADED ? null : { values: { name }, changedAt: T0 },
      crm: crm && { values: crm, changedAt: T0 },
      shadow,
    });

  const synced = { first: 'Ada', last: 'Lovelace' };
  const crmAda = { firstname: 'Ada', lastname: 'Lovelace' };

  test.each<
    [
      string,
      FieldRule[],
      string | null | typeof UNLOADED,
      Record<string, Scalar> | null,
      Record<string, Scalar> | null,
      Partial<SyncPlan>,
    ]
  >([
    [
      'Stripe name split into the CRM',
      [first, last],
      'Ada King Lovelace',
      crmAda,
      synced,
      {
        crmWrites: { firstname: 'Ada King' },
        stripeWrites: {},
        shadow: { first: 'Ada King', last: 'Lovelace' },
      },
    ],
    [
      'CRM first name joined into Stripe',
      [first, last],
      'Ada Lovelace',
      { firstname: 'Augusta', lastname: 'Lovelace' },
      synced,
      {
        crmWrites: {},
        stripeWrites: { name: 'Augusta Lovelace' },
        shadow: { first: 'Augusta', last: 'Lovelace' },
      },
    ],
    [
      'CRM last name of two words',
      [first, last],
      'Ada Lovelace',
      { firstname: 'Ada', lastname: 'de Lovelace' },
      synced,
      { stripeWrites: { name: 'Ada de Lovelace' }, shadow: { first: 'Ada', last: 'de Lovelace' } },
    ],
    [
      'its echo does not re-split',
      [first, last],
      'Ada de Lovelace',
      { firstname: 'Ada', lastname: 'de Lovelace' },
      { first: 'Ada', last: 'de Lovelace' },
      { crmWrites: {}, stripeWrites: {}, shadow: { first: 'Ada', last: 'de Lovelace' } },
    ],
    [
      'Stripe first and CRM last both change',
      [first, last],
      'Augusta Lovelace',
      { firstname: 'Ada', lastname: 'King' },
      synced,
      {
        crmWrites: { firstname: 'Augusta' },
        stripeWrites: { name: 'Augusta King' },
        shadow: { first: 'Augusta', last: 'King' },
      },
    ],
    [
      'CRM parts cleared, blankOverwrites',
      [
        { ...first, blankOverwrites: true },
        { ...last, blankOverwrites: true },
      ],
      'Ada Lovelace',
      { firstname: '', lastname: null },
      synced,
      { stripeWrites: { name: null }, shadow: {} },
    ],
    [
      'create: single-word name',
      [first, last],
      'Cher',
      null,
      null,
      { crmWrites: { firstname: 'Cher' }, stripeWrites: {}, shadow: { first: 'Cher' } },
    ],
    [
      'create: two words',
      [first, last],
      'Ada Lovelace',
      null,
      null,
      { crmWrites: { firstname: 'Ada', lastname: 'Lovelace' }, shadow: synced },
    ],
    [
      'only a first-name rule keeps the Stripe last name',
      [first],
      'Ada Lovelace',
      { firstname: 'Augusta' },
      { first: 'Ada' },
      { stripeWrites: { name: 'Augusta Lovelace' } },
    ],
    [
      'Stripe unloaded: joins CRM parts',
      [first, last],
      UNLOADED,
      { firstname: 'Augusta', lastname: 'Lovelace' },
      synced,
      { stripeWrites: { name: 'Augusta Lovelace' }, errors: [] },
    ],
  ])('%s', (_name, rules, name, crm, shadow, expected) => {
    expect(plan(rules, name, crm, shadow)).toMatchObject(expected);
  });

  test('a lone first-name rule cannot rebuild the name without Stripe', () => {
    const p = plan([first], UNLOADED, { firstname: 'Augusta' }, { first: 'Ada' });
    expect(p.stripeWrites).toStrictEqual({});
    expect(p.shadow).toStrictEqual({ first: 'Ada' });
    expect(p.errors).toStrictEqual([
      {
        ruleKey: 'first',
        direction: 'to_stripe',
        code: 'transform_failed',
        message: expect.stringContaining('cannot rebuild "name"'),
      },
    ]);
  });
});
