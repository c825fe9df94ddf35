// Retention: events older than RETENTION_DAYS go, with their deliveries and attempts, in bounded batches so
// no single statement locks or bloats much. An event with a delivery still pending or retrying is kept, except a
// PULL webhook's message still unacknowledged: it stays until retention, then goes (its receiver's cursor expires).
// Completed recoveries whose window ended before then go too, in one statement (they are few: one per window asked
// for).
import { deleteExpiredEvents } from '../db/sql/housekeeping.js';
import { deleteExpiredRecoveries } from '../db/sql/recoveries.js';
import type { Queryable } from '../db/sql/queryable.js';

const BATCH = 2_000;

/** Deletes expired events (cascading to deliveries and attempts), then expired recoveries; returns how many events went. */
export async function purgeExpired(db: Queryable, cutoff: Date, batch = BATCH): Promise<number> {
  let total = 0;
  for (;;) {
    const deleted = await deleteExpiredEvents(db, cutoff, batch);
    total += deleted;
    if (deleted < batch) {
      await deleteExpiredRecoveries(db, cutoff);
      return total;
    }
  }
}
