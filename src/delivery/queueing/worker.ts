// The delivery worker: one fetch loop per process keeps up to DELIVERY_CONCURRENCY requests in flight. It fetches
// as many jobs as it has free slots in one query, and every request holds only its own slot, so a slow receiver
// never holds up the others; a slot is free again once its answer is in, while the outcome waits for its batch to
// be recorded (at most another DELIVERY_CONCURRENCY outcomes wait, so a slow database slows fetching): see
// `slots.ts`. WEBHOOK_MAX_IN_FLIGHT (a pg-boss group limit, one group per webhook) caps one webhook's share of the
// slots, and a webhook whose requests time out, or whose every slot has waited over a second, is held back (see
// `held-back.ts`): its jobs are fetched separately, when one of them finished or at the poll interval, so the main
// fetch never reads past its backlog. The loop sleeps (`sleeper.ts`) when the queue is empty, until a NOTIFY says
// jobs are due (see `enqueueInTransaction`), a job of a webhook it holds at its limit completes (which may let that
// webhook go on), shortly after any other job completes (its webhook's limit may be full with other processes'
// jobs), the poll interval comes round (scheduled retries that fell due), or jobs put back to wait for their webhook's
// rate limit (`rate-limit.ts`) are due again. Each fetch is a query over the queue's
// active jobs, so the loop fetches only when a wake may find something. Why: docs/performance.md ("Batches, and when
// the worker wakes").
import type { PgBoss } from 'pg-boss';
import type { Logger } from 'pino';
import type { DeliveryAttempter } from '../sending/attempter.js';
import { HELD_BACK_PRIORITY, NORMAL_PRIORITY, type HeldBackWebhooks } from './held-back.js';
import { DELIVERY_QUEUE, type DeliveryJob, type DeliveryQueueJob } from './queue.js';
import { Sleeper } from './sleeper.js';
import { DeliverySlots } from './slots.js';

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

/** Created, then running from `start()`; `stop()` stops fetching, and the worker is stopped once its jobs are recorded. */
export type WorkerState = 'created' | 'running' | 'stopping' | 'stopped';

export class DeliveryWorker {
  private lifecycle: WorkerState = 'created';
  private readonly slots: DeliverySlots<DeliveryQueueJob>;
  private readonly sleeper = new Sleeper();
  /** The jobs' recordings not settled yet: what `stop()` waits for. */
  private readonly attempts = new Set<Promise<void>>();
  /** The loop sleeps until a slot is free: a freed slot wakes it. */
  private waitingForSlot = false;
  /** Whether the last fetch filled every free slot: only then may a freed slot find more at once. */
  private moreMayWait = false;
  /** When held-back jobs are fetched next, unless one of them finishes first. */
  private heldBackDueAt = 0;
  /** The one fetch due shortly after completions whose webhook was not at its limit here (SHARED_LIMIT_RECHECK_MS). */
  private recheck: NodeJS.Timeout | null = null;
  /** Wakes due when jobs put back for their webhook's rate limit are due again, by the time they are due. */
  private readonly rateLimitWakes = new Map<number, NodeJS.Timeout>();
  private loop: Promise<void> | null = null;
  private timers: NodeJS.Timeout[] = [];

  constructor(
    private readonly boss: PgBoss,
    private readonly attempter: DeliveryAttempter,
    private readonly heldBack: HeldBackWebhooks,
    private readonly settings: WorkerSettings,
    private readonly logger: Logger,
  ) {
    this.slots = new DeliverySlots({
      concurrency: settings.concurrency,
      webhookMaxInFlight: settings.webhookMaxInFlight,
      slowAfterMs: Math.min(SLOW_AFTER_MS, settings.timeoutMs / 2),
    });
  }

  /** Where the worker is in its life. */
  get state(): WorkerState {
    return this.lifecycle;
  }

  start(): void {
    if (this.lifecycle !== 'created') return;
    this.lifecycle = 'running';
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
    this.sleeper.wake();
  }

