// Delivery records as the API shows them: filters, pagination, tenant isolation, the outbox guarantee, limits.
import { beforeAll, describe, expect, it } from 'vitest';
import { PgBoss } from 'pg-boss';
import { createDatabase } from '../src/db/prisma.js';
import { countJobs, JOB_SCHEMA } from '../src/db/sql/job-queue.js';
import { DELIVERY_QUEUE } from '../src/delivery/queueing/queue.js';
import { inTransaction } from '../src/db/transaction.js';
import { EventPublisher } from '../src/events/publisher.js';
import type { TestApi } from './support/api.js';
import { behaviours, eventually, type Receiver } from './support/receiver.js';
import { startFixture, type TestService } from './support/service.js';

let service: TestService;
let receiver: Receiver;
let key: string;
let projectId: string;
let api: TestApi;

beforeAll(async () => {
  ({ receiver, service, key, projectId, api } = await startFixture({
    RETRY_SCHEDULE: '1h', // failures stay RETRYING for the whole file
    DELIVERY_TIMEOUT: '2s',
    DELIVERY_CONCURRENCY: '6',
    WEBHOOK_MAX_IN_FLIGHT: '2',
    JOB_POLL_INTERVAL: '1s',
  }));
});

const LIST = `query($webhookId: ID!, $status: DeliveryStatus, $eventType: String, $first: Int, $after: String) {
  deliveries(webhookId: $webhookId, status: $status, eventType: $eventType, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor } edges { node { id status eventType } }
  }
}`;

describe('deliveries query', () => {
  it('lists newest first, filters by status and event type, and pages', async () => {
    const webhookId = (await api.createWebhook(receiver.url('/list'), ['batch.*'])).id;
    receiver.on('/list', (req, res, count) => res.writeHead(count % 2 === 0 ? 500 : 200).end());
    const ids: string[] = [];
    for (let i = 0; i < 6; i++) {
      const type = i < 4 ? 'batch.submitted' : 'batch.completed';
      ids.push((await api.publishWithDeliveries(type, { job_id: `list-${i}` })).event.deliveries[0]!.id);
      await receiver.waitFor('/list', i + 1); // one at a time, so odd requests succeed and even ones fail
    }
    const all = await eventually(async () => {
      const page = (await service.gql(key, LIST, { webhookId })).body.data.deliveries;
      return page.edges.every((e: { node: { status: string } }) => e.node.status !== 'PENDING') ? page : undefined;
    }, 'every delivery attempted');
    expect(all.totalCount).toBe(6);
    expect(all.edges.map((e: { node: { id: string } }) => e.node.id)).toEqual([...ids].reverse());

    const retrying = (await service.gql(key, LIST, { webhookId, status: 'RETRYING' })).body.data.deliveries;
    expect(retrying.totalCount).toBe(3);
    expect(retrying.edges.every((e: { node: { status: string } }) => e.node.status === 'RETRYING')).toBe(true);

    const completed = (await service.gql(key, LIST, { webhookId, eventType: 'batch.completed' })).body.data.deliveries;
    expect(completed.edges.map((e: { node: { id: string } }) => e.node.id)).toEqual([ids[5], ids[4]]);

    const seen: string[] = [];
    let after: string | undefined;
    do {
      const page = (await service.gql(key, LIST, { webhookId, first: 4, after })).body.data.deliveries;
      seen.push(...page.edges.map((e: { node: { id: string } }) => e.node.id));
      after = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : undefined;
    } while (after);
    expect(seen).toEqual([...ids].reverse());
  });

  it('keeps at most 64 KiB of a response body and says it was truncated', async () => {
    await api.createWebhook(receiver.url('/big'), ['model.updated']);
    receiver.on('/big', behaviours.status(200, {}, 'x'.repeat(100_000)));
    const { event } = await api.publishWithDeliveries('model.updated', { job_id: 'big' });
    const QUERY = `query($id: ID!) { delivery(id: $id) { ... on Delivery { attempts { responseBody responseBodyTruncated } } } }`;
    const attempt = await eventually(async () => {
      const d = (await service.gql(key, QUERY, { id: event.deliveries[0]!.id })).body.data.delivery;
      return d.attempts[0];
    }, 'the attempt');
    expect(attempt.responseBodyTruncated).toBe(true);
    expect(attempt.responseBody).toHaveLength(64 * 1024);
  });
});

