import { describe, expect, test } from '@jest/globals';
import { CrmError, type CrmWriteResult } from '../crm-connector.js';
import { WriteCoalescer } from './hubspot-write-coalescer.js';

interface Input {
  ref: string;
  id: string;
  bad?: boolean;
}

/** A fake batch endpoint: refuses a whole batch when one input is bad, as HubSpot does. */
function setup(coalesceMs: number, maxBatch = 3, failure?: CrmError) {
  const calls: string[][] = [];
  const coalescer = new WriteCoalescer<Input, string>({
    coalesceMs,
    maxBatch,
    keyOf: (i) => i.id,
    send: (_ctx, inputs) => {
      calls.push(inputs.map((i) => i.ref));
      if (failure) return Promise.reject(failure);
      if (inputs.some((i) => i.bad)) {
        return Promise.reject(new CrmError('VALIDATION_ERROR', 'bad input', false));
      }
      return Promise.resolve(
        inputs.map((i): CrmWriteResult => ({
          ref: i.ref,
          ok: true,
          created: false,
          record: { id: i.id, properties: {}, modifiedAt: new Date(0) },
        })),
      );
    },
  });
  return { calls, coalescer };
}

const input = (ref: string, id = ref, bad = false): Input => ({ ref, id, bad });

describe('WriteCoalescer', () => {
  test('merges concurrent submits, chunks them, and answers each caller in its order', async () => {
    const { calls, coalescer } = setup(5);
    const [a, b] = await Promise.all([
      coalescer.submit('k', 'ctx', [input('a1'), input('a2')]),
      coalescer.submit('k', 'ctx', [input('b1'), input('b2'), input('b3')]),
    ]);
    expect(calls).toEqual([
      ['a1', 'a2', 'b1'],
      ['b2', 'b3'],
    ]);
    expect(a.map((r) => r.ref)).toEqual(['a1', 'a2']);
    expect(b.map((r) => r.ref)).toEqual(['b1', 'b2', 'b3']);
  });

  test('keeps groups apart and sends a repeated key in a later call', async () => {
    const { calls, coalescer } = setup(5);
    await Promise.all([
      coalescer.submit('k', 'ctx', [input('x1', 'x'), input('y1', 'y')]),
      coalescer.submit('k', 'ctx', [input('x2', 'x')]),
      coalescer.submit('other', 'ctx', [input('z1', 'z')]),
    ]);
    expect(calls.filter((c) => !c.includes('z1'))).toEqual([['x1', 'y1'], ['x2']]);
    expect(calls).toContainEqual(['z1']);
  });

  test('bisects a refused batch: good inputs are written, the bad one fails alone', async () => {
    const { calls, coalescer } = setup(5, 4);
    const results = await coalescer.submit('k', 'ctx', [
      input('a'),
      input('b'),
      input('c', 'c', true),
      input('d'),
    ]);
    expect(results.map((r) => [r.ref, r.ok])).toEqual([
      ['a', true],
      ['b', true],
      ['c', false],
      ['d', true],
    ]);
    expect(calls).toEqual([['a', 'b', 'c', 'd'], ['a', 'b'], ['c', 'd'], ['c'], ['d']]);
  });

  test('a retryable failure is every input’s answer, without bisecting', async () => {
    const failure = new CrmError('server_error', 'down', true);
    const { calls, coalescer } = setup(5, 3, failure);
    const results = await coalescer.submit('k', 'ctx', [input('a'), input('b')]);
    expect(results.map((r) => !r.ok && r.error)).toEqual([failure, failure]);
    expect(calls).toHaveLength(1);
  });

  test('with coalesceMs 0 each submit is sent on its own', async () => {
    const { calls, coalescer } = setup(0);
    await Promise.all([
      coalescer.submit('k', 'ctx', [input('a')]),
      coalescer.submit('k', 'ctx', [input('b')]),
    ]);
    expect(calls).toEqual([['a'], ['b']]);
  });
});
