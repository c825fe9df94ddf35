// Receiver side of the client: verifyWebhook on real deliveries, the example receiver, the Express middleware and
// the Fetch Request helper.
import { createHmac } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import express from 'express';
import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from 'vitest';
import {
  createClient,
  verifyWebhook,
  verifyWebhookRequest,
  webhookMiddleware,
  WebhookVerificationError,
  type BatchProgressData,
  type VerificationFailure,
  type WebhookEvent,
  type WebhooksClient,
} from '../client/src/index.js';
import { createReceiver, describeEvent } from '../client/examples/receiver.js';
import { eventually, startReceiver, type ReceivedRequest, type Receiver } from './support/receiver.js';
import { startTestService, type TestService } from './support/service.js';

let service: TestService;
let receiver: Receiver;
let client: WebhooksClient;

beforeAll(async () => {
  receiver = await startReceiver();
  service = await startTestService({ RETRY_SCHEDULE: '1h' });
  const { key } = await service.newProject();
  client = createClient({ url: `${service.httpUrl}/graphql`, apiKey: key });
});

const BATCH = (jobId: string): BatchProgressData => ({
  job_id: jobId,
  total_images: 100,
  processed_images: 75,
  failed_images: 0,
  progress_percent: 75,
});

let jobs = 0;
const jobId = () => `job-${process.pid}-${++jobs}`;

/** Registers a webhook on the test receiver, publishes one event to it and returns the request as received. */
async function realDelivery(path: string, secret?: string) {
  const created = await client.webhooks.create({
    url: receiver.url(path),
    events: ['batch.progress'],
    ...(secret ? { secret } : {}),
  });
  const { event } = await client.events.publish({ type: 'batch.progress', data: BATCH(jobId()) });
  const [request] = await receiver.waitFor(path, 1);
  return { request: request!, secret: created.secret, webhook: created.webhook, event };
}

const withoutHeaders = (headers: ReceivedRequest['headers'], ...names: string[]) =>
  Object.fromEntries(Object.entries(headers).filter(([name]) => !names.includes(name)));

function rejection(verify: () => unknown): VerificationFailure {
  try {
    verify();
  } catch (error) {
    expect(error).toBeInstanceOf(WebhookVerificationError);
    return (error as WebhookVerificationError).reason;
  }
  throw new Error('verification passed');
}

/** The headers worth replaying: content type and the signature headers (not host, length or connection). */
const replayable = (headers: Record<string, unknown>) =>
  Object.fromEntries(
    Object.entries(headers).filter(([name]) => /^(content-type|webhook-|x-webhook-|x-event-id|x-timestamp)/.test(name)),
  ) as Record<string, string>;

