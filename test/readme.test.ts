// The README's snippets run as written: each is read from README.md itself (not copied here), pointed at a test
// service instead of localhost:4000, and run against real deliveries and real subscriptions.
import { spawn, type ChildProcess } from 'node:child_process';
import { timingSafeEqual } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';
import { beforeAll, describe, expect, it } from 'vitest';
import { allEventTypes } from '../src/events/catalog.js';
import { onCleanup } from './support/cleanup.js';
import { eventually, startReceiver, type Receiver } from './support/receiver.js';
import { startTestService, type TestService } from './support/service.js';

const root = fileURLToPath(new URL('..', import.meta.url));
let readme: string;
let service: TestService;
let receiver: Receiver;
/** Snippets are written under the root's node_modules, so their imports (express, graphql-ws) resolve. */
let snippetDir: string;

beforeAll(async () => {
  readme = await readFile(path.join(root, 'README.md'), 'utf8');
  snippetDir = await mkdtemp(path.join(root, 'node_modules', '.readme-snippets-'));
  onCleanup(() => rm(snippetDir, { recursive: true, force: true }));
  receiver = await startReceiver();
  service = await startTestService();
});

/** The one fenced block of `language` that contains `marker`. */
function block(language: string, marker: string): string {
  const blocks = [...readme.matchAll(/```(\w+)\n([\s\S]*?)```/g)].filter(([, lang, body]) => lang === language && body!.includes(marker));
  expect(blocks, `one ${language} block with ${marker} in README.md`).toHaveLength(1);
  return blocks[0]![2]!;
}

