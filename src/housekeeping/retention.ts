// Retention: events older than RETENTION_DAYS go, with their deliveries and attempts, in bounded batches so
// no single statement locks or bloats much. An event with a delivery still pending or retrying is kept.
import type { Db } from '../db/prisma.js';

const BATCH = 2_000;

/** Deletes expired events (cascading to deliveries and attempts); returns how many events went. */
export async function purgeExpired(db: Db, cutoff: Date, batch = BATCH): Promise<number> {
  let total = 0;
  for (;;) {
    const deleted = await db.$executeRaw`
      DELETE FROM events WHERE id IN (
        SELECT e.id FROM events e
        WHERE e.timestamp < ${cutoff}
          AND NOT EXISTS (
            SELECT 1 FROM deliveries d WHERE d.event_id = e.id AND d.status IN ('PENDING', 'RETRYING'))
        LIMIT ${batch})`;
    total += deleted;
    if (deleted < batch) return total;
  }
}
