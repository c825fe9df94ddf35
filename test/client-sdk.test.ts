// The client SDK end to end against the real service: every method, typed errors, and subscriptions.
import { beforeAll, describe, expect, expectTypeOf, it } from 'vitest';
import {
  ApiError,
  AuthenticationError,
  ConflictError,
  createClient,
  EVENT_TYPES,
  NetworkError,
  NotFoundError,
  operations,
  ValidationError,
  webSocketUrl,
  type BatchProgressData,
  type Event,
  type WebhooksClient,
} from '../client/src/index.js';
import { allEventTypes } from '../src/events/catalog.js';
import { behaviours, eventually, startReceiver, type Receiver } from './support/receiver.js';
import { startTestService, type TestService } from './support/service.js';
import { freePort } from '../src/lib/free-port.js';

let service: TestService;
let receiver: Receiver;
let client: WebhooksClient;
let graphqlUrl: string;

/** A client with its own project, so its data and subscription slots are its own. */
async function newClient(options: { webSocketImpl?: unknown } = {}) {
  const { key } = await service.newProject();
  return createClient({ url: graphqlUrl, apiKey: key, retryAttempts: 0, ...options });
}

beforeAll(async () => {
  receiver = await startReceiver();
  // Failed deliveries stay RETRYING for the whole file; one subscription per project proves slots are given back.
  service = await startTestService({ RETRY_SCHEDULE: '1h', MAX_SUBSCRIPTIONS_PER_PROJECT: '1' });
  graphqlUrl = `${service.httpUrl}/graphql`;
  client = await newClient();
});

const batchProgress = (jobId: string, processed: number): BatchProgressData => ({
  job_id: jobId,
  total_images: 100,
  processed_images: processed,
  failed_images: 0,
  progress_percent: processed,
});

const uniqueJob = (() => {
  let n = 0;
  return (name: string) => `${name}-${process.pid}-${++n}`;
})();


describe('webhooks', () => {
  it('create, list, get, update, disable, enable, rotateSecret and delete', async () => {
    const { webhook, secret } = await client.webhooks.create({
      url: receiver.url('/lifecycle'),
      events: ['batch.progress', 'training.*'],
      description: 'lifecycle',
      secret: 'lifecycle-secret-0123456789',
    });
    expect(secret).toBe('lifecycle-secret-0123456789');
    expect(webhook).toMatchObject({ url: receiver.url('/lifecycle'), events: ['batch.progress', 'training.*'], status: 'ACTIVE' });
    expect(webhook.id).toMatch(/^wh_[0-9a-f]{16}$/);
    expect(webhook).not.toHaveProperty('__typename');

    const generated = await client.webhooks.create({ url: receiver.url('/generated'), events: ['*'] });
    expect(generated.secret.length).toBeGreaterThanOrEqual(16);

    const listed = await client.webhooks.list();
    expect(listed.totalCount).toBe(2);
    expect(listed.nodes.map((w) => w.id)).toEqual([generated.webhook.id, webhook.id]); // newest first
    const firstPage = await client.webhooks.list({ first: 1 });
    expect(firstPage.nodes).toHaveLength(1);
    expect(firstPage.pageInfo.hasNextPage).toBe(true);
    const secondPage = await client.webhooks.list({ first: 1, after: firstPage.pageInfo.endCursor! });
    expect(secondPage.nodes.map((w) => w.id)).toEqual([webhook.id]);

    expect(await client.webhooks.get(webhook.id)).toEqual(webhook);

    const updated = await client.webhooks.update(webhook.id, {
      url: receiver.url('/lifecycle-2'),
      events: ['vision.completed'],
      description: 'moved',
    });
    expect(updated).toMatchObject({ id: webhook.id, url: receiver.url('/lifecycle-2'), events: ['vision.completed'], description: 'moved' });
    expect(await client.webhooks.get(webhook.id)).toEqual(updated);

    const disabled = await client.webhooks.disable(webhook.id);
    expect(disabled.status).toBe('DISABLED');
    expect(disabled.disabledAt).not.toBeNull();
    const enabled = await client.webhooks.enable(webhook.id);
    expect(enabled.status).toBe('ACTIVE');
    expect(enabled.disabledAt).toBeNull();

    const rotated = await client.webhooks.rotateSecret(webhook.id, { gracePeriodSeconds: 60 });
    expect(rotated.webhook.id).toBe(webhook.id);
    expect(rotated.secret).not.toBe(secret);
    expect(rotated.secret.length).toBeGreaterThanOrEqual(16);

    await client.webhooks.delete(webhook.id);
    await expect(client.webhooks.get(webhook.id)).rejects.toBeInstanceOf(NotFoundError);
    expect((await client.webhooks.list()).nodes.map((w) => w.id)).toEqual([generated.webhook.id]);
    await client.webhooks.delete(generated.webhook.id);
  });

  it('test sends a webhook.test delivery to that webhook', async () => {
    const { webhook, secret } = await client.webhooks.create({ url: receiver.url('/test-event'), events: ['batch.completed'] });
    const delivery = await client.webhooks.test(webhook.id);
    expect(delivery).toMatchObject({ eventType: 'webhook.test', webhook: { id: webhook.id } });
    const [request] = await receiver.waitFor('/test-event', 1);
    expect(JSON.parse(request!.body)).toMatchObject({ event_type: 'webhook.test', event_id: delivery.event.id });
    expect(secret).toBeTruthy();
  });
});

