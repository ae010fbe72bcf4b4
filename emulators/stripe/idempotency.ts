import { idempotencyMismatch } from './stripe-errors.js';

interface Saved {
  fingerprint: string;
  status: number;
  body: unknown;
  at: number;
}

/** 24 h, like Stripe; the emulator rarely lives that long. */
const TTL_MS = 24 * 60 * 60 * 1000;

/**
 * Stripe's idempotency: a key (per API key) replays the first response for the same method,
 * path and params; different params are an `idempotency_error`. 5xx responses are not saved,
 * so a retry after a server error runs again.
 */
export class IdempotencyCache {
  private readonly saved = new Map<string, Saved>();

  /** The saved response to replay, or null to run the request. Throws on a mismatch. */
  lookup(apiKey: string, key: string, fingerprint: string): Saved | null {
    const hit = this.saved.get(`${apiKey}\n${key}`);
    if (!hit || Date.now() - hit.at > TTL_MS) return null;
    if (hit.fingerprint !== fingerprint) throw idempotencyMismatch(key);
    return hit;
  }

  save(apiKey: string, key: string, fingerprint: string, status: number, body: unknown): void {
    if (status >= 500) return;
    this.saved.set(`${apiKey}\n${key}`, { fingerprint, status, body, at: Date.now() });
  }

  reset(): void {
    this.saved.clear();
  }
}
