import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import Stripe from 'stripe';
import { StripeEmulator } from '../../emulators/stripe/stripe-emulator.js';
import { stripeSdk } from '../support/stripe-sdk.js';

/**
 * The customer endpoints refuse what real Stripe refuses, in Stripe's words, so the bridge's
 * own validation can be proven against the emulator. Lengths are the `maxLength`s of Stripe's
 * OpenAPI spec; messages and codes are the ones Stripe answers with (see limits.ts).
 */

type Params = Stripe.CustomerCreateParams;

const caught = async (p: Promise<unknown>): Promise<Stripe.errors.StripeError> => {
  try {
    await p;
  } catch (err) {
    return err as Stripe.errors.StripeError;
  }
  throw new Error('expected the call to fail');
};

/** A param value at a bracket path (`shipping[address][city]`), as a create/update body. */
function at(path: string, value: unknown): Params {
  const keys = path.replace(/\]/g, '').split('[');
  const body = keys.reduceRight<unknown>((inner, key) => ({ [key]: inner }), value) as Params;
  // Stripe wants a shipping hash whole: give the required parts the probe does not set.
  if (keys[0] === 'shipping') {
    const shipping = body.shipping as Partial<Stripe.CustomerCreateParams.Shipping>;
    body.shipping = {
      ...shipping,
      name: shipping.name ?? 'Ship',
      address: { line1: '1 Quay', ...shipping.address },
    };
  }
  return body;
}

const LIMITS: [path: string, max: number][] = [
  ['name', 256],
  ['phone', 20],
  ['email', 512],
  ['description', 5000],
  ['address[city]', 5000],
  ['address[country]', 5000],
  ['address[line1]', 5000],
  ['address[line2]', 5000],
  ['address[postal_code]', 5000],
  ['address[state]', 5000],
  ['shipping[name]', 5000],
  ['shipping[phone]', 5000],
  ['shipping[address][city]', 5000],
  ['shipping[address][line1]', 5000],
  ['shipping[address][postal_code]', 5000],
];

/** A string of exactly `n` characters, a valid address when the field is `email`. */
const ofLength = (path: string, n: number): string =>
  path === 'email' ? `${'a'.repeat(n - 12)}@example.com` : `${'x'.repeat(n - 1)}9`;