describe('events and deliveries', () => {
  it('publish is typed per event type and reaches the webhook; events.get and deliveries.list/get show it', async () => {
    const { webhook } = await client.webhooks.create({ url: receiver.url('/events'), events: ['batch.progress'] });
    const jobId = uniqueJob('batch');
    const published = await client.events.publish({ type: 'batch.progress', data: batchProgress(jobId, 75) });
    expectTypeOf(published.event.type).toEqualTypeOf<'batch.progress'>();
    expectTypeOf(published.event.data).toEqualTypeOf<BatchProgressData>();
    expect(published.deliveryCount).toBe(1);
    expect(published.event).toMatchObject({ type: 'batch.progress', data: batchProgress(jobId, 75) });
    expect(published.event.data.progress_percent).toBe(75);

    const [request] = await receiver.waitFor('/events', 1);
    expect(JSON.parse(request!.body)).toMatchObject({ event_id: published.event.id, data: { job_id: jobId } });

    const event = await client.events.get(published.event.id);
    expect(event).toMatchObject({ id: published.event.id, type: 'batch.progress', data: batchProgress(jobId, 75) });
    expect(event.deliveries).toHaveLength(1);
    const deliveryId = event.deliveries[0]!.id;
    if (event.type === 'batch.progress') expectTypeOf(event.data).toEqualTypeOf<BatchProgressData>();

    const delivery = await eventually(async () => {
      const d = await client.deliveries.get(deliveryId);
      return d.status === 'SUCCESS' ? d : undefined;
    }, 'the delivery to succeed');
    expect(delivery).toMatchObject({ id: deliveryId, eventType: 'batch.progress', statusCode: 200, attemptCount: 1 });
    expect(delivery.attempts).toHaveLength(1);
    expect(delivery.attempts[0]).toMatchObject({ number: 1, responseStatus: 200, requestBody: request!.body });

    const listed = await client.deliveries.list(webhook.id);
    expect(listed.totalCount).toBe(1);
    expect(listed.nodes[0]).toMatchObject({ id: deliveryId, status: 'SUCCESS', event: { id: published.event.id } });
    expect((await client.deliveries.list(webhook.id, { status: 'FAILED' })).totalCount).toBe(0);
    expect((await client.deliveries.list(webhook.id, { eventType: 'batch.progress', first: 5 })).totalCount).toBe(1);
  });

  it('retry attempts a failed delivery again', async () => {
    receiver.on('/flaky', behaviours.failTimes(1, 503));
    const { webhook } = await client.webhooks.create({ url: receiver.url('/flaky'), events: ['training.failed'] });
    const { event } = await client.events.publish({
      type: 'training.failed',
      data: { job_id: uniqueJob('training'), status: 'failed', error: 'Too few participants' },
    });
    const [first] = (await client.deliveries.list(webhook.id)).nodes;
    const retrying = await eventually(async () => {
      const d = await client.deliveries.get(first!.id);
      return d.status === 'RETRYING' ? d : undefined;
    }, 'the first attempt to fail');
    expect(retrying.statusCode).toBe(503);
    expect(retrying.nextAttemptAt).not.toBeNull();

    const retried = await client.deliveries.retry(first!.id);
    expect(retried.id).toBe(first!.id);
    const succeeded = await eventually(async () => {
      const d = await client.deliveries.get(first!.id);
      return d.status === 'SUCCESS' ? d : undefined;
    }, 'the retry to succeed');
    expect(succeeded.attempts.map((a) => a.responseStatus)).toEqual([503, 200]);
    expect(receiver.requests('/flaky').map((r) => JSON.parse(r.body).event_id)).toEqual([event.id, event.id]);
  });

  it('publish with an idempotency key returns the first event again; reusing it for another event is a ConflictError', async () => {
    const idempotencyKey = uniqueJob('key');
    const data = batchProgress(uniqueJob('batch'), 10);
    const first = await client.events.publish({ type: 'batch.progress', data, idempotencyKey });
    const again = await client.events.publish({ type: 'batch.progress', data, idempotencyKey });
    expect(again.event.id).toBe(first.event.id);
    const error = await client.events
      .publish({ type: 'batch.progress', data: { ...data, processed_images: 20 }, idempotencyKey })
      .then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(ConflictError);
    expect((error as ConflictError).message).toContain(first.event.id);
  });

  it('eventTypes lists the catalog, which the client types match', async () => {
    const types = await client.eventTypes();
    expect(types.map((t) => t.type)).toEqual([...EVENT_TYPES]);
    expect(types.map((t) => t.type)).toEqual(allEventTypes.map((e) => e.type));
    expect(types.find((t) => t.type === 'batch.progress')).toMatchObject({
      description: expect.any(String),
      example: { total_images: 100, processed_images: 75 },
    });
  });

  it('jobs.get returns the state kept from a job’s events', async () => {
    const jobId = uniqueJob('training');
    await client.events.publish({ type: 'training.started', data: { job_id: jobId, status: 'running' } });
    const { event } = await client.events.publish({
      type: 'training.progress',
      data: { job_id: jobId, round: 5, total_rounds: 10, accuracy: 0.92, loss: 0.23 },
    });
    const job = await client.jobs.get(jobId);
    expect(job).toMatchObject({ jobId, type: 'TRAINING', status: 'RUNNING', round: 5, totalRounds: 10, accuracy: 0.92, loss: 0.23 });
    expect(job.lastEvent).toMatchObject({ id: event.id, type: 'training.progress' });
    await expect(client.jobs.get(uniqueJob('unknown'))).rejects.toBeInstanceOf(NotFoundError);
  });

  it('request runs any generated document with typed variables and result', async () => {
    const { webhook } = await client.webhooks.create({ url: receiver.url('/request'), events: ['model.deployed'] });
    const data = await client.request(operations.WebhookDocument, { id: webhook.id });
    expectTypeOf(data.webhook.__typename).toEqualTypeOf<'Webhook' | 'NotFoundError' | 'ForbiddenError'>();
    expect(data.webhook).toMatchObject({ __typename: 'Webhook', id: webhook.id, events: ['model.deployed'] });
    const types = await client.request(operations.EventTypesDocument);
    expect(types.eventTypes.length).toBe(EVENT_TYPES.length);
  });
});

