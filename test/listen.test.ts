// `aiplatform-webhooks listen`, run as a user runs it (`node bin/cli.js listen …`, a child process that knows only
// the service's URL and a key), against the real service started the way the README's default install is: no
// DESTINATION_ALLOWLIST, so the service itself could never POST to the loopback receivers here. Deliveries reach
// them only through the listener; every attempt lands in the deliveries log.
import { spawn } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { operations as op, type ApiError } from '../client/src/index.js';
import { findEventType } from '../src/events/catalog.js';
import { freePort } from '../src/lib/free-port.js';
import { onCleanup } from './support/cleanup.js';
import { behaviours, eventually, startReceiver, type Receiver } from './support/receiver.js';
import { claimedListenerRequest, connectedListener as connectListener, startListener } from './support/listener.js';
import { spawnService } from './support/process.js';
import { startTestService, TEST_ENCRYPTION_KEY, type TestService } from './support/service.js';
import type { TestApi } from './support/api.js';

const root = fileURLToPath(new URL('..', import.meta.url));
/** The attempt timeout: short, so a hanging receiver or a missing listener is recorded soon. */
const TIMEOUT_MS = 4_000;

let service: TestService;
let receiver: Receiver;
let key: string;
let api: TestApi;

beforeAll(async () => {
  receiver = await startReceiver();
  service = await startTestService({
    DESTINATION_ALLOWLIST: '', // as installed: public addresses only
    DELIVERY_TIMEOUT: `${TIMEOUT_MS}ms`,
    RETRY_SCHEDULE: '1s,1s,1s,1s,1s',
  });
  ({ key, api } = await service.newProject());
});

/** Where this file's listeners connect: the service, with the project's key. */
const target = () => ({ httpUrl: service.httpUrl, key });
const listen = (...args: string[]) => startListener(target(), ...args);
const connectedListener = (...args: string[]) => connectListener(target(), ...args);

/** The catalog's example data of `type`, for a job of its own. */
const example = (type: string) => ({ ...findEventType(type)!.example, job_id: randomUUID() });
const progress = () => ({ job_id: randomUUID(), total_images: 4, processed_images: 1, failed_images: 0, progress_percent: 25 });

type Settled = { status: string; attempts: unknown[] };

/**
 * The delivery of `eventId` to the webhook with its attempts, as the API's deliveries log shows it, once `done`
 * says it is settled enough (watched in the database meanwhile, to stay clear of the key's rate limit).
 */
async function deliveryOf(
  webhookId: string,
  eventId: string,
  done: (delivery: Settled) => boolean,
  on: { service: TestService; api: TestApi } = { service, api },
) {
  const settled = await eventually(
    async () => {
      const row = await on.service.db.delivery.findFirst({ where: { webhookId, eventId }, include: { attempts: true } });
      return row && done(row) ? row : undefined;
    },
    `the delivery of ${eventId}`,
    30_000,
  );
  return on.api.client.deliveries.get(settled.id);
}

const succeeded = (d: { status: string }) => d.status === 'SUCCESS';

/** Each test starts listener processes (and one a worker) and waits out attempt timeouts and retries. */
const SLOW = { timeout: 120_000 };

