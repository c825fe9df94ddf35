// The event log (`events`, GET /v1/events), a project's deliveries across webhooks (`deliveries` without a webhook,
// GET /v1/deliveries) and replaying an event (`replayEvent`, POST /v1/events/{event_id}/replay): filters, windows,
// paging, other projects, bad input.
import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { NotFoundError } from '../client/src/index.js';
import type { TestApi } from './support/api.js';
import { eventually, type Receiver } from './support/receiver.js';
import { expectError, startRestFixture, type RestResponse } from './support/rest.js';
import type { TestService } from './support/service.js';

let service: TestService;
let receiver: Receiver;
let key: string;
let projectId: string;
let api: TestApi;
let rest: (key: string | null, method: string, path: string, body?: unknown) => Promise<RestResponse>;

beforeAll(async () => {
  ({ receiver, service, key, projectId, api, rest } = await startRestFixture());
});

const EVENTS = `query($type: String, $jobId: String, $since: DateTime, $until: DateTime, $first: Int, $after: String) {
  events(type: $type, jobId: $jobId, since: $since, until: $until, first: $first, after: $after) {
    pageInfo { hasNextPage endCursor } edges { node { id type } }
  }
}`;

const DELIVERIES = `query($webhookId: ID, $eventId: ID, $status: DeliveryStatus, $since: DateTime, $until: DateTime, $first: Int, $after: String) {
  deliveries(webhookId: $webhookId, eventId: $eventId, status: $status, since: $since, until: $until, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor } edges { node { id webhook { id } } }
  }
}`;

const ids = (connection: { edges: { node: { id: string } }[] }) => connection.edges.map((edge) => edge.node.id);

/** Every page of a REST list, following `next_cursor`. */
async function allPages(path: string, key_: string, items: string, idField: string): Promise<string[]> {
  const seen: string[] = [];
  let cursor: string | null = null;
  do {
    const separator = path.includes('?') ? '&' : '?';
    const page = await rest(key_, 'GET', `${path}${separator}limit=2${cursor ? `&cursor=${cursor}` : ''}`);
    expect(page.status).toBe(200);
    seen.push(...page.body[items].map((item: Record<string, string>) => item[idField]));
    cursor = page.body.next_cursor;
  } while (cursor);
  return seen;
}

/** A job's five events published one after another, and the window around the middle three. */
async function publishJob() {
  const jobId = randomUUID();
  const published: string[] = [];
  const at: Date[] = [];
  for (const [type, data] of [
    ['batch.submitted', { status: 'submitted' }],
    ['batch.progress', { total_images: 4, processed_images: 1, failed_images: 0, progress_percent: 25 }],
    ['batch.progress', { total_images: 4, processed_images: 2, failed_images: 0, progress_percent: 50 }],
    ['batch.progress', { total_images: 4, processed_images: 3, failed_images: 0, progress_percent: 75 }],
    ['batch.completed', { status: 'completed' }],
  ] as const) {
    const { event } = await api.publish(type, { job_id: jobId, ...data });
    published.push(event.id);
    at.push(new Date(event.timestamp));
  }
  return { jobId, published, since: at[1]!, until: at[4]! };
}

