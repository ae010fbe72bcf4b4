import { type CrmConnector, type CrmRecord } from '../../crm/crm-connector.js';
import { stripeObjectSpec } from '../../domain/stripe-fields.js';
import { planSync } from '../../domain/sync-planner.js';
import { type Link } from '../../links/link.entity.js';
import { type LinkScope, type LinkStore, type PairRecord } from '../../links/link-store.js';
import { type MappingSet } from '../../mapping/mapping.service.js';
import { type StripeObject } from '../../stripe/stripe-records.js';
import { crmArchived } from './pair-deletes.js';
import {
  EMPTY_PLAN,
  failure,
  type PairAction,
  type PairInput,
  type PairResult,
  type PairSyncOptions,
  type Work,
} from './pair-work.js';

/** A batch after load and plan: what to write, and what is already decided. */
export interface Loaded {
  works: Work[];
  /** Linked objects Stripe deleted: the deletion policy applies (a CRM write). */
  deletions: { input: PairInput; link: Link }[];
  results: Map<string, PairResult>;
  records: PairRecord[];
}

const blank = (): Omit<Work, 'input' | 'link' | 'crm' | 'matchedBy'> => ({
  plan: EMPTY_PLAN,
  stripeWrites: {},
  writebackPending: false,
});

/**
 * load: sorts a batch into linked pairs (their CRM records read in one call), first sights
 * (matched in one lookup) and deletions; plan: the three-way merge of every pair. Reads only.
 */
export async function loadAndPlan(
  set: MappingSet,
  connector: CrmConnector,
  links: LinkStore,
  properties: string[],
  inputs: PairInput[],
  opts: PairSyncOptions,
): Promise<Loaded> {
  const out: Loaded = { works: [], deletions: [], results: new Map(), records: [] };
  const fail = (stripeId: string, err: unknown) =>
    out.results.set(stripeId, failure(stripeId, err));
  const done = (stripeId: string, action: PairAction) =>
    out.results.set(stripeId, { stripeId, ok: true, action, conflicts: 0, parked: 0 });
  const scope: LinkScope = {
    connector: set.object.connector,
    stripeObject: set.object.stripeObject,
    crmObject: set.object.crmObject,
  };

  const existing =
    opts.links ??
    (await links.byStripeIds(
      scope,
      inputs.map((i) => i.stripeId),
    ));
  const linked: { input: PairInput; link: Link }[] = [];
  const unlinked: PairInput[] = [];
  for (const input of inputs) {
    const link = existing.get(input.stripeId) ?? null;
    if (input.stripeDeleted) {
      if (link?.status === 'active') out.deletions.push({ input, link });
      else done(input.stripeId, 'skipped');
    } else if (!link) {
      if (input.stripe) unlinked.push(input);
      else done(input.stripeId, 'skipped');
    } else if (link.status === 'active') linked.push({ input, link });
    else done(input.stripeId, 'skipped');
  }

  const toRead = linked.filter((l) => l.input.crm === undefined);
  let read = new Map<string, CrmRecord>();
  try {
    if (toRead.length > 0) {
      read = await connector.read(
        set.object.crmObject,
        toRead.map((l) => l.link.crmId),
        properties,
      );
    }
  } catch (err) {
    toRead.forEach((l) => fail(l.input.stripeId, err));
  }
  for (const { input, link } of linked) {
    if (out.results.has(input.stripeId)) continue;
    const crm = input.crm ?? read.get(link.crmId);
    if (crm) out.works.push({ ...blank(), input, link, crm, matchedBy: link.matchedBy });
    else crmArchived(set, input, link, out.records, done);
  }

  if (unlinked.length > 0) await matchFirstSights(set, connector, properties, unlinked, opts, out);

  const stripeSpec = stripeObjectSpec(set.object.stripeObject);
  for (const w of out.works) {
    w.plan = planSync({
      rules: set.rules,
      stripe: w.input.stripe
        ? { values: w.input.stripe, changedAt: stripeChangedAt(w.input) }
        : null,
      crm: w.crm ? { values: w.crm.properties, changedAt: w.crm.modifiedAt } : null,
      shadow: w.link?.shadow ?? null,
      firstLinkPolicy: set.object.firstLinkPolicy,
      ...(stripeSpec ? { stripeSpec } : {}),
    });
  }
  return out;
}

/**
 * When the Stripe state was produced. A backfill reads objects without an event: Stripe keeps
 * no modified time for them, so their creation time is the best it can say (a first link's
 * newest_wins then favours a CRM record edited since).
 */
function stripeChangedAt(input: PairInput): Date {
  if (input.stripeChangedAt) return input.stripeChangedAt;
  const created = input.stripe?.created;
  return new Date(typeof created === 'number' ? created * 1000 : 0);
}

async function matchFirstSights(
  set: MappingSet,
  connector: CrmConnector,
  properties: string[],
  unlinked: PairInput[],
  opts: PairSyncOptions,
  out: Loaded,
): Promise<void> {
  const start = out.works.length;
  const add = (input: PairInput, crm: CrmRecord | null, matchedBy: string) =>
    out.works.push({ ...blank(), input, link: null, crm, matchedBy });
  try {
    const matches = await opts.matcher(unlinked.map((u) => u.stripe as StripeObject));
    for (const input of unlinked) {
      const m = matches.get(input.stripeId);
      if (!m || m.decision.kind === 'create') add(input, null, 'created');
      else if (m.decision.kind === 'ambiguous') {
        out.records.push({
          kind: 'duplicate',
          stripeId: input.stripeId,
          matchedBy: m.decision.by,
          candidateIds: m.decision.candidateIds,
        });
        out.results.set(input.stripeId, {
          stripeId: input.stripeId,
          ok: true,
          action: 'ambiguous',
          conflicts: 0,
          parked: 0,
        });
      } else if (m.record) add(input, m.record, m.decision.by);
      else {
        const id = m.decision.crmId;
        const rec = (await connector.read(set.object.crmObject, [id], properties)).get(id);
        if (rec) add(input, rec, m.decision.by);
        else add(input, null, 'created');
      }
    }
  } catch (err) {
    for (const u of unlinked) {
      if (!out.results.has(u.stripeId)) out.results.set(u.stripeId, failure(u.stripeId, err));
    }
    out.works.splice(start);
  }
}
