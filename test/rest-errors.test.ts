// Every REST error status, each in the one error shape `{ error: { code, message, field? } }`.
import { request } from 'node:http';
import { beforeAll, describe, expect, it } from 'vitest';
import { ApiKeyStore } from '../src/auth/api-keys.js';
import { startTestService, type TestService } from './support/service.js';
import { expectError, restClient } from './support/rest.js';

let service: TestService;
let key: string;
let rest: ReturnType<typeof restClient>;
let webhookId: string;

beforeAll(async () => {
  service = await startTestService({ RETRY_SCHEDULE: '1h', DELIVERY_TIMEOUT: '2s' });
  ({ key } = await service.newProject());
  rest = restClient(service.httpUrl);
  const created = await rest(key, 'POST', '/v1/webhooks', { url: 'https://example.com/hook', events: ['model.*'] });
  webhookId = created.body.webhook_id;
});

/** A request with a body and no Content-Type at all (fetch always adds one for a string body). */
function postWithoutContentType(path: string, body: string) {
  return new Promise<{ status: number; body: any; headers: Headers }>((resolve, reject) => {
    const req = request(`${service.httpUrl}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-length': Buffer.byteLength(body) },
    });
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({
          status: res.statusCode!,
          body: JSON.parse(Buffer.concat(chunks).toString('utf8')),
          headers: new Headers(res.headers as Record<string, string>),
        }),
      );
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('400 malformed JSON', () => {
  it.each([
    ['POST', '/v1/webhooks', '{"url": "https://example.com/x", "events": ['],
    ['PUT', '/v1/webhooks/WEBHOOK', "{'url': 'single quotes'}"],
    ['POST', '/v1/events', '{"event_type": "model.deployed", "data": {"job_id": "j"},}'],
    ['POST', '/v1/webhooks', '{"__proto__": {"admin": true}, "url": "https://example.com/x", "events": ["*"]}'],
  ])('%s %s %s', async (method, path, body) => {
    const response = await rest(key, method, path.replace('WEBHOOK', webhookId), body, { 'content-type': 'application/json' });
    expectError(response, 400, 'invalid_json');
  });
});

describe('401 without a valid key', () => {
  it.each([
    ['no Authorization header', null, {}],
    ['another scheme', null, { authorization: `Basic ${Buffer.from('user:pw').toString('base64')}` }],
    ['an unknown key', 'aip_not-a-real-key-not-a-real-key-not-a-real', {}],
  ])('%s', async (_name, apiKey, headers) => {
    for (const [method, path] of [
      ['GET', '/v1/webhooks'],
      ['GET', `/v1/webhooks/${webhookId}`],
      ['POST', '/v1/events'],
      ['GET', `/v1/webhooks/${webhookId}/deliveries`],
    ] as const) {
      const response = await rest(apiKey, method, path, undefined, headers as Record<string, string>);
      expectError(response, 401, 'unauthenticated');
      expect(response.headers.get('www-authenticate')).toBe('Bearer');
    }
  });

  it('a revoked key', async () => {
    const { key: doomed } = await service.newProject();
    expect((await rest(doomed, 'GET', '/v1/webhooks')).status).toBe(200);
    const store = new ApiKeyStore(service.pool);
    const [row] = (await store.list()).filter((k) => doomed.startsWith(k.prefix)).slice(-1);
    expect(await store.revoke(row!.id)).toBe(true);
    expectError(await rest(doomed, 'GET', '/v1/webhooks'), 401, 'unauthenticated');
  });

  it('is checked before the body is read', async () => {
    expectError(await rest(null, 'POST', '/v1/webhooks', '{broken', { 'content-type': 'application/json' }), 401, 'unauthenticated');
  });
});

describe('404 for ids that are not in the project', () => {
  const missing = 'wh_0000000000000000';
  it.each([
    ['GET', `/v1/webhooks/${missing}`, undefined],
    ['PUT', `/v1/webhooks/${missing}`, { description: 'x' }],
    ['DELETE', `/v1/webhooks/${missing}`, undefined],
    ['POST', `/v1/webhooks/${missing}/test`, undefined],
    ['POST', `/v1/webhooks/${missing}/enable`, undefined],
    ['POST', `/v1/webhooks/${missing}/disable`, undefined],
    ['POST', `/v1/webhooks/${missing}/rotate-secret`, undefined],
    ['GET', `/v1/webhooks/${missing}/deliveries`, undefined],
    ['POST', `/v1/webhooks/${missing}/deliveries/del_0000000000000000/retry`, undefined],
  ])('%s %s', async (method, path, body) => {
    expectError(await rest(key, method, path, body), 404, 'not_found');
  });

  it("a delivery that exists but belongs to another of the project's webhooks", async () => {
    const other = await rest(key, 'POST', '/v1/webhooks', { url: 'https://example.com/other', events: ['*'] });
    const test = await rest(key, 'POST', `/v1/webhooks/${other.body.webhook_id}/test`);
    expect(test.status).toBe(202);
    const wrongPath = `/v1/webhooks/${webhookId}/deliveries/${test.body.delivery_id}/retry`;
    expectError(await rest(key, 'POST', wrongPath), 404, 'not_found');
    // The right pair works.
    const rightPath = `/v1/webhooks/${other.body.webhook_id}/deliveries/${test.body.delivery_id}/retry`;
    expect((await rest(key, 'POST', rightPath)).status).toBe(202);
  });

  it('an unknown route under /v1', async () => {
    expectError(await rest(key, 'GET', '/v1/hooks'), 404, 'not_found');
    expectError(await rest(key, 'PATCH', `/v1/webhooks/${webhookId}`, { url: 'https://example.com/x' }), 404, 'not_found');
  });
});

describe('409 conflict', () => {
  const data = { job_id: 'model-7', status: 'deployed' };

  it('the same idempotency key and event again answers with the first event', async () => {
    const first = await rest(key, 'POST', '/v1/events', { event_type: 'model.deployed', data, idempotency_key: 'deploy-7' });
    expect(first.status).toBe(202);
    // Same content, keys in another order.
    const again = await rest(key, 'POST', '/v1/events', {
      idempotency_key: 'deploy-7',
      data: { status: 'deployed', job_id: 'model-7' },
      event_type: 'model.deployed',
    });
    expect(again.status).toBe(202);
    expect(again.body).toEqual(first.body);
  });

  it.each([
    ['different data', { event_type: 'model.deployed', data: { ...data, status: 'rolled back' } }],
    ['a different event type', { event_type: 'model.updated', data }],
  ])('the same idempotency key with %s', async (_name, event) => {
    await rest(key, 'POST', '/v1/events', { event_type: 'model.deployed', data, idempotency_key: 'deploy-8' });
    const reused = await rest(key, 'POST', '/v1/events', { ...event, idempotency_key: 'deploy-8' });
    expectError(reused, 409, 'conflict', 'idempotency_key');
  });
});

describe('413 body too large', () => {
  it('more than 1 MiB of JSON', async () => {
    const body = { url: 'https://example.com/x', events: ['*'], description: 'x'.repeat(1_048_576) };
    expectError(await rest(key, 'POST', '/v1/webhooks', body), 413, 'payload_too_large');
  });

  it('just under the limit reaches validation', async () => {
    const body = { url: 'https://example.com/x', events: ['*'], description: 'x'.repeat(1_000_000) };
    expectError(await rest(key, 'POST', '/v1/webhooks', body), 422, 'validation_failed', 'description');
  });
});

describe('415 not JSON', () => {
  const json = JSON.stringify({ url: 'https://example.com/x', events: ['*'] });
  it.each([
    ['text/plain', json],
    ['application/x-www-form-urlencoded', 'url=https://example.com/x&events=*'],
    ['multipart/form-data; boundary=x', '--x--'],
    ['application/xml', '<webhook/>'],
  ])('%s', async (contentType, body) => {
    expectError(await rest(key, 'POST', '/v1/webhooks', body, { 'content-type': contentType }), 415, 'unsupported_media_type');
  });

  it('a body without Content-Type', async () => {
    const response = await postWithoutContentType('/v1/webhooks', json);
    expect(response.status).toBe(415);
    expect(response.body).toStrictEqual({ error: { code: 'unsupported_media_type', message: expect.any(String) } });
  });

  it('accepts JSON with a charset, and an empty JSON body where no body is needed', async () => {
    const created = await rest(key, 'POST', '/v1/webhooks', json, { 'content-type': 'application/json; charset=utf-8' });
    expect(created.status).toBe(201);
    const test = await rest(key, 'POST', `/v1/webhooks/${created.body.webhook_id}/test`, '', { 'content-type': 'application/json' });
    expect(test.status).toBe(202);
  });
});

describe('422 validation, naming the field', () => {
  it.each([
    ['a missing url', { events: ['*'] }, 'url'],
    ['events that are not a list', { url: 'https://example.com/x', events: 'vision.completed' }, 'events'],
    ['a non-string event', { url: 'https://example.com/x', events: [7] }, 'events.0'],
    ['an unknown field', { url: 'https://example.com/x', events: ['*'], event: ['*'] }, 'event'],
    ['a relative url (service rule)', { url: '/webhook', events: ['*'] }, 'url'],
    ['an ftp url (service rule)', { url: 'ftp://example.com/x', events: ['*'] }, 'url'],
    ['no events (service rule)', { url: 'https://example.com/x', events: [] }, 'events'],
    ['an unknown event type (service rule)', { url: 'https://example.com/x', events: ['vision.exploded'] }, 'events'],
    ['a short secret (service rule)', { url: 'https://example.com/x', events: ['*'], secret: 'short' }, 'secret'],
  ])('create with %s', async (_name, body, field) => {
    expectError(await rest(key, 'POST', '/v1/webhooks', body), 422, 'validation_failed', field);
  });

  it('a body that is not an object names no field', async () => {
    expectError(await rest(key, 'POST', '/v1/webhooks', [1, 2]), 422, 'validation_failed');
    expectError(await rest(key, 'POST', '/v1/webhooks'), 422, 'validation_failed');
  });

  it.each([
    ['nothing to change', {}, undefined],
    ['a null url', { url: null }, 'url'],
    ['a status (use enable/disable)', { status: 'disabled' }, 'status'],
    ['an invalid url (service rule)', { url: 'not a url' }, 'url'],
  ])('update with %s', async (_name, body, field) => {
    expectError(await rest(key, 'PUT', `/v1/webhooks/${webhookId}`, body), 422, 'validation_failed', field);
  });

  it.each([
    ['no data', { event_type: 'model.deployed' }, 'data'],
    ['data that is not an object', { event_type: 'model.deployed', data: 'j1' }, 'data'],
    ['no event_type', { data: { job_id: 'j' } }, 'event_type'],
    ['an unknown event type (service rule)', { event_type: 'model.exploded', data: { job_id: 'j' } }, 'event_type'],
    ['data without job_id (catalog rule)', { event_type: 'model.deployed', data: { status: 'deployed' } }, 'data.job_id'],
    [
      'a progress percentage out of range (catalog rule)',
      {
        event_type: 'batch.progress',
        data: { job_id: 'j', total_images: 1, processed_images: 1, failed_images: 0, progress_percent: 101 },
      },
      'data.progress_percent',
    ],
  ])('publish with %s', async (_name, body, field) => {
    expectError(await rest(key, 'POST', '/v1/events', body), 422, 'validation_failed', field);
  });

  it.each([
    ['limit=0', 'limit'],
    ['limit=101', 'limit'],
    ['limit=ten', 'limit'],
    ['offset=-1', 'offset'],
    ['status=delivered', 'status'],
    ['offset=0&cursor=abc', 'cursor'],
    ['cursor=not-a-cursor', 'cursor'],
  ])('deliveries?%s', async (query, field) => {
    const response = await rest(key, 'GET', `/v1/webhooks/${webhookId}/deliveries?${query}`);
    expectError(response, 422, 'validation_failed', field);
  });

  it.each([['limit=1000', 'limit'], ['offset=x', 'offset']])('webhooks?%s', async (query, field) => {
    expectError(await rest(key, 'GET', `/v1/webhooks?${query}`), 422, 'validation_failed', field);
  });

  it('rotate-secret with a negative grace period', async () => {
    const response = await rest(key, 'POST', `/v1/webhooks/${webhookId}/rotate-secret`, { grace_period_seconds: -1 });
    expectError(response, 422, 'validation_failed', 'grace_period_seconds');
  });
});
