// Bulk recovery: a webhook's deliveries of a window attempted again by the workers at a bounded rate, exactly once
// each; one recovery per window; bad windows and other projects' webhooks refused with nothing written.
import { randomUUID } from 'node:crypto';
import { PgBoss } from 'pg-boss';
import { beforeAll, describe, expect, it } from 'vitest';
import { NotFoundError, ValidationError } from '../client/src/index.js';
import { countJobs, JOB_SCHEMA } from '../src/db/sql/job-queue.js';
import { DELIVERY_QUEUE } from '../src/delivery/queueing/queue.js';
import { RECOVERY_QUEUE, runRecoveryBatch } from '../src/delivery/recovery/recovery-runner.js';
import type { DeliveryStatus } from '../src/generated/prisma/client.js';
import type { TestApi } from './support/api.js';
import { onCleanup } from './support/cleanup.js';
import { eventually, type Receiver } from './support/receiver.js';
import { expectError, restClient } from './support/rest.js';
import { startFixture, startTestService, type TestService } from './support/service.js';

let service: TestService;
let receiver: Receiver;
let key: string;
let api: TestApi;
let rest: ReturnType<typeof restClient>;

beforeAll(async () => {
  ({ receiver, service, key, api } = await startFixture({
    // One retry, soon: a failing delivery is FAILED (and its webhook disabled) within a second.
    RETRY_SCHEDULE: '100ms',
    RECOVERY_RATE_PER_SECOND: '1',
    JOB_POLL_INTERVAL: '500ms',
  }));
  rest = restClient(service.httpUrl);
});

/** Waits until the delivery has the status; returns it. */
const settledAs = (id: string, status: DeliveryStatus) =>
  eventually(async () => {
    const delivery = await service.db.delivery.findUnique({ where: { id } });
    return delivery?.status === status ? delivery : undefined;
  }, `delivery ${id} ${status}`, 20_000);

/** A receiver path that fails (500) while `failing.now`, and a webhook of it for batch events. */
async function flakyWebhook(path: string) {
  const failing = { now: true };
  receiver.on(path, (_req, res) => res.writeHead(failing.now ? 500 : 200).end());
  const { id } = await api.createWebhook(receiver.url(path), ['batch.*']);
  return { webhookId: id, failing };
}

/** Publishes a batch.submitted event to the project's webhooks (earlier tests' too); its delivery to `webhookId`. */
async function deliveryOf(webhookId: string, jobId: string) {
  const { event } = await api.publishWithDeliveries('batch.submitted', { job_id: jobId, status: 'submitted' });
  return event.deliveries.find((d) => d.webhook.id === webhookId)!.id;
}

const jobIdsSent = (path: string, from: number) => receiver.requests(path).slice(from).map((r) => JSON.parse(r.body).data.job_id);

const writes = async () => ({
  recoveries: await service.db.recovery.count(),
  audited: await service.db.auditEvent.count(),
  queued: await countJobs(service.pool, RECOVERY_QUEUE),
});

