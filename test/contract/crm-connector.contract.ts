import { afterAll, beforeAll, beforeEach, describe, expect, test } from '@jest/globals';
import type {
  CrmConnector,
  CrmCreateInput,
  CrmPropertyDefinition,
  CrmRecord,
  CrmValue,
  CrmWriteResult,
} from '../../src/crm/crm-connector.js';

/** What a connector's test setup hands the shared contract. */
export interface ContractHarness {
  connector: CrmConnector;
  /** A contact-like object type with a unique `email` property. */
  objectType: string;
  /** A change made by a CRM user (not through the connector). */
  editAsUser(id: string, props: Record<string, CrmValue>): Promise<void>;
  /** Archives/deletes a record as a CRM user would. */
  archive(id: string): Promise<void>;
  /** Empties the CRM: no records, no custom properties (unless `propertyCreation` is 'admin'). */
  reset(): Promise<void>;
  close(): Promise<void>;
  /** The CRM's names for the properties the contract uses; defaults to the HubSpot-style names. */
  props?: Partial<Record<ContractProp, string>>;
  /** Values every create needs besides the test's own (Salesforce Contact requires LastName). */
  requiredOnCreate?: Record<string, CrmValue>;
  /** What a never-set bool property reads as: null (default), or false where it cannot be null. */
  unsetBool?: boolean | null;
  /** Whether the CRM keeps `email` unique (default true; Salesforce Contact.Email is not). */
  uniqueEmail?: boolean;
}

/** What a connector can do, known when the suite is declared (it decides which tests exist). */
export interface ContractCapabilities {
  /**
   * 'api' (default): ensureProperties creates missing custom properties. 'admin': an admin
   * creates them (Salesforce custom fields), so the harness's CRM already has the contract's
   * properties and ensureProperties must name the missing ones instead.
   */
  propertyCreation?: 'api' | 'admin';
}

/** The contract's neutral property names, which are also the default (HubSpot-style) names. */
export type ContractProp =
  'email' | 'firstname' | 'stripe_customer_id' | 'stripe_plan' | 'stripe_mrr' | 'stripe_delinquent';

/** The custom properties the bridge would create. */
export const CONTRACT_PROPERTIES: CrmPropertyDefinition[] = [
  { name: 'stripe_customer_id', label: 'Stripe customer id', type: 'string', unique: true },
  { name: 'stripe_plan', label: 'Stripe plan', type: 'string' },
  { name: 'stripe_mrr', label: 'Stripe MRR', type: 'number' },
  { name: 'stripe_delinquent', label: 'Stripe delinquent', type: 'bool' },
];

/** CONTRACT_PROPERTIES under the harness's names. */
const contractProperties = (p: Record<ContractProp, string>): CrmPropertyDefinition[] =>
  CONTRACT_PROPERTIES.map((d) => ({ ...d, name: p[d.name as ContractProp] }));

type Ok = Extract<CrmWriteResult, { ok: true }>;
type Failed = Extract<CrmWriteResult, { ok: false }>;

function ok(result: CrmWriteResult | undefined): Ok {
  if (!result?.ok) throw new Error(`expected success, got ${JSON.stringify(result)}`);
  return result;
}
function failed(result: CrmWriteResult | undefined): Failed {
  if (!result || result.ok) throw new Error(`expected failure, got ${JSON.stringify(result)}`);
  return result;
}

/**
 * The one behaviour every CrmConnector must have, asserted on real CRM state. Run it once per
 * connector with a harness that points at a fresh CRM (or emulator).
 */
