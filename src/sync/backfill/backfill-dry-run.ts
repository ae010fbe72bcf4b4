import { Injectable } from '@nestjs/common';
import { type CrmConnector } from '../../crm/crm-connector.js';
import { CrmConnectors } from '../../crm/crm-registry.js';
import { getPath } from '../../domain/object-path.js';
import { LinkStore, type LinkScope } from '../../links/link-store.js';
import {
  MappingService,
  requiredProperties,
  type MappingSet,
} from '../../mapping/mapping.service.js';
import { StripeRecords } from '../../stripe/stripe-records.js';
import { createMatcher, mappedProperties } from '../engine/matcher.js';
import { PairSyncer } from '../engine/pair-syncer.js';
import { backfillTargets } from './backfill-mappings.js';
import { CrmIndex } from './crm-index.js';
import { stripeBatches } from './stripe-pages.js';

/** What a backfill of one mapping would do, read from both sides; nothing was written. */
export interface DryRunReport {
  connector: string;
  stripeObject: string;
  crmObject: string;
  /** Why nothing could be previewed (the mapping is refused), or null. */
  refused: string | null;
  /** CRM properties the backfill would create first (HubSpot creates its custom properties). */
  propertiesToCreate: string[];
  stripeObjects: number;
  alreadyLinked: number;
  /** CRM records that would be created / existing ones that would be linked. */
  wouldCreate: number;
  wouldLink: number;
  ambiguous: number;
  failed: number;
  /** Objects whose first link finds differing values, and how they would be settled. */
  differences: number;
  kept: { stripe: number; crm: number };
  /** Per CRM property: existing records that would get a new value. */
  crmChanges: Record<string, number>;
  /** Per Stripe path: objects that would get a new value (the CRM id write-back apart). */
  stripeChanges: Record<string, number>;
  writebacks: number;
  /** Per code: fields that would be left alone because the other side cannot hold the value. */
  fieldErrors: Record<string, number>;
}

const bump = (counts: Record<string, number>, key: string) => {
  counts[key] = (counts[key] ?? 0) + 1;
};

/**
 * `npm run backfill -- --dry-run`: the backfill's reads (a scan of the CRM's match keys, Stripe
 * pages, the matched records) and its plans, without any of its writes: no CRM or Stripe
 * update, no property created, no link, run or conflict row stored.
 */
@Injectable()
export class BackfillDryRun {
  constructor(
    private readonly mappings: MappingService,
    private readonly connectors: CrmConnectors,
    private readonly stripe: StripeRecords,
    private readonly links: LinkStore,
  ) {}

  async run(opts: { object: string; connector?: string }): Promise<DryRunReport[]> {
    const out: DryRunReport[] = [];
    for (const { set, connector } of await backfillTargets(this.mappings, this.connectors, opts))
      out.push(await this.preview(set, connector));
    return out;
  }

