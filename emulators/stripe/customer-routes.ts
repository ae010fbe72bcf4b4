import { invalid, missingParam, notFound } from './stripe-errors.js';
import { checkOneOf } from './limits.js';
import { hash, mergeMetadata, nullable, str, type ParamSpec, type Params } from './params.js';
import { LIST, route, type RouteDef } from './route-table.js';
import { type CardPayments } from './card-payments.js';
import { ADDRESS_NULLS, isRecord, type Obj, type StripeState } from './stripe-state.js';

// Lengths are the `maxLength`s of Stripe's OpenAPI spec (2024-04-10) for these params.
const ADDRESS: ParamSpec = {
  city: 'string:5000',
  country: 'string:5000',
  line1: 'string:5000',
  line2: 'string:5000',
  postal_code: 'string:5000',
  state: 'string:5000',
};

const CUSTOMER_FIELDS: ParamSpec = {
  address: ADDRESS,
  balance: 'integer',
  description: 'string:5000',
  email: 'email',
  name: 'string:256',
  phone: 'string:20',
  metadata: 'metadata',
  preferred_locales: 'strings',
  shipping: { address: ADDRESS, name: 'string:5000', phone: 'string:5000' },
  tax_exempt: 'string',
  invoice_prefix: 'string:5000',
  invoice_settings: {
    default_payment_method: 'string:5000',
    footer: 'string:5000',
    custom_fields: 'any',
    rendering_options: 'any',
  },
  source: 'string:5000',
  test_clock: 'string:5000',
};

/** A list endpoint's filter: the `created` range plus exact matches on the given params. */
export function listFilter(p: Params, fields: readonly string[]): (o: Obj) => boolean {
  const created = createdFilter(p);
  return (o) => created(o) && fields.every((f) => !p[f] || o[f] === p[f]);
}

/** `created[gte]` etc. as a predicate on unix seconds. */
export function createdFilter(p: Params): (o: Obj) => boolean {
  const c = p.created;
  if (c === undefined) return () => true;
  if (typeof c === 'number') return (o) => o.created === c;
  const r = isRecord(c) ? (c as Record<string, number | undefined>) : {};
  return (o) => {
    const t = Number(o.created);
    return (
      (r.gt === undefined || t > r.gt) &&
      (r.gte === undefined || t >= r.gte) &&
      (r.lt === undefined || t < r.lt) &&
      (r.lte === undefined || t <= r.lte)
    );
  };
}

/** Copies the simple fields present in `p` onto `o` ("" unsets), merging metadata. */
export function applyFields(o: Obj, p: Params, fields: string[]): void {
  for (const f of fields) {
    if (p[f] === undefined) continue;
    if (f === 'metadata') o.metadata = mergeMetadata(o.metadata, p.metadata);
    else o[f] = nullable(p[f]);
  }
}

const invoicePrefix = (): string =>
  Math.random().toString(16).slice(2, 9).toUpperCase().padEnd(7, '0');