describe('recoverDeliveries', () => {
  it('attempts again exactly the failed deliveries of its window, a batch a second, and shows its progress', async () => {
    const path = `/recover-${randomUUID()}`;
    const { webhookId, failing } = await flakyWebhook(path);
    const tag = randomUUID();

    const before = await deliveryOf(webhookId, `${tag}-before`); // failed, before the window
    await settledAs(before, 'FAILED');
    await api.client.webhooks.enable(webhookId);
    const since = new Date();
    failing.now = false;
    const succeeded = await deliveryOf(webhookId, `${tag}-succeeded`); // in the window, not failed
    await settledAs(succeeded, 'SUCCESS');
    failing.now = true;
    const failed = [await deliveryOf(webhookId, `${tag}-failed-1`), await deliveryOf(webhookId, `${tag}-failed-2`)];
    for (const id of failed) await settledAs(id, 'FAILED');
    const until = new Date();
    await api.client.webhooks.enable(webhookId);
    const after = await deliveryOf(webhookId, `${tag}-after`); // failed, after the window
    await settledAs(after, 'FAILED');

    failing.now = false;
    const sentBefore = receiver.requests(path).length;
    const recovery = await api.client.deliveries.recover(webhookId, { since: since.toISOString(), until: until.toISOString() });
    expect(recovery).toMatchObject({ webhook: { id: webhookId }, statuses: ['FAILED'], total: 2, requeued: 0, state: 'RUNNING' });

    for (const id of failed) await settledAs(id, 'SUCCESS');
    const done = await eventually(async () => {
      const now = await api.client.deliveries.recovery(recovery.id);
      return now.state === 'COMPLETED' ? now : undefined;
    }, 'the recovery completed', 20_000);
    expect(done).toMatchObject({ total: 2, requeued: 2 });
    // One batch of one delivery a second (RECOVERY_RATE_PER_SECOND=1): the second starts a second after the first.
    expect(new Date(done.completedAt!).getTime() - new Date(done.createdAt).getTime()).toBeGreaterThanOrEqual(1_000);
    // Completed: every job it queued is in, and each has been sent. Only the window's failed deliveries were.
    expect(jobIdsSent(path, sentBefore).sort()).toEqual([`${tag}-failed-1`, `${tag}-failed-2`]);
    expect(await service.db.delivery.findUnique({ where: { id: succeeded } })).toMatchObject({ status: 'SUCCESS', attemptCount: 1 });
    for (const id of [before, after]) expect((await service.db.delivery.findUnique({ where: { id } }))!.status).toBe('FAILED');
  }, 60_000);

  it('answers the same recovery for the same window and statuses, over GraphQL and REST', async () => {
    const { webhookId } = await flakyWebhook(`/same-${randomUUID()}`);
    const window = { since: '2026-01-01T00:00:00Z', until: '2026-01-02T00:00:00Z' };
    const first = await api.client.deliveries.recover(webhookId, { ...window, statuses: ['RETRYING', 'FAILED'] });
    const entry = await service.db.auditEvent.findFirstOrThrow({ where: { resourceId: first.id } });
    expect(entry).toMatchObject({
      action: 'deliveries.recovered',
      resourceType: 'recovery',
      details: { webhook_id: webhookId, since: '2026-01-01T00:00:00.000Z', until: '2026-01-02T00:00:00.000Z', statuses: ['RETRYING', 'FAILED'], total: 0 },
    });
    const audited = await service.db.auditEvent.count();
    const again = await api.client.deliveries.recover(webhookId, { ...window, statuses: ['FAILED', 'RETRYING', 'FAILED'] });
    expect(again.id).toBe(first.id);
    const overRest = await rest(key, 'POST', `/v1/webhooks/${webhookId}/recover`, { ...window, statuses: ['failed', 'retrying'] });
    expect(overRest.status).toBe(202);
    expect(overRest.body).toMatchObject({ recovery_id: first.id, webhook_id: webhookId, ...window, statuses: ['retrying', 'failed'], deliveries: 0 });
    expect(await service.db.auditEvent.count()).toBe(audited);
    // Other statuses are another recovery.
    const failedOnly = await rest(key, 'POST', `/v1/webhooks/${webhookId}/recover`, window);
    expect(failedOnly.body.recovery_id).not.toBe(first.id);
    expect(failedOnly.body.statuses).toEqual(['failed']);
  });

  it('REST: 202 with the recovery id and how many deliveries; GET /v1/recoveries/{id} shows it finish', async () => {
    const path = `/rest-${randomUUID()}`;
    const { webhookId, failing } = await flakyWebhook(path);
    const since = new Date().toISOString();
    const failed = await deliveryOf(webhookId, `rest-${randomUUID()}`);
    await settledAs(failed, 'FAILED');
    failing.now = false;
    const until = new Date(Date.now() + 1000).toISOString().replace(/\.\d+Z$/, 'Z');
    const started = await rest(key, 'POST', `/v1/webhooks/${webhookId}/recover`, { since, until, statuses: ['failed'] });
    expect(started.status).toBe(202);
    expect(started.body).toMatchObject({ recovery_id: expect.stringMatching(/^rcv_/), deliveries: 1, requeued: 0, state: 'running' });
    const done = await eventually(async () => {
      const now = await rest(key, 'GET', `/v1/recoveries/${started.body.recovery_id}`);
      return now.body.state === 'completed' ? now.body : undefined;
    }, 'the recovery completed', 20_000);
    expect(done).toMatchObject({ deliveries: 1, requeued: 1, completed_at: expect.any(String) });
    await settledAs(failed, 'SUCCESS');
  }, 60_000);

  it('refuses a window that holds nothing and an empty status list, naming the field, writing nothing', async () => {
    const { webhookId } = await flakyWebhook(`/bad-${randomUUID()}`);
    const before = await writes();
    const recover = (input: Record<string, unknown>) =>
      service.gql(
        key,
        `mutation($webhookId: ID!, $input: RecoverDeliveriesInput!) { recoverDeliveries(webhookId: $webhookId, input: $input) { __typename ... on ValidationError { field message } } }`,
        { webhookId, input },
      );
    const reversed = { since: '2026-03-02T00:00:00Z', until: '2026-03-01T00:00:00Z' };
    const tooWide = { since: '2026-01-01T00:00:00Z', until: '2026-02-01T00:00:01Z' }; // RETENTION_DAYS is 30
    for (const [input, field, message] of [
      [reversed, 'since', /since must not be after until/],
      [tooWide, 'since', /more than the retention \(30 days\)/],
      [{ ...reversed, since: '2026-02-01T00:00:00Z', statuses: [] }, 'statuses', /at least one status/],
    ] as const) {
      const { recoverDeliveries } = (await recover(input)).body.data;
      expect(recoverDeliveries).toMatchObject({ __typename: 'ValidationError', field, message: expect.stringMatching(message) });
    }
    await expect(api.client.deliveries.recover(webhookId, reversed)).rejects.toBeInstanceOf(ValidationError);
    expectError(await rest(key, 'POST', `/v1/webhooks/${webhookId}/recover`, reversed), 422, 'validation_failed', 'since');
    expectError(await rest(key, 'POST', `/v1/webhooks/${webhookId}/recover`, tooWide), 422, 'validation_failed', 'since');
    expectError(
      await rest(key, 'POST', `/v1/webhooks/${webhookId}/recover`, { since: 'yesterday', until: reversed.since }),
      422,
      'validation_failed',
      'since',
    );
    expectError(await rest(key, 'POST', `/v1/webhooks/${webhookId}/recover`, { until: reversed.since }), 422, 'validation_failed', 'since');
    expect(await writes()).toEqual(before);
  });

  it("answers not found for another project's webhook and recovery, writing nothing", async () => {
    const { webhookId } = await flakyWebhook(`/theirs-${randomUUID()}`);
    const window = { since: '2026-01-01T00:00:00Z', until: '2026-01-02T00:00:00Z' };
    const mine = await api.client.deliveries.recover(webhookId, window);
    const other = await service.newProject();
    const before = await writes();
    await expect(other.api.client.deliveries.recover(webhookId, { since: '2026-01-03T00:00:00Z', until: '2026-01-04T00:00:00Z' })).rejects.toBeInstanceOf(
      NotFoundError,
    );
    await expect(other.api.client.deliveries.recovery(mine.id)).rejects.toBeInstanceOf(NotFoundError);
    expectError(await rest(other.key, 'POST', `/v1/webhooks/${webhookId}/recover`, window), 404, 'not_found');
    expectError(await rest(other.key, 'GET', `/v1/recoveries/${mine.id}`), 404, 'not_found');
    expect(await writes()).toEqual(before);
  });
});

