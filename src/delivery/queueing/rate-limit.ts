// A webhook's rate limit (`rateLimitPerSecond`): deliveries started per second, held across every worker. Before an
// attempt starts, its worker takes a start from the webhook's shared pace in Postgres (`takeDeliveryStart`: one
// atomic statement, the generic cell rate algorithm with no burst, so starts are at least 1/limit s apart on the
// database's clock and no one-second window holds more than `limit`). A job refused a start is not attempted and not
// failed: it goes back to the queue (`requeueJob`), due when the next start is free, and its worker is told when to
// fetch again; a part of an event job (src/delivery/queueing/event-jobs.ts) is handed over instead, to a job of its
// own due then. Webhooks without a limit never reach this module: no statement, no round trip.
import type pg from 'pg';
import type { PgBoss } from 'pg-boss';
import { requeueJob } from '../../db/sql/job-queue.js';
import { takeDeliveryStart } from '../../db/sql/webhook-rate-limits.js';
import { DELIVERY_QUEUE, deliveryJob, type DeliveryQueueJob } from './queue.js';

/** A job put back to wait for its webhook's rate limit: its worker should fetch again `inMs` from now. */
export type Deferred = { deferredForMs: number };

export class WebhookRateLimits {
  constructor(
    private readonly pool: pg.Pool,
    private readonly boss: PgBoss,
  ) {}

  /** Null when `job` may start now; otherwise it is back in the queue, due when its webhook's next start is free. */
  async admit(job: DeliveryQueueJob, webhookId: string, perSecond: number): Promise<Deferred | null> {
    const start = await takeDeliveryStart(this.pool, webhookId, perSecond);
    if (start.admitted) return null;
    if (job.eventJob) await this.boss.insert(DELIVERY_QUEUE, [deliveryJob(webhookId, job.data, start.allowedAt)]);
    else await requeueJob(this.pool, DELIVERY_QUEUE, job, start.allowedAt);
    return { deferredForMs: start.waitMs };
  }
}
