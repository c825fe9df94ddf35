// A webhook's rate limit holds across worker processes: two real workers share a burst for a webhook limited to 5
// deliveries a second; the receiver never sees more than the limit in a second (plus one, for network jitter: starts
// are spaced 1/limit s apart on the database's clock, arrivals by up to that much less), and every delivery succeeds
// on its first attempt: the excess waited, it was neither attempted early nor failed.
import { beforeAll, describe, expect, it } from 'vitest';
import type { TestApi } from './support/api.js';
import { eventually, startReceiver, type Receiver } from './support/receiver.js';
import { serviceReady, spawnService, workerEnv } from './support/process.js';
import { restClient } from './support/rest.js';
import { startTestService, type TestService } from './support/service.js';

let api: TestService;
let receiver: Receiver;
let key: string;
let project: TestApi;


beforeAll(async () => {
  receiver = await startReceiver();
  api = await startTestService({ ROLE: 'api' });
  ({ key, api: project } = await api.newProject());
});

const LIMIT = 5;
const BURST = 20;

/** The most arrivals within any one second (a window starting at each arrival). */
function busiestSecond(arrivals: number[]): number {
  const sorted = [...arrivals].sort((a, b) => a - b);
  return Math.max(...sorted.map((start) => sorted.filter((at) => at >= start && at < start + 1000).length));
}

describe('a rate-limited webhook', () => {
  it('gets at most its limit per second from two workers, and every delivery arrives on its first attempt', async () => {
    // Polling seldom: what wakes a worker for a waiting delivery is its due time, not the poll.
    const workers = [1, 2].map(() => spawnService(workerEnv(api.databaseUrl, { JOB_POLL_INTERVAL: '5s' })));
    await Promise.all(workers.map((worker) => worker.waitForLog(serviceReady)));
    const { webhook } = await project.client.webhooks.create({
      url: receiver.url('/limited'),
      events: ['optimization.started'],
      rateLimitPerSecond: LIMIT,
    });
    expect(webhook.rateLimitPerSecond).toBe(LIMIT);

    // The burst is queued at once: both workers fetch from it.
    for (let i = 0; i < BURST; i++) await project.publish('optimization.started', { job_id: `burst-${i}` });
    const received = await receiver.waitFor('/limited', BURST, 60_000);

    const arrivals = received.map((request) => request.at);
    expect(busiestSecond(arrivals)).toBeLessThanOrEqual(LIMIT + 1);
    // Spread over at least (BURST - 1) / LIMIT seconds, less the jitter one arrival may have.
    expect(Math.max(...arrivals) - Math.min(...arrivals)).toBeGreaterThanOrEqual(((BURST - 1) / LIMIT) * 1000 - 1000 / LIMIT);

    const rest = restClient(api.httpUrl);
    const deliveries = await eventually(async () => {
      const listed = await rest(key, 'GET', `/v1/webhooks/${webhook.id}/deliveries?limit=100`);
      const all = listed.body.deliveries as { status: string; attempt_count: number }[];
      return all.length === BURST && all.every((d) => d.status !== 'pending') ? all : undefined;
    }, 'every delivery to be recorded');
    expect(deliveries.map((d) => [d.status, d.attempt_count])).toEqual(Array.from({ length: BURST }, () => ['success', 1]));
    // Each event arrived once: waiting never sent one twice.
    expect(new Set(received.map((request) => request.headers['webhook-id'])).size).toBe(BURST);

    await Promise.all(workers.map(async (worker) => {
      worker.child.kill('SIGTERM');
      expect((await worker.exited).code).toBe(0);
    }));
  }, 120_000);
});
