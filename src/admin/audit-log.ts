import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { decodeCursor, pageOf, type Page } from './pagination.js';

export interface AuditEntry {
  id: string;
  at: string;
  /** The label of the token that made the change. */
  actor: string;
  action: string;
  target_type: string;
  target_id: string;
  before: unknown;
  after: unknown;
}

/** Every change made through the admin API, with the target before and after. */
@Injectable()
export class AuditLog {
  constructor(private readonly dataSource: DataSource) {}

  async record(
    m: EntityManager,
    e: {
      actor: string;
      action: string;
      targetType: string;
      targetId: string;
      before: unknown;
      after: unknown;
    },
  ): Promise<void> {
    await m.query(
      `INSERT INTO admin_audit (actor, action, target_type, target_id, before, after)
       VALUES ($1, $2, $3, $4, $5, $6)`,
      [
        e.actor,
        e.action,
        e.targetType,
        e.targetId,
        e.before === null ? null : JSON.stringify(e.before),
        e.after === null ? null : JSON.stringify(e.after),
      ],
    );
  }

  /** Newest first. */
  async list(
    filter: { targetType?: string; targetId?: string },
    limit: number,
    cursor: string | undefined,
  ): Promise<Page<AuditEntry>> {
    const before = decodeCursor(cursor, /^\d{1,18}$/);
    const rows = await this.dataSource.query<
      (Omit<AuditEntry, 'at' | 'id'> & { id: string; at: Date })[]
    >(
      `SELECT id::text AS id, at, actor, action, target_type, target_id, before, after
         FROM admin_audit
        WHERE ($1::text IS NULL OR target_type = $1) AND ($2::text IS NULL OR target_id = $2)
          AND ($3::bigint IS NULL OR id < $3::bigint)
        ORDER BY id DESC LIMIT $4`,
      [filter.targetType ?? null, filter.targetId ?? null, before, limit + 1],
    );
    const entries = rows.map((r) => ({ ...r, at: new Date(r.at).toISOString() }));
    return pageOf(entries, limit, (r) => r.id);
  }
}
