// Live progress across processes: several service instances on one database, a database connection that drops,
// a server restart, and a slow client under a burst of 10,000 progress events.
import { randomUUID } from 'node:crypto';
import type { PgBoss } from 'pg-boss';
import { beforeAll, describe, expect, it } from 'vitest';
import { createDatabase } from '../src/db/prisma.js';
import { inTransaction } from '../src/db/transaction.js';
import { createBoss } from '../src/delivery/queueing/queue.js';
import { EventPublisher } from '../src/events/publisher.js';
import { SubscriptionLimits } from '../src/live/subscription-limits.js';
import { PgEventTarget } from '../src/notify/pg-event-target.js';
import { LiveUpdates } from '../src/live/updates.js';
import { onCleanup } from './support/cleanup.js';
import type { TestApi } from './support/api.js';
import { connectWs, freePort, startProxy, subscribeSse, type Recording } from './support/live.js';
import { startTestService, type TestService } from './support/service.js';

const BATCH = `subscription($jobId: ID!) { batchProgress(jobId: $jobId) { jobId status processedImages totalImages } }`;
const JOB_EVENTS = `subscription($jobId: ID!) { jobEvents(jobId: $jobId) { id type data } }`;

let a: TestService; // publishes
let b: TestService; // serves subscribers
let key: string;
let projectId: string;
let api: TestApi; // publishes, through a

beforeAll(async () => {
  a = await startTestService();
  b = await startTestService({ DATABASE_URL: a.databaseUrl });
  ({ key, projectId, api } = await a.newProject());
});

const progress = (jobId: string, processed: number, total = 100) => ({
  job_id: jobId,
  total_images: total,
  processed_images: processed,
  failed_images: 0,
  progress_percent: Math.round((processed / total) * 100),
});

const processed = (sub: Recording) => sub.values('batchProgress').map((p) => p.processedImages);
const statuses = (sub: Recording) => sub.values('batchProgress').map((p) => p.status);
const strictlyIncreasing = (xs: number[]) => xs.every((x, i) => i === 0 || x > xs[i - 1]!);
const withPort = (url: string, port: number) => Object.assign(new URL(url), { port: String(port) }).toString();

describe('across processes', () => {
  it('sends what is published through one process to subscribers of another, in publish order', async () => {
    const jobId = randomUUID();
    const state = connectWs(b.httpUrl, key).subscribe(BATCH, { jobId });
    const events = subscribeSse(b.httpUrl, key, JOB_EVENTS, { jobId });
    expect(await events.status).toBe(200);
    // The first message is the first event, live or as the job's state to a subscription set up just after it.
    const published = [(await api.publish('batch.submitted', { job_id: jobId, status: 'submitted' })).event];
    await state.count(1);
    await events.count(1);
    // One at a time: each update arrives.
    for (const n of [1, 2, 3]) {
      published.push((await api.publish('batch.progress', progress(jobId, n))).event);
      await state.count(n + 1);
    }
    // Then as fast as the publisher goes: order holds; a subscriber that lags may skip superseded progress.
    for (let n = 4; n <= 40; n++) published.push((await api.publish('batch.progress', progress(jobId, n))).event);
    published.push((await api.publish('batch.completed', { job_id: jobId, status: 'completed' })).event);
    await state.finished();
    await events.finished();

    expect(state.completed).toBe(true);
    expect(processed(state).slice(0, 4)).toEqual([null, 1, 2, 3]);
    expect(strictlyIncreasing(processed(state).slice(1, -1))).toBe(true); // the terminal state repeats the last
    expect(state.values('batchProgress').at(-1)).toEqual({ jobId, status: 'COMPLETED', processedImages: 40, totalImages: 100 });
    expect(statuses(state).filter((s) => s === 'COMPLETED')).toHaveLength(1);

    expect(events.completed).toBe(true);
    const ids = events.values('jobEvents').map((e) => e.id);
    const positions = ids.map((id) => published.findIndex((p) => p.id === id));
    expect(positions.every((p) => p >= 0)).toBe(true);
    expect(strictlyIncreasing(positions)).toBe(true); // publish order, no duplicates
    expect(ids[0]).toBe(published[0]!.id);
    expect(ids.slice(-2)).toEqual([published.at(-2)!.id, published.at(-1)!.id]); // the last progress, then the end
  });

  it('catches up with the latest state when its database connection drops and comes back', async () => {
    const proxy = await startProxy(Number(new URL(a.databaseUrl).port));
    const c = await startTestService({ DATABASE_URL: withPort(a.databaseUrl, proxy.port) });
    const jobId = randomUUID();
    const sub = connectWs(c.httpUrl, key).subscribe(BATCH, { jobId });
    await api.publish('batch.progress', progress(jobId, 10));
    await sub.count(1);

    proxy.cut(); // every connection of c to Postgres, the listening one included: its notifications are lost
    await api.publish('batch.progress', progress(jobId, 20));
    await api.publish('batch.progress', progress(jobId, 30));
    proxy.restore();

    // No new event: the reconnected listener reloads the state. 20 never comes: 30 is the reload, not a notification.
    await sub.count(2);
    expect(processed(sub)).toEqual([10, 30]);
    await api.publish('batch.completed', { job_id: jobId, status: 'completed' });
    await sub.finished();
    expect(sub.values('batchProgress').map((p) => [p.status, p.processedImages])).toEqual([
      ['RUNNING', 10],
      ['RUNNING', 30],
      ['COMPLETED', 30],
    ]);
  });

  it('lets a client reconnect after a server restart and resume with the latest state', async () => {
    const port = await freePort();
    const env = { DATABASE_URL: a.databaseUrl, PORT: String(port) };
    const first = await startTestService(env);
    const jobId = randomUUID();
    const ws = connectWs(first.httpUrl, key, {
      retryAttempts: 50,
      shouldRetry: () => true,
      retryWait: () => new Promise((r) => setTimeout(r, 100)),
    });
    const sub = ws.subscribe(BATCH, { jobId });
    await api.publish('batch.progress', progress(jobId, 5));
    await sub.count(1);

    await first.stop();
    await api.publish('batch.progress', progress(jobId, 15)); // while no server holds the subscription
    await startTestService(env);

    await sub.count(2);
    await api.publish('batch.failed', { job_id: jobId, status: 'failed', error: 'Storage unavailable' });
    await sub.finished();
    expect(sub.completed).toBe(true);
    expect(sub.values('batchProgress').map((p) => [p.status, p.processedImages])).toEqual([
      ['RUNNING', 5],
      ['RUNNING', 15],
      ['FAILED', 15],
    ]);
  });
});

