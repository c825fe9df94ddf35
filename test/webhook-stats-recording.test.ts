// How webhook stats are kept: two recorders (as on two workers, each with its own connections) recording attempts of
// the same webhooks at the same moment lose no increment and never wait on each other in a cycle; old buckets are
// pruned by the housekeeping; a webhook's stats go with it.
import { randomUUID } from 'node:crypto';
import { PgBoss } from 'pg-boss';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabase } from '../src/db/prisma.js';
import { loadDeliveriesToAttempt } from '../src/db/sql/attempts.js';
import { JOB_SCHEMA } from '../src/db/sql/job-queue.js';
import { recordWebhookStats } from '../src/db/sql/webhook-stats.js';
import type { DeliveryQueueJob } from '../src/delivery/queueing/queue.js';
import type { AttemptEntry } from '../src/delivery/recording/batch-decision.js';
import { EventPublisher } from '../src/events/publisher.js';
import { AttemptRecorder } from '../src/delivery/recording/recorder.js';
import type { PostOutcome } from '../src/delivery/sending/http-client.js';
import { pruneWebhookStats } from '../src/housekeeping/webhook-stats-pruning.js';
import { createMetrics } from '../src/metrics/metrics.js';
import { statsIncrements } from '../src/webhooks/stats.js';
import type { TestApi } from './support/api.js';
import { startReceiver, type Receiver } from './support/receiver.js';
import { startTestService, type TestService } from './support/service.js';

let service: TestService;
let receiver: Receiver;
let api: TestApi;
let boss: PgBoss;

beforeAll(async () => {
  receiver = await startReceiver();
  // The API alone: no worker attempts anything, so every attempt in these stats is one the test recorded.
  service = await startTestService({ ROLE: 'api' });
  ({ api } = await service.newProject());
  boss = new PgBoss({ connectionString: service.databaseUrl, schema: JOB_SCHEMA, supervise: false, schedule: false, migrate: false });
  await boss.start();
});

afterAll(() => boss.stop({ graceful: false }));

const outcome = (status: number, durationMs: number): PostOutcome => ({
  durationMs,
  status,
  headers: {},
  body: '',
  bodyTruncated: false,
  error: status < 300 ? null : { kind: 'HTTP_STATUS', message: `HTTP ${status}` },
});

/** A recorder with connections of its own, as a worker process has. */
function recorder() {
  const { pool, close } = createDatabase(service.databaseUrl, () => {}, { max: 2 });
  const publisher = new EventPublisher(pool, boss);
  return { recorder: new AttemptRecorder({ pool, boss, publisher, metrics: createMetrics(), retryScheduleMs: [3_600_000] }), close };
}

describe('two recorders at once', () => {
  it('lose no increment of the stats of the webhooks they share', async () => {
    const always = await api.createWebhook(receiver.url('/always'), ['optimization.started']);
    const never = await api.createWebhook(receiver.url('/never'), ['optimization.started']);
    const ROUNDS = 10;
    const deliveryIds: string[] = [];
    for (let i = 0; i < 2 * ROUNDS; i++) {
      const { event } = await api.publishWithDeliveries('optimization.started', { job_id: `concurrent-${i}` });
      deliveryIds.push(...event.deliveries.map((d) => d.id));
    }
    const deliveries = [...(await loadDeliveriesToAttempt(service.pool, deliveryIds)).values()];
    const entry = (webhookId: string): AttemptEntry => {
      const delivery = deliveries.splice(deliveries.findIndex((d) => d.webhookId === webhookId), 1)[0]!;
      const ok = webhookId === always.id;
      return {
        kind: 'attempted',
        job: { id: randomUUID(), retryCount: 0, data: { deliveryId: delivery.id, attempt: 1 } } as DeliveryQueueJob,
        delivery,
        manual: false,
        startedAt: new Date(),
        request: { retryCount: 0, signatures: 1, traceparent: null, headerNames: [] },
        outcome: ok ? outcome(200, 10) : outcome(500, 8),
      };
    };
    const [first, second] = [recorder(), recorder()];
    try {
      // Each round, both record a batch touching both webhooks, in opposite orders, in transactions that overlap.
      for (let round = 0; round < ROUNDS; round++) {
        await Promise.all([
          Promise.all([entry(always.id), entry(never.id)].map((e) => first.recorder.record(e))),
          Promise.all([entry(never.id), entry(always.id)].map((e) => second.recorder.record(e))),
        ]);
      }
    } finally {
      await Promise.all([first.close(), second.close()]);
    }
    expect(await api.client.webhooks.stats(always.id, 'HOUR')).toMatchObject({
      attempts: 2 * ROUNDS,
      successes: 2 * ROUNDS,
      consecutiveFailures: 0,
      p50ResponseTimeMs: 10, // 10 is its bin's representative
    });
    expect(await api.client.webhooks.stats(never.id, 'DAY')).toMatchObject({
      attempts: 2 * ROUNDS,
      successes: 0,
      consecutiveFailures: 2 * ROUNDS,
      p95ResponseTimeMs: 8, // exact below 9 ms
    });
  });
});

describe('the stats buckets', () => {
  const countBuckets = async (webhookId: string) =>
    Number((await service.pool.query('SELECT count(*) FROM webhook_stats WHERE webhook_id = $1', [webhookId])).rows[0].count);

  it('are pruned past the longest window they serve, and the windows still count what is left', async () => {
    const { id: webhookId } = await api.createWebhook(receiver.url('/pruned'), ['optimization.started']);
    const now = new Date();
    const ago = (minutes: number) => new Date(now.getTime() - minutes * 60_000);
    // Now; 3 hours ago (its minute bucket is past the hour window, its hour bucket serves the day); 8 days ago.
    const attempts = [0, 180, 8 * 24 * 60].map((minutes) => ({ webhookId, startedAt: ago(minutes), succeeded: true, durationMs: 20 }));
    await recordWebhookStats(service.pool as never, statsIncrements(attempts));
    expect(await countBuckets(webhookId)).toBe(6);
    await pruneWebhookStats(service.pool, now);
    expect(await countBuckets(webhookId)).toBe(3);
    expect(await api.client.webhooks.stats(webhookId, 'HOUR')).toMatchObject({ attempts: 1 });
    expect(await api.client.webhooks.stats(webhookId, 'DAY')).toMatchObject({ attempts: 2 });
    expect(await api.client.webhooks.stats(webhookId, 'WEEK')).toMatchObject({ attempts: 2 });
  });

  it('go with their webhook', async () => {
    const { id: webhookId } = await api.createWebhook(receiver.url('/deleted'), ['optimization.started']);
    await recordWebhookStats(service.pool as never, statsIncrements([{ webhookId, startedAt: new Date(), succeeded: false, durationMs: 5 }]));
    expect(await countBuckets(webhookId)).toBe(2);
    await api.client.webhooks.delete(webhookId);
    expect(await countBuckets(webhookId)).toBe(0);
  });
});
