import { describe, expect, test } from '@jest/globals';
import { InOrder } from './in-order.js';

const tick = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('InOrder: pages commit in sequence whatever order their work finishes in', () => {
  test('later pages wait for earlier ones', async () => {
    const order = new InOrder();
    const committed: number[] = [];
    const commit = (seq: number, delay: number) =>
      order.run(seq, async () => {
        await tick(delay);
        committed.push(seq);
      });
    await Promise.all([commit(2, 1), commit(0, 30), commit(1, 10), commit(3, 0)]);
    expect(committed).toEqual([0, 1, 2, 3]);
  });

  test('a failed page fails every later one and nothing after it commits', async () => {
    const order = new InOrder();
    const committed: number[] = [];
    const results = await Promise.allSettled([
      order.run(0, () => Promise.resolve(void committed.push(0))),
      order.run(1, () => Promise.reject(new Error('deadlock'))),
      order.run(2, () => Promise.resolve(void committed.push(2))),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'rejected']);
    expect(committed).toEqual([0]);
  });
});