  /** Stops fetching and waits for the attempts in hand to finish and be recorded. */
  async stop(): Promise<void> {
    if (this.lifecycle === 'stopped') return;
    this.lifecycle = 'stopping';
    this.sleeper.stop();
    await this.loop;
    await Promise.allSettled(this.attempts);
    for (const timer of this.timers) clearInterval(timer);
    if (this.recheck) clearTimeout(this.recheck);
    for (const timer of this.rateLimitWakes.values()) clearTimeout(timer);
    this.lifecycle = 'stopped';
  }

  private async run() {
    while (this.lifecycle === 'running') {
      const free = this.slots.free();
      if (free <= 0) {
        this.waitingForSlot = true;
        await this.sleeper.sleep(null); // a freed slot wakes the loop
        this.waitingForSlot = false;
        continue;
      }
      this.sleeper.forget();
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
        await this.sleeper.sleep(this.settings.pollIntervalMs);
        continue;
      }
      // A short batch means the queue had no more due jobs for us (or only for webhooks at their limit).
      if (fetched < free) {
        this.logger.debug({ inHand: this.slots.inHandCount }, 'delivery worker waiting: no more jobs due');
        await this.sleeper.sleep(this.settings.pollIntervalMs);
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
    this.slots.take(jobs);
    this.attempter.run(jobs).forEach(({ sent, recorded }, i) => {
      const job = jobs[i]!;
      const webhookId = job.groupId ?? null;
      const since = Date.now();
      this.slots.requestStarted(job, since);
      void sent.then((request) => {
        this.slots.requestEnded(job);
        this.slotFreed();
        if (typeof request === 'object') return this.wakeAfter(request.deferredForMs);
        if (!webhookId) return;
        if (request === 'timed-out') this.keep(this.heldBack.hold(webhookId), 'hold a webhook back');
        else if (heldBack && request === 'finished' && Date.now() - since < this.slots.slowAfterMs) {
          this.keep(this.heldBack.release(webhookId), 'release a webhook');
        }
      });
      const settled = recorded
        .catch((error) => this.failed(job, error))
        .finally(() => {
          const { webhookWasAtLimit } = this.slots.completed(job);
          this.attempts.delete(settled);
          if (webhookId) this.completed(webhookId, webhookWasAtLimit);
        });
      this.attempts.add(settled);
    });
  }

  /**
   * A completed job frees a place in hand (the loop may be waiting for one) and in its webhook's in-flight limit:
   * jobs waiting for it may be fetched.
   */
  private completed(webhookId: string, webhookWasAtLimit: boolean) {
    this.slotFreed();
    // A held-back webhook's job done may let it take another: fetch held-back jobs again now.
    const held = this.heldBack.isHeld(webhookId);
    if (held) this.heldBackDueAt = 0;
    if (held || webhookWasAtLimit) this.wake();
    else this.recheck ??= setTimeout(() => {
      this.recheck = null;
      this.wake();
    }, SHARED_LIMIT_RECHECK_MS);
  }

  /**
   * Holds back the webhooks whose every slot has been waiting longer than the slow threshold: long before their
   * requests time out, their queued jobs would otherwise pile up where every fetch reads them.
   */
  private holdSlowWebhooks() {
    for (const webhookId of this.slots.slowWebhooks(Date.now())) {
      this.keep(this.heldBack.renew(webhookId), 'hold a webhook back');
    }
  }

  /** Fetches again in `ms` (one timer per due time: jobs deferred to the same instant share it). */
  private wakeAfter(ms: number) {
    const due = Date.now() + ms;
    if (this.rateLimitWakes.has(due) || this.lifecycle !== 'running') return;
    this.rateLimitWakes.set(
      due,
      setTimeout(() => {
        this.rateLimitWakes.delete(due);
        this.wake();
      }, ms),
    );
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
    if (this.slots.inHandCount === 0) return;
    const held = this.slots.jobsInHand().map((job) => ({ id: job.id, retryCount: job.retryCount }));
    await this.boss.touch(DELIVERY_QUEUE, held).catch((error) => {
      this.logger.warn({ err: error }, 'could not refresh the heartbeat of the delivery jobs in hand');
    });
  }
}
