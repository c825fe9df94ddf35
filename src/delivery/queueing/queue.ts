// The pg-boss queue that carries one job per delivery attempt. Jobs are inserted in the publisher's
// transaction (transactional outbox) and, for retries, in the transaction that records the failed attempt.
import type pg from 'pg';
import { PgBoss, type Job, type JobInsert } from 'pg-boss';
import { jobInsertDatabase } from '../../db/transaction.js';
import { notify } from '../../db/sql/notify.js';
import { channelFor } from '../../notify/pg-event-target.js';
import { JOB_SCHEMA } from '../../db/sql/job-queue.js';

export const DELIVERY_QUEUE = 'deliveries';

/** The live topic that wakes delivery workers when jobs become due (see `enqueueInTransaction`). */
export const DELIVERY_WAKE_TOPIC = 'delivery-jobs';

/**
 * `attempt` guards against duplicates: a job only makes that attempt if the delivery has not made it yet. `test`
 * marks a testWebhook delivery's first attempt, made whatever the webhook's status (like a manual one). `trace` is the
 * W3C `traceparent` of the fan-out that queued it, when tracing is on (src/observability/tracing.ts).
 */
export type DeliveryJob = ({ deliveryId: string; attempt: number; test?: true } | { deliveryId: string; manual: true }) & {
  trace?: string;
};

export type DeliveryQueueJob = Job<DeliveryJob>;

export type QueueSettings = {
  /** Longest an attempt may take; jobs expire (and are retried) well after it. */
  deliveryTimeoutMs: number;
  /** How soon a job held by a dead worker is handed to another. */
  heartbeatSeconds: number;
};

export function createBoss(connectionString: string, settings: { monitorIntervalSeconds: number }) {
  return new PgBoss({
    connectionString,
    schema: JOB_SCHEMA,
    useListenNotify: true,
    max: 4,
    // Supervision finds jobs whose worker stopped heartbeating; it runs on both timers.
    monitorIntervalSeconds: settings.monitorIntervalSeconds,
    superviseIntervalSeconds: settings.monitorIntervalSeconds,
  });
}

export async function ensureDeliveryQueue(boss: PgBoss, settings: QueueSettings) {
  const options = {
    // Delivery workers fetch on their own loop, which pg-boss's NOTIFY does not reach; they listen on
    // DELIVERY_WAKE_TOPIC instead.
    notify: false,
    // pg-boss retries only crashed or expired attempts; failed deliveries are scheduled by the recorder itself.
    retryLimit: 20,
    retryDelay: 1,
    expireInSeconds: Math.ceil(settings.deliveryTimeoutMs / 1000) * 2 + 30,
    heartbeatSeconds: settings.heartbeatSeconds,
    // Kept longer than the longest retry step so scheduled retries are never purged before they run.
    retentionSeconds: 14 * 86_400,
    deleteAfterSeconds: 86_400,
  };
  if (await boss.getQueue(DELIVERY_QUEUE)) await boss.updateQueue(DELIVERY_QUEUE, options);
  else await boss.createQueue(DELIVERY_QUEUE, options);
}

export const deliveryJob = (webhookId: string, data: DeliveryJob, startAfter?: Date): JobInsert<DeliveryJob> => ({
  data,
  // One group per webhook: WEBHOOK_MAX_IN_FLIGHT caps its concurrent attempts across every worker.
  group: { id: webhookId },
  ...(startAfter && { startAfter }),
});

/** The NOTIFY that wakes the workers, for a caller that sends it in a statement of its own (`enqueueInTransaction`). */
export const WAKE_NOTICE = { channel: channelFor(DELIVERY_WAKE_TOPIC), payload: 'null' };

/**
 * Inserts jobs inside the caller's transaction: they exist if and only if it commits. When any is due now, a NOTIFY
 * in the same transaction wakes the workers at commit (never for a rollback); `woken`: the caller's own statement has
 * sent WAKE_NOTICE in this transaction already (the publisher's, src/events/publisher.ts).
 */
export async function enqueueInTransaction(
  boss: PgBoss,
  tx: pg.ClientBase,
  jobs: JobInsert<DeliveryJob>[],
  { woken = false }: { woken?: boolean } = {},
) {
  if (jobs.length === 0) return;
  await boss.insert(DELIVERY_QUEUE, jobs, { db: jobInsertDatabase(tx) });
  const now = Date.now();
  if (!woken && jobs.some((job) => !(job.startAfter instanceof Date) || job.startAfter.getTime() <= now)) {
    await notify(tx, WAKE_NOTICE.channel, WAKE_NOTICE.payload);
  }
}
