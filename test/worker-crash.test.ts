// At least once: a worker killed mid-delivery does not lose the delivery, and a stopping worker finishes
// what it holds; and an idle worker is woken by a publish in another process. The worker runs as a real child
// process; the API runs in-process on the same database.
import { beforeAll, describe, expect, it } from 'vitest';
import type { TestApi } from './support/api.js';
import { eventually, startReceiver, type Receiver } from './support/receiver.js';
import { serviceReady, spawnService, workerEnv } from './support/process.js';
import { startTestService, type TestService } from './support/service.js';

let api: TestService;
let receiver: Receiver;
let key: string;
let project: TestApi;

const crashWorkerEnv = () =>
  workerEnv(api.databaseUrl, { DELIVERY_TIMEOUT: '5s', JOB_HEARTBEAT_SECONDS: '10', JOB_POLL_INTERVAL: '500ms' });

beforeAll(async () => {
  receiver = await startReceiver();
  api = await startTestService({ ROLE: 'api' });
  ({ key, api: project } = await api.newProject());
});

/** A webhook at `path` for `type`, then an event of that type published (with its deliveries). */
async function publishTo(path: string, type: string, jobId: string) {
  await project.createWebhook(receiver.url(path), [type]);
  return (await project.publishWithDeliveries(type, { job_id: jobId })).event;
}

const deliveryState = async (id: string) =>
  (await api.gql(key, `query($id: ID!) { delivery(id: $id) { ... on Delivery { status attemptCount attempts { responseStatus } } } }`, { id }))
    .body.data.delivery;

describe('a worker killed with SIGKILL mid-delivery', () => {
  it('leaves the delivery to another worker, which delivers it with the same ids', async () => {
    // The first request is never answered (the worker dies holding it); later ones succeed.
    receiver.on('/crash', (_req, res, count) => {
      if (count > 1) res.writeHead(200).end();
    });
    const first = spawnService(crashWorkerEnv());
    await first.waitForLog(serviceReady);
    const event = await publishTo('/crash', 'optimization.started', 'crash-1');
    const deliveryId = event.deliveries[0]!.id;
    await receiver.waitFor('/crash', 1);
    first.child.kill('SIGKILL');
    expect((await first.exited).signal).toBe('SIGKILL');
    expect(await deliveryState(deliveryId)).toMatchObject({ status: 'PENDING', attemptCount: 0 });

    const second = spawnService(crashWorkerEnv());
    await second.waitForLog(serviceReady);
    const [lost, redelivered] = await receiver.waitFor('/crash', 2, 60_000);
    for (const header of ['webhook-id', 'x-event-id']) expect(redelivered!.headers[header]).toBe(lost!.headers[header]);
    expect(JSON.parse(redelivered!.body).event_id).toBe(event.id);
    const settled = await eventually(async () => {
      const d = await deliveryState(deliveryId);
      return d.status === 'SUCCESS' ? d : undefined;
    }, 'the redelivery to be recorded');
    expect(settled.attempts).toEqual([{ responseStatus: 200 }]);
    second.child.kill('SIGTERM');
    expect((await second.exited).code).toBe(0);
  }, 90_000);
});

describe('a worker stopped with SIGTERM', () => {
  it('finishes the attempt in hand and records it before exiting', async () => {
    receiver.on('/slow-answer', (_req, res) => {
      setTimeout(() => res.writeHead(200).end('late but fine'), 1500);
    });
    const worker = spawnService(crashWorkerEnv());
    await worker.waitForLog(serviceReady);
    const event = await publishTo('/slow-answer', 'inference.completed', 'term-1');
    await receiver.waitFor('/slow-answer', 1);
    worker.child.kill('SIGTERM');
    expect((await worker.exited).code).toBe(0);
    expect(await deliveryState(event.deliveries[0]!.id)).toMatchObject({
      status: 'SUCCESS',
      attemptCount: 1,
      attempts: [{ responseStatus: 200 }],
    });
  }, 60_000);
});

describe('an idle worker in another process', () => {
  it('is woken by the NOTIFY of the publishing transaction, long before its poll interval', async () => {
    receiver.on('/wake', (_req, res) => res.writeHead(200).end());
    // Polling alone would not fetch again for an hour: only the wake-up can deliver in time.
    const worker = spawnService({ ...crashWorkerEnv(), JOB_POLL_INTERVAL: '1h', LOG_LEVEL: 'debug' });
    await worker.waitForLog(serviceReady);
    // Its first fetch has come back empty: it sleeps.
    await worker.waitForLog((line) => line.msg === 'delivery worker waiting: no more jobs due');
    await publishTo('/wake', 'model.deprecated', 'wake-1');
    await receiver.waitFor('/wake', 1, 5_000);
    worker.child.kill('SIGTERM');
    expect((await worker.exited).code).toBe(0);
  }, 60_000);
});
