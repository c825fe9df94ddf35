import { createHmac } from 'node:crypto';
import { Webhook as StandardWebhook } from 'standardwebhooks';
import { beforeAll, describe, expect, it } from 'vitest';
import type { TestApi } from './support/api.js';
import { behaviours, eventually, type Receiver } from './support/receiver.js';
import { startFixture, type TestService } from './support/service.js';
import { countJobs } from '../src/db/sql/job-queue.js';
import { DELIVERY_QUEUE, EVENT_QUEUE } from '../src/delivery/queueing/queue.js';

const SCHEDULE = ['100ms', '150ms', '200ms', '250ms', '300ms'];
let service: TestService;
let receiver: Receiver;
let key: string;
let api: TestApi;

beforeAll(async () => {
  ({ receiver, service, key, api } = await startFixture({ RETRY_SCHEDULE: SCHEDULE.join(','), DELIVERY_TIMEOUT: '1s', JOB_POLL_INTERVAL: '500ms' }));
});

const DELIVERY = `query($id: ID!) { delivery(id: $id) { ... on Delivery {
  id status statusCode attemptCount timestamp responseTimeMs nextAttemptAt eventType
  attempts { number durationMs requestHeaders requestBody responseStatus responseHeaders responseBody responseBodyTruncated errorKind errorMessage }
} } }`;
/** The delivery of a published event to one webhook (other webhooks with wildcards may get it too). */
const deliveryTo = (published: { event: { deliveries: { id: string; webhook: { id: string } }[] } }, webhookId: string) =>
  published.event.deliveries.find((d) => d.webhook.id === webhookId)!.id;
const getDelivery = async (id: string) => (await service.gql(key, DELIVERY, { id })).body.data.delivery;
const deliveryWhen = (id: string, status: string, timeoutMs = 10_000) =>
  eventually(async () => {
    const d = await getDelivery(id);
    return d.status === status ? d : undefined;
  }, `delivery ${id} to become ${status}`, timeoutMs);

