// Recording what attempts did, many at a time. While one batch's transaction runs, the outcomes that arrive queue
// up and go into the next (group commit), so the database sees a few statements per batch, not per attempt. One
// transaction writes a batch's attempts, the deliveries' new states, the retries' jobs, the webhooks' stats, any
// webhook given up on, the webhooks' failure streaks and the operational events all that causes (webhook.failing, …,
// published to their subscribers), and removes the batch's own queue jobs: a job is done exactly when its outcome is
// on record (an event job's parts are settled by the worker, src/delivery/queueing/event-jobs.ts, once all are). Done jobs are deleted rather than marked complete: the delivery and attempt rows are the record, and
// completed jobs would otherwise stay in the queue's table, one per attempt, until pg-boss's retention sweep (once a
// day by default).
import type pg from 'pg';
import type { PgBoss } from 'pg-boss';
import {
  disableWebhooks,
  insertAttempts,
  lockDeliveries,
  lockWebhooks,
  updateDeliveries,
} from '../../db/sql/attempts.js';
import { recordWebhookStats } from '../../db/sql/webhook-stats.js';
import type { Changes, EventPublisher, Published } from '../../events/publisher.js';
import { inTransaction, jobDatabase } from '../../db/transaction.js';
import type { DeliveryRef } from '../../live/updates.js';
import type { Metrics } from '../../metrics/metrics.js';
import { statsIncrements } from '../../webhooks/stats.js';
import { DELIVERY_QUEUE, enqueueInTransaction } from '../queueing/queue.js';
import { decideBatch, type AttemptEntry, type Observed } from './batch-decision.js';
import type { OperationalEvent } from './failure-streaks.js';

export type RecorderDeps = {
  pool: pg.Pool;
  boss: PgBoss;
  metrics: Metrics;
  retryScheduleMs: readonly number[];
  now?: () => Date;
  /** Told after every committed change of a delivery's state (live updates). */
  onDeliveryChanged?: (delivery: DeliveryRef) => void;
  /** Publishes the operational events a batch causes, in its transaction. */
  publisher: Pick<EventPublisher, 'publishOperationalWithin' | 'announceOperational'>;
};

type Waiting = { entry: AttemptEntry; resolve: () => void; reject: (error: unknown) => void };

/** Big enough to amortise a transaction, small enough to keep it short. */
const MAX_BATCH = 200;

export class AttemptRecorder {
  private readonly now: () => Date;
  private waiting: Waiting[] = [];
  private flushing = false;

  constructor(private readonly deps: RecorderDeps) {
    this.now = deps.now ?? (() => new Date());
  }

  /** Resolves once the entry is committed with its job's removal; rejects if it could not be recorded. */
  record(entry: AttemptEntry): Promise<void> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ entry, resolve, reject });
      // Entries of the same event-loop turn share the first transaction.
      if (!this.flushing) {
        this.flushing = true;
        setImmediate(() => void this.flush());
      }
    });
  }

  private async flush() {
    while (this.waiting.length > 0) {
      const batch = this.waiting.splice(0, MAX_BATCH);
      try {
        await this.commit(batch.map((w) => w.entry));
        for (const w of batch) w.resolve();
      } catch (error) {
        if (batch.length === 1) batch[0]!.reject(error);
        // One entry the database refuses must not fail the others: record them one by one.
        else for (const w of batch) await this.commit([w.entry]).then(w.resolve, w.reject);
      }
    }
    this.flushing = false;
  }

  private async commit(entries: AttemptEntry[]) {
    const { pool, boss } = this.deps;
    const { changed, observed, disabledWebhooks, operational } = await inTransaction(pool, async (tx) => {
      const written = await this.write(tx, entries);
      // Fenced to the attempts fetched: a job whose claim lapsed meanwhile is left to whoever holds it now.
      const jobs = entries.flatMap(({ job }) => (job.eventJob ? [] : [{ id: job.id, retryCount: job.retryCount }]));
      if (jobs.length > 0) await boss.deleteJob(DELIVERY_QUEUE, jobs, { db: jobDatabase(tx) });
      return written;
    });
    const { metrics } = this.deps;
    for (const { outcome, status } of observed) {
      metrics.attempts.inc({ outcome: outcome.error?.kind ?? 'SUCCESS' });
      metrics.attemptDuration.observe(outcome.durationMs / 1000);
      if (status === 'SUCCESS' || status === 'FAILED') metrics.deliveriesFinished.inc({ status });
    }
    if (disabledWebhooks > 0) metrics.webhooksDisabled.inc(disabledWebhooks);
    for (const delivery of changed) this.deps.onDeliveryChanged?.(delivery);
    for (const published of operational) this.deps.publisher.announceOperational(published);
  }

  /** Locks what the batch touches, decides what it changes (`decideBatch`), and writes that. */
  private async write(tx: pg.ClientBase, entries: AttemptEntry[]) {
    const touched = entries.flatMap((e) => (e.kind === 'skipped' ? [] : [e]));
    if (touched.length === 0) {
      return { changed: [], observed: [] as Observed[], disabledWebhooks: 0, operational: [] as (Published & Changes)[] };
    }
    // Webhooks first, then deliveries: the lock order of a webhook's deletion (see src/db/sql/attempts.ts). The
    // webhooks' locks exclude other writers (their failure streaks are read here and written below), so batches of
    // other workers that touch the same webhooks wait for each other from here to the commit.
    const { statuses: webhooks, health } = await lockWebhooks(tx, touched.map((e) => e.delivery.webhookId));
    const deliveries = await lockDeliveries(tx, touched.map((e) => e.delivery.id));
    const decision = decideBatch(
      touched,
      { webhooks, health, deliveries },
      { retryScheduleMs: this.deps.retryScheduleMs, now: this.now },
    );
    await insertAttempts(tx, decision.attempts);
    const changed = await updateDeliveries(tx, decision.deliveries);
    await enqueueInTransaction(this.deps.boss, tx, decision.retries);
    // Each touched webhook's row once: its last success and failure times with its failure streak.
    await recordWebhookStats(tx, statsIncrements(decision.counted), decision.health);
    const disabledWebhooks = await disableWebhooks(tx, decision.webhooksToDisable);
    const operational = await this.publishOperational(tx, decision.operationalEvents);
    return { changed, observed: decision.observed, disabledWebhooks, operational };
  }

  /** The operational events the batch causes, each to its subscribers but the webhook it is about, in order. */
  private async publishOperational(tx: pg.ClientBase, events: readonly OperationalEvent[]) {
    const published: (Published & Changes)[] = [];
    for (const event of events) published.push(await this.deps.publisher.publishOperationalWithin(tx, event));
    return published;
  }
}
