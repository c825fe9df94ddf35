// The pg-boss queues of delivery attempts. A publish inserts one event job in its transaction (transactional
// outbox): the first attempts of the event's deliveries, fanned out by the worker that fetches it
// (src/delivery/queueing/event-jobs.ts). Every other attempt has a job of its own, in its webhook's group: retries
// (inserted in the transaction that records the failed attempt), manual attempts, and first attempts an event job
// handed over because their webhook could not take them at once.
import type pg from 'pg';
import { PgBoss, type Job, type JobInsert } from 'pg-boss';
import { jobInsertDatabase } from '../../db/transaction.js';
import { notify } from '../../db/sql/notify.js';
import { channelFor } from '../../notify/pg-event-target.js';
import { JOB_SCHEMA } from '../../db/sql/job-queue.js';

/** One job per attempt that is not an event's first (see above), grouped by webhook. */
export const DELIVERY_QUEUE = 'deliveries';
/** One job per event: its deliveries' first attempts. */
export const EVENT_QUEUE = 'event-deliveries';

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

/** The event job they are a part of, or their own job: what is settled once an attempt is recorded. */
export type JobRef = { id: string; retryCount: number };

/**
 * A delivery attempt in a worker's hand: its own job of DELIVERY_QUEUE, or a part of an event job (`eventJob`; its
 * `id` is the event job's and the delivery's). `groupId` is its webhook.
 */
export type DeliveryQueueJob = Pick<Job<DeliveryJob>, 'id' | 'groupId' | 'retryCount' | 'data'> & { eventJob?: JobRef };

/** An event's first attempts: each part a delivery and its webhook; `test` and `trace` as in `DeliveryJob`. */
export type EventJob = { parts: [deliveryId: string, webhookId: string][]; test?: true; trace?: string };

export type EventQueueJob = Job<EventJob>;

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

/** Both queues, created or brought up to date. */
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
  for (const queue of [DELIVERY_QUEUE, EVENT_QUEUE]) {
    if (await boss.getQueue(queue)) await boss.updateQueue(queue, options);
    else await boss.createQueue(queue, options);
  }
}

/** `priority`: HELD_BACK_PRIORITY for a webhook held back (src/delivery/queueing/held-back.ts). */
export const deliveryJob = (webhookId: string, data: DeliveryJob, startAfter?: Date, priority?: number): JobInsert<DeliveryJob> => ({
  data,
  // One group per webhook: its queued jobs are held back together, and a fetch takes at most WEBHOOK_MAX_IN_FLIGHT
  // of them; the limit itself is kept by the webhook's slots (src/delivery/queueing/webhook-slots.ts).
  group: { id: webhookId },
  ...(startAfter && { startAfter }),
  ...(priority !== undefined && { priority }),
});

/** An event's first attempts, one job (no group: the worker takes each part's webhook slot itself). */
export const eventJob = (data: EventJob): JobInsert<EventJob> => ({ data });

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
  eventJobs: JobInsert<EventJob>[] = [],
  { woken = false }: { woken?: boolean } = {},
) {
  if (jobs.length === 0 && eventJobs.length === 0) return;
  if (jobs.length > 0) await boss.insert(DELIVERY_QUEUE, jobs, { db: jobInsertDatabase(tx) });
  if (eventJobs.length > 0) await boss.insert(EVENT_QUEUE, eventJobs, { db: jobInsertDatabase(tx) });
  const now = Date.now();
  const due = eventJobs.length > 0 || jobs.some((job) => !(job.startAfter instanceof Date) || job.startAfter.getTime() <= now);
  if (!woken && due) {
    await notify(tx, WAKE_NOTICE.channel, WAKE_NOTICE.payload);
  }
}
