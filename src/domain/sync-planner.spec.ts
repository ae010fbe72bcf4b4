import { describe, expect, test } from '@jest/globals';
import type { FieldRule, FirstLinkPolicy, Scalar, Transform } from './field-rules.js';
import { planSync, type SyncPlan } from './sync-planner.js';

const T0 = new Date('2026-01-01T00:00:00Z');
const T1 = new Date('2026-01-01T00:00:05Z');

/** Stripe object not loaded / CRM record not created yet / no shadow entry. */
const UNLOADED = Symbol('unloaded');
const ABSENT = Symbol('absent');

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

/** Stripe value, CRM value, shadow value (undefined: no shadow), and the two change times. */
interface Case {
  rule?: Partial<FieldRule>;
  stripe: unknown;
  crm: Scalar | typeof ABSENT;
  shadow?: Scalar;
  stripeAt?: Date;
  crmAt?: Date;
  firstLinkPolicy?: FirstLinkPolicy;
}

/** What one rule did, with only the keys that happened: easy to read in a table. */
interface Outcome {
  crm?: Scalar;
  stripe?: Scalar;
  shadow?: Scalar;
  winner?: 'stripe' | 'crm' | 'none';
}

function setPath(path: string, value: unknown): Record<string, unknown> {
  const [head, ...rest] = path.split('.');
  return { [head!]: rest.length === 0 ? value : setPath(rest.join('.'), value) };
}

function runOne(c: Case): { plan: SyncPlan; outcome: Outcome } {
  const r = rule(c.rule);
  const stripeValues = setPath(r.stripePath, c.stripe);
  const plan = planSync({
    rules: [r],
    stripe: c.stripe === UNLOADED ? null : { values: stripeValues, changedAt: c.stripeAt ?? T0 },
    crm: c.crm === ABSENT ? null : { values: { [r.crmProperty]: c.crm }, changedAt: c.crmAt ?? T0 },
    shadow: c.shadow === undefined ? null : { [r.key]: c.shadow },
    ...(c.firstLinkPolicy ? { firstLinkPolicy: c.firstLinkPolicy } : {}),
  });
  const outcome: Outcome = {};
  if (r.crmProperty in plan.crmWrites) outcome.crm = plan.crmWrites[r.crmProperty]!;
  if (r.stripePath in plan.stripeWrites) outcome.stripe = plan.stripeWrites[r.stripePath]!;
  if (r.key in plan.shadow) outcome.shadow = plan.shadow[r.key]!;
  if (plan.conflicts[0]) outcome.winner = plan.conflicts[0].winner;
  return { plan, outcome };
}

type Row = [
  string,
  Partial<FieldRule>,
  unknown,
  Scalar | typeof ABSENT,
  Scalar | undefined,
  Outcome,
];
const run = ([, over, stripe, crm, shadow]: Row) => runOne({ rule: over, stripe, crm, shadow });

const cents: Transform = { kind: 'cents_to_decimal' };
const centsRule = { transforms: [cents] };
const crmWins = { conflictPolicy: 'crm_wins' } as const;
const manual = { conflictPolicy: 'manual' } as const;
const blankOk = { blankOverwrites: true };
const toCrm = { direction: 'to_crm' } as const;
const toStripe = { direction: 'to_stripe' } as const;
const created = (t: Transform) => ({ stripePath: 'created', transforms: [t] });
const tiers: Transform = { kind: 'enum_map', map: { gold: 'Gold', silver: 'Silver' } };

