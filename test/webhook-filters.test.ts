// Payload filters end to end: a filtered webhook receives only the events whose data matches, over a real receiver
// and the real worker, whichever transport published; `deliveryCount` counts only the webhooks that get one; a bad
// filter is refused on GraphQL and REST with the path of the offending operator, writing nothing; the preview tells
// which recent events a filter would have matched.
import { randomUUID } from 'node:crypto';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ValidationError } from '../client/src/index.js';
import type { TestApi } from './support/api.js';
import type { Receiver } from './support/receiver.js';
import { expectError, restClient, startRestFixture } from './support/rest.js';
import type { TestService } from './support/service.js';

/** The example: MAXCUT results at least 90 % of optimal. */
const GOOD_MAXCUT = { problem_type: 'MAXCUT', result: { approximation_ratio: { $gte: 0.9 } } };

const optimization = (problemType: string, ratio: number) => ({
  job_id: randomUUID(),
  status: 'completed',
  problem_type: problemType,
  result: { solution: [0, 1], objective_value: 8, approximation_ratio: ratio, execution_time: 3 },
});

let service: TestService;
let receiver: Receiver;
let rest: ReturnType<typeof restClient>;
/** The project of the test running: each test has its own, so one's webhooks never count in another's publish. */
let api: TestApi;
let key: string;

beforeAll(async () => {
  ({ service, receiver, rest } = await startRestFixture());
});

beforeEach(async () => {
  ({ api, key } = await service.newProject());
});

/** The event ids a receiver path got, in any order. */
const received = (path: string) => receiver.requests(path).map((request) => JSON.parse(request.body).event_id as string).sort();

const deliveryTotal = async (webhookId: string) => (await api.client.deliveries.list(webhookId)).totalCount;

/** Publishes over REST; answers the accepted event. */
async function restPublish(data: Record<string, unknown>, idempotencyKey?: string) {
  const response = await rest(key, 'POST', '/v1/events', {
    event_type: 'optimization.completed',
    data,
    ...(idempotencyKey && { idempotency_key: idempotencyKey }),
  });
  expect(response.status).toBe(202);
  return response.body as { event_id: string; delivery_count: number };
}

