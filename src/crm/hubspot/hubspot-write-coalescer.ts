import { chunk, roundsByKey } from '../batching.js';
import { CrmError, type CrmWriteResult } from '../crm-connector.js';
import { asCrmError } from './hubspot-errors.js';

export interface WriteCoalescerOptions<I extends { ref: string }, C> {
  /**
   * Writes submitted within this window share batch calls. 0 or less turns merging off: each
   * submit is sent on its own, concurrently with others (still chunked, in rounds, isolated).
   */
  coalesceMs: number;
  /** Inputs per batch call. */
  maxBatch: number;
  /** Identity of the record an input writes (null: a create, never a duplicate). */
  keyOf: (input: I) => string | null;
  /**
   * One batch call. Returns one result per input, in input order; throws a CrmError when
   * HubSpot refused the whole batch.
   */
  send: (context: C, inputs: I[]) => Promise<CrmWriteResult[]>;
}

interface Entry<I> {
  input: I;
  deliver: (result: CrmWriteResult) => void;
}

interface Group<I, C> {
  context: C;
  entries: Entry<I>[];
}

/**
 * Merges concurrent writes of one kind (same object type and operation) into shared batch
 * calls, and isolates bad inputs:
 * - writes submitted within `coalesceMs` of the first one go out together, ≤ maxBatch a call;
 * - a key seen twice goes to a later round, sent after the earlier round has finished, because
 *   HubSpot rejects duplicate ids in one batch and the later write must win;
 * - flushes of one group run one at a time (writes arriving meanwhile gather for the next), so
 *   two writes to one record can never overtake each other;
 * - HubSpot validates a batch as a whole: when it refuses one for good, the batch is bisected
 *   until the good inputs are written and each bad one carries its own error.
 */
export class WriteCoalescer<I extends { ref: string }, C> {
  private readonly open = new Map<string, Group<I, C>>();
  private readonly tails = new Map<string, Promise<void>>();

  constructor(private readonly options: WriteCoalescerOptions<I, C>) {}

  /** Results for `inputs`, in their order; failures are values, this never rejects. */
  submit(groupKey: string, context: C, inputs: I[]): Promise<CrmWriteResult[]> {
    if (inputs.length === 0) return Promise.resolve([]);
    const entries: Entry<I>[] = [];
    const promises = inputs.map(
      (input) => new Promise<CrmWriteResult>((deliver) => entries.push({ input, deliver })),
    );
    if (this.options.coalesceMs > 0) {
      for (const entry of entries) this.enqueue(groupKey, context, entry);
    } else {
      void this.flush({ context, entries });
    }
    return Promise.all(promises);
  }

  private enqueue(key: string, context: C, entry: Entry<I>): void {
    const group = this.open.get(key);
    if (group) {
      group.entries.push(entry);
      return;
    }
    this.open.set(key, { context, entries: [entry] });
    setTimeout(() => this.schedule(key), this.options.coalesceMs);
  }

  /** Closes the open group and runs it after the group's previous flush. */
  private schedule(key: string): void {
    const group = this.open.get(key);
    if (!group) return;
    this.open.delete(key);
    const previous = this.tails.get(key) ?? Promise.resolve();
    const run = previous.then(() => this.flush(group));
    this.tails.set(key, run);
    void run.then(() => {
      if (this.tails.get(key) === run) this.tails.delete(key);
    });
  }

  private async flush(group: Group<I, C>): Promise<void> {
    const { keyOf, maxBatch } = this.options;
    try {
      for (const round of roundsByKey(group.entries, (e) => keyOf(e.input))) {
        await Promise.all(
          chunk(round, maxBatch).map(async (part) => {
            const results = await this.isolated(
              group.context,
              part.map((e) => e.input),
            );
            part.forEach((e, i) => e.deliver(results[i] ?? missing(e.input.ref)));
          }),
        );
      }
    } catch (err) {
      // Only a bug gets here; every caller still gets an answer (a second deliver is a no-op).
      const error = asCrmError(err);
      for (const e of group.entries) e.deliver({ ref: e.input.ref, ok: false, error });
    }
  }

  private async isolated(context: C, inputs: I[]): Promise<CrmWriteResult[]> {
    try {
      return await this.options.send(context, inputs);
    } catch (err) {
      const error = asCrmError(err);
      if (error.retryable || inputs.length === 1) {
        return inputs.map((i) => ({ ref: i.ref, ok: false as const, error }));
      }
      const mid = Math.ceil(inputs.length / 2);
      const [left, right] = await Promise.all([
        this.isolated(context, inputs.slice(0, mid)),
        this.isolated(context, inputs.slice(mid)),
      ]);
      return [...left, ...right];
    }
  }
}

const missing = (ref: string): CrmWriteResult => ({
  ref,
  ok: false,
  error: new CrmError('missing_result', 'HubSpot returned no result for this input', false),
});