/** The spec's signature, computed with node:crypto: independent of the client's implementation. */
const hexSignature = (secret: string, body: string) => createHmac('sha256', secret).update(body).digest('hex');

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  afterAll(() => new Promise((resolve) => server.close(resolve)));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('verifyWebhook on real deliveries', () => {
  it('accepts a delivery signed with a generated whsec_ secret and returns the typed event', async () => {
    const { request, secret, event } = await realDelivery('/generated');
    expect(secret).toMatch(/^whsec_/);
    const verified = verifyWebhook(request.body, request.headers, secret);
    expect(verified).toEqual(JSON.parse(request.body));
    expect(verified.event_id).toBe(event.id);
    if (verified.event_type !== 'batch.progress') throw new Error('expected batch.progress');
    expectTypeOf(verified.data).toEqualTypeOf<BatchProgressData>();
    expect(verified.data.progress_percent).toBe(75);
    // Buffers, Uint8Arrays, Fetch Headers and upper-case names work too.
    expect(verifyWebhook(Buffer.from(request.body), new Headers(replayable(request.headers)), secret)).toEqual(verified);
    const upper = Object.fromEntries(Object.entries(request.headers).map(([k, v]) => [k.toUpperCase(), v]));
    expect(verifyWebhook(new TextEncoder().encode(request.body), upper, secret)).toEqual(verified);
  });

  it('accepts a delivery signed with a plain secret (raw UTF-8 key), both ways', async () => {
    const secret = 'your-webhook-secret';
    const { request } = await realDelivery('/plain', secret);
    expect(verifyWebhook(request.body, request.headers, secret).event_type).toBe('batch.progress');
    // Only the spec's X-Webhook-Signature: the hex HMAC of the raw body.
    const hexOnly = withoutHeaders(request.headers, 'webhook-id', 'webhook-timestamp', 'webhook-signature');
    expect(verifyWebhook(request.body, hexOnly, secret).event_type).toBe('batch.progress');
    expect(rejection(() => verifyWebhook(request.body, hexOnly, secret, { requireStandardHeaders: true }))).toBe('missing_headers');
  });

  it('rejects a tampered body or a wrong secret (invalid_signature), on both signature schemes', async () => {
    const { request, secret } = await realDelivery('/tampered');
    const tampered = request.body.replace('"progress_percent":75', '"progress_percent":100');
    expect(tampered).not.toBe(request.body);
    const hexOnly = withoutHeaders(request.headers, 'webhook-id', 'webhook-timestamp', 'webhook-signature');
    expect(rejection(() => verifyWebhook(tampered, request.headers, secret))).toBe('invalid_signature');
    expect(rejection(() => verifyWebhook(tampered, hexOnly, secret))).toBe('invalid_signature');
    const wrong = 'whsec_' + Buffer.from('another secret of 24 b!!').toString('base64');
    expect(rejection(() => verifyWebhook(request.body, request.headers, wrong))).toBe('invalid_signature');
    expect(rejection(() => verifyWebhook(request.body, hexOnly, 'wrong-secret-0123456789'))).toBe('invalid_signature');
    // A signature moved onto another message id does not verify either.
    const otherId = { ...request.headers, 'webhook-id': 'msg_other' };
    expect(rejection(() => verifyWebhook(request.body, otherId, secret))).toBe('invalid_signature');
  });

  it('rejects stale, future and malformed timestamps', async () => {
    const { request, secret } = await realDelivery('/timestamps');
    const sent = Number(request.headers['webhook-timestamp']) * 1000;
    const at = (ms: number) => ({ now: () => ms });
    expect(verifyWebhook(request.body, request.headers, secret, at(sent + 299_000)).event_type).toBe('batch.progress');
    expect(rejection(() => verifyWebhook(request.body, request.headers, secret, at(sent + 301_000)))).toBe('stale_timestamp');
    expect(rejection(() => verifyWebhook(request.body, request.headers, secret, at(sent - 301_000)))).toBe('future_timestamp');
    // toleranceSeconds widens or narrows the window.
    expect(verifyWebhook(request.body, request.headers, secret, { ...at(sent + 3_600_000), toleranceSeconds: 3_601 })).toBeTruthy();
    expect(rejection(() => verifyWebhook(request.body, request.headers, secret, { ...at(sent + 2_000), toleranceSeconds: 1 }))).toBe(
      'stale_timestamp',
    );
    const bad = { ...request.headers, 'webhook-timestamp': 'yesterday' };
    expect(rejection(() => verifyWebhook(request.body, bad, secret))).toBe('invalid_timestamp');
  });

  it('rejects missing signature headers', async () => {
    const { request, secret } = await realDelivery('/missing');
    expect(rejection(() => verifyWebhook(request.body, {}, secret))).toBe('missing_headers');
    const none = withoutHeaders(request.headers, 'webhook-id', 'webhook-timestamp', 'webhook-signature', 'x-webhook-signature');
    expect(rejection(() => verifyWebhook(request.body, none, secret))).toBe('missing_headers');
    // Half the Standard Webhooks headers is a stripped request, not a hex-only one.
    const partial = withoutHeaders(request.headers, 'webhook-signature');
    expect(() => verifyWebhook(request.body, partial, secret)).toThrow(/Missing webhook-signature/);
  });

  it('rejects a body that is not a webhook event', () => {
    const secret = 'your-webhook-secret';
    const body = JSON.stringify({ hello: 'world' });
    const headers = { 'x-webhook-signature': hexSignature(secret, body) };
    expect(rejection(() => verifyWebhook(body, headers, secret))).toBe('invalid_payload');
  });

  it('during a secret rotation accepts the old and the new secret', async () => {
    const { webhook, secret: oldSecret } = await realDelivery('/rotation');
    const { secret: newSecret } = await client.webhooks.rotateSecret(webhook.id, { gracePeriodSeconds: 3600 });
    await client.events.publish({ type: 'batch.progress', data: BATCH(jobId()) });
    const [, request] = await receiver.waitFor('/rotation', 2);
    expect(request!.headers['webhook-signature']).toContain(' '); // one signature per valid secret
    expect(verifyWebhook(request!.body, request!.headers, oldSecret).event_type).toBe('batch.progress');
    expect(verifyWebhook(request!.body, request!.headers, newSecret).event_type).toBe('batch.progress');
    expect(verifyWebhook(request!.body, request!.headers, ['whsec_AAAAAAAAAAAAAAAAAAAAAAAA', newSecret])).toBeTruthy();
  });
});

