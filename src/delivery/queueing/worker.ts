// The delivery worker: one fetch loop per process keeps up to DELIVERY_CONCURRENCY requests in flight. It fetches
// as many attempts as it has free slots, and every request holds only its own slot, so a slow receiver never holds
// up the others; a slot is free again once its answer is in, while the outcome waits for its batch to be recorded
// (at most another DELIVERY_CONCURRENCY outcomes wait, so a slow database slows fetching): see `slots.ts`. Attempts
// come as jobs of their own (retries, manual attempts, parts handed over) and as the parts of event jobs (an event's
// first attempts, `event-jobs.ts`), fetched in that order. Each request also holds one of its webhook's
// WEBHOOK_MAX_IN_FLIGHT slots, shared by every worker (`webhook-slots.ts`), taken for the whole batch before it
// starts: a job whose webhook has none free goes back to the queue, a part is handed over to a job of its own. A
// webhook whose requests time out, or whose every slot has waited over a second, is held back (see `held-back.ts`):
// its jobs are fetched separately, when one of them finished or at the poll interval, so the main fetch never reads
// past its backlog. The loop sleeps (`sleeper.ts`) when the queue is empty, until a NOTIFY says
// jobs are due (see `enqueueInTransaction`), a job of a webhook it holds at its limit completes (which may let that
// webhook go on), shortly after any other job completes (its webhook's limit may be full with other processes'
// jobs), the poll interval comes round (scheduled retries that fell due), or jobs put back to wait for their webhook's
// rate limit (`rate-limit.ts`) are due again. Each fetch is a query over the queue's
// active jobs, so the loop fetches only when a wake may find something. Why: docs/performance.md ("Batches, and when
// the worker wakes").
import type pg from 'pg';
import type { PgBoss } from 'pg-boss';
import type { Logger } from 'pino';
import { requeueJob } from '../../db/sql/job-queue.js';
import type { DeliveryAttempter } from '../sending/attempter.js';
import { partsOf, type EventJobs, type FanOut } from './event-jobs.js';
import { HELD_BACK_PRIORITY, NORMAL_PRIORITY, type HeldBackWebhooks } from './held-back.js';
import { DELIVERY_QUEUE, EVENT_QUEUE, type DeliveryJob, type DeliveryQueueJob, type EventJob } from './queue.js';
import { Sleeper } from './sleeper.js';
import { DeliverySlots } from './slots.js';
import type { TakenSlot, WebhookSlots } from './webhook-slots.js';

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

/** How fast the estimate of an event job's parts follows the event jobs fetched (see `startEvents`). */
const PARTS_ESTIMATE_WEIGHT = 0.5;

