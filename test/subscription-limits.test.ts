// Caps on live subscriptions (per connection, per project), their configuration, and authentication of both
// transports.
import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.js';
import { connectWs, subscribeSse, type Recording } from './support/live.js';
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
/** Subscribed and not refused: nothing is sent for a job without events, so wait a moment for a refusal. */
const settle = () => new Promise((r) => setTimeout(r, 300));

describe('subscription limits', () => {
  it('refuses a subscription beyond the per-connection cap with a clear error, and frees the slot on complete', async () => {
    const { key } = await service.newProject();
    const ws = connectWs(service.httpUrl, key);
    const first = ws.subscribe(BATCH, { jobId: randomUUID() });
    const second = ws.subscribe(BATCH, { jobId: randomUUID() });
    const third = ws.subscribe(BATCH, { jobId: randomUUID() });
    await third.finished();
    expect(limitError(third)).toMatchObject({
      message: expect.stringMatching(/at most 2 .*MAX_SUBSCRIPTIONS_PER_CONNECTION/),
      extensions: { code: 'SUBSCRIPTION_LIMIT_EXCEEDED', scope: 'connection', limit: 2 },
    });
    await settle();
    for (const sub of [first, second]) expect([sub.completed, sub.error]).toEqual([false, null]);

    // Another connection of the same project is not limited by the first one's count.
    const other = connectWs(service.httpUrl, key).subscribe(BATCH, { jobId: randomUUID() });
    // Completing one frees its slot on the connection.
    first.unsubscribe();
    await settle();
    const again = ws.subscribe(BATCH, { jobId: randomUUID() });
    await settle();
    for (const sub of [other, again]) expect([sub.completed, sub.error]).toEqual([false, null]);
  });

  it('refuses a subscription beyond the per-project cap on either transport, and frees slots when clients leave', async () => {
    const { key } = await service.newProject();
    const a = connectWs(service.httpUrl, key);
    const b = connectWs(service.httpUrl, key);
    const held = [a.subscribe(BATCH, { jobId: randomUUID() }), a.subscribe(BATCH, { jobId: randomUUID() })];
    const sse = subscribeSse(service.httpUrl, key, BATCH, { jobId: randomUUID() });
    expect(await sse.status).toBe(200);
    await settle();
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
    const theirs = connectWs(service.httpUrl, stranger.key).subscribe(BATCH, { jobId: randomUUID() });
    await settle();
    expect([theirs.completed, theirs.error]).toEqual([false, null]);

    // A closed socket and an aborted SSE request give their slots back.
    await a.close();
    sse.abort();
    await settle();
    const fresh = [b.subscribe(BATCH, { jobId: randomUUID() }), subscribeSse(service.httpUrl, key, BATCH, { jobId: randomUUID() })];
    await settle();
    for (const sub of fresh) expect([sub.completed, sub.error]).toEqual([false, null]);
    void held;
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
    const { key } = await service.newProject();
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
    await service.gql(key, `mutation($input: PublishEventInput!) { publishEvent(input: $input) { __typename } }`, {
      input: { type: 'batch.completed', data: { job_id: jobId, status: 'completed' } },
    });
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
