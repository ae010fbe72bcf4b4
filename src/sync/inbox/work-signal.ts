import { Injectable } from '@nestjs/common';

/**
 * Wakes this process's idle workers when work arrives (a webhook stored, a poll queued
 * changes), so latency is not bound to the idle poll. Other replicas find the rows by polling.
 */
@Injectable()
export class WorkSignal {
  private waiters: (() => void)[] = [];

  notify(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }

  /** Resolves on the next notify() or after `ms`, whichever comes first. */
  wait(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.waiters = this.waiters.filter((w) => w !== done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.waiters.push(done);
    });
  }
}
