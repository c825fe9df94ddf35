// One queue job per event, fanned out by the worker that fetches it. Why: a job per delivery cost three writes to an
// indexed table (insert, fetch, delete) for every delivery, about a quarter of Postgres' time; an event job costs
// them once per event (docs/performance.md, "One queue job per event").
//
// The contract, and how each guarantee is kept:
// - The publishing transaction inserts one event job (EVENT_QUEUE) listing its deliveries and their webhooks (the
//   transactional outbox, as before: it exists if and only if the publish commits). PULL deliveries get none.
// - A worker that fetches event jobs turns their parts into attempts (`partsOf`) and decides, part by part: start it
//   now, holding one of its webhook's slots (src/delivery/queueing/webhook-slots.ts: the per-webhook in-flight limit
//   across every worker) and one of its own (DELIVERY_CONCURRENCY); hand it over to a job of its own in its
//   webhook's group (DELIVERY_QUEUE) when the webhook is held back here (at HELD_BACK_PRIORITY) or has no free slot;
//   or leave it to new event jobs when this worker has no room for it, each of as many parts as a worker fetches
//   event jobs for (a quarter of DELIVERY_CONCURRENCY), so that a later fetch, here or in another worker, takes them
//   whole. All of that is written in one transaction (`handOver`), which also narrows the fetched event job to the
//   parts started, fenced to its claim; when everything starts at once, nothing is written.
// - An event job is done when each part it still lists is recorded: then it is deleted (with the others of that
//   event-loop turn, one statement). If a part could not be recorded, the event job fails and pg-boss runs it again.
//   A worker killed with its event jobs in hand leaves them to expire and run again elsewhere: a part whose attempt
//   is already recorded is skipped there (its delivery's attempt count), so the attempts repeated are only those the
//   dead worker had in flight or waiting to be recorded, as with a job per delivery.
// - Retries, manual attempts, recoveries and parts handed over are jobs of their own, as before: held back,
//   rate-limited (`src/delivery/queueing/rate-limit.ts`: a part refused a start is handed over, due when it is free)
//   and recorded the same way; they take a webhook slot too, and one that finds none goes back to the queue.
import type pg from 'pg';
import type { PgBoss } from 'pg-boss';
import type { Logger } from 'pino';
import { narrowClaimedJob } from '../../db/sql/job-queue.js';
import { inTransaction } from '../../db/transaction.js';
import {
  deliveryJob,
  enqueueInTransaction,
  EVENT_QUEUE,
  eventJob,
  type DeliveryQueueJob,
  type EventJob,
  type EventQueueJob,
  type JobRef,
} from './queue.js';

/** The attempts an event job carries, one per part: the first attempt of each delivery. */
export function partsOf(job: EventQueueJob): DeliveryQueueJob[] {
  const { parts, test, trace } = job.data;
  const eventJob = { id: job.id, retryCount: job.retryCount };
  return parts.map(([deliveryId, webhookId]) => ({
    id: `${job.id}/${deliveryId}`,
    groupId: webhookId,
    retryCount: job.retryCount,
    data: { deliveryId, attempt: 1, ...(test && { test }), ...(trace && { trace }) },
    eventJob,
  }));
}

/** What a worker decided for a fetched event job's parts (each part is in one list). */
export type FanOut = {
  started: DeliveryQueueJob[];
  /** Parts whose webhook could not take them now, each with the priority of its own job. */
  handedOver: { part: DeliveryQueueJob; priority: number }[];
  /** Parts this worker has no room for: new event jobs of at most `chunk` parts each. */
  left: DeliveryQueueJob[];
  chunk: number;
};

const chunksOf = <T>(items: T[], size: number): T[][] =>
  Array.from({ length: Math.ceil(items.length / size) }, (_, i) => items.slice(i * size, (i + 1) * size));

const asParts = (parts: DeliveryQueueJob[]): EventJob['parts'] => parts.map((p) => [p.data.deliveryId, p.groupId!]);

export class EventJobs {
  /** The event jobs in hand, each with its parts not settled yet and whether one of them failed. */
  private readonly inHand = new Map<string, { job: JobRef; pending: number; failed: boolean }>();
  private done: JobRef[] = [];

  constructor(
    private readonly boss: PgBoss,
    private readonly pool: pg.Pool,
    private readonly logger: Logger,
  ) {}

  /**
   * Writes what was decided for `job`'s parts, in one transaction: the jobs of the parts handed over, the event job of
   * those left, and `job` narrowed to the parts started. False (nothing written) when `job`'s claim has lapsed: its
   * parts are someone else's now. Nothing to write when every part started.
   */
  async handOver(job: EventQueueJob, { started, handedOver, left, chunk }: FanOut): Promise<boolean> {
    if (handedOver.length === 0 && left.length === 0) return true;
    const { test, trace } = job.data;
    return inTransaction(this.pool, async (tx) => {
      const ref = { id: job.id, retryCount: job.retryCount };
      if (!(await narrowClaimedJob(tx, EVENT_QUEUE, ref, { ...job.data, parts: asParts(started) }))) return false;
      await enqueueInTransaction(
        this.boss,
        tx,
        handedOver.map(({ part, priority }) => deliveryJob(part.groupId!, part.data, undefined, priority)),
        chunksOf(left, chunk).map((parts) => eventJob({ parts: asParts(parts), ...(test && { test }), ...(trace && { trace }) })),
      );
      return true;
    });
  }

  /** `job` is in hand with `started` parts: it is done once each is settled (at once, when none started). */
  hold(job: EventQueueJob, started: number): void {
    const entry = { job: { id: job.id, retryCount: job.retryCount }, pending: started, failed: false };
    this.inHand.set(job.id, entry);
    if (started === 0) this.finish(entry);
  }

  /** A part's outcome is recorded (`recorded`), or could not be: when it is the last, its event job is done or failed. */
  settled(part: DeliveryQueueJob, recorded: boolean): Promise<void> {
    const entry = this.inHand.get(part.eventJob!.id);
    if (!entry) return Promise.resolve();
    if (!recorded) entry.failed = true;
    if (--entry.pending > 0) return Promise.resolve();
    return this.finish(entry);
  }

  /** The event jobs in hand: what the heartbeat keeps claimed. */
  claimed(): JobRef[] {
    return [...this.inHand.values()].map((entry) => entry.job);
  }

  private finish(entry: { job: JobRef; failed: boolean }): Promise<void> {
    this.inHand.delete(entry.job.id);
    if (entry.failed) {
      // Run again: its parts recorded meanwhile are skipped then. If even this fails, the job expires and runs again.
      return this.boss
        .fail(EVENT_QUEUE, entry.job, { message: 'a part could not be recorded' })
        .then(() => {})
        .catch(() => {});
    }
    this.done.push(entry.job);
    if (this.done.length === 1) {
      return new Promise((resolve) =>
        setImmediate(() => {
          const jobs = this.done;
          this.done = [];
          this.boss
            .deleteJob(EVENT_QUEUE, jobs)
            // Left claimed: it expires and runs again, and every part of it is skipped as already recorded.
            .catch((error) => this.logger.warn({ err: error }, 'could not delete finished event jobs'))
            .finally(resolve);
        }),
      );
    }
    return Promise.resolve();
  }
}