describe('tenant isolation', () => {
  it("makes another project's events and deliveries indistinguishable from unknown ids", async () => {
    const webhookId = (await api.createWebhook(receiver.url('/mine'), ['vision.submitted'])).id;
    const { event } = await api.publishWithDeliveries('vision.submitted', { job_id: 'secret-job' });
    const deliveryId = event.deliveries[0]!.id;
    const { key: other, api: theirs } = await service.newProject();

    const asOther = async (query: string, variables: Record<string, unknown>) => (await service.gql(other, query, variables)).body.data;
    expect((await asOther(`query($id: ID!) { event(id: $id) { __typename } }`, { id: event.id })).event.__typename).toBe('NotFoundError');
    expect((await asOther(`query($id: ID!) { delivery(id: $id) { __typename } }`, { id: deliveryId })).delivery.__typename).toBe('NotFoundError');
    expect((await asOther(`mutation($id: ID!) { retryDelivery(id: $id) { __typename } }`, { id: deliveryId })).retryDelivery.__typename).toBe('NotFoundError');
    expect((await asOther(`mutation($id: ID!) { testWebhook(id: $id) { __typename } }`, { id: webhookId })).testWebhook.__typename).toBe('NotFoundError');
    const list = (await asOther(LIST, { webhookId })).deliveries;
    expect(list).toMatchObject({ totalCount: 0, edges: [] });

    // The other project's own publish reaches only its own webhooks.
    await theirs.createWebhook(receiver.url('/theirs'), ['vision.submitted']);
    const { event: theirEvent } = await theirs.publishWithDeliveries('vision.submitted', { job_id: 'their-job' });
    expect(theirEvent.deliveries).toHaveLength(1);
    await receiver.waitFor('/theirs', 1);
    expect(receiver.requests('/mine').map((r) => JSON.parse(r.body).data.job_id)).toEqual(['secret-job']);
  });
});

describe('the transactional outbox', () => {
  it('sends nothing for a publish whose transaction rolls back', async () => {
    const webhookId = (await api.createWebhook(receiver.url('/rollback'), ['inference.started'])).id;
    const { db, pool, close } = createDatabase(service.databaseUrl, () => {}, { max: 2 });
    const boss = new PgBoss({ connectionString: service.databaseUrl, schema: JOB_SCHEMA, supervise: false, schedule: false, migrate: false });
    await boss.start();
    try {
      const publisher = new EventPublisher(pool, boss);
      await expect(
        inTransaction(pool, async (tx) => {
          await publisher.publishWithin(tx, projectId, 'inference.started', { job_id: 'rolled-back' }, null);
          throw new Error('the caller changed its mind');
        }),
      ).rejects.toThrow('changed its mind');
      expect(await db.event.count({ where: { jobId: 'rolled-back' } })).toBe(0);
      expect(await db.delivery.count({ where: { event: { jobId: 'rolled-back' } } })).toBe(0);

      // The same call committed does reach the receiver, so the silence above is the rollback's doing.
      await inTransaction(pool, (tx) => publisher.publishWithin(tx, projectId, 'inference.started', { job_id: 'committed' }, null));
      const [request] = await receiver.waitFor('/rollback', 1);
      expect(JSON.parse(request!.body).data.job_id).toBe('committed');
      // Nothing else can come: once the committed delivery is recorded, the webhook has no job left to send anything.
      await eventually(async () => {
        const queued = await countJobs(pool, DELIVERY_QUEUE, { groupId: webhookId });
        return queued === 0 ? true : undefined;
      }, "the webhook's delivery jobs to be done");
      expect(receiver.requests('/rollback')).toHaveLength(1);
    } finally {
      await boss.stop({ graceful: false });
      await close();
    }
  });
});

