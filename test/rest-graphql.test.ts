// REST and GraphQL are two doors to the same service: what one writes the other reads, lists agree on order and
// totals, and neither shows one project another project's data.
import { beforeAll, describe, expect, it } from 'vitest';
import { createPrisma } from '../src/db/prisma.js';
import { behaviours, eventually, startReceiver, type Receiver } from './support/receiver.js';
import { startTestService, type TestService } from './support/service.js';
import { expectError, restClient } from './support/rest.js';

let service: TestService;
let receiver: Receiver;
let rest: ReturnType<typeof restClient>;

beforeAll(async () => {
  receiver = await startReceiver();
  service = await startTestService({ RETRY_SCHEDULE: '1h', DELIVERY_TIMEOUT: '2s' });
  rest = restClient(service.httpUrl);
});

const WEBHOOK = `query($id: ID!) { webhook(id: $id) { __typename
  ... on Webhook { id url events description status disabledReason createdAt updatedAt } } }`;
const CREATE = `mutation($input: CreateWebhookInput!) { createWebhook(input: $input) {
  ... on CreateWebhookPayload { secret webhook { id url events description status createdAt } } } }`;
const DISABLE = `mutation($id: ID!) { disableWebhook(id: $id) { __typename } }`;
const PUBLISH = `mutation($input: PublishEventInput!) { publishEvent(input: $input) {
  ... on PublishEventPayload { deliveryCount event { id type timestamp data } } } }`;
const EVENT = `query($id: ID!) { event(id: $id) { ... on Event { id type timestamp data deliveries { id status webhook { id } } } } }`;
const DELIVERIES = `query($webhookId: ID!) { deliveries(webhookId: $webhookId, first: 50) {
  totalCount edges { node { id status statusCode eventType responseTimeMs attemptCount event { id } } } } }`;
const WEBHOOKS = `{ webhooks(first: 50) { totalCount edges { node { id } } } }`;

/** GraphQL's DateTime keeps milliseconds; REST shows seconds, as the guide does. */
const toSecond = (iso: string) => iso.replace(/\.\d{3}Z$/, 'Z');

describe('REST writes, GraphQL reads', () => {
  it('a webhook created, updated and deleted over REST', async () => {
    const { key } = await service.newProject();
    const created = await rest(key, 'POST', '/v1/webhooks', {
      url: 'https://example.com/rest',
      events: ['vision.*', 'training.completed'],
      description: 'made with REST',
    });
    expect(created.status).toBe(201);
    const id = created.body.webhook_id;
    let seen = (await service.gql(key, WEBHOOK, { id })).body.data.webhook;
    expect(seen).toMatchObject({
      __typename: 'Webhook',
      id,
      url: 'https://example.com/rest',
      events: ['vision.*', 'training.completed'],
      description: 'made with REST',
      status: 'ACTIVE',
    });
    expect(toSecond(seen.createdAt)).toBe(created.body.created_at);

    await rest(key, 'PUT', `/v1/webhooks/${id}`, { events: ['*'], description: null });
    await rest(key, 'POST', `/v1/webhooks/${id}/disable`);
    seen = (await service.gql(key, WEBHOOK, { id })).body.data.webhook;
    expect(seen).toMatchObject({ events: ['*'], description: null, status: 'DISABLED', disabledReason: 'Disabled by hand' });

    expect((await rest(key, 'DELETE', `/v1/webhooks/${id}`)).status).toBe(204);
    expect((await service.gql(key, WEBHOOK, { id })).body.data.webhook.__typename).toBe('NotFoundError');
  });

  it('an event published over REST, with its deliveries', async () => {
    const { key } = await service.newProject();
    const hook = await rest(key, 'POST', '/v1/webhooks', { url: receiver.url('/rest-event'), events: ['inference.*'] });
    const data = { job_id: 'inf-1', status: 'completed' };
    const published = await rest(key, 'POST', '/v1/events', { event_type: 'inference.completed', data });
    expect(published.body.delivery_count).toBe(1);
    const event = (await service.gql(key, EVENT, { id: published.body.event_id })).body.data.event;
    expect(event).toMatchObject({ id: published.body.event_id, type: 'inference.completed', data });
    expect(toSecond(event.timestamp)).toBe(published.body.timestamp);
    expect(event.deliveries).toHaveLength(1);
    expect(event.deliveries[0].webhook.id).toBe(hook.body.webhook_id);
  });
});

