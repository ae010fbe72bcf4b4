import { describe, expect, it } from '@jest/globals';
import { MicroBatcher } from './micro-batcher.js';

const tick = () => new Promise((r) => setImmediate(r));

describe('MicroBatcher', () => {
  it('gathers items submitted together into one flush and hands each its own result', async () => {
    const flushes: number[][] = [];
    const b = new MicroBatcher<number, number>(
      (items) => {
        flushes.push(items);
        return Promise.resolve(items.map((i) => i * 10));
      },
      { maxBatch: 100, maxConcurrent: 1 },
    );
    const results = await Promise.all([1, 2, 3].map((i) => b.submit(i)));
    expect(results).toEqual([10, 20, 30]);
    expect(flushes).toEqual([[1, 2, 3]]);
  });

  it('splits at maxBatch and never runs more than maxConcurrent flushes', async () => {
    let running = 0;
    let peak = 0;
    const sizes: number[] = [];
    const b = new MicroBatcher<number, number>(
      async (items) => {
        running += 1;
        peak = Math.max(peak, running);
        sizes.push(items.length);
        await tick();
        running -= 1;
        return items;
      },
      { maxBatch: 4, maxConcurrent: 2 },
    );
    const out = await Promise.all(Array.from({ length: 10 }, (_, i) => b.submit(i)));
    expect(out).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(peak).toBe(2);
    expect(Math.max(...sizes)).toBe(4);
    expect(sizes.reduce((a, n) => a + n, 0)).toBe(10);
  });

  it('grows batches while flushes are busy (backpressure, not timers)', async () => {
    const sizes: number[] = [];
    let release: () => void = () => undefined;
    const gate = new Promise<void>((r) => (release = r));
    const b = new MicroBatcher<number, number>(
      async (items) => {
        sizes.push(items.length);
        if (sizes.length === 1) await gate;
        return items;
      },
      { maxBatch: 100, maxConcurrent: 1 },
    );
    const first = b.submit(0);
    await tick();
    const rest = Array.from({ length: 5 }, (_, i) => b.submit(i + 1));
    await tick();
    release();
    await Promise.all([first, ...rest]);
    expect(sizes).toEqual([1, 5]);
  });

  it('rejects every submitter of a failed batch, and keeps serving later ones', async () => {
    let fail = true;
    const b = new MicroBatcher<number, number>(
      (items) => (fail ? Promise.reject(new Error('db down')) : Promise.resolve(items)),
      { maxBatch: 10, maxConcurrent: 1 },
    );
    const failed = await Promise.allSettled([b.submit(1), b.submit(2)]);
    expect(failed.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    fail = false;
    await expect(b.submit(3)).resolves.toBe(3);
  });

  it('refuses a flush that returns the wrong number of results', async () => {
    const b = new MicroBatcher<number, number>(() => Promise.resolve([]), {
      maxBatch: 10,
      maxConcurrent: 1,
    });
    await expect(b.submit(1)).rejects.toThrow('flush returned 0 results for 1 items');
  });

  it('drain resolves once everything submitted has been flushed', async () => {
    const done: number[] = [];
    const b = new MicroBatcher<number, number>(
      async (items) => {
        await tick();
        done.push(...items);
        return items;
      },
      { maxBatch: 2, maxConcurrent: 1 },
    );
    void b.submit(1);
    void b.submit(2);
    void b.submit(3);
    await b.drain();
    expect(done).toEqual([1, 2, 3]);
    await expect(b.drain()).resolves.toBeUndefined();
  });
});
