import { type CrmConnector, type CrmWriteResult } from '../../crm/crm-connector.js';
import { type Link } from '../../links/link.entity.js';
import { type PairRecord } from '../../links/link-store.js';
import { type MappingSet } from '../../mapping/mapping.service.js';
import { type PairAction, type PairInput } from './pair-work.js';

type Done = (stripeId: string, action: PairAction) => void;
type Fail = (stripeId: string, err: unknown) => void;

/**
 * Stripe objects deleted while linked: by default the CRM record is flagged (one batch update)
 * and the link kept; the `unlink` action forgets the pair and leaves the CRM record alone.
 */
export async function applyDeletions(
  set: MappingSet,
  connector: CrmConnector,
  deletions: { input: PairInput; link: Link }[],
  records: PairRecord[],
  done: Done,
  fail: Fail,
): Promise<void> {
  if (deletions.length === 0) return;
  if (set.object.stripeDeleteAction === 'unlink') {
    for (const { input } of deletions) {
      records.push({ kind: 'unlink', stripeId: input.stripeId });
      done(input.stripeId, 'unlinked');
    }
    return;
  }
  let res: CrmWriteResult[];
  try {
    res = await connector.update(
      set.object.crmObject,
      deletions.map(({ input, link }) => ({
        ref: input.stripeId,
        id: link.crmId,
        properties: { [set.object.deletedFlagProperty]: 'true' },
      })),
    );
  } catch (err) {
    deletions.forEach((d) => fail(d.input.stripeId, err));
    return;
  }
  deletions.forEach(({ input, link }, i) => {
    const r = res[i];
    if (!r?.ok) {
      fail(input.stripeId, r ? r.error : new Error('no result'));
      return;
    }
    records.push({
      ...linkRecord(link),
      status: 'stripe_deleted',
      stripeStateAt: input.stripeChangedAt,
      crmStateAt: r.record.modifiedAt,
    });
    done(input.stripeId, 'stripe_deleted');
  });
}

/** The linked CRM record is gone (archived): never delete in Stripe; keep or forget the pair. */
export function crmArchived(
  set: MappingSet,
  input: PairInput,
  link: Link,
  records: PairRecord[],
  done: Done,
): void {
  if (set.object.crmDeleteAction === 'unlink') {
    records.push({ kind: 'unlink', stripeId: input.stripeId });
    done(input.stripeId, 'unlinked');
  } else {
    records.push({ ...linkRecord(link), status: 'crm_archived' });
    done(input.stripeId, 'crm_archived');
  }
}

/** A link row as it stands, to be recorded with some fields changed. */
export const linkRecord = (link: Link): Extract<PairRecord, { kind: 'link' }> => ({
  kind: 'link',
  stripeId: link.stripeId,
  crmId: link.crmId,
  status: link.status,
  matchedBy: link.matchedBy,
  shadow: link.shadow,
  stripeStateAt: link.stripeStateAt,
  crmStateAt: link.crmStateAt,
  writebackPending: link.writebackPending,
  conflicts: [],
});