describe('events: the event log', () => {
  it('lists the newest first, by job, type and window, in pages, over GraphQL and REST', async () => {
    const { jobId, published, since, until } = await publishJob();
    const newestFirst = [...published].reverse();
    const byJob = (await service.gql(key, EVENTS, { jobId })).body.data.events;
    expect(ids(byJob)).toEqual(newestFirst);

    const progress = (await service.gql(key, EVENTS, { jobId, type: 'batch.progress' })).body.data.events;
    expect(ids(progress)).toEqual(newestFirst.slice(1, 4));
    const windowed = await api.client.events.list({ jobId, since: since.toISOString(), until: until.toISOString() });
    expect(windowed.nodes.map((e) => e.id)).toEqual(newestFirst.slice(1, 4));

    const paged: string[] = [];
    let after: string | undefined;
    do {
      const page = (await service.gql(key, EVENTS, { jobId, first: 2, after })).body.data.events;
      paged.push(...ids(page));
      after = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : undefined;
    } while (after);
    expect(paged).toEqual(newestFirst);

    expect(await allPages(`/v1/events?job_id=${jobId}`, key, 'events', 'event_id')).toEqual(newestFirst);
    const restWindow = await rest(
      key,
      'GET',
      `/v1/events?job_id=${jobId}&event_type=batch.progress&since=${since.toISOString()}&until=${until.toISOString()}`,
    );
    expect(restWindow.body.events.map((e: { event_id: string }) => e.event_id)).toEqual(newestFirst.slice(1, 4));
    expect(restWindow.body.events[0]).toMatchObject({ event_type: 'batch.progress', job_id: jobId, data: { processed_images: 3 } });
  });

  it("shows none of another project's events", async () => {
    const { jobId } = await publishJob();
    const other = await service.newProject();
    expect((await other.api.client.events.list({ jobId })).nodes).toEqual([]);
    expect((await rest(other.key, 'GET', `/v1/events?job_id=${jobId}`)).body.events).toEqual([]);
  });

  it('refuses a window with since after until, or wider than the retention, naming the field', async () => {
    const reversed = { since: '2026-03-02T00:00:00Z', until: '2026-03-01T00:00:00Z' };
    const tooWide = { since: '2026-01-01T00:00:00Z', until: '2026-03-01T00:00:00Z' };
    for (const window of [reversed, tooWide]) {
      const { errors } = (await service.gql(key, EVENTS, window)).body;
      expect(errors).toMatchObject([{ extensions: { code: 'BAD_USER_INPUT', field: 'since' } }]);
      expectError(await rest(key, 'GET', `/v1/events?since=${window.since}&until=${window.until}`), 422, 'validation_failed', 'since');
    }
    expectError(await rest(key, 'GET', '/v1/events?since=today'), 422, 'validation_failed', 'since');
    expectError(await rest(key, 'GET', '/v1/events?cursor=nope'), 422, 'validation_failed', 'cursor');
  });
});

describe('deliveries across webhooks', () => {
  it("lists the project's deliveries newest first, by event, status, webhook and window, with totals", async () => {
    const tag = randomUUID();
    const hooks = [
      (await api.createWebhook(receiver.url(`/a-${tag}`), ['vision.*'])).id,
      (await api.createWebhook(receiver.url(`/b-${tag}`), ['vision.*'])).id,
    ];
    const since = new Date();
    const first = await api.publishWithDeliveries('vision.submitted', { job_id: `${tag}-1`, status: 'submitted' });
    const second = await api.publishWithDeliveries('vision.submitted', { job_id: `${tag}-2`, status: 'submitted' });
    const until = new Date(Date.now() + 1);
    await receiver.waitFor(`/b-${tag}`, 2);
    const window = { since: since.toISOString(), until: until.toISOString() };
    // Deliveries of one event are created together; within it, newest first is by id.
    const expected = [second, first].flatMap(({ event }) => event.deliveries.map((d) => d.id).sort().reverse());

    const inWindow = await eventually(async () => {
      const page = (await service.gql(key, DELIVERIES, { ...window, status: 'SUCCESS' })).body.data.deliveries;
      return page.totalCount === 4 && page.edges.length === 4 ? page : undefined;
    }, 'the four deliveries succeeded');
    expect(ids(inWindow)).toEqual(expected);
    const ofEvent = (await service.gql(key, DELIVERIES, { eventId: first.event.id })).body.data.deliveries;
    expect(ofEvent.totalCount).toBe(2);
    expect(ofEvent.edges.map((e: { node: { webhook: { id: string } } }) => e.node.webhook.id).sort()).toEqual([...hooks].sort());
    const ofWebhook = await api.client.deliveries.listAll({ webhookId: hooks[0], ...window });
    expect(ofWebhook.totalCount).toBe(2);
    expect((await api.client.deliveries.listAll({ ...window, status: 'FAILED' })).totalCount).toBe(0);
    // Without a window or an event, the total comes from the counters: every delivery of the project.
    const everything = await api.client.deliveries.listAll({ first: 1 });
    expect(everything.totalCount).toBe(await service.db.delivery.count({ where: { projectId } }));

    const query = `since=${window.since}&until=${window.until}`;
    expect(await allPages(`/v1/deliveries?${query}`, key, 'deliveries', 'delivery_id')).toEqual(expected);
    const restOfEvent = await rest(key, 'GET', `/v1/deliveries?event_id=${second.event.id}&status=success&webhook_id=${hooks[1]}`);
    expect(restOfEvent.body.deliveries).toMatchObject([{ webhook_id: hooks[1], event_id: second.event.id, status: 'success' }]);

    const other = await service.newProject();
    expect((await other.api.client.deliveries.listAll({ eventId: first.event.id })).totalCount).toBe(0);
    expect((await rest(other.key, 'GET', `/v1/deliveries?webhook_id=${hooks[0]}`)).body.deliveries).toEqual([]);
  });

  it('refuses a window with since after until, naming the field', async () => {
    const { errors } = (await service.gql(key, DELIVERIES, { since: '2026-03-02T00:00:00Z', until: '2026-03-01T00:00:00Z' })).body;
    expect(errors).toMatchObject([{ extensions: { code: 'BAD_USER_INPUT', field: 'since' } }]);
    expectError(
      await rest(key, 'GET', '/v1/deliveries?since=2026-03-02T00:00:00Z&until=2026-03-01T00:00:00Z'),
      422,
      'validation_failed',
      'since',
    );
  });
});

