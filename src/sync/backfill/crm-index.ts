import { type CrmConnector, type CrmRecord } from '../../crm/crm-connector.js';
import { type MappingSet } from '../../mapping/mapping.service.js';
import { type CandidateLookup } from '../engine/matcher.js';

/**
 * For a backfill, the CRM's match keys read once by scanning every record (100 per call): on a
 * CRM of M records that is M/100 calls, instead of a search per page of Stripe objects. Only
 * ids and key values are kept; the mapped properties of matched records are read on demand.
 */
export class CrmIndex {
  /** property → folded value → record ids */
  private readonly byValue = new Map<string, Map<string, string[]>>();
  size = 0;

  private constructor(
    private readonly keyProperties: string[],
    private readonly idProperty: string,
  ) {
    for (const p of keyProperties) this.byValue.set(p, new Map());
  }

  static async build(set: MappingSet, connector: CrmConnector): Promise<CrmIndex> {
    const keys = [
      ...new Set([set.object.stripeIdProperty, ...set.object.matchKeys.flatMap((k) => k.crm)]),
    ];
    const index = new CrmIndex(keys, set.object.stripeIdProperty);
    let after: string | null = null;
    do {
      const page = await connector.scan(set.object.crmObject, keys, after);
      page.records.forEach((r) => index.add(r));
      after = page.after;
    } while (after);
    return index;
  }

  private add(r: CrmRecord): void {
    this.size += 1;
    for (const p of this.keyProperties) {
      const v = r.properties[p];
      if (v === null || v === undefined || v === '') continue;
      const map = this.byValue.get(p);
      // Multi-valued properties (HubSpot's additional emails) are ';'-separated.
      const parts = p === this.idProperty ? [String(v)] : String(v).split(';');
      for (const part of parts) {
        const key = this.fold(p, part);
        if (key !== '') map?.set(key, [...(map.get(key) ?? []), r.id]);
      }
    }
  }

  // Stripe ids are case-sensitive; emails are not.
  private fold(property: string, value: string): string {
    return property === this.idProperty ? value.trim() : value.trim().toLowerCase();
  }

  /** Candidates from the index; their mapped properties come from one batch read. */
  lookup(connector: CrmConnector, set: MappingSet, properties: string[]): CandidateLookup {
    return async (lookups) => {
      const ids = new Map<string, Map<string, string[]>>();
      for (const l of lookups) {
        const byValue = new Map<string, string[]>();
        for (const v of l.values) {
          byValue.set(v, this.byValue.get(l.property)?.get(this.fold(l.property, v)) ?? []);
        }
        ids.set(l.property, byValue);
      }
      const wanted = [...new Set([...ids.values()].flatMap((m) => [...m.values()].flat()))];
      const records =
        wanted.length > 0
          ? await connector.read(set.object.crmObject, wanted, properties)
          : new Map<string, CrmRecord>();
      return new Map(
        [...ids].map(([property, byValue]) => [
          property,
          new Map(
            [...byValue].map(([v, list]) => [
              v,
              list.map((id) => records.get(id)).filter((r): r is CrmRecord => r !== undefined),
            ]),
          ),
        ]),
      );
    };
  }
}
