/** A stored record: the emulator's own bookkeeping around an API object. */
export interface StoredRecord<T> {
  id: string;
  /** Milliseconds since epoch. */
  createdAt: number;
  updatedAt: number;
  /** Bumped on every write; handy for optimistic checks and tests. */
  version: number;
  archived: boolean;
  data: T;
}

/**
 * One generic in-memory store for every emulator: collections of records with stable
 * insertion order, monotonic timestamps (two writes in the same millisecond still order), and
 * write counters so tests can assert "exactly one write".
 */
export class RecordStore {
  private readonly collections = new Map<string, Map<string, StoredRecord<unknown>>>();
  private readonly writes = new Map<string, number>();
  private lastTime = 0;
  private seq = 0;

  /** A timestamp strictly after the previous one handed out. */
  now(): number {
    this.lastTime = Math.max(Date.now(), this.lastTime + 1);
    return this.lastTime;
  }

  /** Sequential, unique within the store: `prefix` + a zero-padded counter + random tail. */
  nextId(prefix: string, digits = 0): string {
    this.seq += 1;
    if (digits > 0) return `${prefix}${String(this.seq).padStart(digits, '0')}`;
    const tail = Math.random().toString(36).slice(2, 10);
    return `${prefix}${this.seq.toString(36).padStart(6, '0')}${tail}`;
  }

  private col<T>(type: string): Map<string, StoredRecord<T>> {
    let c = this.collections.get(type);
    if (!c) {
      c = new Map();
      this.collections.set(type, c);
    }
    return c as Map<string, StoredRecord<T>>;
  }

  private countWrite(type: string): void {
    this.writes.set(type, (this.writes.get(type) ?? 0) + 1);
  }

  insert<T>(type: string, id: string, data: T): StoredRecord<T> {
    const t = this.now();
    const rec: StoredRecord<T> = {
      id,
      createdAt: t,
      updatedAt: t,
      version: 1,
      archived: false,
      data,
    };
    this.col<T>(type).set(id, rec);
    this.countWrite(type);
    return rec;
  }

  get<T>(type: string, id: string): StoredRecord<T> | undefined {
    return this.col<T>(type).get(id);
  }

  /** Replaces the data (callers merge); bumps updatedAt and version. */
  update<T>(type: string, id: string, data: T): StoredRecord<T> {
    const rec = this.col<T>(type).get(id);
    if (!rec) throw new Error(`${type} ${id} not found`);
    rec.data = data;
    rec.updatedAt = this.now();
    rec.version += 1;
    this.countWrite(type);
    return rec;
  }

  setArchived(type: string, id: string, archived: boolean): void {
    const rec = this.col(type).get(id);
    if (!rec) throw new Error(`${type} ${id} not found`);
    rec.archived = archived;
    rec.updatedAt = this.now();
    rec.version += 1;
    this.countWrite(type);
  }

  remove(type: string, id: string): boolean {
    const removed = this.col(type).delete(id);
    if (removed) this.countWrite(type);
    return removed;
  }

  /** All records of a type in insertion order (archived included; filter as the API does). */
  all<T>(type: string): StoredRecord<T>[] {
    return [...this.col<T>(type).values()];
  }

  find<T>(type: string, predicate: (r: StoredRecord<T>) => boolean): StoredRecord<T>[] {
    return this.all<T>(type).filter(predicate);
  }

  /** Writes (create, update, archive, delete) per type since the last reset. */
  writeCount(type?: string): number {
    if (type) return this.writes.get(type) ?? 0;
    return [...this.writes.values()].reduce((a, n) => a + n, 0);
  }

  reset(): void {
    this.collections.clear();
    this.writes.clear();
    this.seq = 0;
  }
}
