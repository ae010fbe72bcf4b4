/**
 * What the bridge knows of a Stripe object's fields: which can be written, their limits, and
 * which are nested hashes. Checked against Stripe's OpenAPI spec (maxLength, required) and its
 * documented update semantics: a nested hash such as `address` or `shipping` is REPLACED whole
 * on update (parts left out become null), while `metadata` merges per key.
 */
export type StripeField =
  | {
      kind: 'string';
      maxLength?: number;
      format?: 'email';
      /** The only values Stripe accepts (an enum). */
      values?: readonly string[];
      readOnly?: boolean;
    }
  | { kind: 'integer'; readOnly?: boolean; movesMoney?: boolean }
  | { kind: 'boolean'; readOnly?: boolean }
  | { kind: 'timestamp'; readOnly: true }
  | {
      kind: 'hash';
      fields: Record<string, StripeField>;
      /**
       * Stripe replaces the hash whole on update: a write of one part must carry all the others.
       * false: Stripe merges it per key (invoice_settings), so a part alone is safe.
       */
      replacedWhole: boolean;
      /** Parts Stripe requires whenever the hash is sent (shipping needs a name). */
      required?: readonly string[];
      readOnly?: boolean;
    }
  | { kind: 'metadata' }
  /** Lists, expandable objects and the like: readable into a CRM as JSON, never written. */
  | { kind: 'other'; readOnly: true };

export type StripeObjectSpec = Record<string, StripeField>;

/** Stripe's metadata limits (docs.stripe.com/metadata). */
export const METADATA_LIMITS = { keys: 50, keyLength: 40, valueLength: 500 } as const;

const str = (maxLength = 5000): StripeField => ({ kind: 'string', maxLength });
const readOnly = (kind: 'string' | 'boolean' | 'other' = 'other'): StripeField =>
  kind === 'string'
    ? { kind: 'string', readOnly: true }
    : kind === 'boolean'
      ? { kind: 'boolean', readOnly: true }
      : { kind: 'other', readOnly: true };

const ADDRESS_PARTS: Record<string, StripeField> = {
  line1: str(),
  line2: str(),
  city: str(),
  state: str(),
  postal_code: str(),
  country: str(),
};

const CUSTOMER: StripeObjectSpec = {
  id: readOnly('string'),
  object: readOnly('string'),
  address: { kind: 'hash', fields: ADDRESS_PARTS, replacedWhole: true },
  // Writable, but it moves money: the next invoice draws on it (see allowMoneyWrite).
  balance: { kind: 'integer', movesMoney: true },
  cash_balance: readOnly(),
  created: { kind: 'timestamp', readOnly: true },
  currency: readOnly('string'),
  default_source: str(),
  delinquent: readOnly('boolean'),
  description: str(5000),
  discount: readOnly(),
  email: { kind: 'string', maxLength: 512, format: 'email' },
  invoice_credit_balance: readOnly(),
  invoice_prefix: str(),
  invoice_settings: {
    kind: 'hash',
    replacedWhole: false,
    fields: {
      custom_fields: readOnly(),
      default_payment_method: str(),
      footer: str(),
      rendering_options: readOnly(),
    },
  },
  livemode: readOnly('boolean'),
  metadata: { kind: 'metadata' },
  name: str(256),
  next_invoice_sequence: { kind: 'integer' },
  phone: str(20),
  preferred_locales: readOnly(),
  shipping: {
    kind: 'hash',
    replacedWhole: true,
    // Stripe answers "Missing required param: shipping[name]" to a shipping without a name;
    // the whole of it can be unset (''), and none of its address parts is required.
    required: ['name', 'address'],
    fields: {
      address: { kind: 'hash', fields: ADDRESS_PARTS, replacedWhole: true },
      name: str(),
      phone: str(),
    },
  },
  sources: readOnly(),
  subscriptions: readOnly(),
  tax: readOnly(),
  tax_exempt: { kind: 'string', values: ['none', 'exempt', 'reverse'] },
  tax_ids: readOnly(),
  test_clock: readOnly('string'),
};

const SPECS: Record<string, StripeObjectSpec> = { customer: CUSTOMER };

/** The field spec of a Stripe object type the bridge syncs; undefined for one it does not. */
export const stripeObjectSpec = (type: string): StripeObjectSpec | undefined =>
  Object.hasOwn(SPECS, type) ? SPECS[type] : undefined;

export interface ResolvedField {
  field: StripeField;
  /** The nested hashes on the way, outermost first, with their paths ('shipping', 'shipping.address'). */
  hashes: { path: string; field: Extract<StripeField, { kind: 'hash' }> }[];
  /** `metadata.<key>`: the key. */
  metadataKey?: string;
}

/** The field a dotted path names in a spec, or null when the object has no such field. */
export function resolveStripeField(spec: StripeObjectSpec, path: string): ResolvedField | null {
  const parts = path.split('.');
  const hashes: ResolvedField['hashes'] = [];
  let fields: Record<string, StripeField> = spec;
  for (const [i, part] of parts.entries()) {
    if (!Object.hasOwn(fields, part)) return null;
    const field = fields[part] as StripeField;
    const last = i === parts.length - 1;
    if (field.kind === 'metadata') {
      // metadata.<key>: any key (its own limits apply when writing); `metadata` alone is a hash.
      return parts.length === i + 2 ? { field, hashes, metadataKey: parts[i + 1] } : null;
    }
    if (last) return { field, hashes };
    if (field.kind !== 'hash') return null;
    hashes.push({ path: parts.slice(0, i + 1).join('.'), field });
    fields = field.fields;
  }
  return null;
}

/**
 * Why a field mapping may not send its CRM value to this Stripe path, or null when it may.
 * Checked when mappings load: Stripe refuses read-only fields, a hash is written part by part,
 * and `balance` moves money on the next invoice, so it goes to Stripe only on explicit opt-in.
 */
export function towardStripeProblem(
  spec: StripeObjectSpec,
  path: string,
  allowMoneyWrite: boolean,
): string | null {
  const resolved = resolveStripeField(spec, path);
  if (!resolved) return `"${path}" is not a field Stripe accepts on this object`;
  const { field, hashes } = resolved;
  if (hashes.some((h) => h.field.readOnly) || ('readOnly' in field && field.readOnly === true)) {
    return `"${path}" is read-only in Stripe: map it to_crm`;
  }
  if (field.kind === 'hash') {
    return `"${path}" is a nested hash: map its parts (${Object.keys(field.fields)
      .map((k) => `${path}.${k}`)
      .join(', ')})`;
  }
  if (field.kind === 'integer' && field.movesMoney && !allowMoneyWrite) {
    return `"${path}" moves money in Stripe (it is drawn on by the next invoice): map it to_crm, or set allow_money_write on the field mapping if writing it from the CRM is intended`;
  }
  return null;
}
