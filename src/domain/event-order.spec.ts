import { describe, expect, test } from '@jest/globals';
import { decideStripeSource, newestEvent, type StripeSource } from './event-order.js';

const at = (s: string) => new Date(`2026-01-01T00:00:${s}Z`);

describe('decideStripeSource', () => {
  test.each<[string, string | null, number, StripeSource]>([
    // eventCreated, appliedAt, sameSecondPeers, expected
    ['10', null, 0, 'payload'],
    ['10', null, 2, 'refetch'],
    ['09', '10', 0, 'stale'],
    ['09', '10', 3, 'stale'],
    ['10', '10', 0, 'refetch'],
    ['10', '10.700', 0, 'refetch'],
    ['11', '10', 0, 'payload'],
    ['11', '10', 1, 'refetch'],
  ])('event at :%s, applied :%s, %i peers → %s', (created, applied, peers, expected) => {
    expect(
      decideStripeSource({
        eventCreated: at(created),
        appliedAt: applied === null ? null : at(applied),
        sameSecondPeers: peers,
      }),
    ).toBe(expected);
  });
});

describe('newestEvent', () => {
  const e = (id: string, s: string) => ({ id, created: at(s) });

  test.each<[string, { id: string; created: Date }[], string]>([
    ['one event', [e('evt_a', '01')], 'evt_a'],
    ['newest last', [e('evt_a', '01'), e('evt_b', '03')], 'evt_b'],
    ['newest first', [e('evt_a', '05'), e('evt_b', '03')], 'evt_a'],
    ['newest in the middle', [e('evt_a', '01'), e('evt_b', '09'), e('evt_c', '03')], 'evt_b'],
    ['tie: the first one', [e('evt_a', '01'), e('evt_b', '04'), e('evt_c', '04')], 'evt_b'],
  ])('%s', (_name, events, expectedId) => {
    expect(newestEvent(events).id).toBe(expectedId);
  });

  test('refuses an empty list', () => {
    expect(() => newestEvent([])).toThrow(RangeError);
  });
});
