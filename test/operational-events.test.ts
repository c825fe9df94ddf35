// Operational events end to end (real receivers, the real worker): a receiver that keeps failing makes the service
// publish webhook.failing, then webhook.disabled and delivery.exhausted, and, once it answers again,
// webhook.recovered; an ops endpoint subscribed to `webhook.*` and `delivery.*` receives them, the webhook they are
// about never does, nor a catch-all (`*`) webhook, nor another project; `webhookHealth` streams them over graphql-ws
// and SSE. Backends cannot publish them.
import { beforeAll, describe, expect, it } from 'vitest';
import { behaviours, eventually, type Receiver } from './support/receiver.js';
import { connectWs, subscribeSse, type Recording } from './support/live.js';
import { expectError, restClient } from './support/rest.js';
import { startFixture, startTestService, type TestService } from './support/service.js';
import type { TestApi } from './support/api.js';

let service: TestService;
let receiver: Receiver;
let key: string;
let api: TestApi;

const HEALTH = 'subscription($webhookId: ID) { webhookHealth(webhookId: $webhookId) { id type data } }';
const OPERATIONAL = ['webhook.failing', 'webhook.disabled', 'delivery.exhausted', 'webhook.recovered'];

/** The event each request to `path` carried, in the order they arrived. */
const received = (path: string) =>
  receiver.requests(path).map((r) => JSON.parse(r.body) as { event_id: string; event_type: string; data: any });
const typesIn = (recording: Recording) => recording.values('webhookHealth').map((e) => e.type);

beforeAll(async () => {
  // 4 attempts per delivery (3 retries), soon after each other.
  ({ receiver, service, key, api } = await startFixture({ RETRY_SCHEDULE: '100ms,100ms,100ms', JOB_POLL_INTERVAL: '500ms' }));
});

