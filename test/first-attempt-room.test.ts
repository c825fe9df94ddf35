// Jobs of their own that find their webhook at its in-flight limit go back to the queue without taking the room the
// worker fetches event jobs (first attempts) for (src/delivery/queueing/worker.ts, `startJobs`): webhooks that hang at
// their limit, their queued jobs fetched and sent back again and again, must not starve every other webhook's first
// attempts.
import type { ServerResponse } from 'node:http';
import { pino } from 'pino';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { WebhookSlots } from '../src/delivery/queueing/webhook-slots.js';
import type { TestApi } from './support/api.js';
import { behaviours, eventually, type Receiver } from './support/receiver.js';
import { startFixture, type TestService } from './support/service.js';

let service: TestService;
let receiver: Receiver;
let api: TestApi;

beforeAll(async () => {
  // Three hanging requests fill three of the four slots: each round of the worker has room for one attempt. No
  // request times out during the test.
  ({ receiver, service, api } = await startFixture({
    DELIVERY_CONCURRENCY: '4',
    WEBHOOK_MAX_IN_FLIGHT: '2',
    DELIVERY_TIMEOUT: '60s',
    JOB_POLL_INTERVAL: '1s',
  }));
});

const STUCK_WEBHOOKS = 3;
const EVENTS_EACH = 100;

/** Requests the stuck receivers have not answered yet. */
const hanging: ServerResponse[] = [];
// Even if the test fails, so that the service does not wait for them when it stops: the stuck receivers answer
// from now on, the requests still hanging too.
afterAll(() => {
  for (let i = 0; i < STUCK_WEBHOOKS; i++) receiver.on(`/stuck-${i}`, behaviours.accept());
  hanging.splice(0).forEach((res) => res.writeHead(200).end());
});

it("serves a healthy webhook's first attempt while webhooks at their limit have their queued jobs sent back", async () => {
  const stuck: string[] = [];
  for (let i = 0; i < STUCK_WEBHOOKS; i++) {
    receiver.on(`/stuck-${i}`, (_req, res) => hanging.push(res));
    stuck.push((await api.createWebhook(receiver.url(`/stuck-${i}`), ['inference.started'])).id);
  }
  await api.createWebhook(receiver.url('/fine'), ['inference.completed']);

  // Another worker holds one slot of each stuck webhook, its request hanging too: this worker, holding the other,
  // never has every slot of a stuck webhook waiting, so never holds one back, and their queued jobs stay where its
  // main fetch reads them, refused and sent back again and again.
  const elsewhere = new WebhookSlots(service.databaseUrl, 2, pino({ level: 'silent' }));
  try {
    const taken = await elsewhere.take(new Map(stuck.map((id) => [id, 1])));
    expect(stuck.map((id) => taken.get(id)?.length)).toEqual(stuck.map(() => 1));

    const published = await api.client.events.publishMany(
      Array.from({ length: EVENTS_EACH }, (_, i) => ({ type: 'inference.started', data: { job_id: `stuck-${i}` } })),
    );
    expect(published.filter((result) => result instanceof Error)).toEqual([]);
    // Each stuck webhook has its one request hanging here, and jobs of its own queued behind it.
    await receiver.waitFor('/stuck-0', 1);
    await eventually(async () => {
      const queued = await Promise.all(stuck.map((id) => service.queuedJobsByPriority(id)));
      return hanging.length === STUCK_WEBHOOKS && queued.every((q) => (q['0'] ?? 0) > 0) ? queued : undefined;
    }, 'every stuck webhook to hang here with jobs of its own queued');

    await api.publishResult('inference.completed', { job_id: 'fine' });
    await receiver.waitFor('/fine', 1);
    // Served while every stuck request still hangs: not once they were answered or timed out.
    expect(hanging.length).toBe(STUCK_WEBHOOKS);
    expect(hanging.every((res) => !res.writableEnded)).toBe(true);
    expect(receiver.requests('/fine')).toHaveLength(1);
  } finally {
    await elsewhere.close();
  }
});
