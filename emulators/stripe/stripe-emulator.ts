import { randomBytes } from 'node:crypto';
import { type FastifyReply, type FastifyRequest } from 'fastify';
import qs from 'qs';
import { EmulatorHttp } from '../core/emulator-http.js';
import { RecordStore } from '../core/record-store.js';
import { Billing } from './billing.js';
import { catalogRoutes } from './catalog-routes.js';
import { CardPayments } from './card-payments.js';
import { registerControlRoutes } from './control-routes.js';
import { customerRoutes } from './customer-routes.js';
import { WebhookEndpoints } from './event-routes.js';
import { IdempotencyCache } from './idempotency.js';
import { InvoiceItems } from './invoice-items.js';
import { invoiceRoutes } from './invoice-routes.js';
import { MoneyMovements } from './money-routes.js';
import { validateParams, type Params } from './params.js';
import { paymentMethodRoutes } from './payment-method-routes.js';
import { paymentRoutes } from './payment-routes.js';
import { type RouteDef } from './route-table.js';
import { StripeApiError, badApiKey, noApiKey } from './stripe-errors.js';
import { API_VERSION, type Obj, StripeState } from './stripe-state.js';
import { subscriptionRoutes } from './subscription-routes.js';
import {
  WebhookDelivery,
  type DeliveryMode,
  type DeliveryModeOptions,
  type DeliveryOptions,
  type DeliveryRecord,
} from './webhook-delivery.js';

export type StripeEmulatorOptions = DeliveryOptions;

const QS = { arrayLimit: 1000, depth: 10, parameterLimit: 10_000 } as const;

/** The API key from `Bearer sk_test_…` or basic auth (key as user); null if none. */
function apiKeyOf(header: string | undefined): string | null {
  if (!header) return null;
  const [scheme, value = ''] = header.trim().split(/\s+/, 2);
  if (/^bearer$/i.test(scheme ?? '')) return value || null;
  if (/^basic$/i.test(scheme ?? '')) {
    const user = Buffer.from(value, 'base64').toString('utf8').split(':')[0];
    return user || null;
  }
  return null;
}

/**
 * A Stripe API emulator for tests and demos: the real `stripe` SDK can point at it (host,
 * port, protocol: 'http'). Form-encoded requests, Stripe's object shapes and errors,
 * idempotency, expand, events and signed webhook delivery, on the shared emulator core.
 */
export class StripeEmulator {
  readonly http = new EmulatorHttp('stripe');
  readonly store = new RecordStore();
  readonly state = new StripeState(this.store);
  readonly cards = new CardPayments(this.state);
  readonly billing = new Billing(this.state, this.cards);
  readonly invoiceItems = new InvoiceItems(this.state, this.billing);
  readonly money = new MoneyMovements(this.state);
  readonly endpoints = new WebhookEndpoints(this.state);
  readonly webhooks: WebhookDelivery;
  private readonly idempotency = new IdempotencyCache();
  private readonly renew: (id: string) => Obj;

  constructor(options: StripeEmulatorOptions = {}) {
    this.webhooks = new WebhookDelivery(options, (eventId) => this.delivered(eventId));
    const subs = subscriptionRoutes(this.state, this.cards, this.billing);
    this.renew = subs.renew;
    this.state.onEvent((event) => this.dispatch(event));
    this.http.onReset(() => {
      this.store.reset();
      this.state.forgetListings();
      this.idempotency.reset();
      this.cards.reset();
      this.endpoints.reset();
      this.webhooks.reset();
    });
    const app = this.http.app;
    app.addContentTypeParser(
      'application/x-www-form-urlencoded',
      { parseAs: 'string' },
      (_req, body, done) => done(null, qs.parse(String(body), QS)),
    );
    const routes: RouteDef[] = [
      ...customerRoutes(this.state, this.cards),
      ...catalogRoutes(this.state),
      ...subs.routes,
      ...invoiceRoutes(this.state, this.billing, this.invoiceItems),
      ...this.invoiceItems.routes(),
      ...paymentMethodRoutes(this.state, this.cards),
      ...paymentRoutes(this.state, this.cards),
      ...this.money.routes(),
      ...this.endpoints.routes(),
    ];
    for (const def of routes) {
      app.route({
        method: def.method,
        url: def.path,
        handler: (req, reply) => this.handle(def, req, reply),
      });
    }
    app.setNotFoundHandler(async (req, reply) =>
      reply.code(404).send({
        error: {
          type: 'invalid_request_error',
          message: `Unrecognized request URL (${req.method}: ${req.url.split('?')[0] ?? ''}). The Stripe emulator does not implement it.`,
        },
      }),
    );
    registerControlRoutes(app, this);
  }

