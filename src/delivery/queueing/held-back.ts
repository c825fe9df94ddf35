// Webhooks held back. A receiver that is slow to answer, or lets requests run into the timeout, keeps its webhook's
// in-flight slots, so that webhook's jobs pile up at the head of the queue. pg-boss applies the per-webhook limit row
// by row, so every fetch would read past the whole pile before reaching anyone else's jobs. Holding the webhook back
// moves its queued jobs to HELD_BACK_PRIORITY, which sorts after every other job in pg-boss's fetch index: the
// worker's main fetch asks for priority 0 and up, an index range that does not contain them, and a separate fetch
// takes held-back jobs when one of them finished or at the poll interval. Nothing is dropped or delayed beyond what
// the webhook's own limit allows. The worker decides when (see `worker.ts`); a held-back job answered quickly
// releases the webhook: its jobs go back to the normal priority.
//
// pg-boss has no call to change a queued job's priority: `src/db/sql/job-queue.ts` moves them, and states what that
// assumes of pg-boss's table and fetch index.
import type pg from 'pg';
import type { Logger } from 'pino';
import type { Gauge } from 'prom-client';
import { moveQueuedJobs, moveQueuedJobsCreatedSince } from '../../db/sql/job-queue.js';
import { DELIVERY_QUEUE } from './queue.js';

export const HELD_BACK_PRIORITY = -1;
export const NORMAL_PRIORITY = 0;

/**
 * A webhook not held again for this long is released: while it hangs, the worker holds it again every second (its
 * slots stay full) or on each timeout, so a lapsed hold means it was deleted, disabled, or has no traffic left.
 */
export const HOLD_LAPSES_AFTER_MS = 60_000;

/** Jobs queued for these webhooks in a transaction that committed after the previous sweep read the clock. */
const SWEEP_OVERLAP = '5 seconds';

export class HeldBackWebhooks {
  /** When each held-back webhook was last held. */
  private readonly held = new Map<string, number>();
  /** Database time of the last sweep: the next one only looks at jobs created after it (less an overlap). */
  private sweptAt: Date | null = null;

  constructor(
    private readonly pool: pg.Pool,
    private readonly logger: Logger,
    private readonly gauge?: Gauge,
    private readonly now: () => number = Date.now,
  ) {}

  isHeld(webhookId: string): boolean {
    return this.held.has(webhookId);
  }

  /** The webhook is slow or hangs: its queued jobs, and those queued for it from now on, wait behind the rest. */
  async hold(webhookId: string): Promise<void> {
    // Moved again on every timeout, not only the first: another worker may have released it meanwhile.
    const first = !this.held.has(webhookId);
    this.held.set(webhookId, this.now());
    this.gauge?.set(this.held.size);
    const moved = await this.move(webhookId, NORMAL_PRIORITY, HELD_BACK_PRIORITY);
    if (first) this.logger.warn({ webhookId, jobs: moved }, 'webhook held back: its receiver is slow or hangs');
  }

  /**
   * The webhook's slots are still all waiting: renews its hold, which the sweep keeps up to date, or holds it back if
   * it was not. Cheaper than `hold`, which moves every queued job of the webhook again.
   */
  async renew(webhookId: string): Promise<void> {
    if (this.held.has(webhookId)) this.held.set(webhookId, this.now());
    else await this.hold(webhookId);
  }

  /** A held-back job was answered quickly (or the hold lapsed): the webhook's jobs go back to the normal priority. */
  async release(webhookId: string, why = 'its receiver answers again'): Promise<void> {
    this.held.delete(webhookId);
    this.gauge?.set(this.held.size);
    const moved = await this.move(webhookId, HELD_BACK_PRIORITY, NORMAL_PRIORITY);
    this.logger.info({ webhookId, jobs: moved }, `webhook released: ${why}`);
  }

  /** Releases lapsed holds, and moves the jobs published for held-back webhooks since the last sweep behind the rest. */
  async sweep(): Promise<void> {
    const now = this.now();
    for (const [webhookId, at] of this.held) {
      if (now - at > HOLD_LAPSES_AFTER_MS) await this.release(webhookId, 'not held again for a minute');
    }
    if (this.held.size === 0) return;
    this.sweptAt = await moveQueuedJobsCreatedSince(
      this.pool,
      DELIVERY_QUEUE,
      [...this.held.keys()],
      NORMAL_PRIORITY,
      HELD_BACK_PRIORITY,
      this.sweptAt,
      SWEEP_OVERLAP,
    );
  }

  /** Moves all of one webhook's queued jobs from one priority to the other. */
  private move(webhookId: string, from: number, to: number): Promise<number> {
    return moveQueuedJobs(this.pool, DELIVERY_QUEUE, [webhookId], from, to);
  }
}