describe('a recovery batch', () => {
  it('takes the next deliveries under the recovery lock: batches run at once queue different deliveries, each once', async () => {
    // An API process alone: no worker takes the batches, the test runs them.
    const apiOnly = await startTestService({ ROLE: 'api' });
    const { api: theirs } = await apiOnly.newProject();
    const { id: webhookId } = await theirs.createWebhook(receiver.url('/unsent'), ['model.*']);
    const since = new Date();
    for (let i = 0; i < 3; i++) await theirs.publish('model.deployed', { job_id: `batch-${i}`, status: 'deployed' });
    const recovery = await theirs.client.deliveries.recover(webhookId, {
      since: since.toISOString(),
      until: new Date(Date.now() + 1).toISOString(),
      statuses: ['PENDING'],
    });
    expect(recovery.total).toBe(3);

    const boss = new PgBoss({ connectionString: apiOnly.databaseUrl, schema: JOB_SCHEMA, supervise: false, schedule: false, migrate: false });
    await boss.start();
    onCleanup(() => boss.stop({ graceful: false }));
    const jobsOf = (ids: string[]) => Promise.all(ids.map((deliveryId) => countJobs(apiOnly.pool, DELIVERY_QUEUE, { deliveryId })));
    const deliveryIds = (await apiOnly.db.delivery.findMany({ where: { webhookId }, orderBy: { createdAt: 'asc' } })).map((d) => d.id);
    // The first attempts wait in their events' jobs, for a worker: no delivery has a job of its own yet.
    expect(await jobsOf(deliveryIds)).toEqual([0, 0, 0]);
    const queued = await Promise.all([1, 2].map(() => runRecoveryBatch(boss, apiOnly.pool, recovery.id, 1)));
    expect(queued).toEqual([1, 1]);
    // Oldest first, one each: the two oldest deliveries got a manual attempt's job, the newest none yet.
    expect(await jobsOf(deliveryIds)).toEqual([1, 1, 0]);
    expect(await theirs.client.deliveries.recovery(recovery.id)).toMatchObject({ requeued: 2, state: 'RUNNING' });

    // The last one: the recovery is completed with it, no batch after.
    expect(await runRecoveryBatch(boss, apiOnly.pool, recovery.id, 1)).toBe(1);
    expect(await theirs.client.deliveries.recovery(recovery.id)).toMatchObject({ requeued: 3, state: 'COMPLETED' });
    // Completed: running it again queues nothing.
    expect(await runRecoveryBatch(boss, apiOnly.pool, recovery.id, 1)).toBe(0);
    expect(await jobsOf(deliveryIds)).toEqual([1, 1, 1]);
  });
});