describe('a filtered webhook', () => {
  it('receives only the matching events, beside an unfiltered one that receives all, whichever transport published', async () => {
    const filtered = await api.client.webhooks.create({
      url: receiver.url('/filtered'),
      events: ['optimization.completed'],
      filter: GOOD_MAXCUT,
    });
    expect(filtered.webhook.filter).toEqual(GOOD_MAXCUT);
    const all = await api.client.webhooks.create({ url: receiver.url('/all'), events: ['optimization.*'] });
    expect(all.webhook.filter).toBeNull();
    const created = await rest(key, 'POST', '/v1/webhooks', {
      url: receiver.url('/max-prefix'),
      events: ['optimization.completed'],
      filter: { problem_type: { $startsWith: 'MAX' } },
    });
    expect(created.status).toBe(201);
    expect(created.body.filter).toEqual({ problem_type: { $startsWith: 'MAX' } });
    const prefixId = created.body.webhook_id as string;

    const good = await api.publish('optimization.completed', optimization('MAXCUT', 0.95));
    expect(good.deliveryCount).toBe(3);
    const poorData = optimization('MAXCUT', 0.5);
    const poor = await restPublish(poorData, 'poor-maxcut');
    expect(poor.delivery_count).toBe(2);
    const tsp = await restPublish(optimization('TSP', 0.99));
    expect(tsp.delivery_count).toBe(1);
    const justGood = await restPublish(optimization('MAXCUT', 0.9));
    expect(justGood.delivery_count).toBe(3);

    // Every delivery made was sent (the unfiltered webhook's four prove the worker went through the lot); the
    // filtered-out ones were never made.
    await receiver.waitFor('/all', 4);
    await receiver.waitFor('/filtered', 2);
    await receiver.waitFor('/max-prefix', 3);
    expect(received('/all')).toEqual([good.event.id, poor.event_id, tsp.event_id, justGood.event_id].sort());
    expect(received('/filtered')).toEqual([good.event.id, justGood.event_id].sort());
    expect(received('/max-prefix')).toEqual([good.event.id, poor.event_id, justGood.event_id].sort());
    expect(await deliveryTotal(filtered.webhook.id)).toBe(2);
    expect(await deliveryTotal(prefixId)).toBe(3);

    // Publishing again with the key answers the first event and its true count, and sends nothing new.
    const again = await restPublish(poorData, 'poor-maxcut');
    expect(again).toEqual(poor);
  });

  it('follows its filter as updated: null clears it, a new one applies from the next event', async () => {
    const { webhook } = await api.client.webhooks.create({
      url: receiver.url('/updated'),
      events: ['optimization.completed'],
      filter: { problem_type: 'TSP' },
    });
    expect((await api.publish('optimization.completed', optimization('MAXCUT', 1))).deliveryCount).toBe(0);

    const cleared = await api.client.webhooks.update(webhook.id, { filter: null });
    expect(cleared.filter).toBeNull();
    const anyProblem = await api.publish('optimization.completed', optimization('MAXCUT', 1));
    expect(anyProblem.deliveryCount).toBe(1);

    const put = await rest(key, 'PUT', `/v1/webhooks/${webhook.id}`, { filter: { result: { approximation_ratio: { $lt: 0.5 } } } });
    expect(put.status).toBe(200);
    expect(put.body.filter).toEqual({ result: { approximation_ratio: { $lt: 0.5 } } });
    expect((await restPublish(optimization('MAXCUT', 0.7))).delivery_count).toBe(0);
    const low = await restPublish(optimization('MAXCUT', 0.2));
    expect(low.delivery_count).toBe(1);

    // An update that leaves `filter` out keeps it.
    const renamed = await api.client.webhooks.update(webhook.id, { description: 'low ratios' });
    expect(renamed.filter).toEqual({ result: { approximation_ratio: { $lt: 0.5 } } });

    await receiver.waitFor('/updated', 2);
    expect(received('/updated')).toEqual([anyProblem.event.id, low.event_id].sort());

    // The trail says which filter it was created with, and each change from what to what.
    const trail = await service.db.auditEvent.findMany({ where: { resourceId: webhook.id }, orderBy: { createdAt: 'asc' } });
    expect(trail.map((entry) => entry.details)).toEqual([
      { kind: 'HTTP', url_origin: new URL(receiver.url('/')).origin, events: ['optimization.completed'], filter: { problem_type: 'TSP' } },
      { changed: ['filter'], filter: { from: { problem_type: 'TSP' }, to: null } },
      { changed: ['filter'], filter: { from: null, to: { result: { approximation_ratio: { $lt: 0.5 } } } } },
      { changed: ['description'] },
    ]);
  });

  it("leaves another project's webhooks alone", async () => {
    const other = await service.newProject();
    const otherReceiverPath = '/other-project';
    const { webhook } = await other.api.client.webhooks.create({ url: receiver.url(otherReceiverPath), events: ['optimization.completed'] });

    const put = await rest(key, 'PUT', `/v1/webhooks/${webhook.id}`, { filter: { problem_type: 'NONE' } });
    expectError(put, 404, 'not_found');
    await expect(api.client.webhooks.update(webhook.id, { filter: { problem_type: 'NONE' } })).rejects.toThrow(/No webhook/);
    expect((await other.api.client.webhooks.get(webhook.id)).filter).toBeNull();

    const theirs = await other.api.publish('optimization.completed', optimization('TSP', 0.1));
    expect(theirs.deliveryCount).toBe(1);
    await receiver.waitFor(otherReceiverPath, 1);
  });
});