describe('GraphQL writes, REST reads', () => {
  it('a webhook created and disabled over GraphQL', async () => {
    const { key } = await service.newProject();
    const created = (
      await service.gql(key, CREATE, { input: { url: 'https://example.com/gql', events: ['batch.progress'], description: 'gql' } })
    ).body.data.createWebhook;
    const id = created.webhook.id;
    const seen = await rest(key, 'GET', `/v1/webhooks/${id}`);
    expect(seen.status).toBe(200);
    expect(seen.body).toMatchObject({
      webhook_id: id,
      url: 'https://example.com/gql',
      events: ['batch.progress'],
      description: 'gql',
      status: 'active',
      created_at: toSecond(created.webhook.createdAt),
    });
    expect(JSON.stringify(seen.body)).not.toContain(created.secret);

    await service.gql(key, DISABLE, { id });
    expect((await rest(key, 'GET', `/v1/webhooks/${id}`)).body).toMatchObject({ status: 'disabled', disabled_reason: 'Disabled by hand' });
    const list = await rest(key, 'GET', '/v1/webhooks');
    expect(list.body.total).toBe(1);
    expect(list.body.webhooks[0].webhook_id).toBe(id);
  });

  it('an idempotency key is shared by both doors', async () => {
    const { key } = await service.newProject();
    const data = { job_id: 'opt-1', status: 'running' };
    const viaGraphQL = (
      await service.gql(key, PUBLISH, { input: { type: 'optimization.started', data, idempotencyKey: 'start-opt-1' } })
    ).body.data.publishEvent;
    const viaRest = await rest(key, 'POST', '/v1/events', { event_type: 'optimization.started', data, idempotency_key: 'start-opt-1' });
    expect(viaRest.status).toBe(202);
    expect(viaRest.body.event_id).toBe(viaGraphQL.event.id);
    const conflicting = await rest(key, 'POST', '/v1/events', {
      event_type: 'optimization.started',
      data: { job_id: 'opt-2' },
      idempotency_key: 'start-opt-1',
    });
    expectError(conflicting, 409, 'conflict', 'idempotency_key');
  });
});

describe('lists', () => {
  it('webhooks page by limit and offset, newest first, in GraphQL order', async () => {
    const { key } = await service.newProject();
    for (const n of [1, 2, 3]) {
      await rest(key, 'POST', '/v1/webhooks', { url: `https://example.com/${n}`, events: ['*'] });
    }
    const order = (await service.gql(key, WEBHOOKS)).body.data.webhooks.edges.map((e: any) => e.node.id);
    expect(order).toHaveLength(3);
    const all = await rest(key, 'GET', '/v1/webhooks');
    expect(all.body).toMatchObject({ total: 3, limit: 50, offset: 0 });
    expect(all.body.webhooks.map((w: any) => w.webhook_id)).toEqual(order);
    expect(all.body.webhooks.map((w: any) => w.url)).toEqual(['https://example.com/3', 'https://example.com/2', 'https://example.com/1']);
    const first = await rest(key, 'GET', '/v1/webhooks?limit=2');
    expect(first.body.webhooks.map((w: any) => w.webhook_id)).toEqual(order.slice(0, 2));
    expect(first.body).toMatchObject({ total: 3, limit: 2 });
    const second = await rest(key, 'GET', '/v1/webhooks?limit=2&offset=2');
    expect(second.body.webhooks.map((w: any) => w.webhook_id)).toEqual(order.slice(2));
  });

  it('deliveries page by cursor or offset and filter by status and event type, like GraphQL', async () => {
    const { key } = await service.newProject();
    receiver.on('/mixed', behaviours.failTimes(2, 500));
    const hook = await rest(key, 'POST', '/v1/webhooks', { url: receiver.url('/mixed'), events: ['model.*'] });
    const base = `/v1/webhooks/${hook.body.webhook_id}/deliveries`;
    const publish = (type: string, n: number) => rest(key, 'POST', '/v1/events', { event_type: type, data: { job_id: `m${n}` } });
    const settled = (count: number) =>
      eventually(async () => {
        const { body } = await rest(key, 'GET', base);
        return body.total === count && body.deliveries.every((d: any) => d.status !== 'pending') ? body : undefined;
      }, `${count} deliveries to settle`);
    // The first two attempts fail (and wait an hour to retry); the next three succeed.
    await publish('model.deployed', 1);
    await publish('model.updated', 2);
    await settled(2);
    await publish('model.deployed', 3);
    await publish('model.deployed', 4);
    await publish('model.updated', 5);
    const everything = await settled(5);

    const graph = (await service.gql(key, DELIVERIES, { webhookId: hook.body.webhook_id })).body.data.deliveries;
    expect(everything.total).toBe(graph.totalCount);
    expect(everything.deliveries.map((d: any) => d.delivery_id)).toEqual(graph.edges.map((e: any) => e.node.id));
    for (const [i, d] of everything.deliveries.entries()) {
      const node = graph.edges[i].node;
      expect(d).toMatchObject({
        event_id: node.event.id,
        event_type: node.eventType,
        status: node.status.toLowerCase(),
        status_code: node.statusCode,
        response_time_ms: node.responseTimeMs,
        attempt_count: node.attemptCount,
      });
    }
    const order = everything.deliveries.map((d: any) => d.delivery_id);

    // Cursor pages cover the list once, in order.
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page: any = (await rest(key, 'GET', `${base}?limit=2${cursor ? `&cursor=${cursor}` : ''}`)).body;
      expect(page).toMatchObject({ total: 5, limit: 2 });
      seen.push(...page.deliveries.map((d: any) => d.delivery_id));
      cursor = page.next_cursor;
      pages += 1;
    } while (cursor);
    expect(pages).toBe(3);
    expect(seen).toEqual(order);

    const byOffset = (await rest(key, 'GET', `${base}?limit=2&offset=2`)).body;
    expect(byOffset).toMatchObject({ total: 5, limit: 2, offset: 2 });
    expect(byOffset.deliveries.map((d: any) => d.delivery_id)).toEqual(order.slice(2, 4));

    const retrying = (await rest(key, 'GET', `${base}?status=retrying`)).body;
    expect(retrying.total).toBe(2);
    expect(retrying.deliveries.every((d: any) => d.status === 'retrying' && d.status_code === 500)).toBe(true);
    const succeeded = (await rest(key, 'GET', `${base}?status=success`)).body;
    expect(succeeded.total).toBe(3);
    expect(succeeded.deliveries.every((d: any) => d.status === 'success' && d.status_code === 200)).toBe(true);
    const updated = (await rest(key, 'GET', `${base}?event_type=model.updated`)).body;
    expect(updated.total).toBe(2);
    expect(updated.deliveries.every((d: any) => d.event_type === 'model.updated')).toBe(true);
    const both = (await rest(key, 'GET', `${base}?event_type=model.deployed&status=success&limit=1`)).body;
    expect(both).toMatchObject({ total: 2, limit: 1 });
    expect(both.deliveries).toHaveLength(1);
    expect(both.next_cursor).toEqual(expect.any(String));
    const rest2 = (await rest(key, 'GET', `${base}?event_type=model.deployed&status=success&limit=1&cursor=${both.next_cursor}`)).body;
    expect(rest2.deliveries).toHaveLength(1);
    expect(rest2.next_cursor).toBeNull();
    expect(rest2.deliveries[0].delivery_id).not.toBe(both.deliveries[0].delivery_id);
  });
});