  start(port = 0): Promise<string> {
    return this.http.listen(port, '127.0.0.1');
  }

  async stop(): Promise<void> {
    await this.http.close();
  }

  reset(): void {
    this.http.reset();
  }

  get baseUrl(): string {
    return this.http.baseUrl;
  }

  addWebhookEndpoint(url: string, secret?: string): { id: string; secret: string } {
    const endpoint = this.endpoints.add(url, secret);
    return { id: String(endpoint.id), secret: String(endpoint.secret) };
  }

  setDeliveryMode(mode: DeliveryMode, opts?: DeliveryModeOptions): void {
    this.webhooks.setMode(mode, opts);
  }

  flushDeliveries(): Promise<void> {
    return this.webhooks.flush();
  }

  deliveries(): DeliveryRecord[] {
    return this.webhooks.deliveries();
  }

  /** Test hook: the next card payment (of `customer`, or anyone) is declined. */
  failNextPayment(customer?: string): void {
    this.cards.failNextPayment(customer);
  }

  /** Test hook: a dispute on a charge (`charge.dispute.created`). */
  openDispute(charge: string, opts: { amount?: number; reason?: string } = {}): Obj {
    return this.withoutRequest(() => this.money.openDispute(charge, opts));
  }

  markPayoutPaid(id: string): Obj {
    return this.withoutRequest(() => this.money.setPayoutStatus(id, 'paid'));
  }

  /** Test hook: bill a subscription's next period now. */
  renewSubscription(id: string): Obj {
    return this.withoutRequest(() => this.renew(id));
  }

  private withoutRequest<T>(run: () => T): T {
    this.state.request = { id: null, idempotency_key: null };
    return run();
  }

  private dispatch(event: Obj): void {
    const targets = this.webhooks.targets(this.endpoints.active(), String(event.type));
    if (targets.length === 0) return;
    const id = String(event.id);
    this.store.update('event', id, {
      ...this.state.raw('event', id),
      pending_webhooks: targets.length,
    });
    this.webhooks.dispatch(targets, { ...event, pending_webhooks: targets.length });
  }

  private delivered(eventId: string): void {
    const rec = this.store.get<Obj>('event', eventId);
    if (!rec) return;
    rec.data = {
      ...rec.data,
      pending_webhooks: Math.max(0, Number(rec.data.pending_webhooks) - 1),
    };
  }

  private async handle(
    def: RouteDef,
    req: FastifyRequest,
    reply: FastifyReply,
  ): Promise<FastifyReply> {
    const requestId = `req_${randomBytes(7).toString('hex')}`;
    reply
      .header('request-id', requestId)
      .header('stripe-version', String(req.headers['stripe-version'] ?? API_VERSION));
    const send = (status: number, body: unknown) => reply.code(status).send(body);
    const key = apiKeyOf(req.headers.authorization);
    if (!key) return send(401, noApiKey().toJSON());
    if (!/^(sk|rk)_test_/.test(key)) return send(401, badApiKey(key).toJSON());

    const query = qs.parse(req.url.split('?')[1] ?? '', QS) as Params;
    const raw: Params =
      def.method === 'POST' && typeof req.body === 'object' && req.body !== null
        ? { ...query, ...(req.body as Params) }
        : query;
    const idemKey =
      def.method === 'POST'
        ? ((req.headers['idempotency-key'] as string | undefined) ?? null)
        : null;
    const fingerprint = `${def.method} ${req.url.split('?')[0] ?? ''} ${JSON.stringify(raw)}`;
    try {
      if (idemKey) {
        reply.header('idempotency-key', idemKey);
        const saved = this.idempotency.lookup(key, idemKey, fingerprint);
        if (saved)
          return reply.header('idempotent-replayed', 'true').code(saved.status).send(saved.body);
      }
    } catch (err) {
      return send((err as StripeApiError).status, (err as StripeApiError).toJSON());
    }

    let status = 200;
    let body: unknown;
    try {
      const params = validateParams(def.params, raw);
      const id = (req.params as Record<string, string>).id ?? '';
      this.state.request = { id: requestId, idempotency_key: idemKey };
      const out = def.handler({ id, params, path: req.params as Record<string, string> });
      body = this.state.expand(out, params.expand);
    } catch (err) {
      if (err instanceof StripeApiError) {
        status = err.status;
        body = err.toJSON();
      } else {
        status = 500;
        body = {
          error: { type: 'api_error', message: `Emulator error: ${(err as Error).message}` },
        };
      }
    } finally {
      this.state.request = { id: null, idempotency_key: null };
    }
    if (idemKey) this.idempotency.save(key, idemKey, fingerprint, status, body);
    return send(status, body);
  }
}
