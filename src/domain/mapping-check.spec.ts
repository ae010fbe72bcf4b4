import { describe, expect, test } from '@jest/globals';
import type { FieldRule } from './field-rules.js';
import { mappingProblems } from './mapping-check.js';

const rule = (over: Partial<FieldRule>): FieldRule => ({
  key: 'f',
  stripePath: 'email',
  crmProperty: 'email',
  direction: 'both',
  transforms: [],
  conflictPolicy: 'newest_wins',
  blankOverwrites: false,
  ...over,
});

describe('mappingProblems', () => {
  test.each<[string, Partial<FieldRule>, string[]]>([
    ['a plain two-way field', {}, []],
    ['a read-only field to the CRM only', { stripePath: 'delinquent', direction: 'to_crm' }, []],
    [
      'delinquent sent to Stripe',
      { key: 'd', stripePath: 'delinquent', crmProperty: 'stripe_delinquent' },
      [
        'field d (delinquent ↔ stripe_delinquent): "delinquent" is read-only in Stripe: map it to_crm',
      ],
    ],
    [
      'created toward Stripe only',
      { key: 'c', stripePath: 'created', direction: 'to_stripe' },
      ['field c (created ↔ email): "created" is read-only in Stripe: map it to_crm'],
    ],
    [
      'balance two-way without the opt-in',
      { key: 'b', stripePath: 'balance' },
      [
        expect.stringMatching(
          /^field b \(balance ↔ email\): "balance" moves money/,
        ) as unknown as string,
      ],
    ],
    ['balance two-way with the opt-in', { stripePath: 'balance', allowMoneyWrite: true }, []],
    [
      'a transform typo is refused, not dropped',
      { key: 't', transforms: [{ kind: 'uppercase' } as never] },
      ['field t (email ↔ email): transforms[0]: unknown kind "uppercase"'],
    ],
    [
      'a transform typo on a to_crm field too',
      { key: 't', direction: 'to_crm', transforms: [{ kind: 'trim', x: 1 } as never] },
      ['field t (email ↔ email): transforms[0] (trim): unexpected x'],
    ],
  ])('%s', (_name, over, problems) => {
    expect(mappingProblems('customer', 'both', [rule(over)])).toStrictEqual(problems);
  });

  test('an object mapping that only flows to the CRM may read anything', () => {
    expect(mappingProblems('customer', 'to_crm', [rule({ stripePath: 'delinquent' })])).toEqual([]);
  });
});
