/**
 * Pages finish out of order when several are in flight; the resume cursor may only move past
 * a page once every page before it is committed. Tracks that contiguous prefix.
 */
export class PageWindow {
  private nextSeq = 0;
  private readonly finished = new Map<number, string | null>();

  constructor(private cursor: string | null) {}

  /** Marks page `seq` (whose last object id is `lastId`) done; returns the cursor to store. */
  complete(seq: number, lastId: string | null): string | null {
    this.finished.set(seq, lastId);
    while (this.finished.has(this.nextSeq)) {
      const id = this.finished.get(this.nextSeq) ?? null;
      this.finished.delete(this.nextSeq);
      if (id) this.cursor = id;
      this.nextSeq += 1;
    }
    return this.cursor;
  }
}
