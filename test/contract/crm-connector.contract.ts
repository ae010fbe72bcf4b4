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
  /** Empties the CRM: no records, no custom properties. */
  reset(): Promise<void>;
  close(): Promise<void>;
}

/** The custom properties the bridge would create. */
export const CONTRACT_PROPERTIES: CrmPropertyDefinition[] = [
  { name: 'stripe_customer_id', label: 'Stripe customer id', type: 'string', unique: true },
  { name: 'stripe_plan', label: 'Stripe plan', type: 'string' },
  { name: 'stripe_mrr', label: 'Stripe MRR', type: 'number' },
  { name: 'stripe_delinquent', label: 'Stripe delinquent', type: 'bool' },
];

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
): void {
  describe(`CrmConnector contract: ${label}`, () => {
    let h: ContractHarness;
    let crm: CrmConnector;
    let type: string;

    beforeAll(async () => {
      h = await setup();
      crm = h.connector;
      type = h.objectType;
    });
    afterAll(() => h.close());
    beforeEach(async () => {
      await h.reset();
      await crm.ensureProperties(type, CONTRACT_PROPERTIES);
    });

    const createOne = async (properties: Record<string, CrmValue>): Promise<CrmRecord> =>
      ok((await crm.create(type, [{ ref: 'one', properties }]))[0]).record;

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
      await crm.ensureProperties(type, CONTRACT_PROPERTIES); // a second time: no error
      const fields = await crm.describe(type);
      const byName = new Map(fields.map((f) => [f.name, f]));
      expect(fields.filter((f) => f.name === 'stripe_customer_id')).toHaveLength(1);
      expect(byName.get('stripe_customer_id')).toMatchObject({
        type: 'string',
        unique: true,
        custom: true,
      });
      expect(byName.get('stripe_plan')).toMatchObject({ unique: false, custom: true });
      expect(byName.get('stripe_mrr')?.type).toBe('number');
      expect(byName.get('stripe_delinquent')?.type).toBe('bool');
      expect(byName.get('email')).toMatchObject({ unique: true, custom: false });
    });

    test('create, then read returns the values, typed', async () => {
      const results = await crm.create(type, [
        {
          ref: 'cus_a',
          properties: { email: 'ada@example.com', firstname: 'Ada', stripe_mrr: 42 },
        },
        { ref: 'cus_b', properties: { email: 'bob@example.com', stripe_delinquent: true } },
      ]);
      expect(results.map((r) => [r.ref, r.ok, r.ok && r.created])).toEqual([
        ['cus_a', true, true],
        ['cus_b', true, true],
      ]);
      const [a, b] = results.map((r) => ok(r).record);
      expect(a!.properties).toMatchObject({ email: 'ada@example.com', stripe_mrr: 42 });
      const props = ['email', 'firstname', 'stripe_mrr', 'stripe_delinquent'];
      const read = await crm.read(type, [a!.id, b!.id, '987654321'], props);
      expect([...read.keys()].sort()).toEqual([a!.id, b!.id].sort());
      expect(read.get(a!.id)?.properties).toEqual({
        email: 'ada@example.com',
        firstname: 'Ada',
        stripe_mrr: 42,
        stripe_delinquent: null,
      });
      expect(read.get(b!.id)?.properties).toMatchObject({
        stripe_delinquent: true,
        firstname: null,
      });
      expect(read.get(a!.id)?.modifiedAt).toBeInstanceOf(Date);
    });

    test('update changes the values and moves modifiedAt forward; null clears', async () => {
      const rec = await createOne({
        email: 'up@example.com',
        firstname: 'Old',
        stripe_plan: 'pro',
      });
      const [res] = await crm.update(type, [
        { ref: 'r1', id: rec.id, properties: { firstname: 'New', stripe_plan: null } },
      ]);
      const updated = ok(res);
      expect(updated.created).toBe(false);
      expect(updated.record.id).toBe(rec.id);
      expect(updated.record.modifiedAt.getTime()).toBeGreaterThan(rec.modifiedAt.getTime());
      const read = await crm.read(type, [rec.id], ['firstname', 'stripe_plan', 'email']);
      expect(read.get(rec.id)?.properties).toEqual({
        firstname: 'New',
        stripe_plan: null,
        email: 'up@example.com',
      });
      expect(read.get(rec.id)?.modifiedAt.getTime()).toBe(updated.record.modifiedAt.getTime());
    });

    test('upsert by a unique custom property creates, then updates the same record', async () => {
      const first = ok(
        (
          await crm.upsert(type, 'stripe_customer_id', [
            { ref: 'cus_1', key: 'cus_1', properties: { firstname: 'One' } },
          ])
        )[0],
      );
      expect(first.created).toBe(true);
      expect(first.record.properties.stripe_customer_id).toBe('cus_1');
      const second = ok(
        (
          await crm.upsert(type, 'stripe_customer_id', [
            { ref: 'cus_1', key: 'cus_1', properties: { firstname: 'Uno', stripe_mrr: 9 } },
          ])
        )[0],
      );
      expect(second.created).toBe(false);
      expect(second.record.id).toBe(first.record.id);
      const found = await crm.findByProperty(type, 'stripe_customer_id', ['cus_1'], ['firstname']);
      expect(found.get('cus_1')?.map((r) => [r.id, r.properties.firstname])).toEqual([
        [first.record.id, 'Uno'],
      ]);
    });

    test('findByProperty matches case-insensitively and keys every given value', async () => {
      const ada = await createOne({ email: 'ada@example.com', stripe_plan: 'pro' });
      const bob = await createOne({ email: 'bob@example.com', stripe_plan: 'Pro' });
      const cy = await createOne({ email: 'cy@example.com', stripe_plan: 'basic' });

      const byEmail = await crm.findByProperty(
        type,
        'email',
        ['ADA@Example.com', 'bob@example.com', 'nobody@example.com'],
        ['email'],
      );
      expect([...byEmail.keys()]).toEqual([
        'ADA@Example.com',
        'bob@example.com',
        'nobody@example.com',
      ]);
      expect(byEmail.get('ADA@Example.com')?.map((r) => r.id)).toEqual([ada.id]);
      expect(byEmail.get('ADA@Example.com')?.[0]?.properties.email).toBe('ada@example.com');
      expect(byEmail.get('bob@example.com')?.map((r) => r.id)).toEqual([bob.id]);
      expect(byEmail.get('nobody@example.com')).toEqual([]);

      const byPlan = await crm.findByProperty(type, 'stripe_plan', ['PRO', 'basic', 'gold'], []);
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
          { property: 'email', values: ['Ada@Example.com', 'zed@example.com'] },
          { property: 'stripe_plan', values: ['basic', 'PRO'] },
        ],
        ['email'],
      );
      expect([...found.keys()]).toEqual(['email', 'stripe_plan']);
      expect(
        found
          .get('email')
          ?.get('Ada@Example.com')
          ?.map((r) => r.id),
      ).toEqual([ada.id]);
      expect(found.get('email')?.get('zed@example.com')).toEqual([]);
      expect(
        found
          .get('stripe_plan')
          ?.get('basic')
          ?.map((r) => r.id),
      ).toEqual([bob.id]);
      expect(
        found
          .get('stripe_plan')
          ?.get('PRO')
          ?.map((r) => r.id),
      ).toEqual([ada.id]);
      expect(found.get('stripe_plan')?.get('PRO')?.[0]?.properties.email).toBe('ada@example.com');
    });

    test('250 inputs in one create call all succeed and are readable', async () => {
      const inputs = Array.from({ length: 250 }, (_, i) => ({
        ref: `cus_${i}`,
        properties: { email: `bulk${i}@example.com`, stripe_mrr: i },
      }));
      const results = await crm.create(type, inputs);
      expect(results.map((r) => r.ref)).toEqual(inputs.map((i) => i.ref));
      const records = results.map((r) => ok(r).record);
      expect(new Set(records.map((r) => r.id)).size).toBe(250);
      records.forEach((r, i) => expect(r.properties.email).toBe(`bulk${i}@example.com`));
      const read = await crm.read(
        type,
        records.map((r) => r.id),
        ['email', 'stripe_mrr'],
      );
      expect(read.size).toBe(250);
      records.forEach((r, i) => expect(read.get(r.id)?.properties.stripe_mrr).toBe(i));
    });

    test('one invalid input fails alone with a non-retryable error; the rest are written', async () => {
      const inputs: CrmCreateInput[] = Array.from({ length: 5 }, (_, i) => {
        const properties: Record<string, CrmValue> = { email: `good${i}@example.com` };
        if (i === 2) Object.assign(properties, { email: 'bad@example.com', no_such_property: 'x' });
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
        'email',
        inputs.map((i) => String(i.properties.email)),
        [],
      );
      expect(inputs.map((i) => found.get(String(i.properties.email))?.length)).toEqual([
        1, 1, 0, 1, 1,
      ]);
    });

    test('a duplicate unique value in one create call fails alone', async () => {
      const results = await crm.create(type, [
        { ref: 'a', properties: { email: 'dup@example.com', stripe_customer_id: 'cus_x' } },
        { ref: 'b', properties: { email: 'other@example.com', stripe_customer_id: 'cus_x' } },
        { ref: 'c', properties: { email: 'third@example.com' } },
      ]);
      expect(results.map((r) => r.ok)).toEqual([true, false, true]);
      expect(failed(results[1]).error.retryable).toBe(false);
    });

    test('updating a missing id fails that input alone, non-retryable', async () => {
      const rec = await createOne({ email: 'here@example.com' });
      const results = await crm.update(type, [
        { ref: 'here', id: rec.id, properties: { firstname: 'Here' } },
        { ref: 'gone', id: '987654321', properties: { firstname: 'Gone' } },
      ]);
      expect(ok(results[0]).record.properties.firstname).toBe('Here');
      expect(failed(results[1]).error.retryable).toBe(false);
      expect(failed(results[1]).ref).toBe('gone');
    });

    test('listChanges returns records modified since, oldest first, and user edits again', async () => {
      const a = await createOne({ email: 'a@example.com' });
      const b = await createOne({ email: 'b@example.com' });
      const c = await createOne({ email: 'c@example.com' });
      const changes = async (since: Date) =>
        (await allPages((after) => crm.listChanges(type, since, ['email'], after))).flat();

      const first = await changes(b.modifiedAt);
      expect(first.map((r) => r.id)).toEqual([b.id, c.id]);
      expect(first[0]?.properties).toEqual({ email: 'b@example.com' });
      expect(first.map((r) => r.modifiedAt.getTime())).toEqual([
        b.modifiedAt.getTime(),
        c.modifiedAt.getTime(),
      ]);

      await h.editAsUser(a.id, { firstname: 'Edited' });
      const second = await changes(b.modifiedAt);
      expect(second.map((r) => r.id)).toEqual([b.id, c.id, a.id]);
      expect(second[2]!.modifiedAt.getTime()).toBeGreaterThan(c.modifiedAt.getTime());
      const read = await crm.read(type, [a.id], ['firstname']);
      expect(read.get(a.id)?.properties.firstname).toBe('Edited');
    });

    test('paging through listChanges and scan visits every record', async () => {
      const inputs = Array.from({ length: 450 }, (_, i) => ({
        ref: `p${i}`,
        properties: { email: `page${i}@example.com` },
      }));
      const ids = (await crm.create(type, inputs)).map((r) => ok(r).record.id);

      const changePages = await allPages((after) =>
        crm.listChanges(type, new Date(0), ['email'], after),
      );
      expect(changePages.length).toBeGreaterThan(1);
      const changed = changePages.flat();
      expect(new Set(changed.map((r) => r.id))).toEqual(new Set(ids));
      const times = changed.map((r) => r.modifiedAt.getTime());
      expect(times).toEqual([...times].sort((x, y) => x - y));

      const scanPages = await allPages((after) => crm.scan(type, ['email'], after));
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
      const read = await crm.read(type, [gone.id, kept.id], ['email']);
      expect([...read.keys()]).toEqual([kept.id]);
      const found = await crm.findByProperty(type, 'email', ['gone@example.com'], []);
      expect(found.get('gone@example.com')).toEqual([]);
    });
  });
}