describe('a receiver that keeps failing, then answers again', () => {
  it('is announced to the ops endpoint: webhook.failing, webhook.disabled and delivery.exhausted, then webhook.recovered', async () => {
    // The failing receiver's 4th answer waits until the ops endpoint has heard of the failing streak, so the order
    // in which the ops endpoint hears of the two transactions is certain.
    let heardFailing!: () => void;
    const failingHeard = new Promise<void>((resolve) => (heardFailing = resolve));
    receiver.on('/failing', (req, res, count) => {
      if (count <= 3) behaviours.status(500)(req, res, count);
      else if (count === 4) void failingHeard.then(() => res.writeHead(500).end('still down'));
      else behaviours.accept()(req, res, count);
    });
    receiver.on('/ops', (req, res, count) => {
      behaviours.accept()(req, res, count);
      if (received('/ops').some((e) => e.event_type === 'webhook.failing')) heardFailing();
    });
    const ops = await api.createWebhook(receiver.url('/ops'), ['webhook.*', 'delivery.*']);
    // Subscribed to the operational events too: still never told about itself.
    const failing = await api.createWebhook(receiver.url('/failing'), ['batch.completed', 'webhook.*', 'delivery.*']);
    const catchAll = await api.createWebhook(receiver.url('/catch-all'), ['*']);
    const other = await service.newProject();
    const othersOps = await other.api.createWebhook(receiver.url('/others-ops'), ['webhook.*', 'delivery.*']);

    // Followed live from the start: the whole project over graphql-ws, the failing webhook alone over SSE, another
    // project's and another webhook's followers beside them.
    const ws = connectWs(service.httpUrl, key);
    const projectWide = ws.subscribe(HEALTH);
    const ofFailing = subscribeSse(service.httpUrl, key, HEALTH, { webhookId: failing.id });
    const ofOps = subscribeSse(service.httpUrl, key, HEALTH, { webhookId: ops.id });
    const othersFollower = connectWs(service.httpUrl, other.key).subscribe(HEALTH);
    expect(await ofFailing.status).toBe(200);

    const { event } = await api.publish('batch.completed', { job_id: 'job-ops-1', status: 'completed' });
    const [first, ...rest] = await eventually(async () => {
      const events = received('/ops');
      return events.length >= 3 ? events : undefined;
    }, 'three operational events at the ops endpoint');
    expect(first).toMatchObject({
      event_type: 'webhook.failing',
      data: {
        webhook_id: failing.id,
        url: receiver.url('/failing'),
        consecutive_failures: 3,
        last_status_code: 500,
        last_error: 'The receiver answered 500',
      },
    });
    expect(first!.data).not.toHaveProperty('job_id');
    const [delivery] = await service.db.delivery.findMany({ where: { eventId: event.id, webhookId: failing.id } });
    // Published in one transaction: the ops endpoint may hear of these two in either order.
    expect(rest.sort((a, b) => a.event_type.localeCompare(b.event_type))).toMatchObject([
      {
        event_type: 'delivery.exhausted',
        data: { delivery_id: delivery!.id, event_id: event.id, event_type: 'batch.completed', webhook_id: failing.id, attempts: 4 },
      },
      {
        event_type: 'webhook.disabled',
        data: {
          webhook_id: failing.id,
          url: receiver.url('/failing'),
          reason: `A delivery failed 4 attempts in a row (delivery ${delivery!.id})`,
          delivery_id: delivery!.id,
        },
      },
    ]);
    expect(await api.client.webhooks.get(failing.id)).toMatchObject({ status: 'DISABLED' });
    // Published in order: failing with the 3rd attempt, then disabled and exhausted together with the 4th (in that
    // order within the transaction, as decideBatch's tests show; their timestamps may be the same millisecond).
    const published = await service.db.event.findMany({ where: { type: { in: OPERATIONAL } }, orderBy: { timestamp: 'asc' } });
    expect(published.map((e) => e.type)).toHaveLength(3);
    expect(published[0]).toMatchObject({ type: 'webhook.failing', jobId: null });
    expect(published[0]!.timestamp.getTime()).toBeLessThan(published[1]!.timestamp.getTime());

    // Enabled again, it answers: the first success after the streak is announced.
    await api.client.webhooks.enable(failing.id);
    await api.publish('batch.completed', { job_id: 'job-ops-2', status: 'completed' });
    const recovered = await eventually(async () => received('/ops').find((e) => e.event_type === 'webhook.recovered'), 'webhook.recovered');
    expect(recovered.data).toEqual({ webhook_id: failing.id, url: receiver.url('/failing'), consecutive_failures: 4 });
    expect(received('/ops').map((e) => e.event_type)).toHaveLength(4);

    // Never to the webhook they are about, nor to a catch-all, nor to another project: their deliveries are made in
    // the publishing transaction, so the database says so now.
    const deliveredTypes = async (webhookId: string) =>
      (await service.db.delivery.findMany({ where: { webhookId }, orderBy: { createdAt: 'asc' } })).map((d) => d.eventType);
    expect(await deliveredTypes(failing.id)).toEqual(['batch.completed', 'batch.completed']);
    expect(await deliveredTypes(catchAll.id)).toEqual(['batch.completed', 'batch.completed']);
    expect(await deliveredTypes(othersOps.id)).toEqual([]);
    expect((await deliveredTypes(ops.id)).sort()).toEqual([...OPERATIONAL].sort());

    // Live: the project's follower and the failing webhook's follower saw all four, failing first and recovered last.
    for (const follower of [projectWide, ofFailing]) {
      await follower.count(4);
      const types = typesIn(follower);
      expect(types[0]).toBe('webhook.failing');
      expect(types.slice(1, 3).sort()).toEqual(['delivery.exhausted', 'webhook.disabled']);
      expect(types[3]).toBe('webhook.recovered');
      expect(follower.values('webhookHealth')[3]).toMatchObject({ id: recovered.event_id, data: recovered.data });
    }
    // Those who follow others heard nothing of it (the notifications above reached this process already).
    expect(ofOps.messages).toEqual([]);
    expect(othersFollower.messages).toEqual([]);

    // A new follower gets the latest at once: here through the typed client.
    const late = api.client.subscribe.webhookHealth(failing.id);
    const { value: latest } = await late.next();
    expect(latest).toMatchObject({ id: recovered.event_id, type: 'webhook.recovered', data: recovered.data });
    await late.return?.();
  });
});

