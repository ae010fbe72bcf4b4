/** The inbox event ids of an apply run's jobs start with this. */
export const applyJobPrefix = (runId: string): string => `apply:${runId}:`;

type Query = (sql: string, params: unknown[]) => Promise<unknown>;

/**
 * Closes the scope's apply runs whose jobs are all settled. An apply run is counted from its
 * jobs (the workers sync them, not the process that started it), so nothing else marks it done;
 * this runs before a new run of the scope opens, as only one may be running at a time.
 */
export async function settleFinishedApplies(
  query: Query,
  scope: { connector: string; stripeObject: string },
): Promise<void> {
  await query(
    `UPDATE backfill_runs r SET status = 'done', finished_at = now(), updated_at = now(),
            done = r.total
      WHERE r.connector = $1 AND r.stripe_object = $2 AND r.kind = 'apply'
        AND r.status = 'running'
        AND NOT EXISTS (SELECT 1 FROM inbox_events e
                         WHERE e.event_id LIKE 'apply:' || r.id || ':%'
                           AND e.status IN ('pending', 'processing'))`,
    [scope.connector, scope.stripeObject],
  );
}