describe('cursor paging with equal timestamps', () => {
  it('visits deliveries created in the same millisecond once each, newest id first', async () => {
    const { key, projectId } = await service.newProject();
    const hook = await rest(key, 'POST', '/v1/webhooks', { url: 'https://example.com/same-ms', events: ['*'] });
    const webhookId = hook.body.webhook_id;
    // The API never creates two deliveries for one webhook in one instant; write such rows directly.
    const db = createPrisma(service.databaseUrl, 1);
    const at = new Date('2024-01-15T10:35:00.123Z');
    const ids = ['del_00000000000000a1', 'del_00000000000000a2', 'del_00000000000000a3', 'del_00000000000000a4', 'del_00000000000000a5'];
    try {
      await db.event.create({ data: { id: 'evt_00000000000000e1', projectId, type: 'model.deployed', data: { job_id: 'j' }, timestamp: at } });
      await db.delivery.createMany({
        data: ids.map((id) => ({ id, projectId, webhookId, eventId: 'evt_00000000000000e1', eventType: 'model.deployed', status: 'FAILED', createdAt: at })),
      });
    } finally {
      await db.$disconnect();
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: any = (await rest(key, 'GET', `/v1/webhooks/${webhookId}/deliveries?limit=2${cursor ? `&cursor=${cursor}` : ''}`)).body;
      expect(page.total).toBe(5);
      seen.push(...page.deliveries.map((d: any) => d.delivery_id));
      cursor = page.next_cursor;
    } while (cursor);
    expect(seen).toEqual([...ids].reverse());
  });
});

