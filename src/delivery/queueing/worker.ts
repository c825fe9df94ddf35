// The delivery worker: one fetch loop per process keeps up to DELIVERY_CONCURRENCY requests in flight. It fetches
// as many jobs as it has free slots in one query, and every request holds only its own slot, so a slow receiver
// never holds up the others; a slot is free again once its answer is in, while the outcome waits for its batch to
// be recorded (at most another DELIVERY_CONCURRENCY outcomes wait, so a slow database slows fetching).
// WEBHOOK_MAX_IN_FLIGHT (a pg-boss group limit, one group per webhook) caps one webhook's share of the slots, and a
// webhook whose requests time out, or whose every slot has waited over a second, is held back (see `held-back.ts`):
// its jobs are fetched separately, when one of them finished or at the poll interval, so the main fetch never reads
// past its backlog. The loop sleeps when the queue is empty, until a NOTIFY says jobs are due (see
// `enqueueInTransaction`), a job of a webhook it holds at its limit completes (which may let that webhook go on),
// shortly after any other job completes (its webhook's limit may be full with other processes' jobs), or the poll
// interval comes round (scheduled retries that fell due). Each fetch is a query over the queue's active jobs, so
// wakes that cannot find anything are avoided: at a light load they were most of the fetches.
import type { PgBoss } from 'pg-boss';
import type { Logger } from 'pino';
import type { DeliveryAttempter } from '../sending/attempter.js';
import { HELD_BACK_PRIORITY, NORMAL_PRIORITY, type HeldBackWebhooks } from './held-back.js';
import { DELIVERY_QUEUE, type DeliveryJob, type DeliveryQueueJob } from './queue.js';

export type WorkerSettings = {
  concurrency: number;
  webhookMaxInFlight: number;
  pollIntervalMs: number;
  /** The queue's heartbeat: jobs not touched for this long are handed to another worker. */
  heartbeatSeconds: number;
  /** The delivery timeout: how long a request may hang. */
  timeoutMs: number;
};

/** How often slow webhooks are looked for, and jobs published for held-back webhooks moved behind the rest. */
const HELD_BACK_SWEEP_MS = 1000;
/** A request waiting longer than this is slow (or half the timeout, when that is shorter). */
const SLOW_AFTER_MS = 1000;
/**
 * After a job completes whose webhook this process does not hold at its limit, the limit may still have been full
 * with other processes' jobs: fetch again this soon, once for all the completions meanwhile.
 */
const SHARED_LIMIT_RECHECK_MS = 200;

export class DeliveryWorker {
  /** The jobs in hand until recorded, by id: what the heartbeat keeps claimed. */
  private readonly inHand = new Map<string, DeliveryQueueJob>();
  /** Jobs whose request is not answered yet: the slots in use. */
  private sending = 0;
  private waitingForSlot = false;
  private readonly attempts = new Set<Promise<void>>();
  private woken = false;
  private wakeSleeper: (() => void) | null = null;
  private stopping = false;
  /** Whether the last fetch filled every free slot: only then may a freed slot find more at once. */
  private moreMayWait = false;
  /** Jobs in hand per webhook: at its in-flight limit, one of them completing lets its next job be fetched. */
  private readonly inHandPerWebhook = new Map<string, number>();
  private recheck: NodeJS.Timeout | null = null;
  /** Requests in flight, by job id: to which webhook, since when (holding back slow webhooks). */
  private readonly requests = new Map<string, { webhookId: string; since: number }>();
  /** When held-back jobs are fetched next, unless one of them finishes first. */
  private heldBackDueAt = 0;
  private loop: Promise<void> | null = null;
  private timers: NodeJS.Timeout[] = [];
  private readonly slowAfterMs: number;

  constructor(
    private readonly boss: PgBoss,
    private readonly attempter: DeliveryAttempter,
    private readonly heldBack: HeldBackWebhooks,
    private readonly settings: WorkerSettings,
    private readonly logger: Logger,
  ) {
    this.slowAfterMs = Math.min(SLOW_AFTER_MS, settings.timeoutMs / 2);
  }

  start(): void {
    this.loop = this.run();
    const everyMs = Math.max(500, (this.settings.heartbeatSeconds * 1000) / 2);
    this.timers.push(setInterval(() => void this.touch(), everyMs));
    this.timers.push(
      setInterval(() => {
        this.holdSlowWebhooks();
        this.keep(this.heldBack.sweep(), 'sweep the held-back webhooks');
      }, HELD_BACK_SWEEP_MS),
    );
  }

  /** Jobs may be due: fetch now rather than at the next poll. */
  wake(): void {
    this.woken = true;
    this.wakeSleeper?.();
  }

