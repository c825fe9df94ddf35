// Every curl of the webhooks guide, run verbatim with curl (host, key and ids replaced), checked against the
// responses the guide shows; then the same calls with a real receiver, so deliveries have real outcomes.
import { randomBytes } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { behaviours, eventually, type Receiver } from './support/receiver.js';
import type { TestService } from './support/service.js';
import { restClient, startRestFixture, runCurl, SECOND_PRECISION_UTC } from './support/rest.js';

// ---- The guide's commands, copied verbatim.

const REGISTER = String.raw`curl -X POST https://api.aiplatform.io/v1/webhooks \
  -H "Authorization: Bearer YOUR_API_KEY" \
  -H "Content-Type: application/json" \
  -d '{
    "url": "https://example.com/webhook",
    "events": [
      "optimization.completed",
      "vision.completed",
      "training.completed"
    ],
    "secret": "your-webhook-secret"
  }'`;

const LIST = String.raw`curl -H "Authorization: Bearer YOUR_API_KEY" \
     https://api.aiplatform.io/v1/webhooks`;

const UPDATE = String.raw`curl -X PUT https://api.aiplatform.io/v1/webhooks/wh_550e8400e29b41d4 \
  -H "Authorization: Bearer YOUR_API_KEY" \
  -H "Content-Type: application/json" \
  -d '{
    "url": "https://example.com/new-webhook",
    "events": ["optimization.completed", "vision.completed", "training.started"]
  }'`;

const DELETE = String.raw`curl -X DELETE https://api.aiplatform.io/v1/webhooks/wh_550e8400e29b41d4 \
  -H "Authorization: Bearer YOUR_API_KEY"`;

const TEST = String.raw`curl -X POST https://api.aiplatform.io/v1/webhooks/wh_550e8400e29b41d4/test \
  -H "Authorization: Bearer YOUR_API_KEY"`;

const DELIVERIES = String.raw`curl -H "Authorization: Bearer YOUR_API_KEY" \
     "https://api.aiplatform.io/v1/webhooks/wh_550e8400e29b41d4/deliveries?limit=50"`;

const RETRY = String.raw`curl -X POST https://api.aiplatform.io/v1/webhooks/wh_550e8400e29b41d4/deliveries/del_550e8400e29b41d4/retry \
  -H "Authorization: Bearer YOUR_API_KEY"`;

// ---- The guide's response shapes.

const CREATE_RESPONSE_KEYS = ['webhook_id', 'url', 'events', 'status', 'created_at'];
const DELIVERY_KEYS = ['delivery_id', 'event_id', 'event_type', 'status', 'status_code', 'timestamp', 'response_time_ms'];
const DELIVERY_STATUSES = ['pending', 'success', 'retrying', 'failed'];

let service: TestService;
let receiver: Receiver;
let key: string;
let rest: ReturnType<typeof restClient>;

/** The first-start key (BOOTSTRAP_API_KEY): the platform's key, acting in the `default` project, as an operator runs the guide. */
const FIRST_START_KEY = `aip_${randomBytes(32).toString('base64url')}`;

beforeAll(async () => {
  // Retries are an hour apart, so nothing but a manual retry makes a second attempt during this file.
  ({ receiver, service, rest } = await startRestFixture({
    RETRY_SCHEDULE: '1h',
    DELIVERY_TIMEOUT: '2s',
    BOOTSTRAP_API_KEY: FIRST_START_KEY,
  }));
  key = FIRST_START_KEY;
});

function expectDeliveryShape(delivery: Record<string, unknown>) {
  expect(Object.keys(delivery)).toEqual(expect.arrayContaining(DELIVERY_KEYS));
  expect(delivery.delivery_id).toMatch(/^del_[0-9a-f]{16}$/);
  expect(delivery.event_id).toMatch(/^evt_[0-9a-f]{16}$/);
  expect(typeof delivery.event_type).toBe('string');
  expect(DELIVERY_STATUSES).toContain(delivery.status);
  expect(delivery.status_code === null || Number.isInteger(delivery.status_code)).toBe(true);
  expect(delivery.timestamp).toMatch(SECOND_PRECISION_UTC);
  expect(delivery.response_time_ms === null || Number.isInteger(delivery.response_time_ms)).toBe(true);
}