const local = (text: string) => text.replaceAll('localhost:4000', service.httpUrl.replace(/^http:\/\//, ''));

type Running = { child: ChildProcess; output: () => string; exited: Promise<number | null> };

/** Runs a README snippet with Node; `output` is what it printed so far (stdout and stderr). */
async function runSnippet(name: string, source: string, env: Record<string, string>, args: string[] = []): Promise<Running> {
  const file = path.join(snippetDir, name);
  await writeFile(file, source);
  const child = spawn(process.execPath, [file, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  onCleanup(() => void child.kill());
  return { child, output: () => output, exited };
}

const waitForOutput = (running: Running, pattern: RegExp, what: string) =>
  eventually(async () => running.output().match(pattern) ?? undefined, `${what}; output so far: ${running.output()}`);

async function publish(key: string, type: string, data: Record<string, unknown>) {
  const result = await service.gql(
    key,
    `mutation($input: PublishEventInput!) { publishEvent(input: $input) {
      ... on PublishEventPayload { event { id deliveries { id webhook { id } } } } ... on ValidationError { message } } }`,
    { input: { type, data } },
  );
  const event = result.body.data?.publishEvent?.event;
  if (!event) throw new Error(`publish ${type} failed: ${JSON.stringify(result.body)}`);
  return event as { id: string; deliveries: { id: string; webhook: { id: string } }[] };
}

async function createWebhook(key: string, url: string, secret: string) {
  const result = await service.gql(
    key,
    `mutation($input: CreateWebhookInput!) { createWebhook(input: $input) {
      ... on CreateWebhookPayload { webhook { id } } ... on ValidationError { field message } } }`,
    { input: { url, secret, events: ['batch.*'] } },
  );
  const webhook = result.body.data?.createWebhook?.webhook;
  if (!webhook) throw new Error(`createWebhook failed: ${JSON.stringify(result.body)}`);
  return webhook.id as string;
}

const progress = (jobId: string, processed: number) => ({
  job_id: jobId,
  total_images: 100,
  processed_images: processed,
  failed_images: 0,
  progress_percent: processed,
});

describe('the tour', () => {
  it("answers the eventTypes query with every event type, its description and an example", async () => {
    const query = readme.match(/`(\{ eventTypes \{[^`]*\})`/)?.[1];
    expect(query).toBeDefined();
    const { key } = await service.newProject();
    const result = await service.gql(key, query!);
    expect(result.body.errors).toBeUndefined();
    const types = result.body.data.eventTypes as { type: string; description: string; example: unknown }[];
    expect(types.map((t) => t.type).sort()).toEqual(allEventTypes.map((t) => t.type).sort());
    for (const t of types) expect(t).toEqual({ type: t.type, description: expect.any(String), example: expect.any(Object) });
  });
});

describe('verifying a delivery with Express and node:crypto', () => {
  it('accepts real signed deliveries, refuses tampered or missigned ones with 401 (never a 500)', { timeout: 30_000 }, async () => {
    const secret = 'readme-express-receiver-secret';
    const snippet = await runSnippet('receiver.mjs', block('js', 'express.raw'), { WEBHOOK_SECRET: secret, PORT: '0' });
    const [, port] = await waitForOutput(snippet, /listening on (\d+)/, 'the receiver to listen');
    const url = `http://127.0.0.1:${port}/webhook`;

    const { key } = await service.newProject();
    const webhookId = await createWebhook(key, url, secret);
    const copyId = await createWebhook(key, receiver.url('/copy'), secret); // the same signed request, recorded
    const event = await publish(key, 'batch.progress', progress('readme-job', 75));
    await waitForOutput(snippet, new RegExp(`received batch.progress ${event.id}`), 'the receiver to verify the delivery');
    const deliveryId = event.deliveries.find((d) => d.webhook.id === webhookId)!.id;
    const delivery = await eventually(async () => {
      const result = await service.gql(key, `query($id: ID!) { delivery(id: $id) { ... on Delivery { status attempts { responseStatus } } } }`, {
        id: deliveryId,
      });
      const found = result.body.data.delivery;
      return found.status === 'SUCCESS' ? found : undefined;
    }, 'the delivery to succeed');
    expect(delivery.attempts).toEqual([{ responseStatus: 200 }]);

    // Replays of the real signed request: intact it is accepted; altered, it is refused with 401.
    const [signed] = await receiver.waitFor('/copy', 1);
    expect(event.deliveries.map((d) => d.webhook.id)).toContain(copyId);
    const post = (body: string, signature?: string) =>
      fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(signature === undefined ? {} : { 'x-webhook-signature': signature }) },
        body,
      }).then((response) => response.status);
    const signature = signed!.headers['x-webhook-signature'] as string;
    expect(await post(signed!.body, signature)).toBe(200);
    expect(await post(signed!.body.replace('75', '76'), signature)).toBe(401);
    expect(await post(signed!.body, signature.slice(0, -2))).toBe(401); // shorter: timingSafeEqual would throw
    expect(await post(signed!.body, 'not hex')).toBe(401);
    expect(await post(signed!.body)).toBe(401);

    // What the README says of the guide's snippet: timingSafeEqual on its two strings throws.
    expect(() => timingSafeEqual(signature as never, signature as never)).toThrow(TypeError);
  });
});

