// The per-API-key rate limit (RATE_LIMIT_MAX per RATE_LIMIT_WINDOW) on REST and on GraphQL, and its configuration.
import { beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.js';
import { startTestService, type TestService } from './support/service.js';
import { expectError, restClient } from './rest-helpers.js';

let service: TestService;
let rest: ReturnType<typeof restClient>;
const restSettings = (env: Record<string, string>) => {
  const { rateLimitMax, rateLimitWindowMs } = loadConfig(env);
  return { rateLimitMax, rateLimitWindowMs };
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

describe('settings', () => {
  it('defaults to 600 requests a minute', () => {
    expect(restSettings({})).toEqual({ rateLimitMax: 600, rateLimitWindowMs: 60_000 });
  });

  it('reads the variables; 0 turns the limit off', () => {
    expect(restSettings({ RATE_LIMIT_MAX: '0', RATE_LIMIT_WINDOW: '30s' })).toEqual({
      rateLimitMax: 0,
      rateLimitWindowMs: 30_000,
    });
  });

  it.each([
    [{ RATE_LIMIT_MAX: 'lots' }, /RATE_LIMIT_MAX: must be an integer/],
    [{ RATE_LIMIT_MAX: '-1' }, /RATE_LIMIT_MAX: must be an integer/],
    [{ RATE_LIMIT_WINDOW: 'soon' }, /RATE_LIMIT_WINDOW: must be a duration/],
    [{ RATE_LIMIT_WINDOW: '10ms' }, /RATE_LIMIT_WINDOW: must be a duration/],
  ])('rejects %o', (env, message) => {
    expect(() => restSettings(env)).toThrow(ConfigError);
    expect(() => restSettings(env)).toThrow(message);
  });
});
