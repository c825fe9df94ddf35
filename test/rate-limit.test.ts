// The per-API-key rate limit (RATE_LIMIT_MAX per RATE_LIMIT_WINDOW) on REST and on GraphQL (over HTTP, SSE and
// graphql-ws alike, one count), the per-address limit on failed authentications, and their configuration.
import { beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.js';
import { startTestService, type TestService } from './support/service.js';
import { expectError, restClient } from './support/rest.js';
import { subscribeSse } from './support/live.js';
import { openRawWs } from './support/raw-ws.js';

let service: TestService;
let rest: ReturnType<typeof restClient>;
const restSettings = (env: Record<string, string>) => {
  const { rateLimitMax, rateLimitWindowMs, authFailureLimit } = loadConfig(env);
  return { rateLimitMax, rateLimitWindowMs, authFailureLimit };
};

beforeAll(async () => {
  service = await startTestService({ RATE_LIMIT_MAX: '5', RATE_LIMIT_WINDOW: '1h' });
  rest = restClient(service.httpUrl);
});

describe('rate limit', () => {
  it('answers 429 once a key has used its requests, with Retry-After; other keys are unaffected', async () => {
    const { key } = await service.newProject();
    const { key: sameProjectKey } = await service.newProject();
    for (let i = 1; i <= 5; i++) {
      const response = await rest(key, 'GET', '/v1/webhooks');
      expect(response.status).toBe(200);
      expect(response.headers.get('x-ratelimit-limit')).toBe('5');
      expect(response.headers.get('x-ratelimit-remaining')).toBe(String(5 - i));
    }
    const limited = await rest(key, 'GET', '/v1/webhooks');
    expectError(limited, 429, 'rate_limited');
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(3500);
    expect(Number(limited.headers.get('retry-after'))).toBeLessThanOrEqual(3600);
    // Every route counts against the same budget.
    expectError(await rest(key, 'POST', '/v1/events', { event_type: 'model.deployed', data: { job_id: 'j' } }), 429, 'rate_limited');

    expect((await rest(sameProjectKey, 'GET', '/v1/webhooks')).status).toBe(200);
    // The public document is not limited; GraphQL is not affected.
    expect((await rest(key, 'GET', '/v1/openapi.json')).status).toBe(200);
    expect((await service.gql(key, '{ webhooks(first: 1) { totalCount } }')).status).toBe(200);
  });
});

describe('GraphQL rate limit', () => {
  it('answers 429 with a RATE_LIMITED error and Retry-After once a key has used its requests', async () => {
    const { key } = await service.newProject();
    for (let i = 0; i < 5; i++) expect((await service.gql(key, '{ webhooks(first: 1) { totalCount } }')).status).toBe(200);
    const response = await fetch(`${service.httpUrl}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
      body: JSON.stringify({ query: '{ webhooks(first: 1) { totalCount } }' }),
    });
    expect(response.status).toBe(429);
    expect(Number(response.headers.get('retry-after'))).toBeGreaterThan(3500);
    const body = (await response.json()) as { errors: { message: string; extensions: { code: string } }[] };
    expect(body.errors[0]!.extensions.code).toBe('RATE_LIMITED');
    expect(body.errors[0]!.message).toMatch(/at most 5 requests per 3600 s per API key/);
  });
});

const QUERY = '{ webhooks(first: 1) { totalCount } }';
const PUBLISH = `mutation { publishEvent(input: { type: "model.deployed", data: { job_id: "j" } }) {
  ... on PublishEventPayload { event { id } } } }`;
type Answer = Awaited<ReturnType<Awaited<ReturnType<typeof openRawWs>>['operation']>>;
const expectRateLimited = (answer: Answer) => {
  expect(answer).toHaveLength(1);
  expect(answer[0]).toMatchObject({ type: 'error', payload: [{ extensions: { code: 'RATE_LIMITED' } }] });
  const [error] = answer[0]!.payload as { message: string; extensions: { retryAfterSeconds: number } }[];
  expect(error!.message).toMatch(/at most 5 requests per 3600 s per API key/);
  expect(error!.extensions.retryAfterSeconds).toBeGreaterThan(3500);
  expect(error!.extensions.retryAfterSeconds).toBeLessThanOrEqual(3600);
};

describe('graphql-ws rate limit', () => {
  it('counts every operation; over the limit each gets RATE_LIMITED with the seconds to wait, and the socket stays open', async () => {
    const { key, projectId } = await service.newProject();
    const socket = await openRawWs(service.httpUrl, key);
    for (let i = 0; i < 5; i++) expect((await socket.operation(PUBLISH))[0]).toMatchObject({ type: 'next' });
    expectRateLimited(await socket.operation(PUBLISH));
    expectRateLimited(await socket.operation(QUERY)); // the socket still answers
    expect(await service.db.event.count({ where: { projectId } })).toBe(5); // the refused publish did not run
    // The same count as GraphQL over HTTP.
    expect((await service.gql(key, QUERY)).status).toBe(429);
  });

  it('shares the count with GraphQL over HTTP and SSE, not with REST', async () => {
    const { key } = await service.newProject();
    for (let i = 0; i < 3; i++) expect((await service.gql(key, QUERY)).status).toBe(200);
    const stream = subscribeSse(service.httpUrl, key, 'subscription { jobEvents(jobId: "j") { id } }');
    expect(await stream.status).toBe(200);
    stream.abort();
    const socket = await openRawWs(service.httpUrl, key);
    expect((await socket.operation(QUERY))[0]).toMatchObject({ type: 'next' }); // the fifth
    expectRateLimited(await socket.operation(QUERY));
    expect((await service.gql(key, QUERY)).status).toBe(429);
    expect((await rest(key, 'GET', '/v1/webhooks')).status).toBe(200);
  });
});

describe('SSE rate limit', () => {
  it('answers an SSE subscription over the limit 429 with RATE_LIMITED and Retry-After', async () => {
    const { key } = await service.newProject();
    for (let i = 0; i < 5; i++) expect((await service.gql(key, QUERY)).status).toBe(200);
    const response = await fetch(`${service.httpUrl}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream', authorization: `Bearer ${key}` },
      body: JSON.stringify({ query: 'subscription { jobEvents(jobId: "j") { id } }' }),
    });
    expect(response.status).toBe(429);
    expect(Number(response.headers.get('retry-after'))).toBeGreaterThan(3500);
    const body = (await response.json()) as { errors: { extensions: { code: string; retryAfterSeconds: number } }[] };
    expect(body.errors[0]!.extensions.code).toBe('RATE_LIMITED');
    expect(body.errors[0]!.extensions.retryAfterSeconds).toBeGreaterThan(3500);
  });
});

