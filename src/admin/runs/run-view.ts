import { type LiveProgress } from '../../sync/backfill/backfill.service.js';
import { type BackfillRunView } from './backfill.dto.js';

/** A `backfill_runs` row as selected by the admin service (sort_at: its list cursor key). */
export interface RunRow {
  id: string;
  kind: string;
  connector: string;
  stripe_object: string;
  status: string;
  total: number | null;
  done: number;
  created: number;
  linked: number;
  skipped: number;
  ambiguous: number;
  failed: number;
  differences: number;
  last_error: string | null;
  started_at: Date;
  updated_at: Date;
  finished_at: Date | null;
  cancel_requested_at: Date | null;
  sort_at: string;
}

const iso = (d: Date | null): string | null => (d === null ? null : new Date(d).toISOString());

/**
 * The API's view of a run. Rate and ETA come from this process while it executes the run
 * (measured since it started here); otherwise they are averaged over the row's life.
 */
export function runView(r: RunRow, live: LiveProgress | undefined): BackfillRunView {
  const done = live?.done ?? Number(r.done);
  const total = live?.total ?? (r.total === null ? null : Number(r.total));
  const end = new Date(r.finished_at ?? r.updated_at).getTime();
  const seconds = (end - new Date(r.started_at).getTime()) / 1000;
  const averaged = seconds > 0 && done > 0 ? Math.round((done / seconds) * 10) / 10 : null;
  const rate = live ? live.perSecond : averaged;
  const eta =
    r.status !== 'running' || total === null
      ? null
      : (live?.etaSeconds ??
        (rate !== null && rate > 0 ? Math.round(Math.max(0, total - done) / rate) : null));
  return {
    id: r.id,
    kind: r.kind,
    connector: r.connector,
    stripe_object: r.stripe_object,
    status: r.status,
    done,
    total,
    rate_per_s: rate,
    eta_s: eta,
    errors: Number(r.failed),
    last_error: r.last_error,
    created: Number(r.created),
    linked: Number(r.linked),
    skipped: Number(r.skipped),
    ambiguous: Number(r.ambiguous),
    differences: Number(r.differences),
    started_at: new Date(r.started_at).toISOString(),
    finished_at: iso(r.finished_at),
    cancel_requested_at: iso(r.cancel_requested_at),
  };
}
