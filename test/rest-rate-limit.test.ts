// The per-API-key rate limit (REST_RATE_LIMIT_MAX per REST_RATE_LIMIT_WINDOW), and its configuration.
import { beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.js';
import { startTestService, type TestService } from './support/service.js';
import { expectError, restClient } from './rest-helpers.js';

let service: TestService;
let rest: ReturnType<typeof restClient>;
const restSettings = (env: Record<string, string>) => {
  const { restRateLimitMax, restRateLimitWindowMs } = loadConfig(env);
  return { rateLimitMax: restRateLimitMax, rateLimitWindowMs: restRateLimitWindowMs };
};

beforeAll(async () => {
  service = await startTestService({ REST_RATE_LIMIT_MAX: '5', REST_RATE_LIMIT_WINDOW: '1h' });
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

describe('settings', () => {
  it('defaults to 600 requests a minute', () => {
    expect(restSettings({})).toEqual({ rateLimitMax: 600, rateLimitWindowMs: 60_000 });
  });

  it('reads the variables; 0 turns the limit off', () => {
    expect(restSettings({ REST_RATE_LIMIT_MAX: '0', REST_RATE_LIMIT_WINDOW: '30s' })).toEqual({
      rateLimitMax: 0,
      rateLimitWindowMs: 30_000,
    });
  });

  it.each([
    [{ REST_RATE_LIMIT_MAX: 'lots' }, /REST_RATE_LIMIT_MAX: must be an integer/],
    [{ REST_RATE_LIMIT_MAX: '-1' }, /REST_RATE_LIMIT_MAX: must be an integer/],
    [{ REST_RATE_LIMIT_WINDOW: 'soon' }, /REST_RATE_LIMIT_WINDOW: must be a duration/],
    [{ REST_RATE_LIMIT_WINDOW: '10ms' }, /REST_RATE_LIMIT_WINDOW: must be a duration/],
  ])('rejects %o', (env, message) => {
    expect(() => restSettings(env)).toThrow(ConfigError);
    expect(() => restSettings(env)).toThrow(message);
  });
});
