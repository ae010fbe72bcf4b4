import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { type Scalar } from '../domain/field-rules.js';
import { type FieldConflict, type PlanError } from '../domain/sync-planner.js';
import { Link, type LinkStatus } from './link.entity.js';

/** The pair of object types a set of links belongs to. */
export interface LinkScope {
  connector: string;
  stripeObject: string;
  crmObject: string;
}

export interface ConflictRecord extends FieldConflict {
  stripeChangedAt: Date | null;
  crmChangedAt: Date | null;
}

/** What one pair's sync leaves behind, persisted with the job's outcome in one transaction. */
export type PairRecord =
  | {
      kind: 'link';
      stripeId: string;
      crmId: string;
      status: LinkStatus;
      matchedBy: string;
      shadow: Record<string, Scalar>;
      stripeStateAt: Date | null;
      crmStateAt: Date | null;
      writebackPending: boolean;
      conflicts: ConflictRecord[];
      /**
       * Fields this sync left alone because the other side cannot hold their value; the
       * link's other open field errors are resolved. Undefined: nothing was planned (an echo
       * or a stale event), so the open ones stand.
       */
      fieldErrors?: PlanError[];
    }
  | { kind: 'unlink'; stripeId: string }
  | { kind: 'duplicate'; stripeId: string; matchedBy: string; candidateIds: string[] };

// One statement per batch of links: unnest keeps it at a fixed number of parameters.
const UPSERT_LINKS = `
  INSERT INTO links (connector, stripe_object, crm_object, stripe_id, crm_id, status, matched_by,
                     shadow, stripe_state_at, crm_state_at, writeback_pending)
  SELECT $1, $2, $3, s, c, st, m, sh, sa, ca, wb
  FROM unnest($4::text[], $5::text[], $6::text[], $7::text[], $8::jsonb[], $9::timestamptz[],
              $10::timestamptz[], $11::boolean[]) AS t(s, c, st, m, sh, sa, ca, wb)
  ON CONFLICT (connector, stripe_object, stripe_id) DO UPDATE SET
    crm_id = EXCLUDED.crm_id,
    status = EXCLUDED.status,
    shadow = EXCLUDED.shadow,
    stripe_state_at = GREATEST(links.stripe_state_at, EXCLUDED.stripe_state_at),
    crm_state_at = GREATEST(links.crm_state_at, EXCLUDED.crm_state_at),
    writeback_pending = EXCLUDED.writeback_pending OR
      (links.writeback_pending AND links.crm_id IS DISTINCT FROM EXCLUDED.crm_id),
    updated_at = now()
  WHERE links.shadow IS DISTINCT FROM EXCLUDED.shadow
     OR links.status IS DISTINCT FROM EXCLUDED.status
     OR links.crm_id IS DISTINCT FROM EXCLUDED.crm_id
     OR links.writeback_pending IS DISTINCT FROM EXCLUDED.writeback_pending
     OR GREATEST(links.stripe_state_at, EXCLUDED.stripe_state_at)
          IS DISTINCT FROM links.stripe_state_at
     OR GREATEST(links.crm_state_at, EXCLUDED.crm_state_at) IS DISTINCT FROM links.crm_state_at`;

const INSERT_CONFLICT = `
  INSERT INTO sync_conflicts (link_id, field_mapping_id, stripe_path, crm_property, stripe_value,
    crm_value, shadow_value, policy, winner, status, stripe_changed_at, crm_changed_at, resolved_at,
    first_link)
  SELECT l.id, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14,
         CASE WHEN $12 = 'resolved' THEN now() END, $15
  FROM links l WHERE l.connector = $1 AND l.stripe_object = $2 AND l.stripe_id = $3
  ON CONFLICT (link_id, field_mapping_id) WHERE status = 'open' DO UPDATE SET
    stripe_value = EXCLUDED.stripe_value, crm_value = EXCLUDED.crm_value,
    stripe_changed_at = EXCLUDED.stripe_changed_at, crm_changed_at = EXCLUDED.crm_changed_at`;

// A field that synced this time (not among the pairs still failing) has its open error over.
const RESOLVE_FIELD_ERRORS = `
  UPDATE field_errors e SET status = 'resolved', resolved_at = now()
  FROM links l
  WHERE e.link_id = l.id AND e.status = 'open' AND l.connector = $1 AND l.stripe_object = $2
    AND l.stripe_id = ANY($3::text[])
    AND (l.stripe_id, e.field_mapping_id) NOT IN (SELECT * FROM unnest($4::text[], $5::text[]))`;

// One open row per link and field: seen again, it counts another occurrence.
const UPSERT_FIELD_ERRORS = `
  INSERT INTO field_errors (link_id, field_mapping_id, direction, code, limit_text, message)
  SELECT l.id, f, d, c, lt, msg
  FROM unnest($3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[])
         AS t(s, f, d, c, lt, msg)
  JOIN links l ON l.connector = $1 AND l.stripe_object = $2 AND l.stripe_id = t.s
  ON CONFLICT (link_id, field_mapping_id) WHERE status = 'open' DO UPDATE SET
    direction = EXCLUDED.direction, code = EXCLUDED.code, limit_text = EXCLUDED.limit_text,
    message = EXCLUDED.message, occurrences = field_errors.occurrences + 1, last_seen_at = now()`;

const json = (v: unknown): string => JSON.stringify(v ?? null);

/** Links and their shadows: lookups by either side, and batched writes inside a transaction. */
@Injectable()
export class LinkStore {
  constructor(private readonly dataSource: DataSource) {}

  byStripeIds(scope: LinkScope, ids: string[]): Promise<Map<string, Link>> {
    return this.lookup('stripe', scope, ids);
  }

