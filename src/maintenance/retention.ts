// Retention: events older than RETENTION_DAYS go, with their deliveries and attempts, in bounded batches so
// no single statement locks or bloats much. An event with a delivery still pending or retrying is kept.
import type { PgBoss } from 'pg-boss';
import type { Db } from '../db/prisma.js';

export const RETENTION_QUEUE = 'retention';
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

/** Runs the purge hourly, on whichever worker process takes the scheduled job. */
export async function scheduleRetention(boss: PgBoss, db: Db, retentionDays: number, onPurged: (n: number) => void) {
  if (!(await boss.getQueue(RETENTION_QUEUE))) await boss.createQueue(RETENTION_QUEUE, { retryLimit: 3 });
  await boss.schedule(RETENTION_QUEUE, '17 * * * *');
  await boss.work(RETENTION_QUEUE, async () => {
    onPurged(await purgeExpired(db, new Date(Date.now() - retentionDays * 86_400_000)));
  });
}