describe('typed errors', () => {
  it('ValidationError names the field', async () => {
    const invalid = async (call: Promise<unknown>) => {
      const error = await call.then(() => undefined, (e: unknown) => e);
      expect(error).toBeInstanceOf(ValidationError);
      return error as ValidationError;
    };
    expect((await invalid(client.webhooks.create({ url: 'not a url', events: ['batch.progress'] }))).field).toBe('url');
    expect((await invalid(client.webhooks.create({ url: receiver.url('/v'), events: ['no.such'] }))).field).toBe('events');
    expect((await invalid(client.webhooks.create({ url: receiver.url('/v'), events: ['*'], secret: 'short' }))).field).toBe('secret');
    const { webhook } = await client.webhooks.create({ url: receiver.url('/v'), events: ['*'] });
    expect((await invalid(client.webhooks.update(webhook.id, { events: [] }))).field).toBe('events');
    const bad = { type: 'batch.progress', data: { job_id: 'j', total_images: -1, processed_images: 0, failed_images: 0, progress_percent: 0 } } as const;
    const error = await invalid(client.events.publish(bad));
    expect(error.field).toMatch(/^data/);
    expect(error.message).toMatch(/total_images/);
  });

  it('NotFoundError for an unknown id, from every method that takes one', async () => {
    const missingWebhook = 'wh_0000000000000000';
    const calls: [string, () => Promise<unknown>][] = [
      ['webhooks.get', () => client.webhooks.get(missingWebhook)],
      ['webhooks.update', () => client.webhooks.update(missingWebhook, { description: 'x' })],
      ['webhooks.delete', () => client.webhooks.delete(missingWebhook)],
      ['webhooks.enable', () => client.webhooks.enable(missingWebhook)],
      ['webhooks.disable', () => client.webhooks.disable(missingWebhook)],
      ['webhooks.rotateSecret', () => client.webhooks.rotateSecret(missingWebhook)],
      ['webhooks.test', () => client.webhooks.test(missingWebhook)],
      ['deliveries.get', () => client.deliveries.get('del_0000000000000000')],
      ['deliveries.retry', () => client.deliveries.retry('del_0000000000000000')],
      ['events.get', () => client.events.get('evt_0000000000000000')],
      ['jobs.get', () => client.jobs.get('no-such-job')],
    ];
    for (const [name, call] of calls) {
      const error = await call().then(() => undefined, (e: unknown) => e);
      expect(error, name).toBeInstanceOf(NotFoundError);
      expect((error as Error).message, name).toMatch(/No \w+ with id/);
    }
  });

  it('another project’s webhook is not found', async () => {
    const { webhook } = await client.webhooks.create({ url: receiver.url('/mine'), events: ['*'] });
    const other = await newClient();
    await expect(other.webhooks.get(webhook.id)).rejects.toBeInstanceOf(NotFoundError);
  });

  it('AuthenticationError for a bad key, over HTTP and WebSocket', async () => {
    const bad = createClient({ url: graphqlUrl, apiKey: 'not-a-real-key', retryAttempts: 0 });
    await expect(bad.webhooks.list()).rejects.toBeInstanceOf(AuthenticationError);
    await expect(bad.eventTypes()).rejects.toThrow(/API key/);
    const subscription = bad.subscribe.batchProgress('any');
    await expect(subscription.next()).rejects.toBeInstanceOf(AuthenticationError);
    await bad.close();
  });

  it('NetworkError when nothing listens, over HTTP and WebSocket', async () => {
    const port = await freePort();
    const down = createClient({ url: `http://127.0.0.1:${port}/graphql`, apiKey: 'k', retryAttempts: 0 });
    const error = await down.webhooks.list().then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(NetworkError);
    expect((error as Error).message).toContain(`127.0.0.1:${port}`);
    await expect(down.subscribe.jobEvents('any').next()).rejects.toBeInstanceOf(NetworkError);
    await down.close();
  });

  it('NetworkError when the endpoint is not GraphQL', async () => {
    const notGraphql = createClient({ url: `${service.httpUrl}/no-such-path`, apiKey: 'k' });
    const error = await notGraphql.eventTypes().then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(NetworkError);
    expect((error as NetworkError).status).toBe(404);
  });

  it('a custom fetch is used', async () => {
    const seen: string[] = [];
    const { key } = await service.newProject();
    const custom = createClient({
      url: graphqlUrl,
      apiKey: key,
      fetch: (input, init) => {
        seen.push(String(init.headers && (init.headers as Record<string, string>).authorization));
        return fetch(input, init);
      },
    });
    await custom.eventTypes();
    expect(seen).toEqual([`Bearer ${key}`]);
  });
});