describe('live progress', () => {
  /** A curl line's URL, headers and body, as fetch would send them. */
  function parseCurl(line: string, key: string) {
    const headers = Object.fromEntries(
      [...line.matchAll(/-H (?:'([^']*)'|"([^"]*)")/g)].map(([, single, double]) => {
        const [name, ...value] = (single ?? double!).replace('$KEY', key).split(': ');
        return [name!, value.join(': ')];
      }),
    );
    const url = line.match(/ (localhost:4000\/\S*)/)?.[1];
    const body = line.match(/ -d '(.*)'$/)?.[1];
    expect(url && body).toBeTruthy();
    return { url: `http://${local(url!)}`, headers, body: body! };
  }

  /** The SSE events of one response until it ends, as [event, data] pairs. */
  async function sseEvents(response: Response): Promise<[string, string][]> {
    const events: [string, string][] = [];
    for (const frame of (await response.text()).split('\n\n')) {
      const event = frame.match(/^event: (.*)$/m)?.[1];
      if (event) events.push([event, frame.match(/^data: ?(.*)$/m)?.[1] ?? '']);
    }
    return events;
  }

  it('follows a job with the curl commands, over SSE', { timeout: 30_000 }, async () => {
    const [batch, jobEvents] = block('sh', 'text/event-stream').trim().split('\n');
    expect(batch).toContain('batchProgress(jobId: \\"j1\\")');
    expect(jobEvents).toContain('jobEvents(jobId: \\"j1\\")');
    const { key } = await service.newProject();
    await publish(key, 'batch.progress', progress('j1', 25));

    const request = parseCurl(batch!, key);
    expect(request.headers).toMatchObject({ Accept: 'text/event-stream', Authorization: `Bearer ${key}` });
    const response = await fetch(request.url, { method: 'POST', headers: request.headers, body: request.body });
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const stream = sseEvents(response);
    await publish(key, 'batch.completed', { job_id: 'j1', status: 'completed' });
    const events = await stream;
    expect(events.at(-1)).toEqual(['complete', '']);
    const states = events.filter(([event]) => event === 'next').map(([, data]) => JSON.parse(data).data.batchProgress);
    expect(states.at(-1)).toEqual({ status: 'COMPLETED', processedImages: 25, totalImages: 100, progressPercent: 25 });

    const finished = parseCurl(jobEvents!, key);
    const latest = await sseEvents(await fetch(finished.url, { method: 'POST', headers: finished.headers, body: finished.body }));
    expect(latest.map(([event]) => event)).toEqual(['next', 'complete']);
    expect(JSON.parse(latest[0]![1]).data.jobEvents).toMatchObject({ type: 'batch.completed', data: { job_id: 'j1' } });
  });

  it('follows a job with the graphql-ws snippet, and a refused key ends it at once', { timeout: 30_000 }, async () => {
    const { key } = await service.newProject();
    const source = block('js', 'graphql-ws').replace('ws://localhost:4000', service.httpUrl.replace(/^http/, 'ws'));
    await publish(key, 'batch.progress', progress('ws-job', 40));
    const live = await runSnippet('live.mjs', source, { KEY: key }, ['ws-job']);
    await waitForOutput(live, /status: 'RUNNING'/, 'the current state');
    await publish(key, 'batch.completed', { job_id: 'ws-job', status: 'completed' });
    expect(await live.exited).toBe(0);
    expect(live.output()).toMatch(/status: 'COMPLETED',\s+processedImages: 40/);

    const refused = await runSnippet('live-refused.mjs', source, { KEY: 'aip_not-a-key' }, ['ws-job']);
    expect(await refused.exited).not.toBe(0);
    expect(refused.output()).toMatch(/^failed: 4403 Forbidden$/m);
  });

  it('speaks the graphql-transport-ws messages shown, the key in connection_init', async () => {
    const { key } = await service.newProject();
    await publish(key, 'batch.completed', { job_id: 'j1', status: 'completed' });
    const [init, subscribe] = block('json', 'connection_init').trim().split('\n');
    const socket = new WebSocket(`${service.httpUrl.replace(/^http/, 'ws')}/graphql`, 'graphql-transport-ws');
    const messages: { type: string; id?: string; payload?: any }[] = [];
    const done = new Promise<void>((resolve, reject) => {
      socket.on('message', (data) => {
        const message = JSON.parse(String(data));
        messages.push(message);
        if (message.type === 'connection_ack') socket.send(subscribe!);
        if (message.type === 'complete') resolve();
      });
      socket.on('close', (code) => reject(new Error(`closed with ${code}; received ${JSON.stringify(messages)}`)));
    });
    socket.on('open', () => socket.send(init!.replace('aip_…', key)));
    await done;
    socket.close();
    expect(messages.map((m) => [m.type, m.id])).toEqual([['connection_ack', undefined], ['next', '1'], ['complete', '1']]);
    expect(messages[1]!.payload.data.jobEvents).toMatchObject({ type: 'batch.completed', data: { job_id: 'j1', status: 'completed' } });
  });
});
