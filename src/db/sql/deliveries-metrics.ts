// The statements behind the delivery gauges of /metrics (`src/metrics/metrics.ts`), read at scrape time.
import type { Queryable } from './queryable.js';

/** When the oldest delivery not yet attempted was created; null when none waits. */
export async function oldestPendingDelivery(db: Queryable): Promise<Date | null> {
  const { rows } = await db.query<{ oldest: Date | null }>(
    `SELECT min(created_at) AS oldest FROM deliveries WHERE status = 'PENDING'`,
  );
  return rows[0]?.oldest ?? null;
}