describe('subscriptions', () => {
  it('derive the WebSocket URL from the GraphQL URL', () => {
    expect(webSocketUrl('http://localhost:4000/graphql')).toBe('ws://localhost:4000/graphql');
    expect(webSocketUrl('https://api.example.com/graphql?x=1')).toBe('wss://api.example.com/graphql?x=1');
    expect(() => webSocketUrl('ftp://example.com/')).toThrow(TypeError);
  });

  it('batchProgress is iterated to completion: current state, each change, then the terminal state', async () => {
    const sdk = await newClient();
    const jobId = uniqueJob('batch');
    await sdk.events.publish({ type: 'batch.submitted', data: { job_id: jobId, status: 'submitted' } });
    const seen: { status: string; processed: number | null }[] = [];
    const done = (async () => {
      for await (const state of sdk.subscribe.batchProgress(jobId)) {
        seen.push({ status: state.status, processed: state.processedImages });
      }
    })();
    await eventually(async () => (seen.length > 0 ? true : undefined), 'the current state');
    for (const processed of [25, 50]) {
      await sdk.events.publish({ type: 'batch.progress', data: batchProgress(jobId, processed) });
      await eventually(async () => (seen.some((s) => s.processed === processed) ? true : undefined), `progress ${processed}`);
    }
    await sdk.events.publish({ type: 'batch.completed', data: { job_id: jobId, status: 'completed' } });
    await done; // the server completes the subscription after the terminal event
    expect(seen[0]).toEqual({ status: 'SUBMITTED', processed: null });
    expect(seen.at(-1)).toEqual({ status: 'COMPLETED', processed: 50 });
    expect(seen.map((s) => s.processed)).toEqual(expect.arrayContaining([25, 50]));
    await sdk.close();
  });

  it('trainingProgress closes cleanly on break: the socket closes and the subscription slot is free again', async () => {
    const sockets: WebSocket[] = [];
    class TrackedWebSocket extends WebSocket {
      constructor(url: string | URL, protocols?: string | string[]) {
        super(url, protocols);
        sockets.push(this);
      }
    }
    const sdk = await newClient({ webSocketImpl: TrackedWebSocket });
    const jobId = uniqueJob('training');
    await sdk.events.publish({
      type: 'training.progress',
      data: { job_id: jobId, round: 1, total_rounds: 3, accuracy: 0.5, loss: 0.9 },
    });
    for await (const state of sdk.subscribe.trainingProgress(jobId)) {
      expect(state).toMatchObject({ jobId, status: 'RUNNING', round: 1, totalRounds: 3, accuracy: 0.5, loss: 0.9 });
      break;
    }
    expect(sockets).toHaveLength(1);
    await eventually(async () => (sockets[0]!.readyState === WebSocket.CLOSED ? true : undefined), 'the socket to close');

    // The project may hold one subscription: a second one works only once the server has given the first back.
    const again = await eventually(async () => {
      try {
        for await (const state of sdk.subscribe.trainingProgress(jobId)) return state;
      } catch (error) {
        if (error instanceof ApiError && error.code === 'SUBSCRIPTION_LIMIT_EXCEEDED') return undefined;
        throw error;
      }
    }, 'the subscription slot to be given back', 5_000);
    expect(again.round).toBe(1);
    await sdk.close();
  });

  it('jobEvents yields typed events in order and ends after the terminal event', async () => {
    const sdk = await newClient();
    const jobId = uniqueJob('vision');
    await sdk.events.publish({ type: 'vision.submitted', data: { job_id: jobId, status: 'submitted' } });
    const events: Event[] = [];
    const done = (async () => {
      for await (const event of sdk.subscribe.jobEvents(jobId)) events.push(event);
    })();
    await eventually(async () => (events.length > 0 ? true : undefined), 'the latest event');
    const detections = [{ class_name: 'person', confidence: 0.95, bounding_box: { x: 100, y: 50, width: 200, height: 300 } }];
    await sdk.events.publish({ type: 'vision.completed', data: { job_id: jobId, status: 'completed', detections } });
    await done;
    expect(events.map((e) => e.type)).toEqual(['vision.submitted', 'vision.completed']);
    const last = events[1]!;
    if (last.type !== 'vision.completed') throw new Error('expected vision.completed');
    expect(last.data.detections[0]!.class_name).toBe('person');
    await sdk.close();
  });

  it('deliveryUpdates follows a webhook’s deliveries as they change state', async () => {
    const sdk = await newClient();
    const { webhook } = await sdk.webhooks.create({ url: receiver.url('/live'), events: ['inference.completed'] });
    const statuses: string[] = [];
    const iterator = sdk.subscribe.deliveryUpdates(webhook.id);
    const done = (async () => {
      for await (const delivery of iterator) {
        statuses.push(delivery.status);
        if (delivery.status === 'SUCCESS') break;
      }
    })();
    // The subscription may not be live yet when the first event is published: publish again (at most every
    // 500 ms) until it reports a delivery, which proves it is.
    let lastPublished = 0;
    await eventually(async () => {
      if (statuses.length) return true;
      if (Date.now() - lastPublished < 500) return undefined;
      lastPublished = Date.now();
      await sdk.events.publish({ type: 'inference.completed', data: { job_id: uniqueJob('inference'), status: 'completed' } });
      return undefined;
    }, 'the subscription to report a delivery');
    await done;
    expect(statuses.at(-1)).toBe('SUCCESS');
    await sdk.close();
  });

  it('deliveryUpdates for an unknown webhook fails with NotFoundError; a second subscription over the limit with ApiError', async () => {
    const sdk = await newClient();
    await expect(sdk.subscribe.deliveryUpdates('wh_0000000000000000').next()).rejects.toBeInstanceOf(NotFoundError);

    const jobId = uniqueJob('batch');
    await sdk.events.publish({ type: 'batch.progress', data: batchProgress(jobId, 10) });
    const first = sdk.subscribe.batchProgress(jobId);
    expect((await first.next()).value).toMatchObject({ jobId, processedImages: 10 });
    const error = await sdk.subscribe.batchProgress(jobId).next().then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).code).toBe('SUBSCRIPTION_LIMIT_EXCEEDED');
    await first.return();
    await sdk.close();
  });

  it('return() while a next() is waiting unsubscribes at once and frees the slot', async () => {
    const sdk = await newClient();
    const jobId = uniqueJob('batch');
    await sdk.events.publish({ type: 'batch.progress', data: batchProgress(jobId, 20) });
    const first = sdk.subscribe.batchProgress(jobId);
    expect((await first.next()).value).toMatchObject({ processedImages: 20 });
    const waiting = first.next(); // nothing more is published: this would wait forever
    await first.return();
    expect(await waiting).toEqual({ done: true, value: undefined });
    // The project's one slot is free again (the server releases it when the unsubscribe arrives).
    let second = sdk.subscribe.batchProgress(jobId);
    const deadline = Date.now() + 5000;
    for (;;) {
      const outcome = await second.next().then((step) => step, (error: unknown) => error);
      if (!(outcome instanceof ApiError)) {
        expect(outcome).toMatchObject({ done: false, value: { processedImages: 20 } });
        break;
      }
      if (Date.now() > deadline) throw outcome;
      await new Promise((r) => setTimeout(r, 50));
      second = sdk.subscribe.batchProgress(jobId);
    }
    await second.return();
    await sdk.close();
  });
});