describe('a bad filter', () => {
  const BAD: [string, unknown, string][] = [
    ['an unknown operator', { result: { approximation_ratio: { $gtee: 0.9 } } }, 'filter.result.approximation_ratio.$gtee'],
    ['$in without a list', { $or: [{ problem_type: 'TSP' }, { status: { $in: 'completed' } }] }, 'filter.$or.1.status.$in'],
    ['$exists not a boolean', { a: { $exists: 1 } }, 'filter.a.$exists'],
    ['11 levels deep', { a: { b: { c: { d: { e: { f: { g: { h: { i: { j: { k: 1 } } } } } } } } } } }, 'filter.a.b.c.d.e.f.g.h.i.j'],
    ['over 4096 bytes', { a: { $in: Array.from({ length: 500 }, (_, i) => `value-${i}`) } }, 'filter'],
  ];

  it.each(BAD)('%s is refused on GraphQL, naming %s, and nothing is written', async (_what, filter, field) => {
    const { webhook } = await api.client.webhooks.create({ url: receiver.url('/kept'), events: ['*'], filter: { kept: true } });
    const before = (await api.client.webhooks.list()).totalCount;

    const answer = await api.createWebhookResult({ url: receiver.url('/bad'), events: ['*'], filter });
    expect(answer).toMatchObject({ __typename: 'ValidationError', field });
    expect(answer.message).toContain(field);
    const update = api.client.webhooks.update(webhook.id, { filter: filter as Record<string, unknown> });
    await expect(update).rejects.toBeInstanceOf(ValidationError);
    await expect(update).rejects.toMatchObject({ field });

    expect((await api.client.webhooks.list()).totalCount).toBe(before);
    expect((await api.client.webhooks.get(webhook.id)).filter).toEqual({ kept: true });
  });

  it.each(BAD)('%s is refused on REST with a 422, naming %s, and nothing is written', async (_what, filter, field) => {
    const { webhook } = await api.client.webhooks.create({ url: receiver.url('/kept'), events: ['*'], filter: { kept: true } });
    const before = (await rest(key, 'GET', '/v1/webhooks')).body.total;

    expectError(await rest(key, 'POST', '/v1/webhooks', { url: receiver.url('/bad'), events: ['*'], filter }), 422, 'validation_failed', field);
    expectError(await rest(key, 'PUT', `/v1/webhooks/${webhook.id}`, { filter }), 422, 'validation_failed', field);

    expect((await rest(key, 'GET', '/v1/webhooks')).body.total).toBe(before);
    expect((await rest(key, 'GET', `/v1/webhooks/${webhook.id}`)).body.filter).toEqual({ kept: true });
  });

  it('that is not an object is refused on both transports, naming filter', async () => {
    for (const filter of ['status = completed', ['completed'], 3]) {
      expect(await api.createWebhookResult({ url: receiver.url('/bad'), events: ['*'], filter })).toMatchObject({
        __typename: 'ValidationError',
        field: 'filter',
      });
      expectError(await rest(key, 'POST', '/v1/webhooks', { url: receiver.url('/bad'), events: ['*'], filter }), 422, 'validation_failed', 'filter');
    }
  });
});

describe('previewWebhookFilter', () => {
  it("lists the project's newest events of the types, each with whether the filter matches, and no other project's", async () => {
    const fresh = api;
    const other = await service.newProject();
    const published = [];
    for (const [problem, ratio] of [['MAXCUT', 0.95], ['MAXCUT', 0.5], ['TSP', 0.99], ['MAXCUT', 0.92]] as const) {
      published.push((await fresh.publish('optimization.completed', optimization(problem, ratio))).event.id);
    }
    await fresh.publish('optimization.failed', { job_id: randomUUID(), status: 'failed', error: 'diverged' });
    await other.api.publish('optimization.completed', optimization('MAXCUT', 0.99));

    const preview = await fresh.client.webhooks.previewFilter({ events: ['optimization.completed'], filter: GOOD_MAXCUT });
    expect(preview.map(({ event, matched }) => [event.id, matched])).toEqual([
      [published[3], true],
      [published[2], false],
      [published[1], false],
      [published[0], true],
    ]);
    expect(preview[0]!.event).toMatchObject({ type: 'optimization.completed', data: { problem_type: 'MAXCUT' } });

    // A wildcard takes every type of the category; no filter matches everything; `first` bounds the list.
    const firstTwo = await fresh.client.webhooks.previewFilter({ events: ['optimization.*'], first: 2 });
    expect(firstTwo.map(({ event, matched }) => [event.type, matched])).toEqual([
      ['optimization.failed', true],
      ['optimization.completed', true],
    ]);

    // Bad input, by its path; the scope that reads events.
    await expect(fresh.client.webhooks.previewFilter({ events: ['optimization.completed'], filter: { a: { $like: 'x' } } })).rejects.toMatchObject({
      field: 'filter.a.$like',
    });
    await expect(fresh.client.webhooks.previewFilter({ events: ['optimization.done'] })).rejects.toMatchObject({ field: 'events' });
    await expect(fresh.client.webhooks.previewFilter({ events: ['*'], first: 101 })).rejects.toMatchObject({ field: 'first' });
  });
});
