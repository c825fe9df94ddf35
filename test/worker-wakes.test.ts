// When delivery workers fetch: a worker sleeps until jobs may be there for it, so a webhook's in-flight limit shared
// by several workers must still wake them when it frees up, long before the poll interval.
import { beforeAll, describe, expect, it } from 'vitest';
import { startReceiver, type Receiver } from './support/receiver.js';
import { startTestService, type TestService } from './support/service.js';

let api: TestService;
let receiver: Receiver;

beforeAll(async () => {
  receiver = await startReceiver();
  api = await startTestService({ ROLE: 'api' });
  const worker = {
    DATABASE_URL: api.databaseUrl,
    ROLE: 'worker',
    // Far longer than the test: only wakes can drain the backlog in time.
    JOB_POLL_INTERVAL: '60s',
    WEBHOOK_MAX_IN_FLIGHT: '2',
    // One request at a time each: the limit of 2 is usually split between the two workers, one job each.
    DELIVERY_CONCURRENCY: '1',
  };
  await Promise.all([startTestService(worker), startTestService(worker)]);
});

describe('two workers sharing a webhook in-flight limit', () => {
  it('drain its backlog after publishing stops, without waiting for the poll interval', async () => {
    receiver.on('/shared', (_req, res) => setTimeout(() => res.writeHead(200).end(), 30));
    const { api: project } = await api.newProject();
    await project.createWebhook(receiver.url('/shared'), ['training.started']);
    const events = 12;
    for (let i = 0; i < events; i++) {
      const published = await project.publishResult('training.started', { job_id: `shared-${i}` });
      expect(published.__typename).toBe('PublishEventPayload');
    }
    const received = await receiver.waitFor('/shared', events, 15_000);
    expect(new Set(received.map((r) => JSON.parse(r.body).data.job_id)).size).toBe(events);
  });
});
