// Bulk recoveries run on the workers, one batch a second: each batch re-queues the next deliveries a recovery covers
// the way a manual retry does (a manual attempt's job in the webhook's group, so WEBHOOK_MAX_IN_FLIGHT holds, and the
// delivery's next attempt set to now), then queues the recovery's next batch a second later. A batch is one
// transaction holding the recovery's row lock: its jobs, its progress and the next batch's job commit together, so
// whichever worker runs it, a crash or a restart re-runs the batch whole and no delivery is queued twice.
import type pg from 'pg';
import type { PgBoss } from 'pg-boss';
import type { Logger } from 'pino';
import { jobInsertDatabase, inTransaction } from '../../db/transaction.js';
import { markRetriesQueued } from '../../db/sql/deliveries.js';
import { lockNextBatch, recordBatch } from '../../db/sql/recoveries.js';
import { deliveryJob, enqueueInTransaction } from '../queueing/queue.js';

export const RECOVERY_QUEUE = 'recoveries';

/** The job of a recovery's next batch. */
export type RecoveryJob = { recoveryId: string };

const BATCH_INTERVAL_MS = 1_000;

export async function ensureRecoveryQueue(boss: PgBoss): Promise<void> {
  // A batch that threw rolled back whole: running it again is safe.
  if (!(await boss.getQueue(RECOVERY_QUEUE))) await boss.createQueue(RECOVERY_QUEUE, { retryLimit: 20, retryDelay: 1 });
}

/** Queues a recovery's next batch in the caller's transaction, `delayMs` from now. */
export async function queueRecoveryBatch(boss: PgBoss, tx: pg.ClientBase, recoveryId: string, delayMs = 0): Promise<void> {
  const job = { data: { recoveryId } satisfies RecoveryJob, ...(delayMs > 0 && { startAfter: new Date(Date.now() + delayMs) }) };
  await boss.insert(RECOVERY_QUEUE, [job], { db: jobInsertDatabase(tx) });
}

/**
 * Re-queues the recovery's next `perBatch` deliveries; queues the batch after, or completes the recovery when none
 * are left. Returns how many it re-queued.
 */
export async function runRecoveryBatch(boss: PgBoss, pool: pg.Pool, recoveryId: string, perBatch: number): Promise<number> {
  return inTransaction(pool, async (tx) => {
    // One more than the batch: whether another batch is needed.
    const batch = await lockNextBatch(tx, recoveryId, perBatch + 1);
    if (!batch) return 0;
    const { recovery } = batch;
    const deliveries = batch.deliveryIds.slice(0, perBatch);
    const ids = deliveries.map((d) => d.id);
    await enqueueInTransaction(boss, tx, ids.map((deliveryId) => deliveryJob(recovery.webhookId, { deliveryId, manual: true })));
    if (ids.length > 0) await markRetriesQueued(tx, ids);
    const completed = batch.deliveryIds.length <= perBatch;
    await recordBatch(tx, recoveryId, { requeued: ids.length, last: deliveries.at(-1), completed });
    if (!completed) await queueRecoveryBatch(boss, tx, recoveryId, BATCH_INTERVAL_MS);
    return ids.length;
  });
}

/** Works the recovery queue on this worker: at most `ratePerSecond` deliveries re-queued per recovery per second. */
export async function workRecoveries(boss: PgBoss, pool: pg.Pool, ratePerSecond: number, logger: Logger): Promise<void> {
  await boss.work<RecoveryJob>(RECOVERY_QUEUE, { pollingIntervalSeconds: 0.5 }, async ([job]) => {
    const requeued = await runRecoveryBatch(boss, pool, job!.data.recoveryId, ratePerSecond);
    logger.debug({ recoveryId: job!.data.recoveryId, requeued }, 'recovery batch re-queued');
  });
}
