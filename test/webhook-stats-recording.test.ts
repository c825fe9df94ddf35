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
import { findEventType } from '../src/events/catalog.js';
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

describe("a webhook's row", () => {
  it('is written once per batch, with its failure streak and its last success and failure times', async () => {
    const hook = await api.createWebhook(receiver.url('/once'), ['vision.completed']);
    const deliveryIds: string[] = [];
    for (let i = 0; i < 5; i++) {
      const { event } = await api.publishWithDeliveries('vision.completed', { ...findEventType('vision.completed')!.example, job_id: `once-${i}` });
      deliveryIds.push(...event.deliveries.map((d) => d.id));
    }
    const loaded = await loadDeliveriesToAttempt(service.pool, deliveryIds);
    const deliveries = deliveryIds.map((id) => loaded.get(id)!);
    // Every write of the webhook's row, by transaction (a trigger of this test's own).
    await service.pool.query(`
      CREATE TABLE webhook_row_writes (webhook_id text, xid xid8 DEFAULT pg_current_xact_id());
      CREATE FUNCTION note_webhook_row_write() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN INSERT INTO webhook_row_writes (webhook_id) VALUES (NEW.id); RETURN NEW; END $$;
      CREATE TRIGGER webhook_row_writes AFTER UPDATE ON webhooks FOR EACH ROW EXECUTE FUNCTION note_webhook_row_write()`);
    const writesPerBatch = async () =>
      (
        await service.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM webhook_row_writes WHERE webhook_id = $1 GROUP BY xid', [hook.id])
      ).rows.map((row) => row.n);
    const at = (second: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, second));
    const entry = (delivery: (typeof deliveries)[number], second: number, status: number): AttemptEntry => ({
      kind: 'attempted',
      job: { id: randomUUID(), retryCount: 0, data: { deliveryId: delivery.id, attempt: 1 } } as DeliveryQueueJob,
      delivery,
      manual: false,
      startedAt: at(second),
      request: { retryCount: 0, signatures: 1, traceparent: null, headerNames: [] },
      outcome: outcome(status, 5),
    });
    const health = () => service.db.webhook.findUniqueOrThrow({ where: { id: hook.id } });
    const { recorder: one, close } = recorder();
    try {
      // Three failures in one batch: the streak reaches webhook.failing's threshold and is announced.
      await Promise.all([entry(deliveries[0]!, 1, 500), entry(deliveries[1]!, 2, 500), entry(deliveries[2]!, 3, 500)].map((e) => one.record(e)));
      expect(await health()).toMatchObject({ consecutiveFailures: 3, failureAnnounced: true, lastSuccessAt: null, lastFailureAt: at(3) });
      // A success ends it; a failure after it starts another.
      await one.record(entry(deliveries[3]!, 4, 200));
      expect(await health()).toMatchObject({ consecutiveFailures: 0, failureAnnounced: false, lastSuccessAt: at(4), lastFailureAt: at(3) });
      await one.record(entry(deliveries[4]!, 5, 500));
      expect(await health()).toMatchObject({ consecutiveFailures: 1, failureAnnounced: false, lastSuccessAt: at(4), lastFailureAt: at(5) });
      expect(await writesPerBatch()).toEqual([1, 1, 1]);
    } finally {
      await close();
      await service.pool.query('DROP TRIGGER webhook_row_writes ON webhooks; DROP FUNCTION note_webhook_row_write(); DROP TABLE webhook_row_writes');
    }
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