describe('the key the guide is run with', () => {
  it('is the first-start key: the platform key, acting in the default project', async () => {
    const installed = await service.db.apiKey.findMany({ include: { project: true } });
    expect(installed.map((k) => ({ name: k.name, scopes: k.scopes, project: k.project.name }))).toContainEqual({
      name: 'bootstrap',
      scopes: ['platform'],
      project: 'default',
    });
    const created = await rest(key, 'POST', '/v1/webhooks', { url: 'https://example.com/first-start', events: ['*'] });
    expect(created.status).toBe(201);
    const stored = await service.db.webhook.findUniqueOrThrow({ where: { id: created.body.webhook_id }, include: { project: true } });
    expect(stored.project.name).toBe('default');
    expect((await rest(key, 'DELETE', `/v1/webhooks/${created.body.webhook_id}`)).status).toBe(204);
  });
});

describe("the guide's curl commands", () => {
  const ids = { webhook: '', delivery: '' };
  const curl = (command: string) =>
    runCurl(command, {
      'https://api.aiplatform.io': service.httpUrl,
      YOUR_API_KEY: key,
      wh_550e8400e29b41d4: ids.webhook,
      del_550e8400e29b41d4: ids.delivery,
    });

  it('Register Webhook: 201 with the fields the guide shows, and no echo of the chosen secret', async () => {
    const { status, body } = await curl(REGISTER);
    expect(status).toBe(201);
    expect(Object.keys(body)).toEqual(expect.arrayContaining(CREATE_RESPONSE_KEYS));
    expect(body).not.toHaveProperty('secret');
    expect(body).toMatchObject({
      url: 'https://example.com/webhook',
      events: ['optimization.completed', 'vision.completed', 'training.completed'],
      status: 'active',
    });
    expect(body.webhook_id).toMatch(/^wh_[0-9a-f]{16}$/);
    expect(body.created_at).toMatch(SECOND_PRECISION_UTC);
    expect(Math.abs(Date.parse(body.created_at) - Date.now())).toBeLessThan(60_000);
    ids.webhook = body.webhook_id;
  });

  it('List Webhooks: the webhook and the total', async () => {
    const { status, body } = await curl(LIST);
    expect(status).toBe(200);
    expect(body.total).toBe(1);
    expect(body.webhooks).toHaveLength(1);
    expect(body.webhooks[0]).toMatchObject({ webhook_id: ids.webhook, url: 'https://example.com/webhook', status: 'active' });
  });

  it('Update Webhook: the new url and events, kept', async () => {
    const { status, body } = await curl(UPDATE);
    expect(status).toBe(200);
    const expected = {
      webhook_id: ids.webhook,
      url: 'https://example.com/new-webhook',
      events: ['optimization.completed', 'vision.completed', 'training.started'],
      status: 'active',
    };
    expect(body).toMatchObject(expected);
    expect((await rest(key, 'GET', `/v1/webhooks/${ids.webhook}`)).body).toMatchObject(expected);
  });

  it('Manual Test: 202 with the queued webhook.test delivery', async () => {
    const { status, body } = await curl(TEST);
    expect(status).toBe(202);
    expectDeliveryShape(body);
    expect(body).toMatchObject({ webhook_id: ids.webhook, event_type: 'webhook.test' });
    ids.delivery = body.delivery_id;
  });

  it('View Webhook Deliveries: the guide shape with total and limit', async () => {
    const { status, body } = await curl(DELIVERIES);
    expect(status).toBe(200);
    expect(body).toMatchObject({ total: 1, limit: 50 });
    expect(body.deliveries).toHaveLength(1);
    expectDeliveryShape(body.deliveries[0]);
    expect(body.deliveries[0]).toMatchObject({ delivery_id: ids.delivery, event_type: 'webhook.test' });
  });

  it('Retry Webhook: 202 with the delivery', async () => {
    const { status, body } = await curl(RETRY);
    expect(status).toBe(202);
    expectDeliveryShape(body);
    expect(body).toMatchObject({ delivery_id: ids.delivery, webhook_id: ids.webhook });
  });

  it('Delete Webhook: 204 with no body; the webhook is gone', async () => {
    const { status, text } = await curl(DELETE);
    expect(status).toBe(204);
    expect(text).toBe('');
    expect((await rest(key, 'GET', `/v1/webhooks/${ids.webhook}`)).status).toBe(404);
    expect((await curl(LIST)).body).toMatchObject({ webhooks: [], total: 0 });
  });
});

