import { describe, expect, it } from '@jest/globals';
import { summarizeStripeEvent } from './stripe-event-summary.js';

const event = (over: Record<string, unknown> = {}) => ({
  id: 'evt_123',
  object: 'event',
  type: 'customer.updated',
  created: 1767225600,
  livemode: false,
  api_version: '2026-10-28.endive',
  data: { object: { id: 'cus_1', object: 'customer' }, previous_attributes: { email: 'a@b.c' } },
  ...over,
});

describe('summarizeStripeEvent', () => {
  it('records what workers route and order by', () => {
    expect(summarizeStripeEvent(event({ account: 'acct_9' }))).toEqual({
      ok: true,
      summary: {
        id: 'evt_123',
        type: 'customer.updated',
        objectType: 'customer',
        objectId: 'cus_1',
        createdAt: new Date('2026-01-01T00:00:00Z'),
        livemode: false,
        apiVersion: '2026-10-28.endive',
        account: 'acct_9',
      },
    });
  });

  it('tolerates events whose object has no id (e.g. balance.available)', () => {
    const r = summarizeStripeEvent(
      event({ type: 'balance.available', data: { object: { object: 'balance' } } }),
    );
    expect(r.ok && r.summary.objectId).toBeNull();
    expect(r.ok && r.summary.objectType).toBe('balance');
  });

  it.each([
    [null, 'not a JSON object'],
    [[], 'not a JSON object'],
    [event({ id: 'cus_1' }), '"id" starting with evt_'],
    [event({ object: 'customer' }), 'not a Stripe event'],
    [event({ type: '' }), 'no "type"'],
    [event({ created: '2026-01-01' }), '"created"'],
    [event({ created: 1.5 }), '"created"'],
    [event({ livemode: 'false' }), '"livemode"'],
  ])('refuses %j (%s)', (input, message) => {
    const r = summarizeStripeEvent(input);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.message).toContain(message);
  });
});
