// Housekeeping's statements (`src/housekeeping/`): the dead-row vacuum's lookup and its VACUUM, and retention's
// batched delete.
import pg from 'pg';
import type { QualifiedTable } from './job-queue.js';
import type { Queryable } from './queryable.js';

/** The counters' table, in the service's schema (the connection's current schema). */
export const DELIVERY_COUNTS_TABLE = 'delivery_counts';

/**
 * Which of `tables` have at least `minDeadRows` dead rows, as the statistics count them. A table given without a
 * schema is looked for in the connection's current schema.
 */
export async function tablesWithDeadRows(
  db: Queryable,
  minDeadRows: number,
  tables: readonly { schema: string | null; table: string }[],
): Promise<QualifiedTable[]> {
  const { rows } = await db.query<QualifiedTable>(
    `SELECT s.schemaname AS schema, s.relname AS "table"
     FROM pg_stat_user_tables s
     JOIN unnest($2::text[], $3::text[]) AS t(schema, name)
       ON s.schemaname = coalesce(t.schema, current_schema()) AND s.relname = t.name
     WHERE s.n_dead_tup >= $1`,
    [minDeadRows, tables.map((t) => t.schema), tables.map((t) => t.table)],
  );
  return rows;
}

/**
 * `VACUUM (SKIP_LOCKED)` of one table, on a connection outside any transaction (VACUUM cannot run in one). Returns
 * false when the table was skipped because someone else holds a lock on it.
 */
export async function vacuumUnlessLocked(client: pg.ClientBase, { schema, table }: QualifiedTable): Promise<boolean> {
  // A skipped table is only reported as a notice (a WARNING), sent before the statement completes.
  let skipped = false;
  const onNotice = (notice: { message?: string }) => (skipped ||= notice.message?.startsWith('skipping vacuum') ?? false);
  client.on('notice', onNotice);
  try {
    await client.query(`VACUUM (SKIP_LOCKED) ${pg.escapeIdentifier(schema)}.${pg.escapeIdentifier(table)}`);
  } finally {
    client.off('notice', onNotice);
  }
  return !skipped;
}

/**
 * Deletes up to `batch` events older than `cutoff` (cascading to their deliveries and attempts), except those with a
 * delivery still pending or retrying (other than a PULL webhook's unacknowledged message); returns how many went.
 */
export async function deleteExpiredEvents(db: Queryable, cutoff: Date, batch: number): Promise<number> {
  const { rowCount } = await db.query(
    `DELETE FROM events WHERE id IN (
       SELECT e.id FROM events e
       WHERE e.timestamp < $1
         AND NOT EXISTS (
           SELECT 1 FROM deliveries d WHERE d.event_id = e.id AND d.status IN ('PENDING', 'RETRYING')
             AND NOT EXISTS (SELECT 1 FROM pull_messages m WHERE m.delivery_id = d.id))
       LIMIT $2)`,
    [cutoff, batch],
  );
  return rowCount ?? 0;
}
