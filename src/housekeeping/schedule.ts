// Housekeeping, once a minute on whichever worker takes the scheduled job: erase signing secrets past their
// rotation grace period, delete events past the retention period, and webhook stats' buckets past their windows.
// (The delivery counters are folded far more often, by every worker: see `src/housekeeping/table-upkeep.ts`.)
import type pg from 'pg';
import type { PgBoss } from 'pg-boss';
import type { Logger } from 'pino';
import type { Db } from '../db/prisma.js';
import { eraseExpiredSecrets } from './expired-secrets.js';
import { purgeExpired } from './retention.js';
import { pruneWebhookStats } from './webhook-stats-pruning.js';

export const MAINTENANCE_QUEUE = 'maintenance';

export async function scheduleMaintenance(boss: PgBoss, db: Db, pool: pg.Pool, retentionDays: number, logger: Logger) {
  if (!(await boss.getQueue(MAINTENANCE_QUEUE))) {
    // A missed run is simply done by the next one: no retries, and runs never pile up.
    await boss.createQueue(MAINTENANCE_QUEUE, { retryLimit: 0, policy: 'singleton' });
  }
  await boss.schedule(MAINTENANCE_QUEUE, '* * * * *');
  await boss.work(MAINTENANCE_QUEUE, async () => {
    const erased = await eraseExpiredSecrets(db);
    const purged = await purgeExpired(pool, new Date(Date.now() - retentionDays * 86_400_000));
    const statBuckets = await pruneWebhookStats(pool, new Date());
    if (erased || purged || statBuckets) {
      logger.info({ erasedSecrets: erased, purgedEvents: purged, prunedStatBuckets: statBuckets }, 'maintenance done');
    }
  });
}
