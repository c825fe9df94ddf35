// Caps on live subscriptions (per connection, per project), their configuration, and authentication of both
// transports.
import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.js';
import { testApi } from './support/api.js';
import { connectWs, subscribeSse, type Recording } from './support/live.js';
import { eventually } from './support/receiver.js';
import { startTestService, type TestService } from './support/service.js';

const BATCH = `subscription($jobId: ID!) { batchProgress(jobId: $jobId) { jobId status } }`;

let service: TestService;

beforeAll(async () => {
  service = await startTestService({ MAX_SUBSCRIPTIONS_PER_CONNECTION: '2', MAX_SUBSCRIPTIONS_PER_PROJECT: '3' });
});

/** The error a refused subscription got as its only result (then it completed). */
const limitError = (sub: Recording) => {
  expect(sub.completed).toBe(true);
  expect(sub.messages).toHaveLength(1);
  expect(sub.messages[0]!.data).toBeUndefined();
  return sub.messages[0]!.errors?.[0];
};
/**
 * Whether a subscription to `jobId` was accepted: a refused one got its error as its only message; an accepted one
 * is sent nothing for a job without events, so an event is published for the job: its state arriving proves it.
 */
async function accepted(key: string, sub: Recording, jobId: string): Promise<boolean> {
  const published = await testApi(service, key).publishResult('batch.progress', {
    job_id: jobId,
    total_images: 2,
    processed_images: 1,
    failed_images: 0,
    progress_percent: 50,
  });
  expect(published.__typename).toBe('PublishEventPayload');
  await sub.count(1);
  return sub.messages[0]!.data?.batchProgress?.jobId === jobId && sub.error === null;
}

/** A subscription made as soon as a slot is free: slots are given back when the server sees the client leave. */
const subscribeWhenFree = (key: string, subscribe: (jobId: string) => Recording) =>
  eventually(async () => {
    const jobId = randomUUID();
    const sub = subscribe(jobId);
    return (await accepted(key, sub, jobId)) ? sub : undefined;
  }, 'a free subscription slot');