describe('listen', SLOW, () => {
  it('creates a LISTEN webhook, prints its secret once, and forwards each delivery as the exact signed request', async () => {
    receiver.on('/exact', behaviours.accept());
    const { listener, webhookId, secret } = await connectedListener(
      '--forward-to', receiver.url('/exact'), '--name', 'exact', '--events', 'batch.progress',
    );
    expect(listener.output()).toMatch(/^Created LISTEN webhook wh_\w+ "exact" \(events batch\.progress\)/);
    expect(secret).toMatch(/^whsec_/);
    expect((await api.client.webhooks.get(webhookId)).kind).toBe('LISTEN');

    const { event } = await api.publish('batch.progress', progress());
    const [received] = await receiver.waitFor('/exact', 1, 30_000);
    const delivery = await deliveryOf(webhookId, event.id, succeeded);
    const [attempt] = delivery.attempts;

    // The body and every header the worker signed and recorded, byte for byte (signatures are stored redacted).
    expect(received!.body).toBe(attempt!.requestBody);
    const recorded = attempt!.requestHeaders as Record<string, string>;
    for (const [name, value] of Object.entries(recorded)) {
      if (name === 'x-webhook-signature' || name === 'webhook-signature') continue;
      expect({ name, value: received!.headers[name] }).toEqual({ name, value });
    }
    const expected = createHmac('sha256', secret!).update(received!.body).digest('hex');
    expect(received!.headers['x-webhook-signature']).toBe(expected);
    expect(received!.headers['x-event-id']).toBe(event.id);

    // The receiver's answer is the attempt; one line on the terminal.
    expect(attempt).toMatchObject({ responseStatus: 200, responseBody: '{"status":"received"}', errorKind: null });
    await listener.waitFor(new RegExp(`^200  batch\\.progress  ${event.id}  \\d+ ms$`, 'm'));
  });

  it("is verified by the guide's Flask receiver, unchanged", async () => {
    const port = await freePort();
    const { webhookId, secret } = await connectedListener(
      '--forward-to', `http://127.0.0.1:${port}/webhook`, '--name', 'flask', '--events', 'optimization.completed',
    );
    // The guide's receiver, with the secret the listener printed, on the port it forwards to.
    const dir = await mkdtemp(path.join(tmpdir(), 'guide-flask-'));
    onCleanup(() => rm(dir, { recursive: true, force: true }));
    const app = path.join(dir, 'app.py');
    await writeFile(app, GUIDE_FLASK.replace("'your-webhook-secret'", JSON.stringify(secret)).replace('port=5000', `port=${port}`));
    const flask = spawn('python3', ['-u', app], { stdio: ['ignore', 'pipe', 'pipe'] });
    let flaskOutput = '';
    flask.stdout!.on('data', (chunk) => (flaskOutput += chunk));
    flask.stderr!.on('data', (chunk) => (flaskOutput += chunk));
    onCleanup(() => void flask.kill('SIGKILL'));
    await eventually(async () => (/Running on/.test(flaskOutput) ? true : undefined), `Flask started: ${flaskOutput}`, 30_000);

    const data = example('optimization.completed');
    const { event } = await api.publish('optimization.completed', data);
    const delivery = await deliveryOf(webhookId, event.id, (d) => d.attempts.length > 0);
    // A bad signature would be the guide's 401.
    expect(delivery.attempts[0]).toMatchObject({ responseStatus: 200, errorKind: null });
    expect(JSON.parse(delivery.attempts[0]!.responseBody!)).toEqual({ status: 'received' });
    await eventually(async () => (flaskOutput.includes(`Optimization ${String(data.job_id)} completed`) ? true : undefined), 'Flask handled it');
  });

  it("records a local 500 and its retry's 200 as two attempts in the deliveries log", async () => {
    receiver.on('/flaky', behaviours.failTimes(1, 500));
    const { listener, webhookId } = await connectedListener('--forward-to', receiver.url('/flaky'), '--name', 'flaky', '--events', 'batch.progress');
    const { event } = await api.publish('batch.progress', progress());
    const delivery = await deliveryOf(webhookId, event.id, succeeded);
    expect(delivery.attempts.map((a) => [a.number, a.responseStatus, a.errorKind])).toEqual([
      [1, 500, 'HTTP_STATUS'],
      [2, 200, null],
    ]);
    expect(delivery.attempts[0]!.responseBody).toBe('not yet');
    await listener.waitFor(new RegExp(`^500  batch\\.progress  ${event.id}  \\d+ ms$`, 'm'));
    await listener.waitFor(new RegExp(`^200  batch\\.progress  ${event.id}  \\d+ ms$`, 'm'));
  });

  it('records a refusing forward target, and a hanging one (within the timeout), and keeps running', async () => {
    const closedPort = await freePort();
    const refusing = await connectedListener('--forward-to', `http://127.0.0.1:${closedPort}/`, '--name', 'refused', '--events', 'batch.progress');
    // The first request hangs, the next is answered: the same listener process forwards both.
    receiver.on('/moody', (req, res, count) => (count === 1 ? undefined : behaviours.accept()(req, res, count)));
    const hanging = await connectedListener('--forward-to', receiver.url('/moody'), '--name', 'hanging', '--events', 'training.progress');

    const refused = await api.publish('batch.progress', progress());
    const slow = await api.publish('training.progress', example('training.progress'));
    const refusedDelivery = await deliveryOf(refusing.webhookId, refused.event.id, (d) => d.attempts.length >= 2);
    expect(refusedDelivery.attempts.slice(0, 2).map((a) => [a.responseStatus, a.errorKind, a.errorMessage])).toEqual([
      [null, 'CONNECTION_REFUSED', 'Connection refused'],
      [null, 'CONNECTION_REFUSED', 'Connection refused'],
    ]);
    await refusing.listener.waitFor(new RegExp(`^ERR  batch\\.progress  ${refused.event.id}  \\d+ ms  Connection refused$`, 'm'));

    const slowDelivery = await deliveryOf(hanging.webhookId, slow.event.id, succeeded);
    const [timedOut, answered] = slowDelivery.attempts;
    expect(timedOut).toMatchObject({ responseStatus: null, errorKind: 'TIMEOUT' });
    expect(timedOut!.durationMs).toBeLessThanOrEqual(TIMEOUT_MS + 500);
    expect(answered).toMatchObject({ responseStatus: 200, errorKind: null });
  });

  it('shares deliveries between listeners on one webhook: each goes to one of them, once', async () => {
    const first = await connectedListener('--forward-to', receiver.url('/shared-a'), '--name', 'shared', '--events', 'batch.progress');
    const second = listen('--forward-to', receiver.url('/shared-b'), '--name', 'shared');
    // Reused by name: the same webhook, and no secret printed again.
    await second.waitFor(new RegExp(`^Reusing LISTEN webhook ${first.webhookId} "shared"`, 'm'));
    await second.waitFor(/Connected to /);
    expect(second.output()).not.toMatch(/whsec_/);

    const events = await Promise.all(Array.from({ length: 8 }, () => api.publish('batch.progress', progress())));
    for (const { event } of events) await deliveryOf(first.webhookId, event.id, succeeded);
    const received = [...receiver.requests('/shared-a'), ...receiver.requests('/shared-b')];
    const ids = received.map((r) => r.headers['x-event-id']);
    expect(ids.sort()).toEqual(events.map(({ event }) => event.id).sort());
  });

  it('with no listener connected, fails the attempt and retries it on the schedule until one connects', async () => {
    const created = await api.createWebhookResult({ kind: 'LISTEN', events: ['model.deployed'], description: 'late' });
    if (created.__typename !== 'CreateWebhookPayload') throw new Error(created.message);
    const webhookId = created.webhook.id;
    const { event } = await api.publish('model.deployed', example('model.deployed'));
    expect((await deliveryOf(webhookId, event.id, (d) => d.attempts.length >= 1)).status).toBe('RETRYING');

    receiver.on('/late', behaviours.accept());
    await connectedListener('--forward-to', receiver.url('/late'), '--name', 'late');
    const delivery = await deliveryOf(webhookId, event.id, succeeded);
    const failures = delivery.attempts.slice(0, -1);
    expect(failures.length).toBeGreaterThan(0);
    for (const attempt of failures) {
      expect(attempt).toMatchObject({ responseStatus: null, errorKind: 'NO_LISTENER', errorMessage: 'No listener is connected' });
    }
    expect(delivery.attempts.at(-1)).toMatchObject({ responseStatus: 200 });
  });

  it("runs as the README's local-testing section shows it", async () => {
    const readme = await readFile(path.join(root, 'README.md'), 'utf8');
    const command = readme.match(/^npx aiplatform-webhooks listen (.*)$/m)![1]!;
    // The shell's words: single quotes keep `vision.*` from the glob.
    const args = [...command.matchAll(/'([^']*)'|(\S+)/g)].map(([, quoted, bare]) => quoted ?? bare!);
    expect(args).toContain('http://localhost:5000/webhook');
    receiver.on('/readme', behaviours.accept());
    const { listener, webhookId } = await connectedListener(
      ...args.map((arg) => (arg === 'http://localhost:5000/webhook' ? receiver.url('/readme') : arg)),
    );
    expect((await api.client.webhooks.get(webhookId)).events).toEqual(['optimization.completed', 'vision.*']);
    const { event } = await api.publish('vision.completed', example('vision.completed'));
    await receiver.waitFor('/readme', 1, 30_000);
    await listener.waitFor(new RegExp(`^200  vision\\.completed  ${event.id}  \\d+ ms$`, 'm'));
  });

  it('--rotate-secret gives a reused webhook a new secret, printed once, which signs from then on', async () => {
    receiver.on('/rotated', behaviours.accept());
    const first = await connectedListener('--forward-to', receiver.url('/rotated'), '--name', 'rotated', '--events', 'batch.progress');
    first.listener.interrupt();
    await first.listener.exited;
    const again = await connectedListener('--forward-to', receiver.url('/rotated'), '--name', 'rotated', '--rotate-secret');
    expect(again.webhookId).toBe(first.webhookId);
    expect(again.listener.output()).toMatch(/^Rotated the secret of LISTEN webhook/m);
    expect(again.secret).toMatch(/^whsec_/);
    expect(again.secret).not.toBe(first.secret);
    await api.publish('batch.progress', progress());
    const [received] = await receiver.waitFor('/rotated', 1, 30_000);
    expect(received!.headers['x-webhook-signature']).toBe(createHmac('sha256', again.secret!).update(received!.body).digest('hex'));
  });

  it('exits 0 on Ctrl-C', async () => {
    const { listener } = await connectedListener('--forward-to', receiver.url('/bye'), '--name', 'bye');
    listener.interrupt();
    expect(await listener.exited).toBe(0);
    expect(listener.output()).toMatch(/Stopped listening\n$/);
  });
});

