// A disabled webhook: a test event (testWebhook, POST /v1/webhooks/{id}/test) is still sent and recorded, as a
// single attempt, so an operator can check the receiver before re-enabling it; an ordinary event's delivery that
// was queued before the webhook was disabled is given up on without a request.
import type { ServerResponse } from 'node:http';
import { beforeAll, describe, expect, it } from 'vitest';
import { countJobs } from '../src/db/sql/job-queue.js';
import { DELIVERY_QUEUE } from '../src/delivery/queueing/queue.js';
import { behaviours, eventually, type Receiver } from './support/receiver.js';
import { restClient, startRestFixture } from './support/rest.js';
import type { TestService } from './support/service.js';

let service: TestService;
let receiver: Receiver;
let key: string;
let rest: ReturnType<typeof restClient>;

beforeAll(async () => {
  // One request in flight per webhook: a delivery can be held in the queue behind a request the receiver holds.
  ({ receiver, service, key, rest } = await startRestFixture({ RETRY_SCHEDULE: '100ms,100ms', WEBHOOK_MAX_IN_FLIGHT: '1', JOB_POLL_INTERVAL: '500ms' }));
});

const DELIVERY = `query($id: ID!) { delivery(id: $id) { ... on Delivery {
  id status attemptCount nextAttemptAt eventType attempts { number responseStatus errorKind }
} } }`;
const getDelivery = async (id: string) => (await service.gql(key, DELIVERY, { id })).body.data.delivery;
/** The delivery once `attemptCount` (read in the same row as its status) has reached `count`. */
const afterAttempts = (id: string, count: number) =>
  eventually(async () => {
    const d = await getDelivery(id);
    return d.attemptCount >= count ? d : undefined;
  }, `delivery ${id} to have ${count} attempt(s)`);
/** Jobs of the delivery still in the queue: none once it is finished with nothing scheduled. */
const queuedJobs = (deliveryId: string) => countJobs(service.pool, DELIVERY_QUEUE, { deliveryId });

async function disabledWebhook(path: string): Promise<string> {
  const created = await rest(key, 'POST', '/v1/webhooks', { url: receiver.url(path), events: ['vision.completed'] });
  expect(created.status).toBe(201);
  expect((await rest(key, 'POST', `/v1/webhooks/${created.body.webhook_id}/disable`)).status).toBe(200);
  return created.body.webhook_id;
}

const webhookStatus = async (id: string) => (await rest(key, 'GET', `/v1/webhooks/${id}`)).body.status;

describe('a test event to a disabled webhook', () => {
  it('is sent over GraphQL, recorded with its one attempt, and leaves the webhook disabled', async () => {
    const webhookId = await disabledWebhook('/gql-test');
    const result = await service.gql(key, `mutation($id: ID!) { testWebhook(id: $id) { ... on Delivery { id status } } }`, {
      id: webhookId,
    });
    const { id, status } = result.body.data.testWebhook;
    expect(status).toBe('PENDING');
    const [request] = await receiver.waitFor('/gql-test', 1);
    expect(JSON.parse(request!.body)).toMatchObject({ event_type: 'webhook.test' });
    const delivery = await afterAttempts(id, 1);
    expect(delivery).toMatchObject({ status: 'SUCCESS', attemptCount: 1, eventType: 'webhook.test' });
    expect(delivery.attempts).toEqual([{ number: 1, responseStatus: 200, errorKind: null }]);
    expect(await webhookStatus(webhookId)).toBe('disabled');
  });

  it('is sent over REST (POST /v1/webhooks/{id}/test) and recorded with its one attempt', async () => {
    const webhookId = await disabledWebhook('/rest-test');
    const queued = await rest(key, 'POST', `/v1/webhooks/${webhookId}/test`);
    expect(queued.status).toBe(202);
    expect(queued.body).toMatchObject({ event_type: 'webhook.test', status: 'pending' });
    const [request] = await receiver.waitFor('/rest-test', 1);
    expect(request!.headers['webhook-id']).toBe(queued.body.delivery_id);
    const delivery = await afterAttempts(queued.body.delivery_id, 1);
    expect(delivery).toMatchObject({ status: 'SUCCESS', attemptCount: 1 });
    const listed = await rest(key, 'GET', `/v1/webhooks/${webhookId}/deliveries`);
    expect(listed.body.deliveries).toMatchObject([{ delivery_id: queued.body.delivery_id, status: 'success', attempt_count: 1, status_code: 200 }]);
  });

  it('that fails is one attempt: FAILED at once, no retry scheduled (it would only be abandoned)', async () => {
    receiver.on('/failing-test', behaviours.status(500));
    const webhookId = await disabledWebhook('/failing-test');
    const queued = await rest(key, 'POST', `/v1/webhooks/${webhookId}/test`);
    const delivery = await afterAttempts(queued.body.delivery_id, 1);
    expect(delivery).toMatchObject({ status: 'FAILED', attemptCount: 1, nextAttemptAt: null });
    expect(delivery.attempts).toEqual([{ number: 1, responseStatus: 500, errorKind: 'HTTP_STATUS' }]);
    expect(await queuedJobs(queued.body.delivery_id)).toBe(0);
    expect(receiver.requests('/failing-test')).toHaveLength(1);
  });
});

describe('an event queued for a webhook that is disabled before its attempt', () => {
  it('fails without a request (no attempt recorded)', async () => {
    const held: ServerResponse[] = [];
    receiver.on('/abandon', (_req, res, count) => (count === 1 ? held.push(res) : behaviours.accept()(_req, res, count)));
    const created = await rest(key, 'POST', '/v1/webhooks', { url: receiver.url('/abandon'), events: ['training.started'] });
    const webhookId = created.body.webhook_id;
    const publish = async (job: string) => {
      const published = await rest(key, 'POST', '/v1/events', { event_type: 'training.started', data: { job_id: job, status: 'running' } });
      expect(published.status).toBe(202);
      return published.body;
    };
    await publish('first');
    await receiver.waitFor('/abandon', 1); // held: the webhook's one slot is taken
    const second = await publish('second');
    const deliveries = await rest(key, 'GET', `/v1/webhooks/${webhookId}/deliveries?status=pending`);
    const queuedId = deliveries.body.deliveries.find((d: { event_id: string; delivery_id: string }) => d.event_id === second.event_id).delivery_id;
    expect((await rest(key, 'POST', `/v1/webhooks/${webhookId}/disable`)).status).toBe(200);
    held[0]!.writeHead(200).end();

    const abandoned = await eventually(async () => {
      const d = await getDelivery(queuedId);
      return d.status === 'FAILED' ? d : undefined;
    }, 'the queued delivery to be given up on');
    expect(abandoned).toMatchObject({ attemptCount: 0, nextAttemptAt: null, attempts: [] });
    expect(await queuedJobs(queuedId)).toBe(0);
    expect(receiver.requests('/abandon')).toHaveLength(1);
  });
});