describe('replayEvent', () => {
  it('sends the event again to the webhooks subscribed now, over GraphQL and REST', async () => {
    const tag = randomUUID();
    const early = (await api.createWebhook(receiver.url(`/early-${tag}`), ['inference.completed'])).id;
    const { event } = await api.publish('inference.completed', { job_id: tag, status: 'completed' });
    await receiver.waitFor(`/early-${tag}`, 1);
    await api.createWebhook(receiver.url(`/late-${tag}`), ['inference.*']);
    await api.client.webhooks.disable(early);

    const replayed = await api.client.events.replay(event.id);
    expect(replayed).toMatchObject({ event: { id: event.id }, deliveryCount: 1 });
    expect(await service.db.auditEvent.findMany({ where: { resourceId: event.id } })).toMatchObject([
      { action: 'event.replayed', resourceType: 'event', details: { delivery_count: 1 } },
    ]);
    const [resent] = await receiver.waitFor(`/late-${tag}`, 1);
    expect(JSON.parse(resent!.body)).toMatchObject({ event_id: event.id, data: { job_id: tag } });

    await api.client.webhooks.enable(early);
    const overRest = await rest(key, 'POST', `/v1/events/${event.id}/replay`);
    expect(overRest.status).toBe(202);
    expect(overRest.body).toMatchObject({ event_id: event.id, delivery_count: 2 });
    await receiver.waitFor(`/late-${tag}`, 2);
    await receiver.waitFor(`/early-${tag}`, 2);
    expect((await api.client.events.get(event.id)).deliveries).toHaveLength(4);
  });

  it("answers not found for another project's event, sending nothing", async () => {
    const { event } = await api.publish('inference.started', { job_id: randomUUID(), status: 'running' });
    const other = await service.newProject();
    const deliveries = await service.db.delivery.count();
    await expect(other.api.client.events.replay(event.id)).rejects.toBeInstanceOf(NotFoundError);
    expectError(await rest(other.key, 'POST', `/v1/events/${event.id}/replay`), 404, 'not_found');
    expect(await service.db.delivery.count()).toBe(deliveries);
  });
});

describe("an access token's restrictions", () => {
  it('keep the event log to its jobs, the deliveries across webhooks and a replay to its webhooks', async () => {
    const tag = randomUUID();
    const hooks = [
      (await api.createWebhook(receiver.url(`/kept-${tag}`), ['model.updated'])).id,
      (await api.createWebhook(receiver.url(`/other-${tag}`), ['model.updated'])).id,
    ];
    const jobs = [`${tag}-kept`, `${tag}-other`];
    const events = [];
    for (const jobId of jobs) events.push((await api.publishWithDeliveries('model.updated', { job_id: jobId, status: 'updated' })).event);
    await receiver.waitFor(`/other-${tag}`, 2);
    const minted = await rest(key, 'POST', '/v1/tokens', {
      scopes: ['deliveries:read', 'deliveries:write'],
      webhook_ids: [hooks[0]],
      job_ids: [jobs[0]],
    });
    expect(minted.status).toBe(201);
    const token = minted.body.token as string;

    const listed = await rest(token, 'GET', `/v1/deliveries?event_type=model.updated`);
    expect(new Set(listed.body.deliveries.map((d: { webhook_id: string }) => d.webhook_id))).toEqual(new Set([hooks[0]]));
    const log = await rest(token, 'GET', `/v1/events?event_type=model.updated`);
    expect(log.body.events.map((e: { job_id: string }) => e.job_id)).toEqual([jobs[0]]);
    expectError(await rest(token, 'GET', `/v1/events?job_id=${jobs[1]}`), 404, 'not_found');

    const replayed = await rest(token, 'POST', `/v1/events/${events[0]!.id}/replay`);
    expect(replayed.body).toMatchObject({ delivery_count: 1 });
    await receiver.waitFor(`/kept-${tag}`, 3);
    expect(await service.db.delivery.count({ where: { eventId: events[0]!.id, webhookId: hooks[1] } })).toBe(1);
    expectError(await rest(token, 'POST', `/v1/events/${events[1]!.id}/replay`), 404, 'not_found');
  });
});

