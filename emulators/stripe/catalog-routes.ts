import { invalid, notFound } from './stripe-errors.js';
import { bool, hash, int, requireParams, str, type ParamSpec, type Params } from './params.js';
import { LIST, route, type RouteDef } from './route-table.js';
import { applyFields, createdFilter } from './customer-routes.js';
import { unix, type Obj, type StripeState } from './stripe-state.js';

const PRODUCT_FIELDS: ParamSpec = {
  name: 'string',
  active: 'boolean',
  description: 'string',
  metadata: 'metadata',
  images: 'strings',
  shippable: 'boolean',
  statement_descriptor: 'string',
  tax_code: 'string',
  unit_label: 'string',
  url: 'string',
  marketing_features: 'any',
  package_dimensions: 'any',
  default_price: 'string',
};

const RECURRING: ParamSpec = {
  interval: 'string',
  interval_count: 'integer',
  usage_type: 'string',
  trial_period_days: 'integer',
  meter: 'string',
};

const PRICE_CREATE: ParamSpec = {
  currency: 'string',
  unit_amount: 'integer',
  unit_amount_decimal: 'string',
  product: 'string',
  product_data: { name: 'string', active: 'boolean', metadata: 'metadata', unit_label: 'string' },
  recurring: RECURRING,
  nickname: 'string',
  lookup_key: 'string',
  active: 'boolean',
  metadata: 'metadata',
  tax_behavior: 'string',
  billing_scheme: 'string',
  transfer_lookup_key: 'boolean',
};

/** What a price update may change; everything else about a price is immutable. */
const PRICE_MUTABLE = ['active', 'metadata', 'nickname', 'lookup_key', 'tax_behavior'];

const INTERVALS = ['day', 'week', 'month', 'year'];

export function catalogRoutes(s: StripeState): RouteDef[] {
  const productFields = Object.keys(PRODUCT_FIELDS);

  const createProduct = (p: Params): Obj => {
    requireParams(p, 'name');
    const fields: Obj = { type: 'service', updated: unix() };
    applyFields(fields, p, productFields);
    const product = s.create('product', fields);
    s.emit('product.created', product);
    return product;
  };

  const priceList = (p: Params) => {
    const created = createdFilter(p);
    const keys = Array.isArray(p.lookup_keys) ? (p.lookup_keys as string[]) : null;
    return s.all(
      'price',
      (o) =>
        created(o) &&
        (p.product === undefined || o.product === p.product) &&
        (p.active === undefined || o.active === p.active) &&
        (p.type === undefined || o.type === p.type) &&
        (p.currency === undefined || o.currency === p.currency) &&
        (keys === null || keys.includes(String(o.lookup_key))),
    );
  };

  return [
    route('POST', '/v1/products', { ...PRODUCT_FIELDS, id: 'string' }, ({ params }) =>
      createProduct(params),
    ),
    route('GET', '/v1/products/:id', {}, ({ id }) => {
      const rec = s.store.get<Obj>('product', id);
      if (!rec) throw notFound('product', id);
      return rec.archived ? { id, object: 'product', deleted: true } : s.get('product', id);
    }),
    route('POST', '/v1/products/:id', PRODUCT_FIELDS, ({ id, params }) => {
      s.raw('product', id);
      const defaultPrice = str(params, 'default_price');
      if (defaultPrice) s.raw('price', defaultPrice, 'default_price');
      return s.update('product', id, (o) => {
        applyFields(o, params, productFields);
        o.updated = unix();
      });
    }),
    route('DELETE', '/v1/products/:id', {}, ({ id }) => {
      const before = s.get('product', id);
      if (s.all('price', (o) => o.product === id).length > 0) {
        throw invalid(
          'This product cannot be deleted because it has one or more user-created prices.',
        );
      }
      s.store.setArchived('product', id, true);
      s.emit('product.deleted', before);
      return { id, object: 'product', deleted: true };
    }),
    route(
      'GET',
      '/v1/products',
      { ...LIST, active: 'boolean', ids: 'strings', shippable: 'boolean', url: 'string' },
      ({ params }) => {
        const ids = Array.isArray(params.ids) ? (params.ids as string[]) : null;
        const created = createdFilter(params);
        const items = s.all(
          'product',
          (o) =>
            created(o) &&
            (params.active === undefined || o.active === params.active) &&
            (ids === null || ids.includes(String(o.id))),
        );
        return s.list('/v1/products', items, params);
      },
    ),

    route('POST', '/v1/prices', PRICE_CREATE, ({ params }) => {
      requireParams(params, 'currency');
      let product = str(params, 'product');
      if (product) s.raw('product', product, 'product');
      else if (hash(params, 'product_data'))
        product = String(createProduct(hash(params, 'product_data') ?? {}).id);
      else throw invalid('Missing required param: product.', 'product', 'parameter_missing');
      const unitAmount =
        int(params, 'unit_amount') ??
        (params.unit_amount_decimal ? Number(params.unit_amount_decimal) : undefined);
      if (unitAmount === undefined) {
        throw invalid('Missing required param: unit_amount.', 'unit_amount', 'parameter_missing');
      }
      const rec = hash(params, 'recurring');
      if (rec && !INTERVALS.includes(String(rec.interval))) {
        throw invalid(
          `Invalid recurring[interval]: must be one of ${INTERVALS.join(', ')}`,
          'recurring[interval]',
        );
      }
      const price = s.create('price', {
        active: bool(params, 'active') ?? true,
        billing_scheme: str(params, 'billing_scheme') ?? 'per_unit',
        currency: String(params.currency).toLowerCase(),
        lookup_key: str(params, 'lookup_key') ?? null,
        metadata: params.metadata && params.metadata !== '' ? params.metadata : {},
        nickname: str(params, 'nickname') ?? null,
        product,
        recurring: rec
          ? {
              interval: rec.interval,
              interval_count: rec.interval_count ?? 1,
              meter: rec.meter ?? null,
              usage_type: rec.usage_type ?? 'licensed',
              trial_period_days: rec.trial_period_days ?? null,
            }
          : null,
        tax_behavior: str(params, 'tax_behavior') ?? 'unspecified',
        type: rec ? 'recurring' : 'one_time',
        unit_amount: unitAmount,
        unit_amount_decimal: String(unitAmount),
      });
      s.emit('price.created', price);
      return price;
    }),
    route('GET', '/v1/prices/:id', {}, ({ id }) => s.get('price', id)),
    // Every create field is accepted here so that changing one gets the helpful error below.
    route('POST', '/v1/prices/:id', PRICE_CREATE, ({ id, params }) => {
      s.raw('price', id);
      const immutable = Object.keys(params).find(
        (k) => k !== 'expand' && !PRICE_MUTABLE.includes(k),
      );
      if (immutable) {
        throw invalid(
          `Received unknown parameter: ${immutable}. Prices are immutable: only ${PRICE_MUTABLE.join(', ')} can be updated; create a new price instead.`,
          immutable,
          'parameter_unknown',
        );
      }
      return s.update('price', id, (o) => applyFields(o, params, PRICE_MUTABLE));
    }),
    route(
      'GET',
      '/v1/prices',
      {
        ...LIST,
        active: 'boolean',
        currency: 'string',
        product: 'string',
        type: 'string',
        lookup_keys: 'strings',
        recurring: 'any',
      },
      ({ params }) => s.list('/v1/prices', priceList(params), params),
    ),
  ];
}
