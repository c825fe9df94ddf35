// Slow clients: a connection that sends nothing, only part of a request, or idles after a response is closed by
// the server within the configured bounds; live subscriptions (SSE, graphql-ws) idle far longer and stay open.
import net from 'node:net';
import { beforeAll, describe, expect, it } from 'vitest';
import type { TestApi } from './support/api.js';
import { connectWs, subscribeSse } from './support/live.js';
import { startTestService, type TestService } from './support/service.js';

let service: TestService;
let key: string;
let api: TestApi;

const HEADERS_TIMEOUT_MS = 300;
const REQUEST_TIMEOUT_MS = 600;
const KEEP_ALIVE_TIMEOUT_MS = 300;

beforeAll(async () => {
  service = await startTestService({
    HTTP_HEADERS_TIMEOUT: `${HEADERS_TIMEOUT_MS}ms`,
    HTTP_REQUEST_TIMEOUT: `${REQUEST_TIMEOUT_MS}ms`,
    HTTP_KEEP_ALIVE_TIMEOUT: `${KEEP_ALIVE_TIMEOUT_MS}ms`,
  });
  ({ key, api } = await service.newProject());
});

/** Opens a raw TCP connection, writes `sent`, and resolves with how long the server took to close it. */
function closedByServerAfter(sent: string, failAfterMs = 10_000): Promise<number> {
  const { port } = new URL(service.httpUrl);
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const socket = net.connect(Number(port), '127.0.0.1', () => {
      if (sent) socket.write(sent);
    });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`the server kept the connection open for ${failAfterMs} ms after ${JSON.stringify(sent)}`));
    }, failAfterMs);
    socket.on('data', () => {}); // a keep-alive response, read and ignored
    socket.on('error', () => {}); // a reset counts as closed too
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(Date.now() - started);
    });
  });
}

const JOB_EVENTS = 'subscription($jobId: ID!) { jobEvents(jobId: $jobId) { id type } }';

describe('slow clients', () => {
  it('closes a connection that sends nothing', async () => {
    expect(await closedByServerAfter('')).toBeGreaterThanOrEqual(HEADERS_TIMEOUT_MS - 50);
  });

  it('closes a connection that sends only a request line', async () => {
    expect(await closedByServerAfter('GET /healthz HTTP/1.1\r\n')).toBeGreaterThanOrEqual(HEADERS_TIMEOUT_MS - 50);
  });

  it('closes a connection that sends headers but never the body they announce', async () => {
    const request = 'POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{';
    expect(await closedByServerAfter(request)).toBeGreaterThanOrEqual(REQUEST_TIMEOUT_MS - 50);
  });

  it('closes a keep-alive connection idle after its response', async () => {
    expect(await closedByServerAfter('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n')).toBeGreaterThanOrEqual(KEEP_ALIVE_TIMEOUT_MS - 50);
  });

  it('keeps SSE and graphql-ws subscriptions open through idle periods longer than every bound', async () => {
    const jobId = `idle-${Date.now()}`;
    const publish = async (processed: number) => {
      const data = { job_id: jobId, total_images: 2, processed_images: processed, failed_images: 0, progress_percent: processed * 50 };
      return (await api.publish('batch.progress', data)).event.id;
    };
    const received = (id: string) => (r: { values: (field: string) => any[] }) => r.values('jobEvents').some((e) => e?.id === id);
    // The job's latest event comes at once: its arrival proves each subscription is live.
    const first = await publish(0);
    const sse = subscribeSse(service.httpUrl, key, JOB_EVENTS, { jobId });
    const overWs = connectWs(service.httpUrl, key).subscribe(JOB_EVENTS, { jobId });
    await sse.until(received(first), 'the latest event over SSE');
    await overWs.until(received(first), 'the latest event over graphql-ws');
    // Slow connections opened after that are each closed after its bound: the subscriptions idled longer than all.
    await Promise.all([
      closedByServerAfter(''),
      closedByServerAfter('POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{'),
      closedByServerAfter('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n'),
    ]);
    await closedByServerAfter('');
    const second = await publish(1);
    await sse.until(received(second), 'the next event over SSE');
    await overWs.until(received(second), 'the next event over graphql-ws');
    expect(sse.error).toBeNull();
    expect(overWs.error).toBeNull();
  });
});