describe('failed authentications per address', () => {
  let guarded: TestService;
  beforeAll(async () => {
    guarded = await startTestService({ AUTH_FAILURE_LIMIT: '3', RATE_LIMIT_WINDOW: '1h' });
  });

  it('answers 429 on every transport once an address has presented too many bad keys, before looking any key up', async () => {
    const { key } = await guarded.newProject();
    const wrong = `aip_${'x'.repeat(43)}`;
    const guardedRest = restClient(guarded.httpUrl);
    // Every transport counts its failures toward the one per-address limit.
    expectError(await guardedRest(wrong, 'GET', '/v1/webhooks'), 401, 'unauthenticated');
    expect((await guarded.gql(wrong, QUERY)).status).toBe(401);
    await expect(openRawWs(guarded.httpUrl, wrong)).rejects.toThrow(/4403/);

    const restRefused = await guardedRest(wrong, 'GET', '/v1/webhooks');
    expectError(restRefused, 429, 'rate_limited');
    expect(Number(restRefused.headers.get('retry-after'))).toBeGreaterThan(3500);
    const graphqlRefused = await guarded.gql(wrong, QUERY);
    expect(graphqlRefused.status).toBe(429);
    expect(graphqlRefused.body.errors![0]!.extensions.code).toBe('RATE_LIMITED');
    expect(graphqlRefused.body.errors![0]!.message).toMatch(/Too many failed authentications: at most 3 per 3600 s/);
    await expect(openRawWs(guarded.httpUrl, wrong)).rejects.toThrow(/4429 Too many failed authentications/);
    // Refused before the key is looked up: a valid key from that address is refused too, until the window ends.
    expect((await guarded.gql(key, QUERY)).status).toBe(429);
    // Other limits are unaffected by the refusals: the service itself still answers its probes.
    expect((await fetch(`${guarded.httpUrl}/healthz`)).status).toBe(200);
  });
});

describe('settings', () => {
  it('defaults to 600 requests a minute', () => {
    expect(restSettings({})).toEqual({ rateLimitMax: 600, rateLimitWindowMs: 60_000, authFailureLimit: 60 });
  });

  it('reads the variables; 0 turns the limit off', () => {
    expect(restSettings({ RATE_LIMIT_MAX: '0', RATE_LIMIT_WINDOW: '30s', AUTH_FAILURE_LIMIT: '0' })).toEqual({
      rateLimitMax: 0,
      rateLimitWindowMs: 30_000,
      authFailureLimit: 0,
    });
  });

  it.each([
    [{ RATE_LIMIT_MAX: 'lots' }, /RATE_LIMIT_MAX: must be an integer/],
    [{ RATE_LIMIT_MAX: '-1' }, /RATE_LIMIT_MAX: must be an integer/],
    [{ RATE_LIMIT_WINDOW: 'soon' }, /RATE_LIMIT_WINDOW: must be a duration/],
    [{ RATE_LIMIT_WINDOW: '10ms' }, /RATE_LIMIT_WINDOW: must be a duration/],
    [{ AUTH_FAILURE_LIMIT: 'many' }, /AUTH_FAILURE_LIMIT: must be an integer/],
  ])('rejects %o', (env, message) => {
    expect(() => restSettings(env)).toThrow(ConfigError);
    expect(() => restSettings(env)).toThrow(message);
  });
});
