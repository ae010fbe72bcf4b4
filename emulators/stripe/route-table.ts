import { type ParamSpec, type Params } from './params.js';
import { type Obj } from './stripe-state.js';

/** One Stripe endpoint: its allow-listed params and a synchronous handler. */
export interface RouteDef {
  method: 'GET' | 'POST' | 'DELETE';
  /** Fastify path, e.g. `/v1/customers/:id`. */
  path: string;
  params: ParamSpec;
  handler: (req: { id: string; params: Params; path: Record<string, string> }) => Obj;
}

/** Paging params every list endpoint accepts. */
export const LIST: ParamSpec = {
  limit: 'integer',
  starting_after: 'string',
  ending_before: 'string',
  created: 'range',
};

export const route = (
  method: RouteDef['method'],
  path: string,
  params: ParamSpec,
  handler: RouteDef['handler'],
): RouteDef => ({ method, path, params, handler });
