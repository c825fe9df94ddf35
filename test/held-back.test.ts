// A receiver that stops answering is held back while its requests still hang, long before they time out: its queued
// jobs move out of the range the worker's main fetch reads (src/delivery/queueing/held-back.ts), and nothing is lost.
import type { ServerResponse } from 'node:http';
import pg from 'pg';
import { pino } from 'pino';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { HOLD_LAPSES_AFTER_MS, HeldBackWebhooks } from '../src/delivery/queueing/held-back.js';
import type { TestApi } from './support/api.js';
import { behaviours, eventually, type Receiver } from './support/receiver.js';
import { startFixture, type TestService } from './support/service.js';

let service: TestService;
let receiver: Receiver;
let key: string;
let api: TestApi;

beforeAll(async () => {
  // No request times out during the test: only the requests' age can hold the webhook back.
  ({ receiver, service, key, api } = await startFixture({ DELIVERY_TIMEOUT: '60s', WEBHOOK_MAX_IN_FLIGHT: '2', JOB_POLL_INTERVAL: '1s' }));
});

/** Requests the receiver has not answered yet. */
const hanging: ServerResponse[] = [];
const answerHanging = () => hanging.splice(0).forEach((res) => res.writeHead(200).end());
// Even if a test fails, so that the service does not wait for them when it stops.
afterAll(answerHanging);

/** Publishes an event of job `jobId`, which must be accepted. */
const publish = async (type: string, jobId: string) =>
  expect((await api.publishResult(type, { job_id: jobId })).__typename).toBe('PublishEventPayload');

/** What the worker reports at /metrics: how many webhooks it holds back. */
async function heldBackGauge() {
  const text = await (await fetch(`${service.httpUrl}/metrics`)).text();
  return Number(/^webhooks_held_back (\d+)$/m.exec(text)?.[1]);
}

const statuses = async (webhookId: string) => {
  const result = await service.gql(
    key,
    `query($id: ID!) { deliveries(webhookId: $id, first: 50) { edges { node { status attemptCount } } } }`,
    { id: webhookId },
  );
  return result.body.data.deliveries.edges.map((e: { node: { status: string; attemptCount: number } }) => e.node);
};

it('holds back a webhook whose every slot waits, while its requests hang, and releases it once it answers', async () => {
  receiver.on('/stuck', (_req, res) => hanging.push(res));
  const stuck = (await api.createWebhook(receiver.url('/stuck'), ['inference.started'])).id;
  await api.createWebhook(receiver.url('/fine'), ['inference.completed']);
  for (let i = 0; i < 6; i++) await publish('inference.started', `stuck-${i}`);
  // Both slots wait; the four queued jobs move behind the rest, and no attempt has ended, so none timed out.
  await eventually(async () => {
    const queued = await service.queuedJobsByPriority(stuck);
    return queued['-1'] === 4 && !queued['0'] ? queued : undefined;
  }, 'the queued jobs of the stuck webhook to be held back');
  expect((await statuses(stuck)).every((d: { attemptCount: number }) => d.attemptCount === 0)).toBe(true);
  expect(await heldBackGauge()).toBe(1);

  // Jobs published for it from now on follow, and the other webhook is served meanwhile.
  for (let i = 6; i < 9; i++) await publish('inference.started', `stuck-${i}`);
  for (let i = 0; i < 3; i++) await publish('inference.completed', `fine-${i}`);
  await receiver.waitFor('/fine', 3);
  await eventually(async () => {
    const queued = await service.queuedJobsByPriority(stuck);
    return queued['-1'] === 7 && !queued['0'] ? queued : undefined;
  }, 'the jobs published for the held-back webhook to be held back too');

  // Once it answers, its two slots free up, a held-back job answered at once releases it, and everything arrives.
  receiver.on('/stuck', behaviours.accept());
  answerHanging();
  await eventually(async () => {
    const all = await statuses(stuck);
    return all.length === 9 && all.every((d: { status: string }) => d.status === 'SUCCESS') ? all : undefined;
  }, 'every delivery to the stuck webhook to be made');
  expect(await service.queuedJobsByPriority(stuck)).toEqual({});
  expect(await heldBackGauge()).toBe(0);
});

it('releases a webhook that is not held again for a minute (deleted, disabled, or quiet)', async () => {
  let clock = 0;
  const pool = new pg.Pool({ connectionString: service.databaseUrl, max: 1 });
  try {
    const heldBack = new HeldBackWebhooks(pool, pino({ level: 'silent' }), undefined, () => clock);
    await heldBack.renew('wh_quiet'); // not held yet: holds it back
    expect(heldBack.isHeld('wh_quiet')).toBe(true);
    clock += HOLD_LAPSES_AFTER_MS - 1000;
    await heldBack.sweep();
    expect(heldBack.isHeld('wh_quiet')).toBe(true);
    // Still slow: the minute starts over.
    await heldBack.renew('wh_quiet');
    clock += HOLD_LAPSES_AFTER_MS - 1000;
    await heldBack.sweep();
    expect(heldBack.isHeld('wh_quiet')).toBe(true);
    clock += 2000;
    await heldBack.sweep();
    expect(heldBack.isHeld('wh_quiet')).toBe(false);
  } finally {
    await pool.end();
  }
});
