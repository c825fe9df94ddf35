// A webhook's endpoint controls on create and update, over GraphQL and REST: the rate limit, custom headers (names
// checked, values sealed at rest, write-only, sent with every attempt and redacted in its record) and the trace
// opt-in. Bad input is refused naming the field, and writes nothing.
import { beforeAll, describe, expect, it } from 'vitest';
import { expectError, restClient, startRestFixture } from './support/rest.js';
import { connectWs } from './support/live.js';
import { eventually, type Receiver } from './support/receiver.js';
import type { TestService } from './support/service.js';

let service: TestService;
let receiver: Receiver;
let key: string;
let rest: ReturnType<typeof restClient>;

beforeAll(async () => {
  ({ receiver, service, key, rest } = await startRestFixture());
});

const CONTROLS = 'rateLimitPerSecond headerNames propagateTraceContext';
const CREATE = `mutation($input: CreateWebhookInput!) { createWebhook(input: $input) { __typename
  ... on CreateWebhookPayload { webhook { id ${CONTROLS} } } ... on ValidationError { field message } } }`;
const UPDATE = `mutation($id: ID!, $input: UpdateWebhookInput!) { updateWebhook(id: $id, input: $input) { __typename
  ... on Webhook { id ${CONTROLS} } ... on ValidationError { field message } ... on NotFoundError { message } } }`;
const READ = `query($id: ID!) { webhook(id: $id) { ... on Webhook { id ${CONTROLS} } } }`;
const DELIVERY = `query($id: ID!) { delivery(id: $id) { ... on Delivery { status attempts { requestHeaders } } } }`;

const TOKEN = 'Bearer s3cr3t-partner-token-0042';

async function webhookRow(id: string) {
  return service.db.webhook.findUniqueOrThrow({ where: { id } });
}

