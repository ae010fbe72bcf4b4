import { notFound } from './stripe-errors.js';
import { requireParams, str, type Params } from './params.js';
import { LIST, route, type RouteDef } from './route-table.js';
import { applyFields, createdFilter } from './customer-routes.js';
import { newWebhookSecret, type WebhookEndpointInfo } from './webhook-delivery.js';
import { API_VERSION, type Obj, type StripeState } from './stripe-state.js';

const THIRTY_DAYS_S = 30 * 24 * 60 * 60;

const typeMatches = (pattern: string, type: string): boolean =>
  pattern === type || (pattern.endsWith('*') && type.startsWith(pattern.slice(0, -1)));

/** Webhook endpoints (their secrets are kept aside: Stripe shows one only on create). */
export class WebhookEndpoints {
  private readonly secrets = new Map<string, string>();

  constructor(private readonly s: StripeState) {}

  reset(): void {
    this.secrets.clear();
  }

  add(
    url: string,
    secret = newWebhookSecret(),
    enabledEvents: string[] = ['*'],
    extra: Params = {},
  ): Obj {
    const endpoint = this.s.create('webhook_endpoint', {
      api_version: extra.api_version ?? API_VERSION,
      description: extra.description ?? null,
      enabled_events: enabledEvents,
      metadata: extra.metadata ?? {},
      status: 'enabled',
      url,
    });
    this.secrets.set(String(endpoint.id), secret);
    return { ...endpoint, secret };
  }

  active(): WebhookEndpointInfo[] {
    return this.s.all('webhook_endpoint').map((e) => ({
      id: String(e.id),
      url: String(e.url),
      secret: this.secrets.get(String(e.id)) ?? '',
      enabledEvents: Array.isArray(e.enabled_events) ? (e.enabled_events as string[]) : ['*'],
      status: e.status === 'disabled' ? 'disabled' : 'enabled',
    }));
  }

  routes(): RouteDef[] {
    const s = this.s;
    const fields = {
      url: 'string',
      enabled_events: 'strings',
      description: 'string',
      metadata: 'metadata',
      api_version: 'string',
      connect: 'boolean',
      disabled: 'boolean',
    } as const;
    return [
      route('POST', '/v1/webhook_endpoints', fields, ({ params }) => {
        requireParams(params, 'url', 'enabled_events');
        return this.add(String(params.url), undefined, params.enabled_events as string[], params);
      }),
      route('GET', '/v1/webhook_endpoints/:id', {}, ({ id }) => s.get('webhook_endpoint', id)),
      route('POST', '/v1/webhook_endpoints/:id', fields, ({ id, params }) => {
        s.raw('webhook_endpoint', id);
        return s.update(
          'webhook_endpoint',
          id,
          (o) => {
            applyFields(o, params, ['url', 'enabled_events', 'description', 'metadata']);
            if (params.disabled !== undefined)
              o.status = params.disabled === true ? 'disabled' : 'enabled';
          },
          null,
        );
      }),
      route('DELETE', '/v1/webhook_endpoints/:id', {}, ({ id }) => {
        s.raw('webhook_endpoint', id);
        s.store.remove('webhook_endpoint', id);
        this.secrets.delete(id);
        return { id, object: 'webhook_endpoint', deleted: true };
      }),
      route('GET', '/v1/webhook_endpoints', LIST, ({ params }) =>
        s.list('/v1/webhook_endpoints', s.all('webhook_endpoint'), params),
      ),

      route('GET', '/v1/events/:id', {}, ({ id }) => {
        const e = s.get('event', id);
        if (Number(e.created) < Date.now() / 1000 - THIRTY_DAYS_S) throw notFound('event', id);
        return e;
      }),
      route(
        'GET',
        '/v1/events',
        { ...LIST, type: 'string', types: 'strings', delivery_success: 'boolean' },
        ({ params }) => {
          const type = str(params, 'type');
          const types = Array.isArray(params.types) ? (params.types as string[]) : null;
          const created = createdFilter(params);
          const oldest = Date.now() / 1000 - THIRTY_DAYS_S;
          const items = s.all(
            'event',
            (e) =>
              Number(e.created) >= oldest &&
              created(e) &&
              (!type || typeMatches(type, String(e.type))) &&
              (!types || types.some((t) => typeMatches(t, String(e.type)))),
          );
          return s.list('/v1/events', items, params);
        },
      ),
    ];
  }
}