describe('a published event', () => {
  it('reaches the receiver signed both ways, with the spec body and headers, and is recorded', async () => {
    const hook = await api.createWebhook(receiver.url('/ok'), ['optimization.completed'], 'your-webhook-secret');
    const data = {
      job_id: '550e8400-e29b-41d4-a716-446655440000',
      status: 'completed',
      problem_type: 'MAXCUT',
      result: { solution: [0, 1, 0, 1], objective_value: 8.0, approximation_ratio: 0.95, execution_time: 300 },
    };
    const published = await api.publishWithDeliveries('optimization.completed', data);
    expect(published.deliveryCount).toBe(1);
    const [request] = await receiver.waitFor('/ok', 1);
    const body = JSON.parse(request!.body);
    expect(Object.keys(body).sort()).toEqual(['data', 'event_id', 'event_type', 'retry_count', 'timestamp']);
    expect(body).toMatchObject({ event_id: published.event.id, event_type: 'optimization.completed', data, retry_count: 0 });
    expect(body.timestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);

    const h = request!.headers;
    expect(h['content-type']).toBe('application/json');
    expect(h['user-agent']).toMatch(/^AIPlatform-Webhooks\//);
    expect(h['x-webhook-id']).toBe(hook.id);
    expect(h['x-event-id']).toBe(published.event.id);
    expect(h['x-timestamp']).toBe(body.timestamp);
    // The spec's own algorithm: hex HMAC-SHA256 of the raw body with the secret's bytes.
    const expected = createHmac('sha256', 'your-webhook-secret').update(request!.body).digest('hex');
    expect(h['x-webhook-signature']).toBe(expected);
    // Standard Webhooks, with the raw secret as key.
    const verifier = new StandardWebhook(Buffer.from('your-webhook-secret').toString('base64'));
    expect(() => verifier.verify(request!.body, h as Record<string, string>)).not.toThrow();
    expect(() =>
      new StandardWebhook(Buffer.from('another-secret!!').toString('base64')).verify(request!.body, h as Record<string, string>),
    ).toThrow();

    const deliveryId = deliveryTo(published, hook.id);
    expect(h['webhook-id']).toBe(deliveryId);
    const delivery = await deliveryWhen(deliveryId, 'SUCCESS');
    expect(delivery).toMatchObject({ statusCode: 200, attemptCount: 1, nextAttemptAt: null, eventType: 'optimization.completed' });
    expect(delivery.attempts).toHaveLength(1);
    expect(delivery.attempts[0]).toMatchObject({
      number: 1,
      requestBody: request!.body,
      responseStatus: 200,
      responseBody: '{"status":"received"}',
      responseBodyTruncated: false,
      errorKind: null,
    });
    // Stored redacted: with the body, a stored signature would let the secret be guessed offline.
    expect(delivery.attempts[0].requestHeaders).toMatchObject({ 'x-webhook-signature': '[redacted]', 'webhook-signature': 'v1,[redacted]' });
  });

  it('verifies with a generated whsec_ secret through the standardwebhooks library', async () => {
    const hook = await api.createWebhook(receiver.url('/whsec'), ['vision.*']);
    await api.publish('vision.completed', {
      job_id: 'j1',
      detections: [{ class_name: 'person', confidence: 0.95, bounding_box: { x: 1, y: 2, width: 3, height: 4 } }],
    });
    const [request] = await receiver.waitFor('/whsec', 1);
    expect(() => new StandardWebhook(hook.secret).verify(request!.body, request!.headers as Record<string, string>)).not.toThrow();
    expect(request!.headers['x-webhook-signature']).toBe(createHmac('sha256', hook.secret).update(request!.body).digest('hex'));
  });

  it('goes only to active webhooks whose events match, wildcards included', async () => {
    await api.createWebhook(receiver.url('/m-exact'), ['training.progress']);
    await api.createWebhook(receiver.url('/m-category'), ['training.*']);
    await api.createWebhook(receiver.url('/m-all'), ['*']);
    await api.createWebhook(receiver.url('/m-other'), ['vision.completed']);
    const disabled = await api.createWebhook(receiver.url('/m-disabled'), ['*']);
    await service.gql(key, `mutation($id: ID!) { disableWebhook(id: $id) { __typename } }`, { id: disabled.id });
    const published = await api.publishWithDeliveries('training.progress', { job_id: 'j2', round: 1, total_rounds: 3, accuracy: 0.5, loss: 1.2 });
    await Promise.all(['/m-exact', '/m-category', '/m-all'].map((p) => receiver.waitFor(p, 1)));
    // Other projects' webhooks also match nothing here: only this project's matching, active ones count.
    expect(published.deliveryCount).toBe(published.event.deliveries.length);
    const paths = new Set(published.event.deliveries.map((d: { webhook: { id: string } }) => d.webhook.id));
    expect(paths.has(disabled.id)).toBe(false);
    expect(receiver.requests('/m-other')).toHaveLength(0);
    expect(receiver.requests('/m-disabled')).toHaveLength(0);
  });
});

/**
 * What proves an idempotency key's event is sent once and nothing more ever will be: one event holds the key, with
 * one delivery per webhook, each finished with its one attempt and no job left in the queue.
 */
async function expectSentOnce(idempotencyKey: string) {
  const events = await service.db.event.findMany({ where: { idempotencyKey }, include: { deliveries: true } });
  expect(events).toHaveLength(1);
  for (const { id } of events[0]!.deliveries) {
    const delivery = await deliveryWhen(id, 'SUCCESS');
    expect(delivery.attemptCount).toBe(1);
    expect(await countJobs(service.pool, DELIVERY_QUEUE, { deliveryId: id })).toBe(0);
    // Its event's job is deleted once every part of it is on record (the turn after the last).
    await eventually(async () => ((await countJobs(service.pool, EVENT_QUEUE, { deliveryId: id })) === 0 ? true : undefined), 'no event job left');
  }
}

describe('publishing rejects bad input and loses nothing', () => {
  it.each([
    ['vision.exploded', { job_id: 'x' }, 'type', /Unknown event type/],
    ['batch.progress', { total_images: 1 }, 'data.job_id', /job_id/],
    ['batch.progress', { job_id: 'x', total_images: 'many', processed_images: 1, failed_images: 0, progress_percent: 1 }, 'data.total_images', /number/],
    ['optimization.completed', { job_id: 'x', problem_type: 'MAXCUT', result: { solution: 'abc', objective_value: 1 } }, 'data.result.solution', /array/],
  ])('%s %j → ValidationError on %s', async (type, data, field, message) => {
    const result = await api.publishResult(type, data);
    expect(result.__typename).toBe('ValidationError');
    expect(result.field).toBe(field);
    expect(result.message).toMatch(message);
  });

  it('returns the first event for a repeated idempotency key and sends nothing more', async () => {
    await api.createWebhook(receiver.url('/idem'), ['model.deployed']);
    const first = await api.publish('model.deployed', { job_id: 'm1' }, 'deploy-m1');
    const second = await api.publish('model.deployed', { job_id: 'm1' }, 'deploy-m1');
    expect(second.event.id).toBe(first.event.id);
    expect(second.deliveryCount).toBe(first.deliveryCount);
    await receiver.waitFor('/idem', 1);
    await expectSentOnce('deploy-m1');
    expect(receiver.requests('/idem')).toHaveLength(1);
  });

  it('answers concurrent publishes with one key with one event, sent once', async () => {
    // Several pass the key check together; the unique index stops all but one, and they answer with its event.
    await api.createWebhook(receiver.url('/idem-race'), ['inference.started']);
    const results = await Promise.all(
      Array.from({ length: 8 }, () => api.publishResult('inference.started', { job_id: 'i-race' }, 'start-i-race')),
    );
    expect(results.map((r) => r.__typename)).toEqual(Array(8).fill('PublishEventPayload'));
    expect(new Set(results.map((r) => r.event!.id)).size).toBe(1);
    await receiver.waitFor('/idem-race', 1);
    await expectSentOnce('start-i-race');
    expect(receiver.requests('/idem-race')).toHaveLength(1);
  });

  it('refuses a repeated idempotency key for a different event with a ConflictError', async () => {
    await api.publish('model.deployed', { job_id: 'm7' }, 'deploy-m7');
    const conflict = await api.publishResult('model.deployed', { job_id: 'm8' }, 'deploy-m7');
    expect(conflict.__typename).toBe('ConflictError');
    expect(conflict.message).toMatch(/idempotency/i);
  });
});

describe('retries', () => {
  it('retries on the schedule with retry_count and succeeds', async () => {
    const hook = await api.createWebhook(receiver.url('/flaky'), ['batch.completed']);
    receiver.on('/flaky', behaviours.failTimes(2, 500));
    const published = await api.publishWithDeliveries('batch.completed', { job_id: 'b1' });
    const requests = await receiver.waitFor('/flaky', 3);
    expect(requests.map((r) => JSON.parse(r.body).retry_count)).toEqual([0, 1, 2]);
    expect(new Set(requests.map((r) => r.headers['webhook-id'])).size).toBe(1);
    expect(requests[1]!.at - requests[0]!.at).toBeGreaterThanOrEqual(100);
    expect(requests[2]!.at - requests[1]!.at).toBeGreaterThanOrEqual(150);
    const delivery = await deliveryWhen(deliveryTo(published, hook.id), 'SUCCESS');
    expect(delivery.attempts.map((a: { responseStatus: number }) => a.responseStatus)).toEqual([500, 500, 200]);
    expect(delivery.attempts[0].errorKind).toBe('HTTP_STATUS');
    // Each attempt's job left the queue with its record: the queue keeps no finished jobs to slow it down.
    expect(await countJobs(service.pool, DELIVERY_QUEUE, { deliveryId: delivery.id })).toBe(0);
  });

  it('fails the delivery and disables the webhook after the last retry; retry by hand and re-enable', async () => {
    const hook = await api.createWebhook(receiver.url('/down'), ['inference.failed']);
    receiver.on('/down', behaviours.status(500));
    const published = await api.publishWithDeliveries('inference.failed', { job_id: 'i1' });
    const deliveryId = deliveryTo(published, hook.id);
    const failed = await deliveryWhen(deliveryId, 'FAILED');
    expect(failed.attemptCount).toBe(SCHEDULE.length + 1);
    expect(receiver.requests('/down')).toHaveLength(SCHEDULE.length + 1);
    const webhook = (await service.gql(key, `query($id: ID!) { webhook(id: $id) { ... on Webhook { status disabledReason disabledAt } } }`, { id: hook.id })).body.data.webhook;
    expect(webhook.status).toBe('DISABLED');
    expect(webhook.disabledReason).toContain(deliveryId);

    // A disabled webhook gets no new deliveries.
    const ignored = await api.publishWithDeliveries('inference.failed', { job_id: 'i2' });
    expect(ignored.event.deliveries.map((d: { webhook: { id: string } }) => d.webhook.id)).not.toContain(hook.id);

    receiver.on('/down', behaviours.accept());
    const retried = await service.gql(key, `mutation($id: ID!) { retryDelivery(id: $id) { __typename ... on Delivery { id } } }`, { id: deliveryId });
    expect(retried.body.data.retryDelivery).toEqual({ __typename: 'Delivery', id: deliveryId });
    const succeeded = await deliveryWhen(deliveryId, 'SUCCESS');
    expect(succeeded.attemptCount).toBe(SCHEDULE.length + 2);
    expect(JSON.parse(succeeded.attempts.at(-1).requestBody).retry_count).toBe(SCHEDULE.length + 1);

    const enabled = await service.gql(key, `mutation($id: ID!) { enableWebhook(id: $id) { ... on Webhook { status disabledReason } } }`, { id: hook.id });
    expect(enabled.body.data.enableWebhook).toEqual({ status: 'ACTIVE', disabledReason: null });
    const again = await api.publishWithDeliveries('inference.failed', { job_id: 'i3' });
    expect(again.event.deliveries.map((d: { webhook: { id: string } }) => d.webhook.id)).toContain(hook.id);
    await receiver.waitFor('/down', SCHEDULE.length + 3);
  });

  it('disables the webhook at once on 410 Gone', async () => {
    const hook = await api.createWebhook(receiver.url('/gone'), ['model.updated']);
    receiver.on('/gone', behaviours.status(410));
    const published = await api.publishWithDeliveries('model.updated', { job_id: 'm2' });
    await deliveryWhen(deliveryTo(published, hook.id), 'FAILED');
    expect(receiver.requests('/gone')).toHaveLength(1);
    const webhook = (await service.gql(key, `query($id: ID!) { webhook(id: $id) { ... on Webhook { status disabledReason } } }`, { id: hook.id })).body.data.webhook;
    expect(webhook).toEqual({ status: 'DISABLED', disabledReason: expect.stringMatching(/410 Gone/) });
  });

  it('waits at least Retry-After on 429, capped at twice the step', async () => {
    await api.createWebhook(receiver.url('/busy'), ['model.deprecated']);
    let calls = 0;
    receiver.on('/busy', (req, res, count) => {
      calls = count;
      if (count === 1) res.writeHead(429, { 'retry-after': '3600' }).end();
      else res.writeHead(200).end();
    });
    await api.publish('model.deprecated', { job_id: 'm3' });
    const [first, second] = await receiver.waitFor('/busy', 2);
    const gap = second!.at - first!.at;
    expect(gap).toBeGreaterThanOrEqual(200); // 2 × the 100 ms step, not the hour asked for
    expect(gap).toBeLessThan(3000);
    expect(calls).toBe(2);
  });

  it.each([
    ['a receiver that hangs past the timeout', '/hang', 'TIMEOUT'],
    ['a redirect, which is not followed', '/redirect', 'HTTP_STATUS'],
  ])('counts %s as a failure', async (_what, path, kind) => {
    receiver.on('/hang', behaviours.hang());
    receiver.on('/redirect', behaviours.redirect(receiver.url('/ok')));
    const hook = await api.createWebhook(receiver.url(path), ['optimization.cancelled']);
    const published = await api.publishWithDeliveries('optimization.cancelled', { job_id: `c-${path}` });
    const id = deliveryTo(published, hook.id);
    // The first attempt's record and its RETRYING state commit together, and a delivery is read from one snapshot
    // (test/delivery-snapshot.test.ts): seeing the attempt means seeing its state.
    const delivery = await eventually(async () => {
      const d = await getDelivery(id);
      return d.attempts.length > 0 ? d : undefined;
    }, 'first attempt');
    expect(delivery.status).toBe('RETRYING');
    expect(delivery.attempts[0].errorKind).toBe(kind);
  });

  it('records an answer whose body Postgres cannot store as text (a NUL byte) instead of repeating the attempt', async () => {
    receiver.on('/nul', (_req, res) => res.writeHead(200).end('ok\u0000done'));
    const hook = await api.createWebhook(receiver.url('/nul'), ['optimization.failed']);
    const published = await api.publishWithDeliveries('optimization.failed', { job_id: 'nul-1' });
    const delivery = await deliveryWhen(deliveryTo(published, hook.id), 'SUCCESS');
    expect(delivery.attempts).toHaveLength(1);
    expect(delivery.attempts[0].responseBody).toBe('ok\uFFFDdone');
    expect(receiver.requests('/nul')).toHaveLength(1);
  });

  it('counts a refused connection as a failure', async () => {
    const { id: hookId } = await api.createWebhook('http://127.0.0.1:1/refused', ['vision.failed']);
    const published = await api.publishWithDeliveries('vision.failed', { job_id: 'v9' });
    const id = deliveryTo(published, hookId);
    const delivery = await eventually(async () => {
      const d = await getDelivery(id);
      return d.attempts.length > 0 ? d : undefined;
    }, 'first attempt');
    expect(delivery.attempts[0]).toMatchObject({ errorKind: 'CONNECTION_REFUSED', responseStatus: null });
  });
});

describe('testWebhook', () => {
  it('sends a webhook.test event to that webhook alone', async () => {
    const hook = await api.createWebhook(receiver.url('/test-target'), ['vision.completed']);
    await api.createWebhook(receiver.url('/test-bystander'), ['*']);
    const result = await service.gql(key, `mutation($id: ID!) { testWebhook(id: $id) { __typename ... on Delivery { id eventType webhook { id } } } }`, { id: hook.id });
    expect(result.body.data.testWebhook).toMatchObject({ __typename: 'Delivery', eventType: 'webhook.test', webhook: { id: hook.id } });
    const [request] = await receiver.waitFor('/test-target', 1);
    expect(JSON.parse(request!.body).event_type).toBe('webhook.test');
    // Requests are made for deliveries only: the test event has one, to the target.
    const event = await service.db.event.findUniqueOrThrow({
      where: { id: JSON.parse(request!.body).event_id },
      include: { deliveries: true },
    });
    expect(event.deliveries.map((d) => d.webhookId)).toEqual([hook.id]);
    expect(receiver.requests('/test-bystander').filter((r) => JSON.parse(r.body).event_type === 'webhook.test')).toHaveLength(0);
  });
});