describe('endpoint controls', () => {
  it('are set on create over GraphQL: header values sealed at rest, shown by name only, sent and redacted', async () => {
    const created = await service.gql(key, CREATE, {
      input: {
        url: receiver.url('/controlled'),
        events: ['vision.completed'],
        rateLimitPerSecond: 50,
        headers: [
          { name: 'Authorization', value: TOKEN },
          { name: 'X-Tenant', value: 'acme' },
        ],
      },
    });
    const { webhook } = created.body.data.createWebhook;
    expect(webhook).toMatchObject({ rateLimitPerSecond: 50, headerNames: ['Authorization', 'X-Tenant'], propagateTraceContext: false });
    expect(JSON.stringify(created.body)).not.toContain('s3cr3t');

    const row = await webhookRow(webhook.id);
    expect(row.sealedHeaders).toMatch(/^aes256gcm:/);
    expect(row.sealedHeaders).not.toContain('s3cr3t');

    const read = await rest(key, 'GET', `/v1/webhooks/${webhook.id}`);
    expect(read.body).toMatchObject({ rate_limit_per_second: 50, header_names: ['Authorization', 'X-Tenant'], propagate_trace_context: false });
    expect(read.text).not.toContain('s3cr3t');

    const queued = await rest(key, 'POST', `/v1/webhooks/${webhook.id}/test`);
    const [request] = await receiver.waitFor('/controlled', 1);
    expect(request!.headers).toMatchObject({ authorization: TOKEN, 'x-tenant': 'acme', 'content-type': 'application/json' });
    expect(request!.headers.traceparent).toBeUndefined();

    const delivery = await eventually(async () => {
      const result = await service.gql(key, DELIVERY, { id: queued.body.delivery_id });
      return result.body.data.delivery.status === 'SUCCESS' ? result : undefined;
    }, 'the test delivery to succeed');
    expect(delivery.body.data.delivery.attempts[0].requestHeaders).toMatchObject({ Authorization: '[redacted]', 'X-Tenant': '[redacted]' });
    expect(JSON.stringify(delivery.body)).not.toContain('s3cr3t');
  });

  it('are set and changed over REST; a null value keeps a header, null clears them all', async () => {
    const created = await rest(key, 'POST', '/v1/webhooks', {
      url: receiver.url('/rest-controlled'),
      events: ['vision.completed'],
      rate_limit_per_second: 3,
      headers: { 'X-Api-Key': 'k-1', 'X-Other': 'o-1' },
      propagate_trace_context: true,
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ rate_limit_per_second: 3, header_names: ['X-Api-Key', 'X-Other'], propagate_trace_context: true });
    const id = created.body.webhook_id;

    // Keep X-Api-Key's value, drop X-Other, add X-New; lift the limit.
    const updated = await rest(key, 'PUT', `/v1/webhooks/${id}`, {
      headers: { 'X-Api-Key': null, 'X-New': 'n-1' },
      rate_limit_per_second: null,
    });
    expect(updated.status).toBe(200);
    expect(updated.body).toMatchObject({ rate_limit_per_second: null, header_names: ['X-Api-Key', 'X-New'] });
    await rest(key, 'POST', `/v1/webhooks/${id}/test`);
    const [request] = await receiver.waitFor('/rest-controlled', 1);
    expect(request!.headers).toMatchObject({ 'x-api-key': 'k-1', 'x-new': 'n-1' });
    expect(request!.headers['x-other']).toBeUndefined();
    // Opted in, but tracing is off in this process (no OTEL_EXPORTER_OTLP_ENDPOINT): no trace context to send.
    expect(request!.headers.traceparent).toBeUndefined();

    // Other fields leave the headers alone; null clears them.
    const renamed = await service.gql(key, UPDATE, { id, input: { description: 'renamed' } });
    expect(renamed.body.data.updateWebhook.headerNames).toEqual(['X-Api-Key', 'X-New']);
    const cleared = await service.gql(key, UPDATE, { id, input: { headers: null, propagateTraceContext: false } });
    expect(cleared.body.data.updateWebhook).toMatchObject({ headerNames: [], propagateTraceContext: false });
    expect((await webhookRow(id)).sealedHeaders).toBeNull();
  });

  describe('refuse bad input, naming the field, and write nothing', () => {
    const badHeaders: [string, { name: string; value: string }[]][] = [
      ['the service’s content type', [{ name: 'Content-Type', value: 'text/plain' }]],
      ['a signature header', [{ name: 'webhook-signature', value: 'v1,forged' }]],
      ['a Standard Webhooks name', [{ name: 'webhook-anything', value: 'x' }]],
      ['the legacy signature', [{ name: 'X-Webhook-Signature', value: 'forged' }]],
      ['the user agent', [{ name: 'User-Agent', value: 'me' }]],
      ['trace context', [{ name: 'traceparent', value: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' }]],
      ['a hop-by-hop header', [{ name: 'Connection', value: 'close' }]],
      ['a proxy header', [{ name: 'Proxy-Authorization', value: 'Basic x' }]],
      ['the host', [{ name: 'Host', value: 'elsewhere.example' }]],
      ['the length', [{ name: 'Content-Length', value: '1' }]],
      ['another header of the body', [{ name: 'Content-Encoding', value: 'gzip' }]],
      ['a name that is not a token', [{ name: 'X Bad', value: 'x' }]],
      ['a value with a line break', [{ name: 'X-Inject', value: 'a\r\nX-Evil: 1' }]],
      ['a name given twice', [{ name: 'X-A', value: '1' }, { name: 'x-a', value: '2' }]],
      ['too many headers', Array.from({ length: 21 }, (_, i) => ({ name: `X-H${i}`, value: 'v' }))],
      ['a value too long', [{ name: 'X-Long', value: 'v'.repeat(2049) }]],
    ];

    it.each(badHeaders)('headers with %s: GraphQL and REST, on create and update', async (_what, headers) => {
      const before = await service.db.webhook.count();
      const graphql = await service.gql(key, CREATE, { input: { url: receiver.url('/bad'), events: ['vision.completed'], headers } });
      expect(graphql.body.data.createWebhook).toMatchObject({ __typename: 'ValidationError', field: 'headers' });
      const body = { url: receiver.url('/bad'), events: ['vision.completed'], headers: Object.fromEntries(headers.map((h) => [h.name, h.value])) };
      // A JSON object cannot repeat a name exactly; the case-insensitive twin still can.
      expectError(await rest(key, 'POST', '/v1/webhooks', body), 422, 'validation_failed', 'headers');
      expect(await service.db.webhook.count()).toBe(before);

      const existing = await rest(key, 'POST', '/v1/webhooks', { url: receiver.url('/fine'), events: ['vision.completed'], headers: { 'X-Keep': 'kept' } });
      const id = existing.body.webhook_id;
      const sealed = (await webhookRow(id)).sealedHeaders;
      const update = await service.gql(key, UPDATE, { id, input: { headers } });
      expect(update.body.data.updateWebhook).toMatchObject({ __typename: 'ValidationError', field: 'headers' });
      expectError(await rest(key, 'PUT', `/v1/webhooks/${id}`, { headers: body.headers }), 422, 'validation_failed', 'headers');
      expect((await webhookRow(id)).sealedHeaders).toBe(sealed);
    });

    it('over graphql-ws too: a forbidden name and a rate limit out of range', async () => {
      const before = await service.db.webhook.count();
      const ws = connectWs(service.httpUrl, key);
      for (const [input, field] of [
        [{ headers: [{ name: 'Transfer-Encoding', value: 'chunked' }] }, 'headers'],
        [{ rateLimitPerSecond: 5000 }, 'rateLimitPerSecond'],
      ] as const) {
        const answer = ws.subscribe(CREATE, { input: { url: receiver.url('/bad'), events: ['vision.completed'], ...input } });
        await answer.finished();
        expect(answer.messages[0]!.data.createWebhook).toMatchObject({ __typename: 'ValidationError', field });
      }
      await ws.close();
      expect(await service.db.webhook.count()).toBe(before);
    });

    it('a kept value (null) for a header the webhook does not have', async () => {
      const existing = await rest(key, 'POST', '/v1/webhooks', { url: receiver.url('/fine'), events: ['vision.completed'], headers: { 'X-Keep': 'kept' } });
      const id = existing.body.webhook_id;
      const sealed = (await webhookRow(id)).sealedHeaders;
      expectError(await rest(key, 'PUT', `/v1/webhooks/${id}`, { headers: { 'X-Unknown': null } }), 422, 'validation_failed', 'headers');
      expect((await webhookRow(id)).sealedHeaders).toBe(sealed);
      const created = await service.gql(key, CREATE, { input: { url: receiver.url('/bad'), events: ['vision.completed'], headers: [{ name: 'X-A' }] } });
      expect(created.body.data.createWebhook).toMatchObject({ __typename: 'ValidationError', field: 'headers' });
    });

    it.each([0, -1, 1001])('a rate limit of %s: GraphQL and REST, on create and update', async (limit) => {
      const before = await service.db.webhook.count();
      const input = { url: receiver.url('/bad'), events: ['vision.completed'], rateLimitPerSecond: limit };
      const graphql = await service.gql(key, CREATE, { input });
      expect(graphql.body.data.createWebhook).toMatchObject({ __typename: 'ValidationError', field: 'rateLimitPerSecond' });
      const body = { url: receiver.url('/bad'), events: ['vision.completed'], rate_limit_per_second: limit };
      expectError(await rest(key, 'POST', '/v1/webhooks', body), 422, 'validation_failed', 'rate_limit_per_second');
      expect(await service.db.webhook.count()).toBe(before);

      const existing = await rest(key, 'POST', '/v1/webhooks', { url: receiver.url('/fine'), events: ['vision.completed'], rate_limit_per_second: 7 });
      const id = existing.body.webhook_id;
      const update = await service.gql(key, UPDATE, { id, input: { rateLimitPerSecond: limit } });
      expect(update.body.data.updateWebhook).toMatchObject({ __typename: 'ValidationError', field: 'rateLimitPerSecond' });
      expectError(await rest(key, 'PUT', `/v1/webhooks/${id}`, { rate_limit_per_second: limit }), 422, 'validation_failed', 'rate_limit_per_second');
      expect((await webhookRow(id)).rateLimitPerSecond).toBe(7);
    });

    it("a fractional rate limit over REST (GraphQL's Int refuses it itself)", async () => {
      const body = { url: receiver.url('/bad'), events: ['vision.completed'], rate_limit_per_second: 2.5 };
      expectError(await rest(key, 'POST', '/v1/webhooks', body), 422, 'validation_failed', 'rate_limit_per_second');
    });
  });

  it("another project's webhook is not found, and keeps its controls", async () => {
    const other = await service.newProject();
    const theirs = await rest(other.key, 'POST', '/v1/webhooks', {
      url: receiver.url('/theirs'),
      events: ['vision.completed'],
      headers: { 'X-Theirs': 'secret-value' },
      rate_limit_per_second: 9,
    });
    const id = theirs.body.webhook_id;
    expectError(await rest(key, 'PUT', `/v1/webhooks/${id}`, { headers: { 'X-Theirs': null } }), 404, 'not_found');
    const graphql = await service.gql(key, UPDATE, { id, input: { rateLimitPerSecond: 1 } });
    expect(graphql.body.data.updateWebhook.__typename).toBe('NotFoundError');
    expect(await service.gql(key, READ, { id })).not.toMatchObject({ body: { data: { webhook: { id } } } });
    expect(await webhookRow(id)).toMatchObject({ rateLimitPerSecond: 9, headerNames: ['X-Theirs'] });
  });
});
