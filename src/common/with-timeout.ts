/**
 * The answer, or a rejection with `onTimeout()` after `ms`. CRM SDKs cannot cancel a request
 * (or, like jsforce, only after 30 minutes), so its late answer is ignored: callers use this
 * where repeating the request is harmless (reads, upserts, updates).
 */
export function withTimeout<T>(p: Promise<T>, ms: number, onTimeout: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(onTimeout()), ms);
  });
  p.catch(() => undefined); // a late failure after the timeout is not an unhandled rejection
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}