describe('with the API and the worker in different processes', SLOW, () => {
  it("relays through the database: a listener on the API process receives the worker's attempt", async () => {
    const apiOnly = await startTestService({ ROLE: 'api', DESTINATION_ALLOWLIST: '' });
    const worker = spawnService({
      DATABASE_URL: apiOnly.databaseUrl,
      ROLE: 'worker',
      SECRET_ENCRYPTION_KEY: TEST_ENCRYPTION_KEY,
      DELIVERY_TIMEOUT: `${TIMEOUT_MS}ms`,
      RETRY_SCHEDULE: '1s',
      JOB_POLL_INTERVAL: '500ms',
    });
    await worker.waitForLog((line) => line.msg === 'AI Platform Webhooks is running', 60_000);
    const project = await apiOnly.newProject();
    receiver.on('/cluster', behaviours.accept());
    const { webhookId } = await connectListener(
      { httpUrl: apiOnly.httpUrl, key: project.key },
      '--forward-to', receiver.url('/cluster'), '--name', 'cluster', '--events', 'batch.progress',
    );
    const { event } = await project.api.publish('batch.progress', progress());
    const [received] = await receiver.waitFor('/cluster', 1, 30_000);
    expect(received!.headers['x-event-id']).toBe(event.id);
    const delivery = await deliveryOf(webhookId, event.id, succeeded, { service: apiOnly, api: project.api });
    expect(delivery.attempts).toMatchObject([{ number: 1, responseStatus: 200, requestBody: received!.body }]);
  });
});