describe('Stripe emulator: customer limits and read-only fields, as Stripe refuses them', () => {
  const emu = new StripeEmulator();
  let stripe: Stripe;

  beforeAll(async () => {
    stripe = stripeSdk(await emu.start(), 'sk_test_emulator_limits');
  });
  afterAll(() => emu.stop());
  beforeEach(() => emu.reset());

  /** Nothing was stored: no customer at all, and no event. */
  const expectNothingCreated = async () => {
    expect((await stripe.customers.list()).data).toEqual([]);
    expect((await stripe.events.list()).data).toEqual([]);
  };

  /** The customer is as it was, and no customer.updated was emitted. */
  const expectUnchanged = async (before: Stripe.Customer) => {
    expect(await stripe.customers.retrieve(before.id)).toEqual(before);
    expect((await stripe.events.list({ type: 'customer.updated' })).data).toEqual([]);
  };

  const expectTooLong = (err: Stripe.errors.StripeError, path: string, max: number) => {
    expect(err).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    expect(err).toMatchObject({ statusCode: 400, rawType: 'invalid_request_error', param: path });
    // Stripe quotes the first and last ten characters; this refusal carries no error code.
    expect(err.message).toMatch(
      new RegExp(`^Invalid string: .{10}\\.\\.\\..{10}; must be at most ${max} characters$`),
    );
    expect(err.code).toBeUndefined();
  };

  it.each(LIMITS)('create takes %s at %i characters and refuses one more', async (path, max) => {
    const err = await caught(stripe.customers.create(at(path, ofLength(path, max + 1))));
    expectTooLong(err, path, max);
    await expectNothingCreated();
    const ok = await stripe.customers.create(at(path, ofLength(path, max)));
    expect(ok.id).toMatch(/^cus_/);
  });

  it.each(LIMITS)('update refuses %s over %i characters and changes nothing', async (path, max) => {
    const before = await stripe.customers.create({ name: 'Before', email: 'before@example.com' });
    const err = await caught(stripe.customers.update(before.id, at(path, ofLength(path, max + 1))));
    expectTooLong(err, path, max);
    await expectUnchanged(before);
  });

  it('counts characters, not UTF-16 units: 256 emoji are a valid name', async () => {
    const c = await stripe.customers.create({ name: '😀'.repeat(256) });
    expect([...c.name!]).toHaveLength(256);
    const err = await caught(stripe.customers.create({ name: '😀'.repeat(257) }));
    expect(err.param).toBe('name');
  });

  it.each([
    'odatakeryu',
    'otameshi@com',
    'someone@gmail',
    '*******@.maie.com',
    'wide＠icloud.com',
    ' lead.space@gmail.com',
    'two@@example.com',
  ])('refuses the email %j with email_invalid', async (email) => {
    const err = await caught(stripe.customers.create({ email }));
    expect(err).toMatchObject({
      statusCode: 400,
      rawType: 'invalid_request_error',
      code: 'email_invalid',
      param: 'email',
      message: `Invalid email address: ${email}`,
    });
    await expectNothingCreated();
    const c = await stripe.customers.create({ email: 'ok@example.com' });
    const onUpdate = await caught(stripe.customers.update(c.id, { email }));
    expect(onUpdate).toMatchObject({ code: 'email_invalid', param: 'email' });
    expect((await stripe.customers.retrieve(c.id)) as Stripe.Customer).toMatchObject({
      email: 'ok@example.com',
    });
  });

  it('takes ordinary addresses and clears the email with ""', async () => {
    for (const email of ['a.names@domainabc.ca', 'first+tag@sub.example.co.uk', "o'neil@x-y.ie"]) {
      expect((await stripe.customers.create({ email })).email).toBe(email);
    }
    const c = await stripe.customers.create({ email: 'gone@example.com' });
    expect((await stripe.customers.update(c.id, { email: '' })).email).toBeNull();
  });

  const keys = (n: number, prefix = 'k'): Record<string, string> =>
    Object.fromEntries(Array.from({ length: n }, (_, i) => [`${prefix}${i}`, String(i)]));
  const TOO_MANY = (n: number) =>
    `Metadata can have up to 50 keys, but you've set ${n}. Email us at support+metadata@stripe.com for more information.`;

  it('takes 50 metadata keys and refuses 51, on create and on what an update would leave', async () => {
    const err = await caught(stripe.customers.create({ metadata: keys(51) }));
    expect(err).toMatchObject({ statusCode: 400, param: 'metadata', message: TOO_MANY(51) });
    await expectNothingCreated();

    const c = await stripe.customers.create({ metadata: keys(50) });
    expect(Object.keys(c.metadata)).toHaveLength(50);
    const more = await caught(stripe.customers.update(c.id, { metadata: { extra: 'x' } }));
    expect(more).toMatchObject({ statusCode: 400, param: 'metadata', message: TOO_MANY(51) });
    await expectUnchanged(c);
    // Deleting one key ("") makes room for another in the same call: metadata merges per key.
    const swapped = await stripe.customers.update(c.id, { metadata: { k0: '', extra: 'x' } });
    expect(Object.keys(swapped.metadata)).toHaveLength(50);
    expect(swapped.metadata).toMatchObject({ extra: 'x', k1: '1' });
    expect(swapped.metadata.k0).toBeUndefined();
  });

  it('refuses metadata keys over 40 and values over 500 characters, naming the entry', async () => {
    const longKey = 'k'.repeat(41);
    const keyErr = await caught(stripe.customers.create({ metadata: { [longKey]: 'v' } }));
    expect(keyErr).toMatchObject({
      statusCode: 400,
      rawType: 'invalid_request_error',
      param: `metadata[${longKey}]`,
      message: `Metadata keys can have up to 40 characters, but you passed in a key that is 41 characters. Invalid key: ${longKey}`,
    });
    const longValue = 'v'.repeat(501);
    const valueErr = await caught(stripe.customers.create({ metadata: { foo: longValue } }));
    expect(valueErr).toMatchObject({
      statusCode: 400,
      param: 'metadata[foo]',
      message: `Metadata values can have up to 500 characters, but you passed in a value that is 501 characters. Invalid value: ${longValue}`,
    });
    await expectNothingCreated();

    const c = await stripe.customers.create({
      metadata: { ['k'.repeat(40)]: 'v'.repeat(500), foo: 'bar' },
    });
    const onUpdate = await caught(stripe.customers.update(c.id, { metadata: { foo: longValue } }));
    expect(onUpdate.param).toBe('metadata[foo]');
    await expectUnchanged(c);
  });

  it.each(['delinquent', 'created', 'currency', 'id', 'livemode', 'object'])(
    'refuses the read-only field %s as an unknown parameter',
    async (field) => {
      const value = field === 'delinquent' || field === 'livemode' ? true : 'x';
      const expected = {
        statusCode: 400,
        rawType: 'invalid_request_error',
        code: 'parameter_unknown',
        param: field,
        message: `Received unknown parameter: ${field}`,
      };
      const body = { name: 'RO', [field]: value } as Params;
      expect(await caught(stripe.customers.create(body))).toMatchObject(expected);
      await expectNothingCreated();
      const c = await stripe.customers.create({ name: 'RO' });
      expect(await caught(stripe.customers.update(c.id, body))).toMatchObject(expected);
      await expectUnchanged(c);
    },
  );

  it('refuses a tax_exempt outside its enum, listing the choices', async () => {
    const bad = { tax_exempt: 'sometimes' } as unknown as Params;
    const expected = {
      statusCode: 400,
      rawType: 'invalid_request_error',
      param: 'tax_exempt',
      message: 'Invalid tax_exempt: must be one of none, reverse, or exempt',
    };
    const err = await caught(stripe.customers.create(bad));
    expect(err).toMatchObject(expected);
    expect(err.code).toBeUndefined();
    await expectNothingCreated();
    const c = await stripe.customers.create({ tax_exempt: 'reverse' });
    expect(c.tax_exempt).toBe('reverse');
    expect(await caught(stripe.customers.update(c.id, bad))).toMatchObject(expected);
    await expectUnchanged(c);
  });

  it('replaces address and shipping whole on update, while metadata merges per key', async () => {
    const c = await stripe.customers.create({
      address: { line1: '1 Main St', city: 'Springfield', postal_code: '12345', country: 'US' },
      shipping: { name: 'Home', phone: '+15550100', address: { line1: '1 Main St', city: 'A' } },
      metadata: { a: '1', b: '2' },
    });
    const u = await stripe.customers.update(c.id, {
      address: { city: 'Shelbyville' },
      shipping: { name: 'Office', address: { line1: '9 Side Rd' } },
      metadata: { b: '3' },
    });
    const nulls = { city: null, country: null, line1: null, line2: null, postal_code: null };
    expect(u.address).toEqual({ ...nulls, state: null, city: 'Shelbyville' });
    expect(u.shipping).toEqual({
      name: 'Office',
      phone: null,
      address: { ...nulls, state: null, line1: '9 Side Rd' },
    });
    expect(u.metadata).toEqual({ a: '1', b: '3' });
    expect((await stripe.customers.update(c.id, { address: '' })).address).toBeNull();
  });

  it('refuses a shipping hash without its required name or address', async () => {
    const noName = await caught(
      stripe.customers.create({ shipping: { address: { line1: '1' } } } as Params),
    );
    expect(noName).toMatchObject({
      statusCode: 400,
      code: 'parameter_missing',
      param: 'shipping[name]',
      message: 'Missing required param: shipping[name].',
    });
    const noAddress = await caught(stripe.customers.create({ shipping: { name: 'N' } } as Params));
    expect(noAddress).toMatchObject({ code: 'parameter_missing', param: 'shipping[address]' });
    await expectNothingCreated();
  });
});