describe('across processes', () => {
  it('a worker process publishes them in its transaction; an API process streams them and its publish reaches the ops endpoint', async () => {
    const apiProcess = await startTestService({ ROLE: 'api' });
    await startTestService({ ROLE: 'worker', DATABASE_URL: apiProcess.databaseUrl, RETRY_SCHEDULE: '1h' });
    const project = await apiProcess.newProject();
    receiver.on('/cluster-gone', behaviours.status(410));
    await project.api.createWebhook(receiver.url('/cluster-ops'), ['webhook.*', 'delivery.*']);
    const gone = await project.api.createWebhook(receiver.url('/cluster-gone'), ['batch.completed']);
    const follower = subscribeSse(apiProcess.httpUrl, project.key, HEALTH);
    expect(await follower.status).toBe(200);

    await project.api.publish('batch.completed', { job_id: 'job-cluster', status: 'completed' });
    const requests = await receiver.waitFor('/cluster-ops', 2);
    expect(requests.map((r) => JSON.parse(r.body).event_type).sort()).toEqual(['delivery.exhausted', 'webhook.disabled']);
    await follower.count(2);
    expect(typesIn(follower).sort()).toEqual(['delivery.exhausted', 'webhook.disabled']);
    expect(follower.values('webhookHealth').every((e) => e.data.webhook_id === gone.id)).toBe(true);
  });
});

describe('a token restricted to some webhooks', () => {
  it('follows the health of those only, project-wide or by id', async () => {
    const project = await service.newProject();
    receiver.on('/restricted-gone', behaviours.status(410));
    const mine = await project.api.createWebhook(receiver.url('/restricted-gone'), ['batch.completed']);
    const theirs = await project.api.createWebhook(receiver.url('/restricted-gone'), ['batch.completed']);
    const { token } = await project.api.client.tokens.create({ scopes: ['webhooks:read'], webhookIds: [mine.id] });
    const everything = connectWs(service.httpUrl, project.key).subscribe(HEALTH);
    const restricted = connectWs(service.httpUrl, token).subscribe(HEALTH);
    const refused = connectWs(service.httpUrl, token).subscribe(HEALTH, { webhookId: theirs.id });
    await refused.finished();
    expect(JSON.stringify(refused.error ?? refused.messages)).toMatch(/No webhook with id/);

    await project.api.publish('batch.completed', { job_id: 'job-restricted', status: 'completed' });
    await everything.count(4); // disabled and exhausted, for each webhook
    await restricted.count(2);
    const about = (r: Recording) => r.values('webhookHealth').map((e) => e.data.webhook_id);
    expect(new Set(about(everything))).toEqual(new Set([mine.id, theirs.id]));
    // The project's follower heard all four, so this process has handled every notification.
    expect(about(restricted)).toEqual([mine.id, mine.id]);
  });
});

describe('webhookHealth refuses', () => {
  it("another project's webhook, as if it did not exist, on graphql-ws and SSE", async () => {
    const other = await service.newProject();
    const { id } = await other.api.createWebhook(receiver.url('/elsewhere'), ['webhook.*']);
    const overWs = connectWs(service.httpUrl, key).subscribe(HEALTH, { webhookId: id });
    await overWs.finished();
    expect(JSON.stringify(overWs.error ?? overWs.messages)).toMatch(/No webhook with id/);
    const overSse = subscribeSse(service.httpUrl, key, HEALTH, { webhookId: id });
    await overSse.until((r) => r.messages.length > 0 || r.completed || r.error !== null, 'an answer');
    expect(overSse.messages[0]?.errors?.[0]).toMatchObject({ extensions: { code: 'NOT_FOUND' } });
  });
});

describe('operational events are the service’s own', () => {
  it('are listed among the event types, and webhooks may subscribe to them by name or category', async () => {
    const types = (await api.client.eventTypes()).map((t) => t.type);
    expect(types).toEqual(expect.arrayContaining(OPERATIONAL));
    const { id } = await api.createWebhook(receiver.url('/named'), ['webhook.failing', 'delivery.*']);
    expect((await api.client.webhooks.get(id)).events).toEqual(['webhook.failing', 'delivery.*']);
  });

  it('are refused from publishEvent (GraphQL) and POST /v1/events (REST), naming the field; nothing is stored', async () => {
    const before = await service.db.event.count();
    const answer = await api.publishResult('webhook.failing', { webhook_id: 'wh_x', url: 'https://x', consecutive_failures: 3 });
    expect(answer).toMatchObject({ __typename: 'ValidationError', field: 'type' });
    expect(answer.message).toMatch(/operational event/);
    const response = await restClient(service.httpUrl)(key, 'POST', '/v1/events', {
      event_type: 'delivery.exhausted',
      data: { delivery_id: 'del_x' },
    });
    expectError(response, 422, 'validation_failed', 'event_type');
    expect(await service.db.event.count()).toBe(before);
  });
});
