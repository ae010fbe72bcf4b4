/**
 * Delay before retry number `attempt` (1-based): base·2^(attempt−1), jittered to 50–100% so a
 * burst of failures does not retry in lockstep, capped at maxMs. A server's Retry-After is a
 * floor, but the cap still holds so one bad header cannot stall a worker.
 */
export function retryDelayMs(
  attempt: number,
  opts: { baseMs: number; maxMs: number },
  random: () => number,
  retryAfterMs?: number,
): number {
  const n = Math.max(1, Math.floor(attempt));
  // 2^1024 is Infinity: clamp the exponent, the cap applies long before.
  const exponential = opts.baseMs * 2 ** Math.min(n - 1, 1000);
  const r = Math.min(1, Math.max(0, random()));
  let delay = Math.min(exponential * (0.5 + 0.5 * r), opts.maxMs);
  if (retryAfterMs !== undefined && Number.isFinite(retryAfterMs))
    delay = Math.max(delay, retryAfterMs);
  return Math.round(Math.min(delay, opts.maxMs));
}

/** True once a job has used all its attempts and should go to the dead-letter queue. */
export function shouldDeadLetter(attempts: number, maxAttempts: number): boolean {
  return attempts >= maxAttempts;
}