/** What the worker works with besides the queue: the attempts, the slots of webhooks, and the event jobs in hand. */
export type WorkerParts = {
  pool: pg.Pool;
  attempter: DeliveryAttempter;
  heldBack: HeldBackWebhooks;
  webhookSlots: WebhookSlots;
  eventJobs: EventJobs;
};

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
  /** Whether the last round left event jobs for when there is more room (`roomForEvents`): a freed slot may make it. */
  private eventsWaitForRoom = false;
  /** When held-back jobs are fetched next, unless one of them finishes first. */
  private heldBackDueAt = 0;
  /** The one fetch due shortly after completions whose webhook was not at its limit here (SHARED_LIMIT_RECHECK_MS). */
  private recheck: NodeJS.Timeout | null = null;
  /** Wakes due when jobs put back for their webhook's rate limit (or slots) are due again, by the time they are due. */
  private readonly rateLimitWakes = new Map<number, NodeJS.Timeout>();
  /** The webhook slot each request in flight holds, by job id. */
  private readonly webhookSlotOf = new Map<string, TakenSlot>();
  /** How many parts the event jobs fetched lately had, on average: how many to fetch for the free slots. */
  private partsPerEventJob = 1;
  private loop: Promise<void> | null = null;
  private timers: NodeJS.Timeout[] = [];
  private readonly pool: pg.Pool;
  private readonly attempter: DeliveryAttempter;
  private readonly heldBack: HeldBackWebhooks;
  private readonly webhookSlots: WebhookSlots;
  private readonly eventJobs: EventJobs;

  constructor(
    private readonly boss: PgBoss,
    parts: WorkerParts,
    private readonly settings: WorkerSettings,
    private readonly logger: Logger,
  ) {
    ({ pool: this.pool, attempter: this.attempter, heldBack: this.heldBack, webhookSlots: this.webhookSlots, eventJobs: this.eventJobs } = parts);
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
          fetched += await this.startJobs(await this.fetch(free, { maxPriority: HELD_BACK_PRIORITY }), true);
        }
        if (fetched < free) fetched += await this.startJobs(await this.fetch(free - fetched, { minPriority: NORMAL_PRIORITY }), false);
        const room = free - fetched;
        const eventsNow = room > 0 && this.roomForEvents(room);
        if (eventsNow) {
          const events = await this.startEvents(room);
          fetched += events.parts;
          // Fewer parts than room, but as many event jobs as asked for: more may wait (the estimate was high).
          if (events.full) fetched = Math.max(fetched, free);
        }
        this.moreMayWait = fetched >= free;
        this.eventsWaitForRoom = room > 0 && !eventsNow;
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

  /**
   * Jobs of their own fetched: those whose webhook has a free slot start, the others go back to the queue, due again
   * shortly (SHARED_LIMIT_RECHECK_MS). Returns how many started: a job sent back takes no slot, so it must not take
   * the room event jobs are fetched for (a webhook at its limit would otherwise starve every other webhook's first
   * attempts, fetched and sent back again and again).
   */
  private async startJobs(jobs: DeliveryQueueJob[], heldBack: boolean): Promise<number> {
    if (jobs.length === 0) return 0;
    const loading = this.load(jobs);
    const { started, refused } = await this.takeWebhookSlots(jobs);
    this.dispatch(started, heldBack, loading);
    if (refused.length > 0) {
      const dueAt = new Date(Date.now() + SHARED_LIMIT_RECHECK_MS);
      await Promise.all(refused.map((job) => requeueJob(this.pool, DELIVERY_QUEUE, job, dueAt)));
      this.wakeAfter(SHARED_LIMIT_RECHECK_MS);
    }
    return started.length;
  }

  /**
   * Whether to fetch event jobs for `room` free slots now: when it is a quarter of them at least, or when the requests
   * in flight that are likely to end soon could not make that much room. Fetching for a slot or two at a time would
   * hand most of an event job's parts on to a new one each time (a write per few parts, where one per event is the
   * aim), while waiting for slow requests would hold new events up behind them.
   */
  private roomForEvents(room: number): boolean {
    const enough = this.eventRoom;
    return room >= enough || room + this.slots.promptInFlight(Date.now()) < enough;
  }

  /** Room enough to fetch event jobs for, and the most parts of an event job handed on for want of room. */
  private get eventRoom(): number {
    return Math.ceil(this.settings.concurrency / 4);
  }

  /**
   * Event jobs fetched, about as many as fill `room` slots, and fanned out (`event-jobs.ts`): the parts that get a
   * webhook slot start, within `room`; the others are handed over (their webhook held back or at its limit) or left
   * to new event jobs (no room here). Returns how many parts were fetched, and whether the fetch was full.
   */
  private async startEvents(room: number): Promise<{ parts: number; full: boolean }> {
    const batchSize = Math.max(1, Math.floor(room / this.partsPerEventJob));
    const jobs = await this.boss.fetch<EventJob>(EVENT_QUEUE, { batchSize });
    if (jobs.length === 0) return { parts: 0, full: false };
    const parts = jobs.map((job) => partsOf(job));
    const fetched = parts.reduce((n, p) => n + p.length, 0);
    this.partsPerEventJob += PARTS_ESTIMATE_WEIGHT * (fetched / jobs.length - this.partsPerEventJob);
    // In order, up to `room` parts of webhooks not held back here try for a slot; the rest wait for a new event job.
    const trying = new Set(parts.flat().filter((part) => !this.heldBack.isHeld(part.groupId!)).slice(0, room));
    const loading = this.load([...trying]);
    const starting = new Set((await this.takeWebhookSlots([...trying])).started);
    const kept = await Promise.all(
      jobs.map(async (job, i) => {
        const fanOut: FanOut = { started: [], handedOver: [], left: [], chunk: this.eventRoom };
        for (const part of parts[i]!) {
          if (starting.has(part)) fanOut.started.push(part);
          else if (this.heldBack.isHeld(part.groupId!)) fanOut.handedOver.push({ part, priority: HELD_BACK_PRIORITY });
          else if (trying.has(part)) fanOut.handedOver.push({ part, priority: NORMAL_PRIORITY });
          else fanOut.left.push(part);
        }
        const handedOver = await this.eventJobs.handOver(job, fanOut).catch((error) => {
          this.logger.error({ err: error }, 'could not hand over the parts of an event job');
          return false;
        });
        if (!handedOver) {
          // Its claim lapsed (someone else has it now), or the database failed: it expires and runs again.
          for (const part of fanOut.started) this.webhookSlots.release(this.webhookSlotOf.get(part.id)!);
          for (const part of fanOut.started) this.webhookSlotOf.delete(part.id);
          return [];
        }
        this.eventJobs.hold(job, fanOut.started.length);
        return fanOut.started;
      }),
    );
    // One dispatch, so the attempter reads all the parts' deliveries in one statement.
    this.dispatch(kept.flat(), false, loading);
    return { parts: fetched, full: jobs.length === batchSize };
  }

  /** Takes a webhook slot for each attempt that can have one (in order): those are `started`, the others `refused`. */
  private async takeWebhookSlots(jobs: DeliveryQueueJob[]) {
    const wanted = new Map<string, number>();
    for (const job of jobs) wanted.set(job.groupId!, (wanted.get(job.groupId!) ?? 0) + 1);
    const taken = await this.webhookSlots.take(wanted);
    const started: DeliveryQueueJob[] = [];
    const refused: DeliveryQueueJob[] = [];
    for (const job of jobs) {
      const slot = taken.get(job.groupId!)?.shift();
      if (slot) this.webhookSlotOf.set(job.id, slot);
      (slot ? started : refused).push(job);
    }
    return { started, refused };
  }

  /** The deliveries of `jobs`, read while their webhook slots are taken (the two statements at once). */
  private load(jobs: DeliveryQueueJob[]) {
    const loading = this.attempter.load(jobs.map((job) => job.data.deliveryId));
    loading.catch(() => {}); // the attempts that start see the error
    return loading;
  }

  private dispatch(jobs: DeliveryQueueJob[], heldBack: boolean, loading: ReturnType<DeliveryAttempter['load']>) {
    if (jobs.length === 0) return;
    this.slots.take(jobs);
    this.attempter.run(jobs, loading).forEach(({ sent, recorded }, i) => {
      const job = jobs[i]!;
      const webhookId = job.groupId ?? null;
      const since = Date.now();
      this.slots.requestStarted(job, since);
      void sent.then((request) => {
        this.slots.requestEnded(job);
        this.webhookSlots.release(this.webhookSlotOf.get(job.id)!);
        this.webhookSlotOf.delete(job.id);
        this.slotFreed();
        if (typeof request === 'object') return this.wakeAfter(request.deferredForMs);
        if (!webhookId) return;
        if (request === 'timed-out') this.keep(this.heldBack.hold(webhookId), 'hold a webhook back');
        else if (heldBack && request === 'finished' && Date.now() - since < this.slots.slowAfterMs) {
          this.keep(this.heldBack.release(webhookId), 'release a webhook');
        }
      });
      const settled = recorded
        .then(
          () => true,
          (error) => this.failed(job, error).then(() => false),
        )
        .then((ok) => {
          const { webhookWasAtLimit } = this.slots.completed(job);
          if (webhookId) this.completed(webhookId, webhookWasAtLimit);
          return job.eventJob && this.eventJobs.settled(job, ok);
        })
        .finally(() => this.attempts.delete(settled));
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
    if (this.moreMayWait || this.waitingForSlot || (this.eventsWaitForRoom && this.roomForEvents(this.slots.free()))) this.wake();
  }

  /**
   * Database trouble while reading or recording: the job goes back to the queue and runs again (an event job's part:
   * its event job, once its other parts are settled).
   */
  private async failed(job: DeliveryQueueJob, error: unknown) {
    this.logger.error({ err: error, deliveryId: job.data.deliveryId }, 'delivery attempt could not be recorded');
    if (job.eventJob) return;
    // If even this fails, the job stops being touched and the heartbeat supervision hands it on.
    await this.boss
      .fail(DELIVERY_QUEUE, { id: job.id, retryCount: job.retryCount }, { message: String(error) })
      .catch(() => {});
  }

  private async touch() {
    const own = this.slots.jobsInHand().flatMap((job) => (job.eventJob ? [] : [{ id: job.id, retryCount: job.retryCount }]));
    const events = this.eventJobs.claimed();
    for (const [queue, held] of [[DELIVERY_QUEUE, own], [EVENT_QUEUE, events]] as const) {
      if (held.length === 0) continue;
      await this.boss.touch(queue, held).catch((error) => {
        this.logger.warn({ err: error }, `could not refresh the heartbeat of the ${queue} jobs in hand`);
      });
    }
  }
}
