import { describe, expect, test } from '@jest/globals';
import { type FieldRule } from './field-rules.js';
import { crmMatchesShadow, isOwnLatestWrite, stripeMatchesShadow } from './echo.js';

const rule = (over: Partial<FieldRule>): FieldRule => ({
  key: 'email',
  stripePath: 'email',
  crmProperty: 'email',
  direction: 'both',
  transforms: [{ kind: 'trim' }, { kind: 'lowercase' }],
  conflictPolicy: 'newest_wins',
  blankOverwrites: false,
  ...over,
});

const rules: FieldRule[] = [
  rule({}),
  rule({
    key: 'balance',
    stripePath: 'balance',
    crmProperty: 'stripe_balance',
    direction: 'to_crm',
    transforms: [{ kind: 'cents_to_decimal' }],
  }),
  rule({
    key: 'tier',
    stripePath: 'metadata.tier',
    crmProperty: 'tier',
    direction: 'to_stripe',
    transforms: [],
  }),
];
const shadow = { email: 'ada@example.com', balance: -12.5, tier: 'gold' };

describe('stripeMatchesShadow: is a Stripe state nothing new (our own write coming back)?', () => {
  test.each([
    ['equal after transforms', { email: ' Ada@Example.com ', balance: -1250 }, true],
    [
      'a to_stripe field is not Stripe’s to say',
      { email: 'ada@example.com', balance: -1250, metadata: { tier: 'x' } },
      true,
    ],
    ['email changed', { email: 'ada@other.com', balance: -1250 }, false],
    ['balance changed', { email: 'ada@example.com', balance: 0 }, false],
    ['an untransformable value is a change', { email: 'ada@example.com', balance: 'n/a' }, false],
  ])('%s', (_name, stripe, expected) => {
    expect(stripeMatchesShadow(rules, stripe, shadow)).toBe(expected);
  });

  test('a blank value equals a missing shadow entry', () => {
    expect(stripeMatchesShadow([rule({})], { email: null }, {})).toBe(true);
  });
});

describe('crmMatchesShadow: is a polled CRM record nothing new?', () => {
  test.each([
    [
      'equal (numbers as strings are equal)',
      { email: 'ada@example.com', stripe_balance: '-12.5', tier: 'gold' },
      true,
    ],
    [
      'a to_crm field edited in the CRM does not flow back',
      { email: 'ada@example.com', stripe_balance: '99', tier: 'gold' },
      true,
    ],
    ['email kept in the case a user typed', { email: ' Ada@Example.com', tier: 'gold' }, true],
    ['email edited', { email: 'ada@new.com', tier: 'gold' }, false],
    ['tier edited', { email: 'ada@example.com', tier: 'silver' }, false],
  ])('%s', (_name, props, expected) => {
    expect(crmMatchesShadow(rules, props, shadow)).toBe(expected);
  });
});

describe('isOwnLatestWrite', () => {
  const written = new Date('2026-11-27T10:00:00Z');
  const later = new Date('2026-11-27T10:00:01Z');
  test.each<[string, { modifiedAt: Date; modifiedBySelf?: boolean }, Date | null, boolean]>([
    ['our recorded write', { modifiedAt: written, modifiedBySelf: true }, written, true],
    [
      'ours, but after the write we recorded',
      { modifiedAt: later, modifiedBySelf: true },
      written,
      false,
    ],
    ['a user edit', { modifiedAt: written, modifiedBySelf: false }, written, false],
    ['a CRM that does not say', { modifiedAt: written }, written, false],
    ['no write recorded yet', { modifiedAt: written, modifiedBySelf: true }, null, false],
  ])('%s', (_name, record, crmStateAt, expected) => {
    expect(isOwnLatestWrite(record, crmStateAt)).toBe(expected);
  });
});
