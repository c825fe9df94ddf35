// A webhook's rate limit (`rateLimitPerSecond`): deliveries started per second, held across every worker. Before an
// attempt starts, its worker takes a start from the webhook's shared pace in Postgres (`takeDeliveryStart`: one
// atomic statement, the generic cell rate algorithm with no burst, so starts are at least 1/limit s apart on the
// database's clock and no one-second window holds more than `limit`). A job refused a start is not attempted and not
// failed: it goes back to the queue (`requeueJob`), due when the next start is free, and its worker is told when to
// fetch again. Webhooks without a limit never reach this module: no statement, no round trip.
import type pg from 'pg';
import { requeueJob } from '../../db/sql/job-queue.js';
import { takeDeliveryStart } from '../../db/sql/webhook-rate-limits.js';
import { DELIVERY_QUEUE, type DeliveryQueueJob } from './queue.js';

/** A job put back to wait for its webhook's rate limit: its worker should fetch again `inMs` from now. */
export type Deferred = { deferredForMs: number };

export class WebhookRateLimits {
  constructor(private readonly pool: pg.Pool) {}

  /** Null when `job` may start now; otherwise it is back in the queue, due when its webhook's next start is free. */
  async admit(job: DeliveryQueueJob, webhookId: string, perSecond: number): Promise<Deferred | null> {
    const start = await takeDeliveryStart(this.pool, webhookId, perSecond);
    if (start.admitted) return null;
    await requeueJob(this.pool, DELIVERY_QUEUE, job, start.allowedAt);
    return { deferredForMs: start.waitMs };
  }
}
