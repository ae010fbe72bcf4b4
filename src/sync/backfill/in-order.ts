interface Gate {
  promise: Promise<void>;
  open: () => void;
  fail: (err: unknown) => void;
}

/**
 * Pages are synced several at a time but committed strictly in order, so the stored resume
 * cursor (the last committed page's last id) never passes a page that is not committed. A
 * failed commit fails every later one: nothing after a gap is ever recorded.
 */
export class InOrder {
  private readonly gates = new Map<number, Gate>();

  constructor(private readonly first = 0) {}

  async run<T>(seq: number, work: () => Promise<T>): Promise<T> {
    if (seq > this.first) {
      await this.gate(seq - 1).promise;
      this.gates.delete(seq - 1);
    }
    try {
      const result = await work();
      this.gate(seq).open();
      return result;
    } catch (err) {
      this.gate(seq).fail(err);
      throw err;
    }
  }

  private gate(seq: number): Gate {
    let g = this.gates.get(seq);
    if (!g) {
      let open = (): void => undefined;
      let fail = (_err: unknown): void => undefined;
      const promise = new Promise<void>((resolve, reject) => {
        open = resolve;
        fail = reject;
      });
      promise.catch(() => undefined); // observed by the next page, if there is one
      g = { promise, open, fail };
      this.gates.set(seq, g);
    }
    return g;
  }
}