describe('the same calls with a real receiver', () => {
  const spec = {
    job_id: '550e8400-e29b-41d4-a716-446655440000',
    status: 'completed',
    problem_type: 'MAXCUT',
    result: { solution: [0, 1, 0, 1], objective_value: 8.0, approximation_ratio: 0.95, execution_time: 300 },
  };

  it('a published event reaches the receiver and the deliveries list shows its real outcome', async () => {
    const created = await rest(key, 'POST', '/v1/webhooks', { url: receiver.url('/ok'), events: ['optimization.completed'] });
    expect(created.status).toBe(201);
    const published = await rest(key, 'POST', '/v1/events', { event_type: 'optimization.completed', data: spec });
    expect(published.status).toBe(202);
    expect(Object.keys(published.body).sort()).toEqual(['delivery_count', 'event_id', 'event_type', 'timestamp']);
    expect(published.body).toMatchObject({ event_type: 'optimization.completed', delivery_count: 1 });

    const [request] = await receiver.waitFor('/ok', 1);
    const payload = JSON.parse(request!.body);
    expect(payload).toEqual({
      event_id: published.body.event_id,
      event_type: 'optimization.completed',
      timestamp: published.body.timestamp,
      data: spec,
      retry_count: 0,
    });

    const path = `/v1/webhooks/${created.body.webhook_id}/deliveries?limit=50`;
    const list = await eventually(async () => {
      const { body } = await rest(key, 'GET', path);
      return body.deliveries[0]?.status === 'success' ? body : undefined;
    }, 'the delivery to succeed');
    expect(list).toMatchObject({ total: 1, limit: 50 });
    const [delivery] = list.deliveries;
    expectDeliveryShape(delivery);
    expect(delivery).toMatchObject({
      event_id: published.body.event_id,
      event_type: 'optimization.completed',
      status: 'success',
      status_code: 200,
    });
    expect(delivery.response_time_ms).toBeGreaterThanOrEqual(0);
  });

  it('a failed delivery is retried by hand and succeeds', async () => {
    receiver.on('/flaky', behaviours.failTimes(1, 503));
    const created = await rest(key, 'POST', '/v1/webhooks', { url: receiver.url('/flaky'), events: ['batch.completed'] });
    await rest(key, 'POST', '/v1/events', { event_type: 'batch.completed', data: { job_id: 'b1', status: 'completed' } });
    const deliveries = `/v1/webhooks/${created.body.webhook_id}/deliveries`;
    const failed = await eventually(async () => {
      const { body } = await rest(key, 'GET', deliveries);
      return body.deliveries[0]?.status === 'retrying' ? body.deliveries[0] : undefined;
    }, 'the first attempt to fail');
    expect(failed).toMatchObject({ status_code: 503, attempt_count: 1 });

    const retried = await rest(key, 'POST', `${deliveries}/${failed.delivery_id}/retry`);
    expect(retried.status).toBe(202);
    expect(retried.body.delivery_id).toBe(failed.delivery_id);
    await receiver.waitFor('/flaky', 2);
    const succeeded = await eventually(async () => {
      const { body } = await rest(key, 'GET', deliveries);
      return body.deliveries[0]?.status === 'success' ? body.deliveries[0] : undefined;
    }, 'the manual retry to succeed');
    expect(succeeded).toMatchObject({ delivery_id: failed.delivery_id, status_code: 200, attempt_count: 2 });
  });
});
