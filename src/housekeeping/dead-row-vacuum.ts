// Vacuuming the tables whose rows die as fast as deliveries are made. Every delivery inserts a queue job, claims it
// (an update) and deletes it: two dead rows per delivery in the queue's table, and every fetch reads the queue's
// index from its head, where the dead entries gather. Left alone (a server with autovacuum off, or between
// autovacuum's visits, at most one a minute per database), the fetch read five times more than any other statement
// (docs/performance.md, "The queue's dead rows"). The delivery counters' table is the same: statements append rows
// that the compaction deletes. So each worker checks these tables' dead rows every few seconds (`table-upkeep.ts`)
// and vacuums a table past the threshold. The tables stay small (live jobs, one counter row per key), so a vacuum is short;
// SKIP_LOCKED leaves a table to whoever holds it (another worker's vacuum, pg-boss building an index concurrently):
// the next check tries again.
import pg from 'pg';
import { DELIVERY_QUEUE } from '../delivery/queueing/queue.js';

/** A table is vacuumed once it has this many dead rows. */
export const MIN_DEAD_ROWS = 10_000;

export class QueueVacuum {
  constructor(
    private readonly pool: pg.Pool,
    private readonly minDeadRows = MIN_DEAD_ROWS,
  ) {}

  /** Vacuums each watched table that has at least `minDeadRows` dead rows; returns those not skipped as locked. */
  async vacuumDeadTables(): Promise<string[]> {
    // The queue's table is pg-boss's to choose (a shared one, or its own partition): asked each time, as cheap.
    const { rows } = await this.pool.query<{ schema: string; table: string }>(
      `SELECT s.schemaname AS schema, s.relname AS "table"
       FROM pg_stat_user_tables s
       WHERE s.n_dead_tup >= $1
         AND ((s.schemaname = 'pgboss' AND s.relname = (SELECT table_name FROM pgboss.queue WHERE name = $2))
           OR (s.schemaname = current_schema() AND s.relname = 'delivery_counts'))`,
      [this.minDeadRows, DELIVERY_QUEUE],
    );
    if (rows.length === 0) return [];
    const vacuumed: string[] = [];
    const client = await this.pool.connect();
    // A skipped table is only reported as a notice (a WARNING), sent before the statement completes.
    let skipped = false;
    const onNotice = (notice: { message?: string }) => (skipped ||= notice.message?.startsWith('skipping vacuum') ?? false);
    client.on('notice', onNotice);
    try {
      for (const { schema, table } of rows) {
        skipped = false;
        // Not in a transaction: VACUUM cannot run in one.
        await client.query(`VACUUM (SKIP_LOCKED) ${pg.escapeIdentifier(schema)}.${pg.escapeIdentifier(table)}`);
        if (!skipped) vacuumed.push(`${schema}.${table}`);
      }
    } finally {
      client.off('notice', onNotice);
      client.release();
    }
    return vacuumed;
  }
}