describe('per-webhook in-flight cap', () => {
  it('keeps a slow receiver to WEBHOOK_MAX_IN_FLIGHT requests while others are served', async () => {
    let inFlight = 0;
    let maxInFlight = 0;
    const pending: (() => void)[] = [];
    receiver.on('/slow', (_req, res) => {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      pending.push(() => {
        inFlight--;
        res.writeHead(200).end();
      });
    });
    await api.createWebhook(receiver.url('/slow'), ['training.started']);
    await api.createWebhook(receiver.url('/fast'), ['training.started']);
    for (let i = 0; i < 6; i++) await api.publish('training.started', { job_id: `cap-${i}` });
    // Every event reaches the fast receiver while the slow one holds its two slots.
    await receiver.waitFor('/fast', 6);
    expect(receiver.requests('/slow')).toHaveLength(2);
    expect(maxInFlight).toBe(2);
    // Releasing the slow receiver lets the rest through, never more than two at a time.
    const drain = setInterval(() => pending.shift()?.(), 20);
    try {
      await receiver.waitFor('/slow', 6);
    } finally {
      clearInterval(drain);
      while (pending.length) pending.shift()!();
    }
    expect(maxInFlight).toBe(2);
  });
});

describe('a webhook whose receiver times out', () => {
  it('is held back behind the others until it answers again, and loses nothing', async () => {
    receiver.on('/hung', behaviours.hang());
    const hung = (await api.createWebhook(receiver.url('/hung'), ['inference.started'])).id;
    await api.createWebhook(receiver.url('/healthy'), ['inference.completed']);
    for (let i = 0; i < 6; i++) await api.publish('inference.started', { job_id: `hung-${i}` });
    // Two requests take its two slots and time out (2 s); the four queued behind them are moved out of the main range.
    await eventually(async () => {
      const queued = await service.queuedJobsByPriority(hung);
      return queued['-1'] === 4 && !queued['0'] ? queued : undefined;
    }, 'the queued jobs of the hung webhook to be held back');
    // Jobs published for it while it is held back follow (the worker's sweep), and the others are not held up.
    for (let i = 6; i < 9; i++) await api.publish('inference.started', { job_id: `hung-${i}` });
    for (let i = 0; i < 3; i++) await api.publish('inference.completed', { job_id: `healthy-${i}` });
    await receiver.waitFor('/healthy', 3);
    await eventually(async () => {
      const queued = await service.queuedJobsByPriority(hung);
      return queued['-1'] !== undefined && queued['-1'] >= 5 && !queued['0'] ? queued : undefined;
    }, 'the jobs published for the held-back webhook to be held back too');

    // Once it answers, everything that did not time out reaches it, and nothing is left held back.
    receiver.on('/hung', behaviours.accept());
    const deliveries = await eventually(async () => {
      const page = (await service.gql(key, LIST, { webhookId: hung, first: 20 })).body.data.deliveries;
      const nodes = page.edges.map((e: { node: { id: string; status: string } }) => e.node);
      return nodes.every((n: { status: string }) => n.status !== 'PENDING') ? nodes : undefined;
    }, 'every delivery to the hung webhook to be attempted', 20_000);
    expect(deliveries).toHaveLength(9);
    const succeeded = deliveries.filter((d: { status: string }) => d.status === 'SUCCESS');
    // The rest timed out while it hung, and wait for their retry (an hour away in this file).
    const timedOut = deliveries.filter((d: { status: string }) => d.status === 'RETRYING');
    expect(succeeded.length + timedOut.length).toBe(9);
    expect(succeeded.length).toBeGreaterThanOrEqual(5);
    // What is still queued for it is their retries, one each.
    const queued = Object.values(await service.queuedJobsByPriority(hung)).reduce((a, b) => a + b, 0);
    expect(queued).toBe(timedOut.length);
  });
});