  /** Stops fetching and waits for the attempts in hand to finish and be recorded. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.wake();
    await this.loop;
    await Promise.allSettled(this.attempts);
    for (const timer of this.timers) clearInterval(timer);
    if (this.recheck) clearTimeout(this.recheck);
  }

  private async run() {
    while (!this.stopping) {
      const { concurrency } = this.settings;
      const free = Math.min(concurrency - this.sending, 2 * concurrency - this.inHand.size);
      if (free <= 0) {
        this.waitingForSlot = true;
        await this.sleep(null); // a freed slot wakes the loop
        this.waitingForSlot = false;
        continue;
      }
      this.woken = false;
      let fetched = 0;
      try {
        if (Date.now() >= this.heldBackDueAt) {
          this.heldBackDueAt = Date.now() + this.settings.pollIntervalMs;
          const heldBack = await this.fetch(free, { maxPriority: HELD_BACK_PRIORITY });
          this.dispatch(heldBack, true);
          fetched += heldBack.length;
        }
        const jobs = fetched < free ? await this.fetch(free - fetched, { minPriority: NORMAL_PRIORITY }) : [];
        this.dispatch(jobs, false);
        fetched += jobs.length;
        this.moreMayWait = fetched >= free;
      } catch (error) {
        this.logger.error({ err: error }, 'could not fetch delivery jobs');
        await this.sleep(this.settings.pollIntervalMs);
        continue;
      }
      // A short batch means the queue had no more due jobs for us (or only for webhooks at their limit).
      if (fetched < free) {
        this.logger.debug({ inHand: this.inHand.size }, 'delivery worker waiting: no more jobs due');
        await this.sleep(this.settings.pollIntervalMs);
      }
    }
  }

  private fetch(batchSize: number, priority: { minPriority: number } | { maxPriority: number }) {
    return this.boss.fetch<DeliveryJob>(DELIVERY_QUEUE, {
      batchSize,
      groupConcurrency: this.settings.webhookMaxInFlight,
      ...priority,
    });
  }

  private dispatch(jobs: DeliveryQueueJob[], heldBack: boolean) {
    if (jobs.length === 0) return;
    for (const job of jobs) this.inHand.set(job.id, job);
    this.sending += jobs.length;
    this.attempter.run(jobs).forEach(({ sent, recorded }, i) => {
      const job = jobs[i]!;
      const webhookId = job.groupId ?? null;
      const since = Date.now();
      if (webhookId) {
        this.requests.set(job.id, { webhookId, since });
        this.inHandPerWebhook.set(webhookId, (this.inHandPerWebhook.get(webhookId) ?? 0) + 1);
      }
      void sent.then((request) => {
        this.sending--;
        this.requests.delete(job.id);
        this.slotFreed();
        if (!webhookId) return;
        if (request === 'timed-out') this.keep(this.heldBack.hold(webhookId), 'hold a webhook back');
        else if (heldBack && request === 'finished' && Date.now() - since < this.slowAfterMs) {
          this.keep(this.heldBack.release(webhookId), 'release a webhook');
        }
      });
      const settled = recorded
        .catch((error) => this.failed(job, error))
        .finally(() => {
          this.inHand.delete(job.id);
          this.attempts.delete(settled);
          if (webhookId) this.completed(webhookId);
        });
      this.attempts.add(settled);
    });
  }

  /**
   * A completed job frees a place in hand (the loop may be waiting for one) and in its webhook's in-flight limit:
   * jobs waiting for it may be fetched.
   */
  private completed(webhookId: string) {
    this.slotFreed();
    const inHand = this.inHandPerWebhook.get(webhookId)!;
    if (inHand > 1) this.inHandPerWebhook.set(webhookId, inHand - 1);
    else this.inHandPerWebhook.delete(webhookId);
    // A held-back webhook's job done may let it take another: fetch held-back jobs again now.
    const held = this.heldBack.isHeld(webhookId);
    if (held) this.heldBackDueAt = 0;
    if (held || inHand >= this.settings.webhookMaxInFlight) this.wake();
    else this.recheck ??= setTimeout(() => {
      this.recheck = null;
      this.wake();
    }, SHARED_LIMIT_RECHECK_MS);
  }

  /**
   * Holds back the webhooks whose every slot has been waiting longer than `slowAfterMs`: long before their requests
   * time out, their queued jobs would otherwise pile up where every fetch reads them.
   */
  private holdSlowWebhooks() {
    const now = Date.now();
    const slow = new Map<string, number>();
    for (const { webhookId, since } of this.requests.values()) {
      if (now - since > this.slowAfterMs) slow.set(webhookId, (slow.get(webhookId) ?? 0) + 1);
    }
    for (const [webhookId, waiting] of slow) {
      if (waiting >= this.settings.webhookMaxInFlight) this.keep(this.heldBack.renew(webhookId), 'hold a webhook back');
    }
  }

  /** Runs a background step whose failure only costs fetch efficiency: logged, never thrown. */
  private keep(step: Promise<void>, what: string) {
    step.catch((error) => this.logger.warn({ err: error }, `could not ${what}`));
  }

  private slotFreed() {
    if (this.moreMayWait || this.waitingForSlot) this.wake();
  }

  /** Database trouble while reading or recording: the job goes back to the queue and runs again. */
  private async failed(job: DeliveryQueueJob, error: unknown) {
    this.logger.error({ err: error, deliveryId: job.data.deliveryId }, 'delivery attempt could not be recorded');
    // If even this fails, the job stops being touched and the heartbeat supervision hands it on.
    await this.boss
      .fail(DELIVERY_QUEUE, { id: job.id, retryCount: job.retryCount }, { message: String(error) })
      .catch(() => {});
  }

  private async touch() {
    if (this.inHand.size === 0) return;
    const held = [...this.inHand.values()].map((job) => ({ id: job.id, retryCount: job.retryCount }));
    await this.boss.touch(DELIVERY_QUEUE, held).catch((error) => {
      this.logger.warn({ err: error }, 'could not refresh the heartbeat of the delivery jobs in hand');
    });
  }

  /** Until woken (at once if woken since the last fetch or sleep), or for `ms` (null: only until woken). */
  private sleep(ms: number | null): Promise<void> {
    if (this.stopping) return Promise.resolve();
    if (this.woken) {
      this.woken = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const timer = ms === null ? undefined : setTimeout(() => done(), ms);
      const done = () => {
        clearTimeout(timer);
        this.woken = false;
        this.wakeSleeper = null;
        resolve();
      };
      this.wakeSleeper = done;
    });
  }
}
