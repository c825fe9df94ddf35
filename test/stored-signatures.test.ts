// Stored attempts keep the signed request with its signatures redacted: with the body and a signature, anyone who
// can read a project's attempts could test guesses of a user-chosen secret offline. And a secret of your own must
// be at least 16 characters, on every path that takes one.
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { expectError, restClient, startRestFixture } from './support/rest.js';
import { eventually, type Receiver } from './support/receiver.js';
import type { TestService } from './support/service.js';

let service: TestService;
let receiver: Receiver;
let key: string;
let rest: ReturnType<typeof restClient>;

beforeAll(async () => {
  ({ receiver, service, key, rest } = await startRestFixture());
});

const DELIVERY = `query($id: ID!) { delivery(id: $id) { ... on Delivery {
  id status attempts { number requestHeaders requestBody }
  event { deliveries { attempts { requestHeaders } } }
} } }`;

/** Sends a test event to the webhook and answers the received request and the delivery as GraphQL reads it. */
async function testDelivery(webhookId: string, path: string, count: number) {
  const queued = await rest(key, 'POST', `/v1/webhooks/${webhookId}/test`);
  expect(queued.status).toBe(202);
  const request = (await receiver.waitFor(path, count)).at(-1)!;
  const response = await eventually(async () => {
    const result = await service.gql(key, DELIVERY, { id: queued.body.delivery_id });
    return result.body.data.delivery.status === 'SUCCESS' ? result : undefined;
  }, 'the test delivery to succeed');
  return { request, response, delivery: response.body.data.delivery };
}

describe('a stored attempt', () => {
  it('keeps the request with each signature redacted to its scheme, on every read', async () => {
    const created = await rest(key, 'POST', '/v1/webhooks', {
      url: receiver.url('/signed'),
      events: ['vision.completed'],
      secret: 'your-webhook-secret',
    });
    expect(created.status).toBe(201);
    const webhookId = created.body.webhook_id;
    const { request, response, delivery } = await testDelivery(webhookId, '/signed', 1);
    const sent = request.headers as Record<string, string>;
    expect(sent['x-webhook-signature']).toMatch(/^[0-9a-f]{64}$/);
    expect(sent['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/=]{44}$/);

    const [attempt] = delivery.attempts;
    expect(attempt.requestBody).toBe(request.body);
    expect(attempt.requestHeaders).toMatchObject({
      'x-webhook-signature': '[redacted]',
      'webhook-signature': 'v1,[redacted]',
      'webhook-id': sent['webhook-id'],
      'x-webhook-id': webhookId,
    });
    // Not a fragment of either signature anywhere in the answer (the event's deliveries read the same rows).
    const text = JSON.stringify(response.body);
    for (const signature of [sent['x-webhook-signature']!, sent['webhook-signature']!.slice(3)]) {
      expect(text).not.toContain(signature.slice(0, 8));
    }
    // REST's delivery list carries no request at all.
    const listed = await rest(key, 'GET', `/v1/webhooks/${webhookId}/deliveries`);
    expect(listed.text).not.toContain(sent['x-webhook-signature']!.slice(0, 8));
  });

  it('keeps one redacted signature per secret during a rotation', async () => {
    const created = await rest(key, 'POST', '/v1/webhooks', { url: receiver.url('/rotated'), events: ['vision.completed'] });
    const webhookId = created.body.webhook_id;
    expect((await rest(key, 'POST', `/v1/webhooks/${webhookId}/rotate-secret`, { grace_period_seconds: 3600 })).status).toBe(200);
    const { request, delivery } = await testDelivery(webhookId, '/rotated', 1);
    expect(request.headers['webhook-signature']).toMatch(/^v1,\S+ v1,\S+$/);
    expect(delivery.attempts[0].requestHeaders['webhook-signature']).toBe('v1,[redacted] v1,[redacted]');
  });

  it('recorded before redaction is redacted by the migration', async () => {
    const created = await rest(key, 'POST', '/v1/webhooks', { url: receiver.url('/old'), events: ['vision.completed'] });
    const { request, delivery } = await testDelivery(created.body.webhook_id, '/old', 1);
    const stored = async () =>
      (
        await service.db.$queryRaw<{ request_headers: Record<string, string> }[]>`
          SELECT request_headers FROM delivery_attempts WHERE delivery_id = ${delivery.id}`
      )[0]!.request_headers;
    const redacted = delivery.attempts[0].requestHeaders as Record<string, string>;
    // As an attempt was stored before: a copy of the request, the headers as sent, signatures and all.
    const asSent = {
      ...redacted,
      'x-webhook-signature': request.headers['x-webhook-signature'],
      'webhook-signature': request.headers['webhook-signature'],
    };
    await service.db.$executeRaw`
      UPDATE delivery_attempts SET request_headers = ${JSON.stringify(asSent)}::jsonb, request_body = ${request.body}
      WHERE delivery_id = ${delivery.id}`;
    const migration = fileURLToPath(
      new URL('../prisma/migrations/20261201234000_redact_stored_signatures/migration.sql', import.meta.url),
    );
    await service.db.$executeRawUnsafe(await readFile(migration, 'utf8'));
    expect(await stored()).toEqual({ ...redacted, 'x-webhook-signature': '[redacted]', 'webhook-signature': 'v1,[redacted]' });
  });
});

describe('a secret of your own', () => {
  it('shorter than 16 characters is refused over REST with the reason; the guide’s 19-character one is kept', async () => {
    const refused = await rest(key, 'POST', '/v1/webhooks', {
      url: receiver.url('/short'),
      events: ['*'],
      secret: 'fifteen-chars!!',
    });
    expectError(refused, 422, 'validation_failed', 'secret');
    expect(refused.body.error.message).toMatch(/secret is 15 characters; it must be at least 16, since .* offline/);
    const kept = await rest(key, 'POST', '/v1/webhooks', {
      url: receiver.url('/guide'),
      events: ['*'],
      secret: 'your-webhook-secret',
    });
    expect(kept.status).toBe(201);
  });
});
