import { Injectable } from '@nestjs/common';
import { stripeIdempotencyKey } from '../domain/idempotency-key.js';
import { StripeClient } from './stripe.client.js';

/** A Stripe object as plain JSON, the way events carry it and the planner reads it. */
export type StripeObject = Record<string, unknown> & { id: string };

export interface StripePage {
  objects: StripeObject[];
  hasMore: boolean;
}

/** Stripe errors that will not succeed if the same request is sent again. */
export function isPermanentStripeError(err: unknown): boolean {
  const e = err as { type?: string; statusCode?: number };
  if (e.type === 'StripeInvalidRequestError' || e.type === 'StripePermissionError') return true;
  return (
    e.statusCode !== undefined && e.statusCode >= 400 && e.statusCode < 500 && e.statusCode !== 429
  );
}

/**
 * Reads and writes of the Stripe objects the engine syncs, by object type. Writes carry an
 * Idempotency-Key derived from the object, the job and the exact parameters (see
 * domain/idempotency-key.ts).
 */
@Injectable()
export class StripeRecords {
  constructor(private readonly stripe: StripeClient) {}

  async retrieve(type: string, id: string): Promise<StripeObject> {
    switch (type) {
      case 'customer':
        return asObject(await this.stripe.api.customers.retrieve(id));
      default:
        throw new Error(`Stripe object type ${type} is not synced yet`);
    }
  }

  /**
   * Updates an object. `writtenAt` is Stripe's clock (the response's Date header, whole
   * seconds) for when the write happened: any event created before it describes older state.
   */
  async update(
    type: string,
    id: string,
    params: Record<string, unknown>,
    job: string,
  ): Promise<{ object: StripeObject; writtenAt: Date | null }> {
    const idempotencyKey = stripeIdempotencyKey({
      stripeObject: type,
      stripeId: id,
      job,
      params,
    });
    let result: unknown;
    switch (type) {
      case 'customer':
        result = await this.stripe.api.customers.update(id, params, {
          idempotencyKey,
        });
        break;
      default:
        throw new Error(`Stripe object type ${type} is not synced yet`);
    }
    return { object: asObject(result), writtenAt: responseDate(result) };
  }

  /** One page of live objects, oldest-id-first paging by `starting_after`. */
  async list(type: string, after: string | null, limit = 100): Promise<StripePage> {
    switch (type) {
      case 'customer': {
        const page = await this.stripe.api.customers.list({
          limit,
          ...(after ? { starting_after: after } : {}),
        });
        return { objects: page.data.map(asObject), hasMore: page.has_more };
      }
      default:
        throw new Error(`Stripe object type ${type} is not synced yet`);
    }
  }
}

const asObject = (o: unknown): StripeObject => {
  // Drop the SDK's non-enumerable response metadata; keep the JSON the API sent.
  return JSON.parse(JSON.stringify(o)) as StripeObject;
};

function responseDate(result: unknown): Date | null {
  const headers = (result as { lastResponse?: { headers?: Record<string, unknown> } }).lastResponse
    ?.headers;
  const date = typeof headers?.date === 'string' ? new Date(headers.date) : null;
  return date && !Number.isNaN(date.getTime()) ? date : null;
}