  byCrmIds(scope: LinkScope, ids: string[]): Promise<Map<string, Link>> {
    return this.lookup('crm', scope, ids);
  }

  /**
   * Links of one scope by either side's ids, keyed by those ids. One `= ANY(:ids)` on the
   * unique index, not 100 OR-ed conditions (which cost the planner more than the lookup on a
   * backfill's hot path).
   */
  private async lookup(
    side: 'stripe' | 'crm',
    scope: LinkScope,
    ids: string[],
  ): Promise<Map<string, Link>> {
    if (ids.length === 0) return new Map();
    const rows = await this.dataSource
      .getRepository(Link)
      .createQueryBuilder('l')
      .where(`l.connector = :c AND l.${side}_object = :o AND l.${side}_id = ANY(:ids)`, {
        c: scope.connector,
        o: side === 'stripe' ? scope.stripeObject : scope.crmObject,
        ids,
      })
      .getMany();
    return new Map(rows.map((l) => [side === 'stripe' ? l.stripeId : l.crmId, l]));
  }

  /** Field errors of a batch of planned links, in two statements whatever the batch size. */
  private async recordFieldErrors(
    manager: EntityManager,
    scope: LinkScope,
    links: Extract<PairRecord, { kind: 'link' }>[],
  ): Promise<void> {
    const planned = links.filter((l) => l.fieldErrors !== undefined);
    if (planned.length === 0) return;
    // One row per link and field: an upsert may not touch the same row twice.
    const unique = new Map<string, { id: string; e: PlanError }>();
    for (const l of planned) {
      for (const e of l.fieldErrors ?? [])
        unique.set(`${l.stripeId}\u0000${e.ruleKey}`, { id: l.stripeId, e });
    }
    const rows = [...unique.values()];
    const base = [scope.connector, scope.stripeObject];
    await manager.query(RESOLVE_FIELD_ERRORS, [
      ...base,
      planned.map((l) => l.stripeId),
      rows.map((r) => r.id),
      rows.map((r) => r.e.ruleKey),
    ]);
    if (rows.length === 0) return;
    await manager.query(UPSERT_FIELD_ERRORS, [
      ...base,
      rows.map((r) => r.id),
      rows.map((r) => r.e.ruleKey),
      rows.map((r) => r.e.direction),
      rows.map((r) => r.e.code),
      rows.map((r) => r.e.limit ?? null),
      rows.map((r) => r.e.message),
    ]);
  }

  /** Conflicts parked for an admin (a gauge for dashboards). */
  async openConflictCount(): Promise<number> {
    const rows: { n: string }[] = await this.dataSource.query(
      `SELECT count(*) AS n FROM sync_conflicts WHERE status = 'open'`,
    );
    return Number(rows[0]?.n ?? 0);
  }

  /** CRM ids among `ids` already linked to some Stripe object. */
  async linkedCrmIds(scope: LinkScope, ids: string[]): Promise<Set<string>> {
    return new Set((await this.byCrmIds(scope, ids)).keys());
  }

  async persist(manager: EntityManager, scope: LinkScope, records: PairRecord[]): Promise<void> {
    // Sorted, so concurrent writers of overlapping links lock rows in the same order.
    const links = records
      .filter((r) => r.kind === 'link')
      .sort((a, b) => (a.stripeId < b.stripeId ? -1 : a.stripeId > b.stripeId ? 1 : 0));
    if (links.length > 0) {
      await manager.query(UPSERT_LINKS, [
        scope.connector,
        scope.stripeObject,
        scope.crmObject,
        links.map((l) => l.stripeId),
        links.map((l) => l.crmId),
        links.map((l) => l.status),
        links.map((l) => l.matchedBy),
        links.map((l) => json(l.shadow)),
        links.map((l) => l.stripeStateAt?.toISOString() ?? null),
        links.map((l) => l.crmStateAt?.toISOString() ?? null),
        links.map((l) => l.writebackPending),
      ]);
    }
    for (const l of links) {
      for (const c of l.conflicts) {
        await manager.query(INSERT_CONFLICT, [
          scope.connector,
          scope.stripeObject,
          l.stripeId,
          c.ruleKey,
          c.stripePath,
          c.crmProperty,
          json(c.stripeValue),
          json(c.crmValue),
          json(c.shadowValue),
          c.policy,
          c.winner,
          c.winner === 'none' ? 'open' : 'resolved',
          c.stripeChangedAt?.toISOString() ?? null,
          c.crmChangedAt?.toISOString() ?? null,
          c.firstLink,
        ]);
      }
    }
    await this.recordFieldErrors(manager, scope, links);
    for (const r of records) {
      if (r.kind === 'unlink') {
        await manager.query(
          `DELETE FROM links WHERE connector = $1 AND stripe_object = $2 AND stripe_id = $3`,
          [scope.connector, scope.stripeObject, r.stripeId],
        );
      } else if (r.kind === 'duplicate') {
        await manager.query(
          `INSERT INTO duplicate_candidates
             (connector, stripe_object, stripe_id, crm_object, matched_by, candidate_ids)
           VALUES ($1, $2, $3, $4, $5, $6)
           ON CONFLICT (connector, stripe_object, stripe_id) DO UPDATE SET
             matched_by = EXCLUDED.matched_by, candidate_ids = EXCLUDED.candidate_ids,
             status = 'open', updated_at = now()`,
          [
            scope.connector,
            scope.stripeObject,
            r.stripeId,
            scope.crmObject,
            r.matchedBy,
            r.candidateIds,
          ],
        );
      }
    }
  }
}