// Columns: name, rule overrides, Stripe value, CRM value, shadow value, expected outcome.
describe('planSync, one rule', () => {
  test.each<Row>([
    ['nothing changed', {}, 'a', 'a', 'a', { shadow: 'a' }],
    ['echo of our CRM write', {}, UNLOADED, 'new', 'new', { shadow: 'new' }],
    ['echo, CRM returns text', centsRule, 1250, '12.50', 12.5, { shadow: 12.5 }],
    ['Stripe changed', {}, 'b', 'a', 'a', { crm: 'b', shadow: 'b' }],
    ['CRM changed', {}, 'a', 'b', 'a', { stripe: 'b', shadow: 'b' }],
    ['CRM changed, Stripe unloaded', {}, UNLOADED, 'b', 'a', { stripe: 'b', shadow: 'b' }],
    ['Stripe unloaded, never synced', {}, UNLOADED, 'b', undefined, {}],
    ['both changed to the same value', {}, 'c', 'c', 'a', { shadow: 'c' }],
    [
      'CRM kept the case a user typed: no change',
      { transforms: [{ kind: 'lowercase' }] },
      'ada@example.com',
      'Ada@Example.com',
      'ada@example.com',
      { shadow: 'ada@example.com' },
    ],
    [
      'CRM changed, in mixed case: Stripe gets the rule form',
      { transforms: [{ kind: 'lowercase' }] },
      'ada@example.com',
      'New@Example.com',
      'ada@example.com',
      { stripe: 'new@example.com', shadow: 'new@example.com' },
    ],
  ])('echoes and one-sided changes: %s', (...row) => {
    expect(run(row).outcome).toStrictEqual(row[5]);
  });

  test.each<Row>([
    ['stripe_wins', {}, 's', 'c', 'b', { crm: 's', shadow: 's', winner: 'stripe' }],
    ['crm_wins', crmWins, 's', 'c', 'b', { stripe: 'c', shadow: 'c', winner: 'crm' }],
    ['manual parks, shadow kept', manual, 's', 'c', 'b', { shadow: 'b', winner: 'none' }],
  ])('conflict: %s', (...row) => {
    expect(run(row).outcome).toStrictEqual(row[5]);
  });

  test.each<[string, Date, Date, Outcome]>([
    ['Stripe newer', T1, T0, { crm: 's', shadow: 's', winner: 'stripe' }],
    ['CRM newer', T0, T1, { stripe: 'c', shadow: 'c', winner: 'crm' }],
    ['a tie goes to Stripe', T1, T1, { crm: 's', shadow: 's', winner: 'stripe' }],
  ])('conflict, newest_wins: %s', (_name, stripeAt, crmAt, expected) => {
    const rule = { conflictPolicy: 'newest_wins' } as const;
    const c = { rule, stripe: 's', crm: 'c', shadow: 'b', stripeAt, crmAt };
    expect(runOne(c).outcome).toStrictEqual(expected);
  });

  test.each<Row>([
    ['Stripe cleared: not copied', {}, null, 'a', 'a', { shadow: 'a' }],
    ['Stripe cleared, blankOverwrites', blankOk, null, 'a', 'a', { crm: null }],
    ['CRM cleared: not copied', {}, 'a', '  ', 'a', { shadow: 'a' }],
    ['CRM cleared, blankOverwrites', blankOk, 'a', '', 'a', { stripe: null }],
    [
      'conflict, blank loses to stripe_wins',
      {},
      '',
      'c',
      'b',
      { stripe: 'c', shadow: 'c', winner: 'crm' },
    ],
    [
      'conflict, blank loses to crm_wins',
      crmWins,
      's',
      null,
      'b',
      { crm: 's', shadow: 's', winner: 'stripe' },
    ],
    ['conflict, blank side, manual parks', manual, null, 'c', 'b', { shadow: 'b', winner: 'none' }],
    [
      'conflict, blank wins with blankOverwrites',
      blankOk,
      null,
      'c',
      'b',
      { crm: null, winner: 'stripe' },
    ],
    [
      'first link: a CRM placeholder is no value, Stripe fills it',
      { transforms: [{ kind: 'default', value: '[not provided]' }] },
      'Thompson',
      '[not provided]',
      undefined,
      { crm: 'Thompson', shadow: 'Thompson' },
    ],
    [
      'first link: a real CRM value still conflicts',
      { transforms: [{ kind: 'default', value: '[not provided]' }] },
      'Thompson',
      'Thomson',
      undefined,
      { crm: 'Thompson', shadow: 'Thompson', winner: 'stripe' },
    ],
  ])('blank values: %s', (...row) => {
    expect(run(row).outcome).toStrictEqual(row[5]);
  });

  test('a blank side loses newest_wins even when newer', () => {
    const rule = { conflictPolicy: 'newest_wins' } as const;
    const c = { rule, stripe: 's', crm: null, shadow: 'b', stripeAt: T0, crmAt: T1 };
    expect(runOne(c).outcome).toStrictEqual({ crm: 's', shadow: 's', winner: 'stripe' });
  });

  test.each<Row>([
    ['create', {}, 'a', ABSENT, undefined, { crm: 'a', shadow: 'a' }],
    ['create, blank Stripe value', {}, null, ABSENT, undefined, {}],
    ['create, to_crm', toCrm, 'a', ABSENT, undefined, { crm: 'a', shadow: 'a' }],
    ['create, to_stripe writes nothing', toStripe, 'a', ABSENT, undefined, {}],
    ['create, cents', centsRule, 1999, ABSENT, undefined, { crm: 19.99, shadow: 19.99 }],
  ])('first sync, CRM record created: %s', (...row) => {
    expect(run(row).outcome).toStrictEqual(row[5]);
  });

  test.each<Row>([
    ['equal', {}, 'a', 'a', undefined, { shadow: 'a' }],
    ['equal once canonical', {}, true, 'TRUE', undefined, { shadow: true }],
    ['Stripe-only value fills the CRM', {}, 'a', null, undefined, { crm: 'a', shadow: 'a' }],
    ['CRM-only value fills Stripe', {}, null, 'c', undefined, { stripe: 'c', shadow: 'c' }],
    ['a fill is no manual conflict', manual, null, 'c', undefined, { stripe: 'c', shadow: 'c' }],
    [
      'differing, stripe_wins',
      {},
      's',
      'c',
      undefined,
      { crm: 's', shadow: 's', winner: 'stripe' },
    ],
    // The field's policy governs later edits; a first link follows the first-link policy.
    [
      'differing, field crm_wins: Stripe still kept',
      crmWins,
      's',
      'c',
      undefined,
      { crm: 's', shadow: 's', winner: 'stripe' },
    ],
    [
      'differing, field manual: Stripe kept, nothing parked',
      manual,
      's',
      'c',
      undefined,
      { crm: 's', shadow: 's', winner: 'stripe' },
    ],
  ])('first link of an existing CRM record: %s', (...row) => {
    expect(run(row).outcome).toStrictEqual(row[5]);
  });

  test.each<[FirstLinkPolicy, Date, Date, Outcome]>([
    ['stripe_wins', T0, T1, { crm: 's', shadow: 's', winner: 'stripe' }],
    ['crm_wins', T1, T0, { stripe: 'c', shadow: 'c', winner: 'crm' }],
    ['newest_wins', T0, T1, { stripe: 'c', shadow: 'c', winner: 'crm' }],
    ['newest_wins', T1, T0, { crm: 's', shadow: 's', winner: 'stripe' }],
  ])(
    'first-link policy %s (Stripe at %s, CRM at %s)',
    (firstLinkPolicy, stripeAt, crmAt, expected) => {
      const { plan, outcome } = runOne({
        stripe: 's',
        crm: 'c',
        stripeAt,
        crmAt,
        firstLinkPolicy,
      });
      expect(outcome).toStrictEqual(expected);
      expect(plan.conflicts[0]).toMatchObject({ policy: firstLinkPolicy, firstLink: true });
    },
  );

  test('the first-link policy fills blanks from either side whatever it is', () => {
    for (const firstLinkPolicy of ['stripe_wins', 'crm_wins', 'newest_wins'] as const) {
      expect(runOne({ stripe: null, crm: 'c', firstLinkPolicy }).outcome).toStrictEqual({
        stripe: 'c',
        shadow: 'c',
      });
      expect(runOne({ stripe: 's', crm: null, firstLinkPolicy }).outcome).toStrictEqual({
        crm: 's',
        shadow: 's',
      });
    }
  });

  test.each<Row>([
    ['to_crm, Stripe changed', toCrm, 'b', 'a', 'a', { crm: 'b', shadow: 'b' }],
    ['to_crm, CRM edit reverted', toCrm, 'a', 'x', 'a', { crm: 'a', shadow: 'a' }],
    ['to_crm, never a conflict', { ...toCrm, ...manual }, 's', 'c', 'b', { crm: 's', shadow: 's' }],
    [
      'to_crm, Stripe unloaded: shadow restored',
      toCrm,
      UNLOADED,
      'x',
      'a',
      { crm: 'a', shadow: 'a' },
    ],
    ['to_crm, blank not copied', toCrm, null, 'a', 'a', { shadow: 'a' }],
    ['to_crm, blankOverwrites', { ...toCrm, ...blankOk }, null, 'a', 'a', { crm: null }],
    ['to_stripe, CRM changed', toStripe, 'a', 'c', 'a', { stripe: 'c', shadow: 'c' }],
    ['to_stripe, Stripe edit reverted', toStripe, 'x', 'a', 'a', { stripe: 'a', shadow: 'a' }],
    ['to_stripe, blank not copied', toStripe, 'a', null, 'a', { shadow: 'a' }],
    [
      'to_stripe, Stripe unloaded, no shadow',
      toStripe,
      UNLOADED,
      'c',
      undefined,
      { stripe: 'c', shadow: 'c' },
    ],
    ['to_stripe, Stripe unloaded, blank CRM', toStripe, UNLOADED, null, undefined, {}],
  ])('one-way: %s', (...row) => {
    expect(run(row).outcome).toStrictEqual(row[5]);
  });

  test.each<Row>([
    ['cents toward the CRM', centsRule, 1999, 15, 15, { crm: 19.99, shadow: 19.99 }],
    ['cents toward Stripe', centsRule, 1999, '24.50', 19.99, { stripe: 2450, shadow: '24.50' }],
    [
      'date toward Stripe',
      created({ kind: 'unix_to_date' }),
      1700000000,
      '2024-11-27',
      '2023-11-14',
      { stripe: 1732665600, shadow: '2024-11-27' },
    ],
    [
      'date as HubSpot ms epoch',
      created({ kind: 'unix_to_date' }),
      1732665600,
      '1732665600000',
      '2024-11-27',
      { shadow: '2024-11-27' },
    ],
    [
      'datetime in Salesforce form',
      created({ kind: 'unix_to_iso' }),
      1732665600,
      '2024-11-27T00:00:00.000+0000',
      '2024-11-27T00:00:00.000Z',
      { shadow: '2024-11-27T00:00:00.000Z' },
    ],
    [
      'metadata with enum_map',
      { stripePath: 'metadata.tier', transforms: [tiers] },
      'gold',
      'Silver',
      'Gold',
      { stripe: 'silver', shadow: 'Silver' },
    ],
    [
      'metadata toward the CRM',
      { stripePath: 'metadata.tier' },
      'gold',
      null,
      null,
      { crm: 'gold', shadow: 'gold' },
    ],
    [
      'nested address',
      { stripePath: 'address.city' },
      'Paris',
      'London',
      'London',
      { crm: 'Paris', shadow: 'Paris' },
    ],
  ])('transforms and paths: %s', (...row) => {
    expect(run(row).outcome).toStrictEqual(row[5]);
  });

  test('records the whole conflict', () => {
    const { plan } = runOne({ rule: manual, stripe: 's', crm: 'c', shadow: 'b' });
    expect(plan.conflicts).toStrictEqual([
      {
        ruleKey: 'k',
        stripePath: 'email',
        crmProperty: 'prop',
        stripeValue: 's',
        crmValue: 'c',
        shadowValue: 'b',
        policy: 'manual',
        winner: 'none',
        firstLink: false,
      },
    ]);
    expect(plan.errors).toStrictEqual([]);
  });

  const vip = { stripePath: 'metadata.vip', transforms: [{ kind: 'boolean_string' } as const] };
  test.each<[string, Row, string, string]>([
    [
      'CRM value Stripe cannot take',
      ['', vip, true, 'maybe', 'true', {}],
      'to_stripe',
      "prop → metadata.vip: boolean_string: expected 'true' or 'false'",
    ],
    [
      'Stripe value the CRM cannot take',
      ['', centsRule, 'abc', 1, 1, {}],
      'to_crm',
      'email → prop: cents_to_decimal: not a number',
    ],
  ])(
    'skips and reports a rule whose value cannot be transformed: %s',
    (_name, row, direction, message) => {
      const { plan, outcome } = run(row);
      expect(outcome).toStrictEqual({ shadow: row[4] });
      // Reported without the value: plans are recorded and logged.
      expect(plan.errors).toStrictEqual([
        { ruleKey: 'k', direction, code: 'transform_failed', message },
      ]);
    },
  );
});
