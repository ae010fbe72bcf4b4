import { type FastifyInstance } from 'fastify';
import { StripeApiError, invalid } from './stripe-errors.js';
import { type DeliveryMode } from './webhook-delivery.js';
import { type Obj } from './stripe-state.js';
import type { StripeEmulator } from './stripe-emulator.js';

const MODES: DeliveryMode[] = ['normal', 'duplicate', 'late', 'reverse'];

/**
 * Stripe-specific test hooks under /_emulator/stripe (JSON bodies, no API key, never faulted):
 * webhook delivery modes, disputes, payout outcomes, payment failures, subscription renewals.
 */
export function registerControlRoutes(app: FastifyInstance, emu: StripeEmulator): void {
  const hook = <B>(path: string, run: (body: B, params: Record<string, string>) => unknown) =>
    app.post<{ Body: B; Params: Record<string, string> }>(
      `/_emulator/stripe${path}`,
      async (req, reply) => {
        try {
          const out = await run((req.body ?? {}) as B, req.params);
          return reply.send(out ?? { ok: true });
        } catch (err) {
          if (err instanceof StripeApiError) return reply.code(err.status).send(err.toJSON());
          throw err;
        }
      },
    );

  hook<{ mode?: string; delayMs?: number; count?: number }>('/delivery', (b) => {
    const mode = b.mode as DeliveryMode;
    if (!MODES.includes(mode)) throw invalid(`mode must be one of ${MODES.join(', ')}`, 'mode');
    emu.setDeliveryMode(mode, { delayMs: b.delayMs, count: b.count });
    return { mode };
  });
  hook('/flush', async () => {
    await emu.flushDeliveries();
    return { data: emu.deliveries() };
  });
  app.get('/_emulator/stripe/deliveries', async () => ({ data: emu.deliveries() }));
  hook<{ url?: string; secret?: string }>('/webhook_endpoints', (b) => {
    if (!b.url) throw invalid('Missing required param: url.', 'url', 'parameter_missing');
    return emu.addWebhookEndpoint(b.url, b.secret);
  });
  hook<{ charge?: string; amount?: number; reason?: string }>('/disputes', (b) => {
    if (!b.charge) throw invalid('Missing required param: charge.', 'charge', 'parameter_missing');
    return emu.openDispute(b.charge, b);
  });
  hook<Obj>('/payouts/:id/paid', (_b, p) => emu.money.setPayoutStatus(p.id ?? '', 'paid'));
  hook<Obj>('/payouts/:id/failed', (_b, p) => emu.money.setPayoutStatus(p.id ?? '', 'failed'));
  hook<{ customer?: string }>('/fail_next_payment', (b) => {
    emu.failNextPayment(b.customer);
    return { ok: true };
  });
  hook<Obj>('/subscriptions/:id/renew', (_b, p) => emu.renewSubscription(p.id ?? ''));
}