describe('subscription limits', () => {
  it('refuses a subscription beyond the per-connection cap with a clear error, and frees the slot on complete', async () => {
    const { key } = await service.newProject();
    const ws = connectWs(service.httpUrl, key);
    const jobIds = [randomUUID(), randomUUID()];
    const [first, second] = jobIds.map((jobId) => ws.subscribe(BATCH, { jobId }));
    const third = ws.subscribe(BATCH, { jobId: randomUUID() });
    await third.finished();
    expect(limitError(third)).toMatchObject({
      message: expect.stringMatching(/at most 2 .*MAX_SUBSCRIPTIONS_PER_CONNECTION/),
      extensions: { code: 'SUBSCRIPTION_LIMIT_EXCEEDED', scope: 'connection', limit: 2 },
    });
    expect(await accepted(key, first!, jobIds[0]!)).toBe(true);
    expect(await accepted(key, second!, jobIds[1]!)).toBe(true);

    // Another connection of the same project is not limited by the first one's count.
    const otherJob = randomUUID();
    const other = connectWs(service.httpUrl, key).subscribe(BATCH, { jobId: otherJob });
    expect(await accepted(key, other, otherJob)).toBe(true);
    // Completing one frees its slot on the connection.
    first!.unsubscribe();
    const again = await subscribeWhenFree(key, (jobId) => ws.subscribe(BATCH, { jobId }));
    for (const sub of [other, again, second!]) expect([sub.completed, sub.error]).toEqual([false, null]);
  });

  it('refuses a subscription beyond the per-project cap on either transport, and frees slots when clients leave', async () => {
    const { key } = await service.newProject();
    const a = connectWs(service.httpUrl, key);
    const b = connectWs(service.httpUrl, key);
    const jobIds = [randomUUID(), randomUUID(), randomUUID()];
    const held = [a.subscribe(BATCH, { jobId: jobIds[0] }), a.subscribe(BATCH, { jobId: jobIds[1] })];
    const sse = subscribeSse(service.httpUrl, key, BATCH, { jobId: jobIds[2] });
    expect(await sse.status).toBe(200);
    for (const [i, sub] of [...held, sse].entries()) expect(await accepted(key, sub, jobIds[i]!)).toBe(true);
    const refused = b.subscribe(BATCH, { jobId: randomUUID() });
    await refused.finished();
    expect(limitError(refused)).toMatchObject({
      message: expect.stringMatching(/at most 3 .*MAX_SUBSCRIPTIONS_PER_PROJECT/),
      extensions: { code: 'SUBSCRIPTION_LIMIT_EXCEEDED', scope: 'project', limit: 3 },
    });
    const refusedSse = subscribeSse(service.httpUrl, key, BATCH, { jobId: randomUUID() });
    await refusedSse.finished();
    expect(refusedSse.messages).toEqual([
      { errors: [expect.objectContaining({ extensions: { code: 'SUBSCRIPTION_LIMIT_EXCEEDED', scope: 'project', limit: 3 } })] },
    ]);

    // Another project has its own allowance.
    const stranger = await service.newProject();
    const theirJob = randomUUID();
    const theirs = connectWs(service.httpUrl, stranger.key).subscribe(BATCH, { jobId: theirJob });
    expect(await accepted(stranger.key, theirs, theirJob)).toBe(true);

    // A closed socket and an aborted SSE request give their slots back.
    await a.close();
    sse.abort();
    const fresh = [
      await subscribeWhenFree(key, (jobId) => b.subscribe(BATCH, { jobId })),
      await subscribeWhenFree(key, (jobId) => subscribeSse(service.httpUrl, key, BATCH, { jobId })),
    ];
    for (const sub of fresh) expect([sub.completed, sub.error]).toEqual([false, null]);
  });

  it('are read from the environment and checked', () => {
    const config = loadConfig({ MAX_SUBSCRIPTIONS_PER_CONNECTION: '7', MAX_SUBSCRIPTIONS_PER_PROJECT: '70' });
    expect([config.maxSubscriptionsPerConnection, config.maxSubscriptionsPerProject]).toEqual([7, 70]);
    const defaults = loadConfig({});
    expect([defaults.maxSubscriptionsPerConnection, defaults.maxSubscriptionsPerProject]).toEqual([100, 1_000]);
    expect(() => loadConfig({ MAX_SUBSCRIPTIONS_PER_CONNECTION: '0' })).toThrow(
      /MAX_SUBSCRIPTIONS_PER_CONNECTION: must be an integer from 1 to 10000/,
    );
    expect(() => loadConfig({ MAX_SUBSCRIPTIONS_PER_PROJECT: 'many' })).toThrow(ConfigError);
    expect(() => loadConfig({ MAX_SUBSCRIPTIONS_PER_PROJECT: 'many' })).toThrow(/MAX_SUBSCRIPTIONS_PER_PROJECT/);
  });
});

describe('authentication', () => {
  it('closes a graphql-ws connection without a valid key (4403) and accepts the key in the header too', async () => {
    const { key, api } = await service.newProject();
    const refused = connectWs(service.httpUrl, 'aip_not-a-key').subscribe(BATCH, { jobId: 'x' });
    await refused.finished();
    expect((refused.error as { code: number }).code).toBe(4403);

    // A non-browser client may send the header on the upgrade request instead of connection_init.
    const { createClient } = await import('graphql-ws');
    const WebSocket = (await import('ws')).default;
    class WithHeader extends WebSocket {
      constructor(url: string, protocols?: string | string[]) {
        super(url, protocols, { headers: { authorization: `Bearer ${key}` } });
      }
    }
    const client = createClient({ url: `${service.httpUrl.replace('http', 'ws')}/graphql`, webSocketImpl: WithHeader, retryAttempts: 0 });
    const jobId = randomUUID();
    await api.publish('batch.completed', { job_id: jobId, status: 'completed' });
    const received: unknown[] = [];
    await new Promise<void>((resolve, reject) =>
      client.subscribe({ query: BATCH, variables: { jobId } }, { next: (m) => received.push(m), error: reject, complete: resolve }),
    );
    await client.dispose();
    expect(received).toEqual([{ data: { batchProgress: { jobId, status: 'COMPLETED' } } }]);
  });

  it('answers an SSE request without a key with 401', async () => {
    const sub = subscribeSse(service.httpUrl, null, BATCH, { jobId: 'x' });
    expect(await sub.status).toBe(401);
  });
});
