// Vacuuming the tables whose rows die as fast as deliveries are made: the queue's table (every delivery inserts a
// job, claims it and deletes it: two dead rows, gathered at the head of the index every fetch reads) and the delivery
// counters' (statements append rows that the fold deletes). Each worker checks these tables' dead rows every few
// seconds (`table-upkeep.ts`) and vacuums a table past the threshold, whether or not the server's autovacuum runs
// (it visits a table at most once a minute, or never when off). The tables stay small (live jobs, one counter row
// per key), so a vacuum is short; SKIP_LOCKED leaves a table to whoever holds it (another worker's vacuum, pg-boss
// building an index concurrently): the next check tries again. Why: docs/performance.md ("The dead-row vacuum").
import type pg from 'pg';
import { DELIVERY_COUNTS_TABLE, tablesWithDeadRows, vacuumUnlessLocked } from '../db/sql/housekeeping.js';
import { jobTable } from '../db/sql/job-queue.js';
import { DELIVERY_QUEUE } from '../delivery/queueing/queue.js';

/** A table is vacuumed once it has this many dead rows. */
export const MIN_DEAD_ROWS = 10_000;

export class DeadRowVacuum {
  constructor(
    private readonly pool: pg.Pool,
    private readonly minDeadRows = MIN_DEAD_ROWS,
  ) {}

  /** Vacuums each watched table that has at least `minDeadRows` dead rows; returns those not skipped as locked. */
  async vacuumDeadTables(): Promise<string[]> {
    // The queue's table is pg-boss's to choose (a shared one, or its own partition): asked each time, as cheap.
    const queue = await jobTable(this.pool, DELIVERY_QUEUE);
    const watched = [...(queue ? [queue] : []), { schema: null, table: DELIVERY_COUNTS_TABLE }];
    const dead = await tablesWithDeadRows(this.pool, this.minDeadRows, watched);
    if (dead.length === 0) return [];
    const vacuumed: string[] = [];
    const client = await this.pool.connect();
    try {
      for (const table of dead) {
        if (await vacuumUnlessLocked(client, table)) vacuumed.push(`${table.schema}.${table.table}`);
      }
    } finally {
      client.release();
    }
    return vacuumed;
  }
}