describe('tenant isolation', () => {
  let owner: string;
  let stranger: string;
  let webhookId: string;
  let deliveryId: string;

  beforeAll(async () => {
    ({ key: owner } = await service.newProject());
    ({ key: stranger } = await service.newProject());
    const hook = await rest(owner, 'POST', '/v1/webhooks', { url: 'https://example.com/private', events: ['*'], description: 'mine' });
    webhookId = hook.body.webhook_id;
    deliveryId = (await rest(owner, 'POST', `/v1/webhooks/${webhookId}/test`)).body.delivery_id;
  });

  it("answers 404 to every route given another project's ids, and changes nothing", async () => {
    const before = (await rest(owner, 'GET', `/v1/webhooks/${webhookId}`)).body;
    for (const [method, path, body] of [
      ['GET', `/v1/webhooks/${webhookId}`],
      ['PUT', `/v1/webhooks/${webhookId}`, { description: 'stolen' }],
      ['POST', `/v1/webhooks/${webhookId}/test`],
      ['POST', `/v1/webhooks/${webhookId}/disable`],
      ['POST', `/v1/webhooks/${webhookId}/enable`],
      ['POST', `/v1/webhooks/${webhookId}/rotate-secret`],
      ['GET', `/v1/webhooks/${webhookId}/deliveries`],
      ['POST', `/v1/webhooks/${webhookId}/deliveries/${deliveryId}/retry`],
      ['DELETE', `/v1/webhooks/${webhookId}`],
    ] as const) {
      expectError(await rest(stranger, method, path, body), 404, 'not_found');
    }
    const after = await rest(owner, 'GET', `/v1/webhooks/${webhookId}`);
    expect(after.status).toBe(200);
    expect(after.body).toEqual(before);
    const deliveries = (await rest(owner, 'GET', `/v1/webhooks/${webhookId}/deliveries`)).body;
    expect(deliveries.total).toBe(1);
    expect(deliveries.deliveries[0]).toMatchObject({ delivery_id: deliveryId, attempt_count: expect.any(Number) });
  });

  it("a stranger's own webhook cannot reach the owner's delivery", async () => {
    const theirs = await rest(stranger, 'POST', '/v1/webhooks', { url: 'https://example.com/theirs', events: ['*'] });
    expectError(await rest(stranger, 'POST', `/v1/webhooks/${theirs.body.webhook_id}/deliveries/${deliveryId}/retry`), 404, 'not_found');
  });

  it("lists, events and idempotency keys stay within the project", async () => {
    const { key: empty } = await service.newProject();
    expect((await rest(empty, 'GET', '/v1/webhooks')).body).toEqual({ webhooks: [], total: 0, limit: 50, offset: 0 });
    // The owner's `*` webhook does not receive another project's events.
    const published = await rest(empty, 'POST', '/v1/events', { event_type: 'model.deployed', data: { job_id: 'x' }, idempotency_key: 'k1' });
    expect(published.body.delivery_count).toBe(0);
    const owners = await rest(owner, 'POST', '/v1/events', { event_type: 'model.updated', data: { job_id: 'y' }, idempotency_key: 'k1' });
    expect(owners.status).toBe(202);
    expect(owners.body.event_id).not.toBe(published.body.event_id);
    expect(owners.body.delivery_count).toBe(1);
  });
});

describe("a delivery's timestamp", () => {
  const TIMESTAMPS = `query($id: ID!) { delivery(id: $id) { ... on Delivery { status timestamp createdAt attempts { startedAt } } } }`;

  it('is one rule on both doors: when the last attempt started, and before the first, when it was queued', async () => {
    const { key } = await service.newProject();
    let answer: (() => void) | undefined;
    receiver.on('/held', (_req, res) => (answer = () => res.writeHead(500).end('no')));
    const hook = await rest(key, 'POST', '/v1/webhooks', { url: receiver.url('/held'), events: ['model.deployed'] });
    const published = await rest(key, 'POST', '/v1/events', { event_type: 'model.deployed', data: { job_id: 'ts-1' } });
    expect(published.body.delivery_count).toBe(1);
    await receiver.waitFor('/held', 1);
    const both = async () => {
      const [listed] = (await rest(key, 'GET', `/v1/webhooks/${hook.body.webhook_id}/deliveries`)).body.deliveries;
      const read = (await service.gql(key, TIMESTAMPS, { id: listed.delivery_id })).body.data.delivery;
      return { listed, read };
    };

    // The request is in flight, its attempt not recorded yet: no attempt, so the time it was queued.
    const queued = await both();
    expect(queued.read).toMatchObject({ status: 'PENDING', attempts: [] });
    expect(queued.read.timestamp).toBe(queued.read.createdAt);
    expect(queued.listed.timestamp).toBe(toSecond(queued.read.timestamp));

    answer!();
    const attempted = await eventually(async () => {
      const seen = await both();
      return seen.read.attempts.length === 1 ? seen : undefined;
    }, 'the attempt recorded');
    expect(attempted.read.status).toBe('RETRYING');
    expect(attempted.read.timestamp).toBe(attempted.read.attempts[0].startedAt);
    expect(attempted.listed.timestamp).toBe(toSecond(attempted.read.timestamp));
  });
});