describe('the listener API', () => {
  const REPORT = op.ReportListenerResultDocument.toString();

  it('refuses an HTTP webhook and another project\'s webhook', async () => {
    const http = await api.createWebhook('https://example.com/hook', ['*']);
    const other = await service.newProject();
    const created = await other.api.createWebhookResult({ kind: 'LISTEN', events: ['*'] });
    if (created.__typename !== 'CreateWebhookPayload') throw new Error(created.message);
    const first = async (webhookId: string) => {
      const subscription = api.client.subscribe.request(op.ListenDocument, { webhookId });
      try {
        await subscription.next();
        return 'answered';
      } catch (error) {
        const { name, code, errors } = error as ApiError;
        return [name, code, errors?.[0]?.extensions?.field].filter(Boolean).join(' ');
      } finally {
        await subscription.return();
      }
    };
    expect(await first(http.id)).toBe('ApiError BAD_USER_INPUT webhookId');
    expect(await first(created.webhook.id)).toBe('NotFoundError');
  });

  it('refuses a malformed report with a ValidationError naming the field, and an unknown request as not found', async () => {
    const report = (input: Record<string, unknown>) => service.gql(key, REPORT, { input: { requestId: randomUUID(), durationMs: 5, ...input } });
    const cases: [Record<string, unknown>, string][] = [
      [{ status: 200, durationMs: -1 }, 'durationMs'],
      [{ status: 99 }, 'status'],
      [{}, 'error'],
      [{ status: 200, error: { kind: 'TIMEOUT', message: 'x' } }, 'error'],
      [{ status: 200, headers: { a: 1 } }, 'headers'],
      [{ status: 200, body: 'x'.repeat(65_537) }, 'body'],
      [{ error: { kind: 'TIMEOUT', message: 'x'.repeat(1_001) } }, 'error.message'],
    ];
    for (const [input, field] of cases) {
      const { body } = await report(input);
      expect({ input, answer: body.data?.reportListenerResult }).toMatchObject({ input, answer: { __typename: 'ValidationError', field } });
    }
    const { body } = await report({ status: 200 });
    expect(body.data?.reportListenerResult).toMatchObject({ __typename: 'NotFoundError' });
  });

  it("answers another project's request as not found, and writes nothing", async () => {
    const created = await api.createWebhookResult({ kind: 'LISTEN', events: ['model.deployed'] });
    if (created.__typename !== 'CreateWebhookPayload') throw new Error(created.message);
    const webhookId = created.webhook.id;
    const { projectId } = await service.db.webhook.findUniqueOrThrow({ where: { id: webhookId } });
    const requestId = await claimedListenerRequest(service.pool, { projectId, webhookId });
    const input = { requestId, durationMs: 5, status: 200 };

    const other = await service.newProject();
    const refused = await service.gql(other.key, REPORT, { input });
    expect(refused.body.data?.reportListenerResult).toMatchObject({ __typename: 'NotFoundError' });
    const row = () => service.db.listenerExchange.findUniqueOrThrow({ where: { id: requestId } });
    expect((await row()).report).toBeNull();

    const accepted = await service.gql(key, REPORT, { input });
    expect(accepted.body.data?.reportListenerResult).toEqual({ __typename: 'ReportListenerResultPayload', requestId });
    expect((await row()).report).toMatchObject({ status: 200, durationMs: 5, error: null });
  });
});