export function customerRoutes(s: StripeState, cards: CardPayments): RouteDef[] {
  /** A customer that is not deleted (updates to deleted customers are 404s, as in Stripe). */
  const live = (id: string, param = 'id'): Obj => {
    const rec = s.store.get<Obj>('customer', id);
    if (!rec || rec.archived) throw notFound('customer', id, param);
    return rec.data;
  };
  const simple = ['balance', 'description', 'email', 'name', 'phone', 'metadata', 'tax_exempt'];
  const checkEnums = (p: Params) =>
    checkOneOf(p.tax_exempt, ['none', 'reverse', 'exempt'], 'tax_exempt');
  const settings = (o: Obj, p: Params, attaching?: string) => {
    const given = hash(p, 'invoice_settings');
    if (!given) return;
    const current = isRecord(o.invoice_settings) ? o.invoice_settings : {};
    const pm = given.default_payment_method;
    if (typeof pm === 'string' && pm !== '' && pm !== attaching) {
      // A test shortcut names no card of this customer's (attaching one makes a fresh pm_).
      const method = cards.isShortcut(pm)
        ? null
        : cards.paymentMethod(pm, 'invoice_settings[default_payment_method]');
      if (method?.customer !== o.id) {
        throw invalid(
          `No such PaymentMethod: '${pm}'; It's possible this PaymentMethod exists on one of your connected accounts, in which case you should retry this request on that connected account.`,
          'invoice_settings[default_payment_method]',
          'resource_missing',
        );
      }
    }
    o.invoice_settings = {
      ...current,
      ...Object.fromEntries(Object.entries(given).map(([k, v]) => [k, nullable(v)])),
    };
  };
  // Both are replaced whole, never merged (Stripe's semantics: only metadata merges per key).
  const address = (o: Obj, p: Params) => {
    if (p.address !== undefined)
      o.address = p.address === '' ? null : { ...ADDRESS_NULLS, ...hash(p, 'address') };
    const shipping = hash(p, 'shipping');
    if (p.shipping === '') o.shipping = null;
    else if (shipping) {
      // Stripe requires both in a shipping hash (the spec's `required: [address, name]`).
      if (!shipping.address) throw missingParam('shipping[address]');
      if (!shipping.name) throw missingParam('shipping[name]');
      o.shipping = {
        address: { ...ADDRESS_NULLS, ...hash(shipping, 'address') },
        name: shipping.name,
        phone: shipping.phone ?? null,
      };
    }
    if (p.preferred_locales !== undefined) o.preferred_locales = p.preferred_locales;
  };

  return [
    route(
      'POST',
      '/v1/customers',
      { ...CUSTOMER_FIELDS, payment_method: 'string:5000' },
      ({ params }) => {
        checkEnums(params);
        const id = s.newId('customer');
        const fields: Obj = {
          id,
          invoice_prefix: str(params, 'invoice_prefix') ?? invoicePrefix(),
          invoice_settings: {
            custom_fields: null,
            default_payment_method: null,
            footer: null,
            rendering_options: null,
          },
          next_invoice_sequence: 1,
          tax_exempt: 'none',
        };
        applyFields(fields, params, simple);
        address(fields, params);
        const given = str(params, 'payment_method');
        if (given && !cards.isShortcut(given)) cards.paymentMethod(given, 'payment_method');
        settings(fields, params, given);
        // Everything is checked: only now may a shortcut become a stored card.
        const pm = given ? String(cards.instantiate(given).id) : undefined;
        const invoiceSettings = fields.invoice_settings as Obj;
        // `stripe trigger customer.subscription.created` names the same shortcut as the default:
        // it means the card this request attaches.
        if (given && invoiceSettings.default_payment_method === given)
          invoiceSettings.default_payment_method = pm;
        const created = s.create('customer', fields, id);
        s.emit('customer.created', created);
        if (pm) s.update('payment_method', pm, (m) => (m.customer = id), 'payment_method.attached');
        return created;
      },
    ),
    route('GET', '/v1/customers/:id', {}, ({ id }) => {
      const rec = s.store.get<Obj>('customer', id);
      if (!rec) throw notFound('customer', id);
      return rec.archived ? { id, object: 'customer', deleted: true } : s.get('customer', id);
    }),
    route(
      'POST',
      '/v1/customers/:id',
      { ...CUSTOMER_FIELDS, default_source: 'string:500' },
      ({ id, params }) => {
        live(id);
        checkEnums(params);
        return s.update('customer', id, (o) => {
          applyFields(o, params, simple);
          address(o, params);
          settings(o, params);
        });
      },
    ),
    route('DELETE', '/v1/customers/:id', {}, ({ id }) => {
      const before = s.get('customer', id);
      live(id);
      s.store.setArchived('customer', id, true);
      s.emit('customer.deleted', before);
      return { id, object: 'customer', deleted: true };
    }),
    route(
      'GET',
      '/v1/customers',
      { ...LIST, email: 'string', test_clock: 'string' },
      ({ params }) => {
        const email = str(params, 'email');
        const created = createdFilter(params);
        const filtered = email !== undefined || params.created !== undefined;
        return s.page(
          'customer',
          '/v1/customers',
          params,
          filtered ? (o) => (email === undefined || o.email === email) && created(o) : undefined,
        );
      },
    ),
    route(
      'GET',
      '/v1/customers/:id/payment_methods',
      { ...LIST, type: 'string' },
      ({ id, params }) => {
        live(id);
        const type = str(params, 'type');
        const items = s.all(
          'payment_method',
          (o) => o.customer === id && (!type || o.type === type),
        );
        return s.list(`/v1/customers/${id}/payment_methods`, items, params);
      },
    ),
  ];
}
