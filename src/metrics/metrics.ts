// Prometheus metrics at /metrics: what operators need to see that deliveries flow.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type pg from 'pg';
import type { PgBoss } from 'pg-boss';
import type { Db } from '../db/prisma.js';
import { oldestPendingDelivery } from '../db/sql/deliveries-metrics.js';
import { DELIVERY_QUEUE, EVENT_QUEUE } from '../delivery/queueing/queue.js';

export type Metrics = ReturnType<typeof createMetrics>;

export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const registers = [registry];
  return {
    registry,
    attempts: new Counter({
      name: 'webhooks_delivery_attempts_total',
      help: 'Delivery attempts by outcome (success, or the error kind)',
      labelNames: ['outcome'] as const,
      registers,
    }),
    attemptDuration: new Histogram({
      name: 'webhooks_delivery_attempt_duration_seconds',
      help: 'Time from sending a delivery to the end of the response (or the failure)',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    }),
    deliveriesFinished: new Counter({
      name: 'webhooks_deliveries_finished_total',
      help: 'Deliveries that reached a final state (success, or failed with no retry left)',
      labelNames: ['status'] as const,
      registers,
    }),
    eventsPublished: new Counter({
      name: 'webhooks_events_published_total',
      help: 'Events stored for delivery (published, or sent by testWebhook), by type; a repeated idempotency key is not counted again',
      labelNames: ['type'] as const,
      registers,
    }),
    webhooksHeldBack: new Gauge({
      name: 'webhooks_held_back',
      help: 'Webhooks this worker holds back because their receiver is slow or hangs: their jobs wait behind the others',
      registers,
    }),
    webhooksDisabled: new Counter({
      name: 'webhooks_disabled_total',
      help: 'Webhooks disabled automatically after failing deliveries or a 410 Gone',
      registers,
    }),
  };
}

/** Gauges read from the database at scrape time, so every process reports the same shared state. */
export function registerQueueGauges(metrics: Metrics, db: Db, pool: pg.Pool, boss: PgBoss) {
  const registers = [metrics.registry];
  new Gauge({
    name: 'webhooks_queue_depth',
    help: "Delivery jobs waiting to run, including scheduled retries, and event jobs (an event's first attempts, counted once) (pg-boss cached stats)",
    registers,
    async collect() {
      const queues = await Promise.all([DELIVERY_QUEUE, EVENT_QUEUE].map((name) => boss.getQueue(name)));
      this.set(queues.reduce((n, queue) => n + (queue?.queuedCount ?? 0), 0));
    },
  });
  new Gauge({
    name: 'webhooks_oldest_pending_delivery_age_seconds',
    help: 'Age of the oldest delivery not yet attempted (0 when none)',
    registers,
    async collect() {
      const oldest = await oldestPendingDelivery(pool);
      this.set(oldest ? (Date.now() - oldest.getTime()) / 1000 : 0);
    },
  });
  new Gauge({
    name: 'webhooks_disabled',
    help: 'Webhooks currently disabled',
    registers,
    async collect() {
      this.set(await db.webhook.count({ where: { status: 'DISABLED' } }));
    },
  });
}
