/** PostgreSQL's codes for a transaction that lost a deadlock or a serialization race. */
const RETRYABLE = new Set(['40P01', '40001']);

const isRetryable = (err: unknown): boolean => {
  const code =
    (err as { code?: unknown }).code ??
    (err as { driverError?: { code?: unknown } }).driverError?.code;
  return typeof code === 'string' && RETRYABLE.has(code);
};

/**
 * Runs a transaction again when PostgreSQL chose it as a deadlock victim (it was rolled back
 * whole, so running it again is safe). Statements also take row locks in a sorted order to make
 * this rare; this covers what ordering cannot (two writers of overlapping links).
 */
export async function retryOnDeadlock<T>(work: () => Promise<T>, attempts = 4): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await work();
    } catch (err) {
      if (attempt >= attempts || !isRetryable(err)) throw err;
      await new Promise((r) => setTimeout(r, 20 * attempt + Math.floor(Math.random() * 30)));
    }
  }
}
