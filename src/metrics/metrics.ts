// Prometheus metrics at /metrics: what operators need to see that deliveries flow. In a process set
// (src/process-set/) every process's /metrics answers for the whole set: it asks the primary, which gathers each
// process's registry and aggregates them (prom-client's AggregatorRegistry): counters, histograms and the default
// process metrics (memory, CPU seconds, handles) add up, event-loop lag is averaged, and the gauges read from the
// shared database are taken once.
import { AggregatorRegistry, Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type pg from 'pg';
import type { PgBoss } from 'pg-boss';
import type { Db } from '../db/prisma.js';
import { oldestPendingDelivery } from '../db/sql/deliveries-metrics.js';
import { DELIVERY_QUEUE, EVENT_QUEUE } from '../delivery/queueing/queue.js';
import { answerWorkers, askPrimary } from '../process-set/ipc.js';

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
  // Every process of a set reads the same rows: one reading stands for all.
  const aggregator = 'first';
  new Gauge({
    name: 'webhooks_queue_depth',
    help: "Delivery jobs waiting to run, including scheduled retries, and event jobs (an event's first attempts, counted once) (pg-boss cached stats)",
    registers,
    aggregator,
    async collect() {
      const queues = await Promise.all([DELIVERY_QUEUE, EVENT_QUEUE].map((name) => boss.getQueue(name)));
      this.set(queues.reduce((n, queue) => n + (queue?.queuedCount ?? 0), 0));
    },
  });
  new Gauge({
    name: 'webhooks_oldest_pending_delivery_age_seconds',
    help: 'Age of the oldest delivery not yet attempted (0 when none)',
    registers,
    aggregator,
    async collect() {
      const oldest = await oldestPendingDelivery(pool);
      this.set(oldest ? (Date.now() - oldest.getTime()) / 1000 : 0);
    },
  });
  new Gauge({
    name: 'webhooks_disabled',
    help: 'Webhooks currently disabled',
    registers,
    aggregator,
    async collect() {
      this.set(await db.webhook.count({ where: { status: 'DISABLED' } }));
    },
  });
}

/** What /metrics serves: the text and its content type. */
export type Scrape = { contentType: string; metrics: () => Promise<string> };

const SCRAPE = 'metrics:scrape';

/**
 * A lone process's scrape is its registry. A process of a set answers the primary's requests for its registry and
 * scrapes through the primary (`aggregateSharedMetrics`), so whichever process a scrape reaches answers for all.
 */
export function scrapeOf(registry: Registry, { shared = false } = {}): Scrape {
  if (!shared) return registry;
  AggregatorRegistry.setRegistries(registry);
  return { contentType: registry.contentType, metrics: () => askPrimary<string>(SCRAPE, null) };
}

/**
 * In a process of a set, as it starts: answers the primary's requests for its registry (an empty one until
 * `scrapeOf` names the service's), so a scrape while it starts does not wait for it.
 */
export function answerMetricsRequests(): void {
  new AggregatorRegistry(); // installs prom-client's answer in this process
}

/** In the primary of a process set: a scrape of any process gathers every process's registry and aggregates them. */
export function aggregateSharedMetrics(): void {
  const aggregator = new AggregatorRegistry();
  answerWorkers(SCRAPE, () => aggregator.clusterMetrics());
}