  private async preview(set: MappingSet, connector: CrmConnector): Promise<DryRunReport> {
    const report: DryRunReport = {
      connector: set.object.connector,
      stripeObject: set.object.stripeObject,
      crmObject: set.object.crmObject,
      refused: null,
      propertiesToCreate: [],
      stripeObjects: 0,
      alreadyLinked: 0,
      wouldCreate: 0,
      wouldLink: 0,
      ambiguous: 0,
      failed: 0,
      differences: 0,
      kept: { stripe: 0, crm: 0 },
      crmChanges: {},
      stripeChanges: {},
      writebacks: 0,
      fieldErrors: {},
    };
    if (set.problems.length > 0) {
      report.refused = `Fix these field mappings: ${set.problems.join('; ')}`;
      return report;
    }
    const fields = await connector.describe(set.object.crmObject);
    const missing = requiredProperties(set, new Set(fields.map((f) => f.name)));
    report.propertiesToCreate = missing.map((m) => m.name);
    // Salesforce fields are an admin's to create: with any missing, nothing can be read either.
    if (missing.length > 0 && connector.name === 'salesforce') {
      report.refused = `Create these fields on ${set.object.crmObject} first: ${report.propertiesToCreate.join(', ')}`;
      return report;
    }

    const scope: LinkScope = {
      connector: set.object.connector,
      stripeObject: set.object.stripeObject,
      crmObject: set.object.crmObject,
    };
    const index = await CrmIndex.build(set, connector);
    const matcher = createMatcher(
      set,
      index.lookup(connector, set, mappedProperties(set)),
      this.links,
      new Set(),
    );
    const syncer = new PairSyncer(set, connector, this.stripe, this.links);
    const key = set.object.crmIdMetadataKey;
    const batches = stripeBatches(
      this.stripe,
      set.object.stripeObject,
      null,
      connector.maxBatchSize,
    );
    for await (const { objects } of batches) {
      report.stripeObjects += objects.length;
      const linked = await this.links.byStripeIds(
        scope,
        objects.map((o) => o.id),
      );
      report.alreadyLinked += linked.size;
      const inputs = objects
        .filter((o) => !linked.has(o.id))
        .map((o) => ({
          stripeId: o.id,
          stripe: o,
          stripeChangedAt: null,
          stripeDeleted: false,
          jobKey: `backfill-${o.id}`,
        }));
      if (inputs.length === 0) continue;
      const planned = await syncer.plan(inputs, { matcher, deferWriteback: true });
      for (const r of planned.results.values()) {
        if (!r.ok) report.failed += 1;
        else if (r.action === 'ambiguous') report.ambiguous += 1;
      }
      for (const w of planned.works) {
        if (!w.crm) report.wouldCreate += 1;
        else {
          report.wouldLink += 1;
          for (const p of Object.keys(w.plan.crmWrites)) bump(report.crmChanges, p);
        }
        for (const p of Object.keys(w.plan.stripeWrites)) bump(report.stripeChanges, p);
        const firstLink = w.plan.conflicts.filter((c) => c.firstLink);
        if (firstLink.length > 0) report.differences += 1;
        for (const c of firstLink) {
          if (c.winner === 'stripe') report.kept.stripe += 1;
          else if (c.winner === 'crm') report.kept.crm += 1;
        }
        for (const e of w.plan.errors) bump(report.fieldErrors, e.code);
        const stored = getPath(w.input.stripe, `metadata.${key ?? ''}`);
        if (key && (!w.crm || stored !== w.crm.id)) report.writebacks += 1;
      }
    }
    return report;
  }
}

/** The report as lines a person reads at a terminal. */
export function describeDryRun(r: DryRunReport): string[] {
  const head = `${r.connector} (${r.stripeObject} → ${r.crmObject}), dry run: nothing was written`;
  if (r.refused) return [head, `  refused: ${r.refused}`];
  const list = (counts: Record<string, number>) =>
    Object.entries(counts)
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([k, n]) => `${k} ×${n}`)
      .join(', ') || 'none';
  return [
    head,
    `  Stripe ${r.stripeObject} objects: ${r.stripeObjects} (${r.alreadyLinked} already linked)`,
    `  would link ${r.wouldLink} existing ${r.crmObject} records, create ${r.wouldCreate}; ambiguous ${r.ambiguous}; unreadable ${r.failed}`,
    `  first-link differences: ${r.differences} objects (Stripe's value kept in ${r.kept.stripe} fields, the CRM's in ${r.kept.crm})`,
    `  would change in ${r.connector} (existing records): ${list(r.crmChanges)}`,
    `  would change in Stripe: ${list(r.stripeChanges)}; CRM id written back to ${r.writebacks} objects`,
    `  fields left alone (the other side cannot hold the value): ${list(r.fieldErrors)}`,
    ...(r.propertiesToCreate.length > 0
      ? [`  would first create ${r.connector} properties: ${r.propertiesToCreate.join(', ')}`]
      : []),
  ];
}