// Compile-time checks (run by `npm test`'s typecheck): publish accepts only each type's own data.
export function publishTypeChecks(c: WebhooksClient) {
  expectTypeOf(c.events.publish).toBeCallableWith({ type: 'batch.progress', data: batchProgress('j', 1) });
  expectTypeOf(c.events.publish).toBeCallableWith({
    type: 'training.progress',
    data: { job_id: 'j', round: 1, total_rounds: 2, accuracy: 0.5, loss: 0.1 },
  });
  expectTypeOf(c.events.publish).toBeCallableWith({ type: 'model.deployed', data: { job_id: 'j', status: 'deployed' } });
  // @ts-expect-error training.progress data is not batch.progress data
  expectTypeOf(c.events.publish).toBeCallableWith({ type: 'batch.progress', data: { job_id: 'j', round: 1, total_rounds: 2, accuracy: 0.5, loss: 0.1 } });
  // @ts-expect-error progress_percent must be a number
  expectTypeOf(c.events.publish).toBeCallableWith({ type: 'batch.progress', data: { ...batchProgress('j', 1), progress_percent: '1' } });
  // @ts-expect-error every event needs a job_id
  expectTypeOf(c.events.publish).toBeCallableWith({ type: 'model.deployed', data: { status: 'deployed' } });
  // @ts-expect-error not an event type
  expectTypeOf(c.events.publish).toBeCallableWith({ type: 'batch.progres', data: batchProgress('j', 1) });
  // @ts-expect-error optimization.completed needs its result
  void c.events.publish({ type: 'optimization.completed', data: { job_id: 'j', problem_type: 'MAXCUT' } });
}
