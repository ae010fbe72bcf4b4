import { type CrmConnector, type CrmRecord } from '../../crm/crm-connector.js';
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

/** Where candidate records come from: the CRM's search (live) or a prebuilt index (backfill). */
export type CandidateLookup = (
  property: string,
  values: string[],
) => Promise<Map<string, CrmRecord[]>>;

export const mappedProperties = (set: MappingSet): string[] => [
  ...new Set([
    set.object.stripeIdProperty,
    ...set.rules.map((r) => r.crmProperty),
    ...set.object.matchKeys.flatMap((k) => k.crm),
  ]),
];

/** Live matching: one search per match property for the whole batch. */
export function searchLookup(set: MappingSet, connector: CrmConnector): CandidateLookup {
  const properties = mappedProperties(set);
  return (property, values) =>
    connector.findByProperty(set.object.crmObject, property, values, properties);
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
    const byId = await candidates(
      lookup,
      idKey?.crm ?? [set.object.stripeIdProperty],
      objects,
      'id',
    );
    const byOther = otherKey
      ? await candidates(lookup, otherKey.crm, objects, otherKey.stripe)
      : new Map<string, CrmRecord[]>();
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

/** Candidate records per Stripe key value, over every CRM property the key may live in. */
async function candidates(
  lookup: CandidateLookup,
  properties: string[],
  objects: StripeObject[],
  stripePath: string,
): Promise<Map<string, CrmRecord[]>> {
  const values = [
    ...new Set(objects.map((o) => keyValue(o, stripePath)).filter((v) => v !== null)),
  ];
  const out = new Map<string, CrmRecord[]>();
  if (values.length === 0) return out;
  for (const property of properties) {
    const found = await lookup(property, values);
    for (const [value, recs] of found) {
      const key = fold(stripePath, value);
      const list = out.get(key) ?? [];
      for (const r of recs) if (!list.some((x) => x.id === r.id)) list.push(r);
      out.set(key, list);
    }
  }
  return out;
}