// The guide's Flask receiver ("Webhook Endpoint", Python), copied verbatim; the test replaces only the secret and
// the port.
const GUIDE_FLASK = `from flask import Flask, request
import hmac
import hashlib
import json

app = Flask(__name__)
WEBHOOK_SECRET = 'your-webhook-secret'

def verify_signature(payload, signature):
    """Verify webhook signature"""
    expected_signature = hmac.new(
        WEBHOOK_SECRET.encode(),
        payload,
        hashlib.sha256
    ).hexdigest()
    
    return hmac.compare_digest(signature, expected_signature)

@app.route('/webhook', methods=['POST'])
def webhook():
    payload = request.get_data()
    signature = request.headers.get('X-Webhook-Signature')
    
    # Verify signature
    if not verify_signature(payload, signature):
        return {'error': 'Invalid signature'}, 401
    
    data = json.loads(payload)
    event_type = data['event_type']
    
    # Handle different event types
    if event_type == 'optimization.completed':
        handle_optimization_complete(data)
    elif event_type == 'vision.completed':
        handle_vision_complete(data)
    
    return {'status': 'received'}, 200

def handle_optimization_complete(data):
    job_id = data['data']['job_id']
    result = data['data']['result']
    print(f"Optimization {job_id} completed: {result}")

def handle_vision_complete(data):
    job_id = data['data']['job_id']
    detections = data['data']['detections']
    print(f"Vision analysis {job_id} found {len(detections)} objects")

if __name__ == '__main__':
    app.run(port=5000)
`;
