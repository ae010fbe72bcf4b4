import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { decodeCursor, pageOf, type Page } from '../pagination.js';

export interface DuplicateCandidateView {
  id: string;
  connector: string;
  stripe_object: string;
  stripe_id: string;
  crm_object: string;
  /** The match key that found more than one record. */
  matched_by: string;
  /** The CRM records that all matched: link one with POST /links. */
  candidate_ids: string[];
  status: string;
  created_at: string;
  updated_at: string;
}

type Row = Omit<DuplicateCandidateView, 'created_at' | 'updated_at'> & {
  created_at: Date;
  updated_at: Date;
};

const UUID_KEY = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Stripe objects the engine would not link because several CRM records matched them. */
@Injectable()
export class DuplicateCandidatesService {
  constructor(private readonly dataSource: DataSource) {}

  async list(
    filter: { connector?: string; status: string },
    limit: number,
    cursor?: string,
  ): Promise<Page<DuplicateCandidateView>> {
    const after = decodeCursor(cursor, UUID_KEY);
    const rows = await this.dataSource.query<Row[]>(
      `SELECT id::text AS id, connector, stripe_object, stripe_id, crm_object, matched_by,
              candidate_ids, status, created_at, updated_at
         FROM duplicate_candidates
        WHERE status = $1 AND ($2::text IS NULL OR connector = $2)
          AND ($3::uuid IS NULL OR id > $3::uuid)
        ORDER BY id LIMIT $4`,
      [filter.status, filter.connector ?? null, after, limit + 1],
    );
    const views = rows.map((r) => ({
      ...r,
      created_at: new Date(r.created_at).toISOString(),
      updated_at: new Date(r.updated_at).toISOString(),
    }));
    return pageOf(views, limit, (v) => v.id);
  }
}
