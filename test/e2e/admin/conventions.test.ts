import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import SwaggerParser from '@apidevtools/swagger-parser';
import { RequestMethod } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants.js';
import { DiscoveryService, MetadataScanner } from '@nestjs/core';
import { ADMIN_ENV, ADMIN_TOKEN, adminClient } from '../../support/admin-client.js';
import { startBridge, type RunningBridge } from '../../support/bridge.js';
import { createTestDatabase, type TestDatabase } from '../../support/postgres.js';

/**
 * What every admin route shares: bearer auth, one error shape, 4xx (never 5xx) for bad
 * input, and an OpenAPI document that lists every route the app registers.
 */
describe('admin API conventions', () => {
  let pg: TestDatabase;
  let bridge: RunningBridge;
  let admin: ReturnType<typeof adminClient>;

  beforeAll(async () => {
    pg = await createTestDatabase();
    // No CRM configured: mappings can be read and changed while disabled, and enabling one
    // says what is missing.
    bridge = await startBridge({ DATABASE_URL: pg.url, ...ADMIN_ENV });
    admin = adminClient(bridge.url);
  });
  afterAll(async () => {
    await bridge?.close();
    await pg?.drop();
  });

  it('401 without a token, 403 with a wrong one; webhooks, health and docs stay public', async () => {
    expect(await adminClient(bridge.url, null).get('/mappings')).toMatchObject({
      status: 401,
      body: { statusCode: 401, code: 'missing_token' },
    });
    expect(
      await adminClient(bridge.url, 'tok_not_one_of_them_0123456789').get('/mappings'),
    ).toMatchObject({
      status: 403,
      body: { statusCode: 403, code: 'invalid_token' },
    });
    expect(
      await admin.call('GET', '/mappings', undefined, { authorization: `Basic ${ADMIN_TOKEN}` }),
    ).toMatchObject({ status: 401 });
    expect((await fetch(`${bridge.url}/health/live`)).status).toBe(200);
    expect((await fetch(`${bridge.url}/docs-json`)).status).toBe(200);
    expect((await fetch(`${bridge.url}/docs`)).status).toBe(200);
  });

  it('each client gets ADMIN_API_RATE_LIMIT_PER_MINUTE admin requests, then a 429 in the usual shape; webhooks and health are not limited', async () => {
    const tight = await startBridge({
      DATABASE_URL: pg.url,
      MIGRATIONS_RUN: 'false',
      ...ADMIN_ENV,
      ADMIN_API_RATE_LIMIT_PER_MINUTE: '3',
    });
    try {
      const client = adminClient(tight.url);
      const statuses = [];
      for (let i = 0; i < 4; i += 1) statuses.push((await client.get('/mappings')).status);
      expect(statuses).toEqual([200, 200, 200, 429]);
      expect(await client.get('/audit')).toMatchObject({
        status: 429,
        body: {
          statusCode: 429,
          code: 'too_many_requests',
          message: expect.stringMatching(/retry in/) as unknown,
        },
      });
      for (let i = 0; i < 5; i += 1)
        expect((await fetch(`${tight.url}/health/live`)).status).toBe(200);
    } finally {
      await tight.close();
    }
  });

  it('the production profile without ADMIN_API_TOKEN answers 503 admin_api_disabled', async () => {
    const off = await startBridge({ DATABASE_URL: pg.url, MIGRATIONS_RUN: 'false' });
    try {
      expect(await adminClient(off.url).get('/mappings')).toMatchObject({
        status: 503,
        body: {
          code: 'admin_api_disabled',
          message: expect.stringContaining('ADMIN_API_TOKEN') as unknown,
        },
      });
    } finally {
      await off.close();
    }
  });

  const field = { stripe_path: 'metadata.tier', crm_property: 'stripe_tier', direction: 'to_crm' };
  type Case = [string, () => Promise<{ status: number; body: unknown }>, number, string, RegExp?];
  const cases: Case[] = [
    [
      'malformed JSON',
      () => admin.call('POST', '/mappings', '{"id": ', { 'content-type': 'application/json' }),
      400,
      'invalid_json',
    ],
    ['a missing body', () => admin.post('/mappings'), 400, 'validation_failed', /connector/],
    [
      'a wrong type',
      () => admin.post('/mappings/hubspot-customer/fields', { ...field, enabled: 'yes' }),
      400,
      'validation_failed',
      /enabled/,
    ],
    [
      'an unknown property',
      () => admin.post('/mappings/hubspot-customer/fields', { ...field, colour: 'red' }),
      400,
      'validation_failed',
      /colour/,
    ],
    [
      'an out-of-range enum',
      () =>
        admin.post('/mappings/hubspot-customer/fields', { ...field, conflict_policy: 'sometimes' }),
      400,
      'validation_failed',
      /conflict_policy/,
    ],
    [
      'a transform not in the set',
      () =>
        admin.post('/mappings/hubspot-customer/fields', {
          ...field,
          transforms: [{ kind: 'uppercase' }],
        }),
      400,
      'validation_failed',
      /uppercase/,
    ],
    [
      'a connector that does not exist',
      () =>
        admin.post('/mappings', {
          connector: 'pipedrive',
          stripe_object: 'customer',
          crm_object: 'persons',
          stripe_id_property: 'x',
          deleted_flag_property: 'y',
        }),
      400,
      'validation_failed',
      /connector/,
    ],
    ['a limit over 200', () => admin.get('/mappings?limit=500'), 400, 'validation_failed', /limit/],
    ['a cursor we never gave out', () => admin.get('/mappings?cursor=!!'), 400, 'invalid_cursor'],
    [
      'an If-Match that is not a version',
      () =>
        admin.patch('/mappings/hubspot-customer', { enabled: false }, { 'if-match': 'yesterday' }),
      400,
      'invalid_if_match',
    ],
    [
      'a version that is not a number',
      () => admin.get('/mappings/hubspot-customer/versions/latest'),
      400,
      'validation_failed',
    ],
    ['an unknown mapping', () => admin.get('/mappings/nope'), 404, 'not_found'],
    [
      'an unknown field',
      () => admin.patch('/mappings/hubspot-customer/fields/nope', { enabled: false }),
      404,
      'not_found',
    ],
    [
      'an unknown version',
      () => admin.get('/mappings/hubspot-customer/versions/99'),
      404,
      'not_found',
    ],
    [
      'a stale If-Match',
      () =>
        admin.patch(
          '/mappings/hubspot-customer',
          { first_link_policy: 'crm_wins' },
          { 'if-match': '7' },
        ),
      409,
      'version_conflict',
    ],
    [
      'an existing mapping id',
      () =>
        admin.post('/mappings', {
          id: 'hubspot-customer',
          connector: 'hubspot',
          stripe_object: 'customer',
          crm_object: 'contacts',
          stripe_id_property: 'stripe_customer_id',
          deleted_flag_property: 'stripe_deleted',
          enabled: false,
        }),
      409,
      'mapping_exists',
    ],
    [
      'a Stripe field that does not exist',
      () => admin.post('/mappings/hubspot-customer/fields', { ...field, stripe_path: 'shoe_size' }),
      422,
      'unknown_stripe_field',
      /shoe_size/,
    ],
    [
      'a read-only Stripe field toward Stripe',
      () =>
        admin.patch('/mappings/hubspot-customer/fields/hubspot-customer-created', {
          direction: 'both',
        }),
      422,
      'stripe_refuses_mapping',
      /created/,
    ],
    [
      'a Stripe object not synced yet',
      () =>
        admin.post('/mappings', {
          connector: 'hubspot',
          stripe_object: 'payout',
          crm_object: 'deals',
          stripe_id_property: 'stripe_payout_id',
          deleted_flag_property: 'stripe_deleted',
          enabled: false,
        }),
      422,
      'unsupported_stripe_object',
    ],
    [
      'an enabled mapping of a CRM without credentials',
      () => admin.post('/mappings/hubspot-customer/fields', field),
      422,
      'connector_not_configured',
      /HUBSPOT|credentials/,
    ],
  ];
  it.each(
    cases.map(([name, send, status, code, message]) => ({ name, send, status, code, message })),
  )('$name → $status $code', async ({ send, status, code, message }) => {
    const res = await send();
    expect(res.status).toBe(status);
    expect(res.body).toMatchObject({ statusCode: status, code });
    const text = (res.body as { message: string }).message;
    expect(text.length).toBeGreaterThan(10);
    if (message) expect(text).toMatch(message);
  });

  it('nothing was changed by any of them', async () => {
    const m = await admin.get<{ version: number }>('/mappings/hubspot-customer');
    expect(m.body.version).toBe(1);
    expect(await pg.query(`SELECT count(*)::int AS n FROM admin_audit`)).toEqual([{ n: 0 }]);
  });

  it('the OpenAPI document validates and lists every route the app registers', async () => {
    const doc = (await (await fetch(`${bridge.url}/docs-json`)).json()) as {
      paths: Record<string, Record<string, unknown>>;
      components: { securitySchemes?: Record<string, unknown> };
    };
    await expect(SwaggerParser.validate(structuredClone(doc) as never)).resolves.toBeDefined();
    expect(doc.components.securitySchemes).toHaveProperty('bearer');

    const discovery = bridge.app.get(DiscoveryService);
    const scanner = bridge.app.get(MetadataScanner);
    const registered: string[] = [];
    for (const wrapper of discovery.getControllers()) {
      const { instance, metatype } = wrapper;
      if (!instance || !metatype) continue;
      const base = String(Reflect.getMetadata(PATH_METADATA, metatype) ?? '');
      for (const name of scanner.getAllMethodNames(Object.getPrototypeOf(instance) as object)) {
        const handler = (instance as Record<string, unknown>)[name];
        if (typeof handler !== 'function') continue;
        const path = Reflect.getMetadata(PATH_METADATA, handler) as string | undefined;
        const method = Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod | undefined;
        if (path === undefined || method === undefined) continue;
        const full = `/${[base, path]
          .map((p) => p.replace(/^\/|\/$/g, ''))
          .filter(Boolean)
          .join('/')}`;
        registered.push(
          `${RequestMethod[method].toLowerCase()} ${full.replace(/:(\w+)/g, '{$1}')}`,
        );
      }
    }
    const documented = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.keys(ops).map((method) => `${method} ${path}`),
    );
    expect(registered.length).toBeGreaterThan(15);
    expect([...documented].sort()).toEqual([...registered].sort());
  });
});