describe('the example receiver', () => {
  it('verifies real deliveries and handles each event once, by event_id', async () => {
    const secret = 'example-receiver-secret-0123';
    const handled: WebhookEvent[] = [];
    const base = await listen(createReceiver({ secret, onEvent: (event) => void handled.push(event) }));
    const { webhook } = await client.webhooks.create({ url: `${base}/webhook`, events: ['batch.progress'], secret });

    const { event } = await client.events.publish({ type: 'batch.progress', data: BATCH(jobId()) });
    const [first] = (await client.deliveries.list(webhook.id)).nodes;
    await eventually(async () => ((await client.deliveries.get(first!.id)).status === 'SUCCESS' ? true : undefined), 'delivery');
    expect(handled.map((e) => e.event_id)).toEqual([event.id]);
    expect(describeEvent(handled[0]!)).toMatch(/75\/100 images/);

    // A redelivery of the same event is acknowledged but not handled again.
    await client.deliveries.retry(first!.id);
    const retried = await eventually(async () => {
      const d = await client.deliveries.get(first!.id);
      return d.attempts.length === 2 ? d : undefined;
    }, 'the second attempt');
    expect(retried.attempts[1]).toMatchObject({ responseStatus: 200, responseBody: '{"status":"already processed"}' });
    expect(handled).toHaveLength(1);

    // A forged request is refused with the reason.
    const forged = await fetch(`${base}/webhook`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-webhook-signature': '00'.repeat(32) },
      body: JSON.stringify({ event_id: 'evt_forged', event_type: 'batch.progress', data: {}, retry_count: 0 }),
    });
    expect(forged.status).toBe(401);
    expect(await forged.json()).toMatchObject({ reason: 'invalid_signature' });
    expect(handled).toHaveLength(1);
  });

  it('answers 500 when handling fails, so the delivery is retried, and handles it on the retry', async () => {
    const secret = 'example-receiver-secret-4567';
    let failures = 1;
    const handled: string[] = [];
    const errors: string[] = [];
    const base = await listen(
      createReceiver({
        secret,
        onEvent: (event) => {
          if (failures-- > 0) throw new Error('database down');
          handled.push(event.event_id);
        },
        onError: (error) => errors.push(String(error)),
      }),
    );
    const { webhook } = await client.webhooks.create({ url: `${base}/webhook`, events: ['batch.progress'], secret });
    const { event } = await client.events.publish({ type: 'batch.progress', data: BATCH(jobId()) });
    const [delivery] = (await client.deliveries.list(webhook.id)).nodes;
    await eventually(async () => ((await client.deliveries.get(delivery!.id)).status === 'RETRYING' ? true : undefined), 'failure');
    await client.deliveries.retry(delivery!.id);
    await eventually(async () => ((await client.deliveries.get(delivery!.id)).status === 'SUCCESS' ? true : undefined), 'success');
    expect(handled).toEqual([event.id]);
    expect(errors).toEqual(['Error: database down']);
  });
});

