/** Per key (e.g. a refusal reason): when a line was last written, and how many were not since. */
export interface LogWindow {
  loggedAt: number;
  suppressed: number;
}

export type LogDecision =
  /** Write the line, saying how many of its kind were left out since the last one. */
  { log: true; suppressed: number; next: LogWindow } | { log: false; next: LogWindow };

/**
 * At most one line per key per window: a flood of identical refusals (a misconfigured sender
 * retrying) costs one line every `windowMs`, and the next line written counts what was left
 * out. A clock that went backwards opens a new window rather than silencing the key.
 */
export function decideLog(prev: LogWindow | undefined, now: number, windowMs: number): LogDecision {
  if (prev === undefined)
    return { log: true, suppressed: 0, next: { loggedAt: now, suppressed: 0 } };
  const elapsed = now - prev.loggedAt;
  if (elapsed >= windowMs || elapsed < 0) {
    return { log: true, suppressed: prev.suppressed, next: { loggedAt: now, suppressed: 0 } };
  }
  return { log: false, next: { loggedAt: prev.loggedAt, suppressed: prev.suppressed + 1 } };
}