export function describeCrmConnectorContract(
  label: string,
  setup: () => Promise<ContractHarness>,
  capabilities: ContractCapabilities = {},
): void {
  describe(`CrmConnector contract: ${label}`, () => {
    let h: ContractHarness;
    let crm: CrmConnector;
    let type: string;
    /** Neutral property name → the CRM's name for it. */
    let p: Record<ContractProp, string>;

    beforeAll(async () => {
      h = await setup();
      crm = h.connector;
      type = h.objectType;
      p = {
        email: 'email',
        firstname: 'firstname',
        stripe_customer_id: 'stripe_customer_id',
        stripe_plan: 'stripe_plan',
        stripe_mrr: 'stripe_mrr',
        stripe_delinquent: 'stripe_delinquent',
        ...h.props,
      };
    });
    afterAll(() => h.close());
    beforeEach(async () => {
      await h.reset();
      await crm.ensureProperties(type, contractProperties(p));
    });

    /** Properties keyed by neutral names → keyed by the CRM's names (other keys kept). */
    const P = (props: Record<string, CrmValue>): Record<string, CrmValue> =>
      Object.fromEntries(Object.entries(props).map(([k, v]) => [p[k as ContractProp] ?? k, v]));
    /** A create's properties: the CRM's required defaults, then the test's own. */
    const C = (props: Record<string, CrmValue>): Record<string, CrmValue> => ({
      ...h.requiredOnCreate,
      ...P(props),
    });

    const createOne = async (properties: Record<string, CrmValue>): Promise<CrmRecord> =>
      ok((await crm.create(type, [{ ref: 'one', properties: C(properties) }]))[0]).record;

    /** Every page of a paged listing, with a bound so a non-terminating cursor fails. */
    const allPages = async (
      page: (after: string | null) => Promise<{ records: CrmRecord[]; after: string | null }>,
    ): Promise<CrmRecord[][]> => {
      const pages: CrmRecord[][] = [];
      let after: string | null = null;
      do {
        const p = await page(after);
        pages.push(p.records);
        after = p.after;
        if (pages.length > 100) throw new Error('paging does not terminate');
      } while (after !== null);
      return pages;
    };

    test('ensureProperties creates the properties once; describe lists them', async () => {
      await crm.ensureProperties(type, contractProperties(p)); // a second time: no error
      const fields = await crm.describe(type);
      const byName = new Map(fields.map((f) => [f.name, f]));
      expect(fields.filter((f) => f.name === p.stripe_customer_id)).toHaveLength(1);
      expect(byName.get(p.stripe_customer_id)).toMatchObject({
        type: 'string',
        unique: true,
        custom: true,
      });
      expect(byName.get(p.stripe_plan)).toMatchObject({ unique: false, custom: true });
      expect(byName.get(p.stripe_mrr)?.type).toBe('number');
      expect(byName.get(p.stripe_delinquent)?.type).toBe('bool');
      expect(byName.get(p.email)).toMatchObject({ unique: h.uniqueEmail ?? true, custom: false });
    });

    if (capabilities.propertyCreation === 'admin') {
      test('ensureProperties names each missing property and creates none', async () => {
        const missing: CrmPropertyDefinition[] = [
          { name: 'Stripe_Coupon__c', label: 'Stripe coupon', type: 'string' },
          { name: 'Stripe_Seats__c', label: 'Stripe seats', type: 'number' },
        ];
        const attempt = crm.ensureProperties(type, [...contractProperties(p), ...missing]);
        await expect(attempt).rejects.toMatchObject({ code: 'missing_fields', retryable: false });
        const message = await attempt.then(
          () => '',
          (err: unknown) => (err instanceof Error ? err.message : String(err)),
        );
        expect(message).toContain('Stripe_Coupon__c (Text(255))');
        expect(message).toContain('Stripe_Seats__c (Number(15,3))');
        expect(message).not.toContain(p.stripe_plan); // present fields are not reported
        const names = (await crm.describe(type)).map((f) => f.name);
        expect(names).not.toContain('Stripe_Coupon__c');
      });
    }

    test('create, then read returns the values, typed', async () => {
      const results = await crm.create(type, [
        {
          ref: 'cus_a',
          properties: C({ email: 'ada@example.com', firstname: 'Ada', stripe_mrr: 42 }),
        },
        { ref: 'cus_b', properties: C({ email: 'bob@example.com', stripe_delinquent: true }) },
      ]);
      expect(results.map((r) => [r.ref, r.ok, r.ok && r.created])).toEqual([
        ['cus_a', true, true],
        ['cus_b', true, true],
      ]);
      const [a, b] = results.map((r) => ok(r).record);
      expect(a!.properties).toMatchObject(P({ email: 'ada@example.com', stripe_mrr: 42 }));
      const props = [p.email, p.firstname, p.stripe_mrr, p.stripe_delinquent];
      const read = await crm.read(type, [a!.id, b!.id, '987654321'], props);
      expect([...read.keys()].sort()).toEqual([a!.id, b!.id].sort());
      expect(read.get(a!.id)?.properties).toEqual(
        P({
          email: 'ada@example.com',
          firstname: 'Ada',
          stripe_mrr: 42,
          stripe_delinquent: h.unsetBool ?? null,
        }),
      );
      expect(read.get(b!.id)?.properties).toMatchObject(
        P({
          stripe_delinquent: true,
          firstname: null,
        }),
      );
      expect(read.get(a!.id)?.modifiedAt).toBeInstanceOf(Date);
    });

    test('update changes the values and moves modifiedAt forward; null clears', async () => {
      const rec = await createOne({
        email: 'up@example.com',
        firstname: 'Old',
        stripe_plan: 'pro',
      });
      const [res] = await crm.update(type, [
        { ref: 'r1', id: rec.id, properties: P({ firstname: 'New', stripe_plan: null }) },
      ]);
      const updated = ok(res);
      expect(updated.created).toBe(false);
      expect(updated.record.id).toBe(rec.id);
      expect(updated.record.modifiedAt.getTime()).toBeGreaterThan(rec.modifiedAt.getTime());
      const read = await crm.read(type, [rec.id], [p.firstname, p.stripe_plan, p.email]);
      expect(read.get(rec.id)?.properties).toEqual(
        P({
          firstname: 'New',
          stripe_plan: null,
          email: 'up@example.com',
        }),
      );
      expect(read.get(rec.id)?.modifiedAt.getTime()).toBe(updated.record.modifiedAt.getTime());
    });

    test('upsert by a unique custom property creates, then updates the same record', async () => {
      const first = ok(
        (
          await crm.upsert(type, p.stripe_customer_id, [
            { ref: 'cus_1', key: 'cus_1', properties: C({ firstname: 'One' }) },
          ])
        )[0],
      );
      expect(first.created).toBe(true);
      expect(first.record.properties[p.stripe_customer_id]).toBe('cus_1');
      const second = ok(
        (
          await crm.upsert(type, p.stripe_customer_id, [
            { ref: 'cus_1', key: 'cus_1', properties: P({ firstname: 'Uno', stripe_mrr: 9 }) },
          ])
        )[0],
      );
      expect(second.created).toBe(false);
      expect(second.record.id).toBe(first.record.id);
      const found = await crm.findByProperty(type, p.stripe_customer_id, ['cus_1'], [p.firstname]);
      expect(found.get('cus_1')?.map((r) => [r.id, r.properties[p.firstname]])).toEqual([
        [first.record.id, 'Uno'],
      ]);
    });

    test('findByProperty matches case-insensitively and keys every given value', async () => {
      const ada = await createOne({ email: 'ada@example.com', stripe_plan: 'pro' });
      const bob = await createOne({ email: 'bob@example.com', stripe_plan: 'Pro' });
      const cy = await createOne({ email: 'cy@example.com', stripe_plan: 'basic' });

      const byEmail = await crm.findByProperty(
        type,
        p.email,
        ['ADA@Example.com', 'bob@example.com', 'nobody@example.com'],
        [p.email],
      );
      expect([...byEmail.keys()]).toEqual([
        'ADA@Example.com',
        'bob@example.com',
        'nobody@example.com',
      ]);
      expect(byEmail.get('ADA@Example.com')?.map((r) => r.id)).toEqual([ada.id]);
      expect(byEmail.get('ADA@Example.com')?.[0]?.properties[p.email]).toBe('ada@example.com');
      expect(byEmail.get('bob@example.com')?.map((r) => r.id)).toEqual([bob.id]);
      expect(byEmail.get('nobody@example.com')).toEqual([]);

      const byPlan = await crm.findByProperty(type, p.stripe_plan, ['PRO', 'basic', 'gold'], []);
      expect(
        byPlan
          .get('PRO')
          ?.map((r) => r.id)
          .sort(),
      ).toEqual([ada.id, bob.id].sort());
      expect(byPlan.get('basic')?.map((r) => r.id)).toEqual([cy.id]);
      expect(byPlan.get('gold')).toEqual([]);
    });

    test('findByProperties answers several lookups at once, by property then value', async () => {
      const ada = await createOne({ email: 'ada@example.com', stripe_plan: 'pro' });
      const bob = await createOne({ email: 'bob@example.com', stripe_plan: 'basic' });
      const found = await crm.findByProperties(
        type,
        [
          { property: p.email, values: ['Ada@Example.com', 'zed@example.com'] },
          { property: p.stripe_plan, values: ['basic', 'PRO'] },
        ],
        [p.email],
      );
      expect([...found.keys()]).toEqual([p.email, p.stripe_plan]);
      expect(
        found
          .get(p.email)
          ?.get('Ada@Example.com')
          ?.map((r) => r.id),
      ).toEqual([ada.id]);
      expect(found.get(p.email)?.get('zed@example.com')).toEqual([]);
      expect(
        found
          .get(p.stripe_plan)
          ?.get('basic')
          ?.map((r) => r.id),
      ).toEqual([bob.id]);
      expect(
        found
          .get(p.stripe_plan)
          ?.get('PRO')
          ?.map((r) => r.id),
      ).toEqual([ada.id]);
      expect(found.get(p.stripe_plan)?.get('PRO')?.[0]?.properties[p.email]).toBe(
        'ada@example.com',
      );
    });

    test('250 inputs in one create call all succeed and are readable', async () => {
      const inputs = Array.from({ length: 250 }, (_, i) => ({
        ref: `cus_${i}`,
        properties: C({ email: `bulk${i}@example.com`, stripe_mrr: i }),
      }));
      const results = await crm.create(type, inputs);
      expect(results.map((r) => r.ref)).toEqual(inputs.map((i) => i.ref));
      const records = results.map((r) => ok(r).record);
      expect(new Set(records.map((r) => r.id)).size).toBe(250);
      records.forEach((r, i) => expect(r.properties[p.email]).toBe(`bulk${i}@example.com`));
      const read = await crm.read(
        type,
        records.map((r) => r.id),
        [p.email, p.stripe_mrr],
      );
      expect(read.size).toBe(250);
      records.forEach((r, i) => expect(read.get(r.id)?.properties[p.stripe_mrr]).toBe(i));
    });

    test('one invalid input fails alone with a non-retryable error; the rest are written', async () => {
      const inputs: CrmCreateInput[] = Array.from({ length: 5 }, (_, i) => {
        const properties = C({ email: `good${i}@example.com` });
        if (i === 2)
          Object.assign(properties, P({ email: 'bad@example.com', no_such_property: 'x' }));
        return { ref: `r${i}`, properties };
      });
      const results = await crm.create(type, inputs);
      expect(results.map((r) => [r.ref, r.ok])).toEqual([
        ['r0', true],
        ['r1', true],
        ['r2', false],
        ['r3', true],
        ['r4', true],
      ]);
      expect(failed(results[2]).error.retryable).toBe(false);
      const found = await crm.findByProperty(
        type,
        p.email,
        inputs.map((i) => String(i.properties[p.email])),
        [],
      );
      expect(inputs.map((i) => found.get(String(i.properties[p.email]))?.length)).toEqual([
        1, 1, 0, 1, 1,
      ]);
    });

    test('a duplicate unique value in one create call fails alone', async () => {
      const results = await crm.create(type, [
        { ref: 'a', properties: C({ email: 'dup@example.com', stripe_customer_id: 'cus_x' }) },
        { ref: 'b', properties: C({ email: 'other@example.com', stripe_customer_id: 'cus_x' }) },
        { ref: 'c', properties: C({ email: 'third@example.com' }) },
      ]);
      expect(results.map((r) => r.ok)).toEqual([true, false, true]);
      expect(failed(results[1]).error.retryable).toBe(false);
    });

    test('bool and number values in CRM form ("TRUE", "12.50") are stored and read back typed', async () => {
      const [made] = await crm.create(type, [
        {
          ref: 'typed',
          properties: C({
            email: 'typed@example.com',
            stripe_delinquent: 'TRUE',
            stripe_mrr: '12.50',
          }),
        },
      ]);
      const rec = ok(made).record;
      expect(rec.properties).toMatchObject(P({ stripe_delinquent: true, stripe_mrr: 12.5 }));
      const props = [p.stripe_delinquent, p.stripe_mrr];
      expect((await crm.read(type, [rec.id], props)).get(rec.id)?.properties).toEqual(
        P({ stripe_delinquent: true, stripe_mrr: 12.5 }),
      );
      const [updated] = await crm.update(type, [
        { ref: 'typed', id: rec.id, properties: P({ stripe_delinquent: 'false', stripe_mrr: -7 }) },
      ]);
      expect(ok(updated).record.properties).toEqual(
        P({ stripe_delinquent: false, stripe_mrr: -7 }),
      );
      expect((await crm.read(type, [rec.id], props)).get(rec.id)?.properties).toEqual(
        P({ stripe_delinquent: false, stripe_mrr: -7 }),
      );
    });

    test('a value its field cannot take fails that input alone, without the value in the message', async () => {
      const results = await crm.create(type, [
        { ref: 'good', properties: C({ email: 'good@example.com', stripe_mrr: '3' }) },
        { ref: 'bad', properties: C({ email: 'bad@example.com', stripe_mrr: 'lots-of-money' }) },
      ]);
      expect(ok(results[0]).record.properties[p.stripe_mrr]).toBe(3);
      const { error } = failed(results[1]);
      expect(error).toMatchObject({ code: 'invalid_value', retryable: false });
      expect(error.message).toContain(`${type}.${p.stripe_mrr}`);
      expect(error.message).toContain('takes a number');
      expect(error.message).not.toContain('lots-of-money');
      const found = await crm.findByProperty(type, p.email, ['bad@example.com'], []);
      expect(found.get('bad@example.com')).toEqual([]);
    });

    test('updating a missing id fails that input alone, non-retryable', async () => {
      const rec = await createOne({ email: 'here@example.com' });
      const results = await crm.update(type, [
        { ref: 'here', id: rec.id, properties: P({ firstname: 'Here' }) },
        { ref: 'gone', id: '987654321', properties: P({ firstname: 'Gone' }) },
      ]);
      expect(ok(results[0]).record.properties[p.firstname]).toBe('Here');
      expect(failed(results[1]).error.retryable).toBe(false);
      expect(failed(results[1]).ref).toBe('gone');
    });

    test('listChanges returns records modified since, oldest first, and user edits again', async () => {
      const a = await createOne({ email: 'a@example.com' });
      const b = await createOne({ email: 'b@example.com' });
      const c = await createOne({ email: 'c@example.com' });
      const changes = async (since: Date) =>
        (await allPages((after) => crm.listChanges(type, since, [p.email], after))).flat();

      const first = await changes(b.modifiedAt);
      expect(first.map((r) => r.id)).toEqual([b.id, c.id]);
      expect(first[0]?.properties).toEqual(P({ email: 'b@example.com' }));
      expect(first.map((r) => r.modifiedAt.getTime())).toEqual([
        b.modifiedAt.getTime(),
        c.modifiedAt.getTime(),
      ]);

      await h.editAsUser(a.id, P({ firstname: 'Edited' }));
      const second = await changes(b.modifiedAt);
      expect(second.map((r) => r.id)).toEqual([b.id, c.id, a.id]);
      expect(second[2]!.modifiedAt.getTime()).toBeGreaterThan(c.modifiedAt.getTime());
      const read = await crm.read(type, [a.id], [p.firstname]);
      expect(read.get(a.id)?.properties[p.firstname]).toBe('Edited');
    });

    test('paging through listChanges and scan visits every record', async () => {
      const inputs = Array.from({ length: 450 }, (_, i) => ({
        ref: `p${i}`,
        properties: C({ email: `page${i}@example.com` }),
      }));
      const ids = (await crm.create(type, inputs)).map((r) => ok(r).record.id);

      const changePages = await allPages((after) =>
        crm.listChanges(type, new Date(0), [p.email], after),
      );
      expect(changePages.length).toBeGreaterThan(1);
      const changed = changePages.flat();
      expect(new Set(changed.map((r) => r.id))).toEqual(new Set(ids));
      const times = changed.map((r) => r.modifiedAt.getTime());
      expect(times).toEqual([...times].sort((x, y) => x - y));

      const scanPages = await allPages((after) => crm.scan(type, [p.email], after));
      expect(scanPages.length).toBeGreaterThan(1);
      const scanned = scanPages.flat().map((r) => r.id);
      expect(new Set(scanned)).toEqual(new Set(ids));
      expect(scanned).toHaveLength(ids.length); // a stable order: nothing twice
    });

    test('archived() reports an archived record, and read() no longer returns it', async () => {
      const gone = await createOne({ email: 'gone@example.com' });
      const kept = await createOne({ email: 'kept@example.com' });
      await h.archive(gone.id);
      expect(await crm.archived(type, [gone.id, kept.id])).toEqual([gone.id]);
      const read = await crm.read(type, [gone.id, kept.id], [p.email]);
      expect([...read.keys()]).toEqual([kept.id]);
      const found = await crm.findByProperty(type, p.email, ['gone@example.com'], []);
      expect(found.get('gone@example.com')).toEqual([]);
    });
  });
}