describe('webhookMiddleware with Express', () => {
  it('verifies a real delivery end to end and refuses a tampered one with 401', async () => {
    const secret = 'express-receiver-secret-0123';
    const received: WebhookEvent[] = [];
    const arrived: Record<string, unknown>[] = [];
    const app = express();
    const recordHeaders: express.RequestHandler = (req, _res, next) => {
      arrived.push(req.headers);
      next();
    };
    app.post('/webhook', recordHeaders, webhookMiddleware(secret), (req, res) => {
      received.push(req.body as WebhookEvent);
      res.json({ status: 'received' });
    });
    const base = await listen(app.listen(0, '127.0.0.1'));
    const { webhook } = await client.webhooks.create({ url: `${base}/webhook`, events: ['batch.progress'], secret });
    const { event } = await client.events.publish({ type: 'batch.progress', data: BATCH(jobId()) });
    const [delivery] = (await client.deliveries.list(webhook.id)).nodes;
    const done = await eventually(async () => {
      const d = await client.deliveries.get(delivery!.id);
      return d.status === 'SUCCESS' ? d : undefined;
    }, 'the delivery to the Express app');
    expect(received.map((e) => e.event_id)).toEqual([event.id]);
    expect(received[0]).toMatchObject({ event_type: 'batch.progress', data: { progress_percent: 75 } });

    // Replay the request with a changed body: refused before the handler runs. (The headers as the app got them:
    // the recorded attempt keeps its signatures redacted.)
    const sent = done.attempts[0]!;
    const headers = replayable(arrived[0]!);
    const replay = (body: string) => fetch(`${base}/webhook`, { method: 'POST', headers, body });
    const ok = await replay(sent.requestBody);
    expect(ok.status).toBe(200);
    const tampered = await replay(sent.requestBody.replace('"processed_images":75', '"processed_images":99'));
    expect(tampered.status).toBe(401);
    expect(await tampered.json()).toMatchObject({ reason: 'invalid_signature' });
    expect(received).toHaveLength(2);
  });

  it('works behind express.raw(), and explains the mistake behind express.json()', async () => {
    const secret = 'express-receiver-secret-4567';
    const app = express();
    const seen: string[] = [];
    app.post('/raw', express.raw({ type: 'application/json' }), webhookMiddleware(secret), (req, res) => {
      seen.push((req.body as WebhookEvent).event_id);
      res.json({ ok: true });
    });
    app.post('/json', express.json(), webhookMiddleware(secret), (_req, res) => res.json({ ok: true }));
    app.use((error: Error, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
      res.status(500).json({ error: error.message });
    });
    const base = await listen(app.listen(0, '127.0.0.1'));
    const { request } = await realDelivery('/for-express', secret);
    const post = (path: string) =>
      fetch(`${base}${path}`, { method: 'POST', headers: replayable(request.headers), body: request.body });
    expect((await post('/raw')).status).toBe(200);
    expect(seen).toEqual([JSON.parse(request.body).event_id]);
    const misconfigured = await post('/json');
    expect(misconfigured.status).toBe(500);
    expect((await misconfigured.json()).error).toMatch(/mount webhookMiddleware before express\.json\(\)/);
  });
});

describe('verifyWebhookRequest', () => {
  it('verifies a Fetch Request built from a real delivery', async () => {
    const { request, secret } = await realDelivery('/fetch-request', 'fetch-request-secret-0123');
    const make = (body: string) =>
      new Request('https://receiver.example/webhook', { method: 'POST', headers: replayable(request.headers), body });
    const event = await verifyWebhookRequest(make(request.body), secret);
    expect(event.event_type).toBe('batch.progress');
    await expect(verifyWebhookRequest(make(request.body + ' '), secret)).rejects.toMatchObject({ reason: 'invalid_signature' });
  });
});
