import { describe, expect, test } from '@jest/globals';
import { decideMatch, type MatchCandidate, type MatchDecision } from './match-decision.js';

const rec = (id: string, stripeIdValue: string | null = null): MatchCandidate => ({
  id,
  stripeIdValue,
});

describe('decideMatch', () => {
  test.each<[string, MatchCandidate[], MatchCandidate[], string[], MatchDecision]>([
    ['nothing found', [], [], [], { kind: 'create' }],
    [
      'one by stripe id',
      [rec('c1', 'cus_1')],
      [],
      [],
      { kind: 'link', crmId: 'c1', by: 'stripe_id' },
    ],
    [
      'stripe id beats email',
      [rec('c1', 'cus_1')],
      [rec('c2')],
      [],
      { kind: 'link', crmId: 'c1', by: 'stripe_id' },
    ],
    [
      'one by stripe id, listed twice',
      [rec('c1', 'cus_1'), rec('c1', 'cus_1')],
      [],
      [],
      { kind: 'link', crmId: 'c1', by: 'stripe_id' },
    ],
    [
      'several by stripe id',
      [rec('c9', 'cus_1'), rec('c1', 'cus_1')],
      [rec('c2')],
      [],
      { kind: 'ambiguous', by: 'stripe_id', candidateIds: ['c1', 'c9'] },
    ],
    ['one by email', [], [rec('c2')], [], { kind: 'link', crmId: 'c2', by: 'email' }],
    [
      'one by email, carrying our own id',
      [],
      [rec('c2', 'cus_1')],
      [],
      { kind: 'link', crmId: 'c2', by: 'email' },
    ],
    [
      'one by email, blank stripe id',
      [],
      [rec('c2', ' ')],
      [],
      { kind: 'link', crmId: 'c2', by: 'email' },
    ],
    ['email record linked elsewhere', [], [rec('c2')], ['c2'], { kind: 'create' }],
    ['email record with another stripe id', [], [rec('c2', 'cus_other')], [], { kind: 'create' }],
    [
      'email, one of two still free',
      [],
      [rec('c2', 'cus_other'), rec('c3')],
      [],
      { kind: 'link', crmId: 'c3', by: 'email' },
    ],
    [
      'email, linked one excluded',
      [],
      [rec('c2'), rec('c3')],
      ['c3'],
      { kind: 'link', crmId: 'c2', by: 'email' },
    ],
    [
      'several by email, sorted',
      [],
      [rec('c3'), rec('c10'), rec('c2')],
      [],
      { kind: 'ambiguous', by: 'email', candidateIds: ['c10', 'c2', 'c3'] },
    ],
    [
      'several by email, duplicates collapse',
      [],
      [rec('c2'), rec('c2')],
      [],
      { kind: 'link', crmId: 'c2', by: 'email' },
    ],
  ])('%s', (_name, byStripeId, byEmail, linked, expected) => {
    expect(
      decideMatch({ stripeId: 'cus_1', byStripeId, byEmail, linkedCrmIds: new Set(linked) }),
    ).toStrictEqual(expected);
  });
});