describe('a slow subscriber', () => {
  const BURST = 10_000;

  it('under a burst of 10,000 progress events gets coalesced updates, then the final state and the terminal event', { timeout: 300_000 }, async () => {
    // Over SSE: a graphql-ws client that reads nothing for longer than its keepalive (12 s) is disconnected,
    // which bounds memory too, but the point here is a client that stays.
    const proxy = await startProxy(Number(new URL(b.httpUrl).port));
    // Messages of ~2 KB (the longest job id, 256 characters, selected 8 times over in the state; padding in the
    // events): 10,000 of them would be ~20 MB, far more than socket buffers hold. Notifications stay small: they
    // never carry the id nor the data.
    const jobId = `${randomUUID()}/${'x'.repeat(256 - 37)}`;
    const copies = Object.fromEntries(Array.from({ length: 8 }, (_, i) => [`copy${i}`, jobId]));
    const BIG_BATCH = `subscription($jobId: ID!) { batchProgress(jobId: $jobId) {
      jobId status processedImages totalImages ${Object.keys(copies).map((alias) => `${alias}: jobId`).join(' ')} } }`;
    const state = subscribeSse(proxy.url, key, BIG_BATCH, { jobId });
    const events = subscribeSse(proxy.url, key, JOB_EVENTS, { jobId });
    // A subscriber that reads at once, served by the same listener: it sees where the notifications have got to.
    const witness = subscribeSse(b.httpUrl, key, BATCH, { jobId });
    await api.publish('batch.submitted', { job_id: jobId, status: 'submitted' });
    await state.count(1);
    await events.count(1);
    await witness.count(1);

    proxy.pause(); // the clients stop reading: the server's socket buffers fill, then its streams wait
    await burst(jobId, BURST);
    const { event: last } = await api.publish('batch.completed', { job_id: jobId, status: 'completed' });
    // The witness has the terminal state: the listener has handed every notification to the subscribers' streams.
    await witness.finished(60_000);
    proxy.resume();
    await state.finished(60_000);
    await events.finished(60_000);

    // The final state and the terminal event, after strictly increasing progress.
    expect(state.completed).toBe(true);
    expect(state.values('batchProgress').at(-1)).toEqual({
      jobId,
      status: 'COMPLETED',
      processedImages: BURST,
      totalImages: BURST,
      ...copies,
    });
    expect(strictlyIncreasing(processed(state).slice(1, -1))).toBe(true);
    expect(events.completed).toBe(true);
    const received = events.values('jobEvents');
    expect(received.at(-1).id).toBe(last.id);
    expect(received.at(-2)).toMatchObject({ type: 'batch.progress', data: { processed_images: BURST } });
    expect(strictlyIncreasing(received.slice(1, -1).map((e) => e.data.processed_images))).toBe(true);

    // Coalesced: the paused clients got what fit in socket buffers (a few MB, ~2,000 of these messages) before the
    // server held back, then the latest; a server that queued every update would have sent all 10,001.
    console.info(`slow subscriber: ${state.messages.length} state and ${received.length} event messages for ${BURST} events`);
    expect(state.messages.length).toBeLessThan(BURST / 2);
    expect(received.length).toBeLessThan(BURST / 2);
  });
});

/** `count` progress events for the job, published as a backend would, from a process of its own (this one). */
async function burst(jobId: string, count: number) {
  const { db, pool, close } = createDatabase(a.databaseUrl, () => {}, { max: 1 }); // one connection: notifications leave in order
  onCleanup(close);
  const target = new PgEventTarget({
    connectionString: a.databaseUrl,
    notify: (channel, payload) => db.$executeRaw`SELECT pg_notify(${channel}, ${payload})`,
    onError: (error, what) => console.error(what, error),
  });
  const live = new LiveUpdates({ db, pool, target, limits: new SubscriptionLimits({ perConnection: 1, perProject: 1 }), onError: () => {} });
  // The project has no webhooks, so no delivery job is ever queued: the queue is never started.
  const publisher = new EventPublisher(pool, createBoss(a.databaseUrl, { monitorIntervalSeconds: 60 }) as PgBoss, { live });
  // Many events per transaction: one transaction each costs ~10 ms on CI machines; the notifications are the same.
  const PER_TRANSACTION = 500;
  for (let from = 1; from <= count; from += PER_TRANSACTION) {
    // Announced at each transaction's commit, by NOTIFYs its statements send.
    await inTransaction(pool, async (tx) => {
      for (let n = from; n < from + PER_TRANSACTION && n <= count; n++) {
        const data = { ...progress(jobId, n, count), padding: 'p'.repeat(1_800) };
        await publisher.publishWithin(tx, projectId, 'batch.progress', data, null);
      }
    });
  }
}
