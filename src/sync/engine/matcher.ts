import { type CrmConnector, type CrmRecord, type PropertyLookup } from '../../crm/crm-connector.js';
import {
  decideMatch,
  type MatchCandidate,
  type MatchDecision,
} from '../../domain/match-decision.js';
import { getPath } from '../../domain/object-path.js';
import { isBlank } from '../../domain/values.js';
import { type LinkStore } from '../../links/link-store.js';
import { type MappingSet } from '../../mapping/mapping.service.js';
import { type StripeObject } from '../../stripe/stripe-records.js';

export interface MatchOutcome {
  decision: MatchDecision;
  /** The CRM record to link to (decision `link`), with the mapped properties. */
  record: CrmRecord | null;
}

/** Finds, for Stripe objects seen for the first time, the CRM record each one pairs with. */
export type Matcher = (objects: StripeObject[]) => Promise<Map<string, MatchOutcome>>;

/**
 * Where candidate records come from: the CRM's search (live) or a prebuilt index (backfill).
 * All lookups of a batch at once: by property, then value.
 */
export type CandidateLookup = (
  lookups: PropertyLookup[],
) => Promise<Map<string, Map<string, CrmRecord[]>>>;

export const mappedProperties = (set: MappingSet): string[] => [
  ...new Set([
    set.object.stripeIdProperty,
    ...set.rules.map((r) => r.crmProperty),
    ...set.object.matchKeys.flatMap((k) => k.crm),
  ]),
];

/** Live matching: the CRM's lookups for the whole batch (one HubSpot search). */
export function searchLookup(set: MappingSet, connector: CrmConnector): CandidateLookup {
  const properties = mappedProperties(set);
  return (lookups) => connector.findByProperties(set.object.crmObject, lookups, properties);
}

/**
 * Builds the matcher for a mapping: candidates by the Stripe id property first, then by the
 * other match keys (e.g. email, case-insensitively), then the pure decision. Records already
 * linked to another Stripe object, or claimed earlier in the same batch, are not candidates.
 */
export function createMatcher(
  set: MappingSet,
  lookup: CandidateLookup,
  links: LinkStore,
  /** CRM ids claimed by earlier batches of the same run (a backfill's concurrent pages). */
  claimed: Set<string> = new Set(),
): Matcher {
  const scope = {
    connector: set.object.connector,
    stripeObject: set.object.stripeObject,
    crmObject: set.object.crmObject,
  };
  return async (objects) => {
    const idKey = set.object.matchKeys.find((k) => k.stripe === 'id');
    const otherKey = set.object.matchKeys.find((k) => k.stripe !== 'id');
    const keys = [
      { stripePath: 'id', properties: idKey?.crm ?? [set.object.stripeIdProperty] },
      ...(otherKey ? [{ stripePath: otherKey.stripe, properties: otherKey.crm }] : []),
    ];
    const [byId = new Map<string, CrmRecord[]>(), byOther = new Map<string, CrmRecord[]>()] =
      await candidates(lookup, keys, objects);
    const allIds = [...byId.values(), ...byOther.values()].flat().map((r) => r.id);
    const linked = await links.linkedCrmIds(scope, [...new Set(allIds)]);
    for (const id of allIds) if (claimed.has(id)) linked.add(id);
    const records = new Map([...byId.values(), ...byOther.values()].flat().map((r) => [r.id, r]));
    const out = new Map<string, MatchOutcome>();
    for (const o of objects) {
      const decision = decideMatch({
        stripeId: o.id,
        byStripeId: (byId.get(o.id) ?? []).map((r) => candidate(r, set)),
        byEmail: otherKey
          ? (byOther.get(keyValue(o, otherKey.stripe) ?? '') ?? []).map((r) => candidate(r, set))
          : [],
        linkedCrmIds: linked,
      });
      // Two Stripe objects of one batch must not both claim the same record.
      if (decision.kind === 'link') {
        linked.add(decision.crmId);
        claimed.add(decision.crmId);
      }
      out.set(o.id, {
        decision,
        record: decision.kind === 'link' ? (records.get(decision.crmId) ?? null) : null,
      });
    }
    return out;
  };
}

const keyValue = (o: StripeObject, path: string): string | null => {
  const v = getPath(o, path);
  if (isBlank(v) || (typeof v !== 'string' && typeof v !== 'number')) return null;
  // Ids are case-sensitive; other keys (emails) are compared case-insensitively.
  return fold(path, String(v));
};

const fold = (path: string, value: string): string =>
  path === 'id' ? value.trim() : value.trim().toLowerCase();

const candidate = (r: CrmRecord, set: MappingSet): MatchCandidate => {
  const v = r.properties[set.object.stripeIdProperty];
  return { id: r.id, stripeIdValue: isBlank(v) ? null : String(v) };
};

/**
 * Candidate records per match key and Stripe key value, over every CRM property the key may
 * live in, from a single lookup call.
 */
async function candidates(
  lookup: CandidateLookup,
  keys: { stripePath: string; properties: string[] }[],
  objects: StripeObject[],
): Promise<Map<string, CrmRecord[]>[]> {
  const valuesOf = keys.map((k) => [
    ...new Set(objects.map((o) => keyValue(o, k.stripePath)).filter((v) => v !== null)),
  ]);
  const lookups = keys.flatMap((k, i) =>
    (valuesOf[i] ?? []).length === 0
      ? []
      : k.properties.map((property) => ({ property, values: valuesOf[i] ?? [] })),
  );
  const found =
    lookups.length > 0 ? await lookup(lookups) : new Map<string, Map<string, CrmRecord[]>>();
  return keys.map((k) => {
    const out = new Map<string, CrmRecord[]>();
    for (const property of k.properties) {
      for (const [value, recs] of found.get(property) ?? []) {
        const key = fold(k.stripePath, value);
        const list = out.get(key) ?? [];
        for (const r of recs) if (!list.some((x) => x.id === r.id)) list.push(r);
        out.set(key, list);
      }
    }
    return out;
  });
}
