// Live progress over graphql-ws and SSE, with real clients against the real service.
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { beforeAll, describe, expect, it } from 'vitest';
import { channelFor } from '../src/notify/pg-event-target.js';
import { connectWs, subscribeSse, type Recording } from './support/live.js';
import type { TestApi } from './support/api.js';
import type { Receiver } from './support/receiver.js';
import { startFixture, type TestService } from './support/service.js';

const BATCH = `subscription($jobId: ID!) { batchProgress(jobId: $jobId) {
  jobId status totalImages processedImages failedImages progressPercent updatedAt } }`;
const TRAINING = `subscription($jobId: ID!) { trainingProgress(jobId: $jobId) {
  jobId status round totalRounds accuracy loss updatedAt } }`;
const JOB_EVENTS = `subscription($jobId: ID!) { jobEvents(jobId: $jobId) { id type data } }`;
const JOB = `query($jobId: ID!) { job(jobId: $jobId) { __typename
  ... on Job { jobId type status lastEventType lastEvent { id } totalImages processedImages failedImages progressPercent
    round totalRounds accuracy loss createdAt updatedAt }
  ... on NotFoundError { message } } }`;

let service: TestService;
let key: string;
let api: TestApi;
let receiver: Receiver;

beforeAll(async () => {
  ({ receiver, service, key, api } = await startFixture({ RETRY_SCHEDULE: '300ms', JOB_POLL_INTERVAL: '500ms', DELIVERY_TIMEOUT: '5s' }));
});

const progress = (jobId: string, processed: number, total = 100) => ({
  job_id: jobId,
  total_images: total,
  processed_images: processed,
  failed_images: 0,
  progress_percent: (processed / total) * 100,
});

describe('batchProgress over graphql-ws', () => {
  it('sends a late subscriber the current state at once, then every update in order, then completes', async () => {
    const jobId = randomUUID();
    await api.publish('batch.submitted', { job_id: jobId, status: 'submitted' });
    await api.publish('batch.progress', progress(jobId, 10));

    const ws = connectWs(service.httpUrl, key);
    const sub = ws.subscribe(BATCH, { jobId });
    await sub.count(1);
    expect(sub.messages[0]!.data.batchProgress).toMatchObject({
      jobId,
      status: 'RUNNING',
      totalImages: 100,
      processedImages: 10,
      failedImages: 0,
      progressPercent: 10,
    });

    for (const [i, processed] of [20, 50, 80].entries()) {
      await api.publish('batch.progress', progress(jobId, processed));
      await sub.count(i + 2);
    }
    const { event: completed } = await api.publish('batch.completed', { job_id: jobId, status: 'completed' });
    await sub.finished();

    expect(sub.error).toBeNull();
    expect(sub.completed).toBe(true);
    expect(sub.values('batchProgress').map((p) => [p.status, p.processedImages])).toEqual([
      ['RUNNING', 10],
      ['RUNNING', 20],
      ['RUNNING', 50],
      ['RUNNING', 80],
      ['COMPLETED', 80], // the terminal state keeps the last progress
    ]);
    expect(sub.values('batchProgress').at(-1).updatedAt).toBe(completed.timestamp);
  });

  it('sends a finished job its terminal state at once and completes', async () => {
    const jobId = randomUUID();
    await api.publish('batch.progress', progress(jobId, 100));
    await api.publish('batch.failed', { job_id: jobId, status: 'failed', error: 'Storage unavailable' });
    const sub = connectWs(service.httpUrl, key).subscribe(BATCH, { jobId });
    await sub.finished();
    expect(sub.completed).toBe(true);
    expect(sub.values('batchProgress').map((p) => [p.status, p.processedImages])).toEqual([['FAILED', 100]]);
  });
});

describe('trainingProgress over SSE', () => {
  it('sends the current state, each round in order, and completes after the terminal event', async () => {
    const jobId = randomUUID();
    await api.publish('training.started', { job_id: jobId, status: 'running' });
    const sub = subscribeSse(service.httpUrl, key, TRAINING, { jobId });
    expect(await sub.status).toBe(200);
    await sub.count(1);
    expect(sub.messages[0]!.data.trainingProgress).toMatchObject({ jobId, status: 'RUNNING', round: null, accuracy: null });

    for (const round of [1, 2, 3]) {
      await api.publish('training.progress', {
        job_id: jobId,
        round,
        total_rounds: 10,
        accuracy: 0.5 + round / 10,
        loss: 1 / round,
      });
      await sub.count(round + 1);
    }
    await api.publish('training.cancelled', { job_id: jobId, status: 'cancelled' });
    await sub.finished();

    expect(sub.completed).toBe(true);
    expect(sub.values('trainingProgress').map((p) => [p.status, p.round, p.totalRounds, p.accuracy, p.loss])).toEqual([
      ['RUNNING', null, null, null, null],
      ['RUNNING', 1, 10, 0.6, 1],
      ['RUNNING', 2, 10, 0.7, 0.5],
      ['RUNNING', 3, 10, 0.8, 1 / 3],
      ['CANCELLED', 3, 10, 0.8, 1 / 3],
    ]);
  });

  it('refuses a request without an API key', async () => {
    const sub = subscribeSse(service.httpUrl, null, TRAINING, { jobId: 'x' });
    expect(await sub.status).toBe(401);
  });
});

describe('jobEvents', () => {
  it('sends every event of the job in publish order and completes after the terminal one (graphql-ws)', async () => {
    const jobId = randomUUID();
    // Subscribed before the job has any event: its first message is the first event, whether it arrives live or
    // as the job's latest event to a subscription set up just after it (nothing is sent for a job without events).
    const sub = connectWs(service.httpUrl, key).subscribe(JOB_EVENTS, { jobId });
    const published = [(await api.publish('optimization.submitted', { job_id: jobId, status: 'submitted' })).event];
    await sub.count(1);
    published.push(
      (await api.publish('optimization.started', { job_id: jobId, status: 'running' })).event,
      (await api.publish('optimization.failed', { job_id: jobId, status: 'failed', error: 'Solver diverged' })).event,
    );
    await sub.finished();
    expect(sub.completed).toBe(true);
    expect(sub.values('jobEvents').map((e) => [e.id, e.type])).toEqual([
      [published[0]!.id, 'optimization.submitted'],
      [published[1]!.id, 'optimization.started'],
      [published[2]!.id, 'optimization.failed'],
    ]);
    expect(sub.values('jobEvents')[2].data).toEqual({ job_id: jobId, status: 'failed', error: 'Solver diverged' });
  });

  it('sends a late subscriber the latest event first (SSE)', async () => {
    const jobId = randomUUID();
    await api.publish('inference.started', { job_id: jobId, status: 'running' });
    const { event: latest } = await api.publish('inference.started', { job_id: jobId, status: 'running' });
    const sub = subscribeSse(service.httpUrl, key, JOB_EVENTS, { jobId });
    await sub.count(1);
    const { event: done } = await api.publish('inference.completed', { job_id: jobId, status: 'completed' });
    await sub.finished();
    expect(sub.values('jobEvents').map((e) => e.id)).toEqual([latest.id, done.id]);
  });
});

describe('the job query', () => {
  it("returns the job's latest state, and not found for an unknown id", async () => {
    const jobId = randomUUID();
    await api.publish('training.progress', { job_id: jobId, round: 2, total_rounds: 5, accuracy: 0.8, loss: 0.3 });
    const { event: last } = await api.publish('training.completed', { job_id: jobId, status: 'completed' });
    const job = (await service.gql(key, JOB, { jobId })).body.data.job;
    expect(job).toMatchObject({
      __typename: 'Job',
      jobId,
      type: 'TRAINING',
      status: 'COMPLETED',
      lastEventType: 'training.completed',
      lastEvent: { id: last.id },
      round: 2,
      totalRounds: 5,
      accuracy: 0.8,
      loss: 0.3,
      totalImages: null,
      updatedAt: last.timestamp,
    });
    const unknown = (await service.gql(key, JOB, { jobId: randomUUID() })).body.data.job;
    expect(unknown.__typename).toBe('NotFoundError');
  });
});

describe('project scoping', () => {
  it("never sends another project's job, even to a subscriber who guessed its id", async () => {
    const other = await service.newProject();
    const jobId = randomUUID();
    await api.publish('batch.progress', progress(jobId, 5));

    const intruderWs = connectWs(service.httpUrl, other.key);
    const intruder = [intruderWs.subscribe(BATCH, { jobId }), intruderWs.subscribe(JOB_EVENTS, { jobId })];
    const intruderSse = subscribeSse(service.httpUrl, other.key, BATCH, { jobId });
    const owner = connectWs(service.httpUrl, key).subscribe(BATCH, { jobId });
    await owner.count(1);

    await api.publish('batch.progress', progress(jobId, 50));
    await api.publish('batch.completed', { job_id: jobId, status: 'completed' });
    await owner.finished();
    expect(owner.values('batchProgress').map((p) => p.status)).toEqual(['RUNNING', 'RUNNING', 'COMPLETED']);

    // The other project's own job with the same id is a different job.
    // Published after the owner's: had any of the owner's reached these subscribers, it would have come first.
    await other.api.publish('batch.progress', progress(jobId, 1, 2));
    for (const sub of [...intruder, intruderSse]) await sub.count(1);
    for (const sub of [...intruder, intruderSse]) {
      expect(sub.completed).toBe(false);
      expect(sub.error).toBeNull();
    }
    expect(intruder[0]!.values('batchProgress').map((p) => [p.processedImages, p.totalImages])).toEqual([[1, 2]]);
    expect(intruderSse.values('batchProgress').map((p) => [p.processedImages, p.totalImages])).toEqual([[1, 2]]);
    expect(intruder[1]!.values('jobEvents').map((e) => e.data.total_images)).toEqual([2]);
    expect((await service.gql(other.key, JOB, { jobId })).body.data.job.totalImages).toBe(2);
  });
});

describe('ordering', () => {
  it('ignores a late notification carrying an older state', async () => {
    const jobId = randomUUID();
    await api.publish('batch.progress', progress(jobId, 40));
    const sub = connectWs(service.httpUrl, key).subscribe(BATCH, { jobId });
    await sub.count(1);
    await api.publish('batch.progress', progress(jobId, 60));
    await sub.count(2);

    // A notification for seq 1 (processed 40) arriving now, as if it had been overtaken on another connection.
    const row = await withDb(service.databaseUrl, (db) =>
      db.query(`SELECT project_id, created_at FROM job_states WHERE job_id = $1`, [jobId]),
    );
    const { project_id, created_at } = row.rows[0];
    const stale = {
      type: 'BATCH',
      status: 'RUNNING',
      seq: 1,
      lastEventId: 'evt_0000000000000000',
      lastEventType: 'batch.progress',
      totalImages: 100,
      processedImages: 40,
      failedImages: 0,
      progressPercent: 40,
      round: null,
      totalRounds: null,
      accuracy: null,
      loss: null,
      createdAt: created_at.toISOString(),
      updatedAt: created_at.toISOString(),
    };
    await withDb(service.databaseUrl, (db) =>
      db.query('SELECT pg_notify($1, $2)', [channelFor(`job:${project_id}:${jobId}`), JSON.stringify(stale)]),
    );
    // Notified after the stale one: had the stale state been sent, it would be the third message, before this.
    await api.publish('batch.progress', progress(jobId, 70));
    await sub.count(3);
    expect(sub.values('batchProgress').map((p) => p.processedImages)).toEqual([40, 60, 70]);
  });
});

describe('deliveryUpdates', () => {
  const DELIVERY_UPDATES = `subscription($webhookId: ID!) { deliveryUpdates(webhookId: $webhookId) {
    id status attemptCount statusCode event { id } } }`;

  it("sends each change of a webhook's deliveries as the receiver fails, then accepts (graphql-ws and SSE)", async () => {
    // The receiver accepts the test event at once; then it takes 300 ms to answer: 500 the first time, 200 after;
    // so each state lasts long enough to be seen.
    receiver.on('/slow-then-ok', (_req, res, count) => {
      if (count === 1) res.writeHead(200).end();
      else setTimeout(() => res.writeHead(count === 2 ? 500 : 200).end(), 300);
    });
    const { id: webhookId } = await api.createWebhook(receiver.url('/slow-then-ok'), ['model.deployed']);
    const ws = connectWs(service.httpUrl, key).subscribe(DELIVERY_UPDATES, { webhookId });
    const sse = subscribeSse(service.httpUrl, key, DELIVERY_UPDATES, { webhookId });
    expect(await sse.status).toBe(200);
    // A test delivery's success reaching both proves they are live before the event is published.
    const tested = await service.gql(key, `mutation($id: ID!) { testWebhook(id: $id) { ... on Delivery { id } } }`, { id: webhookId });
    const testId = tested.body.data.testWebhook.id as string;
    const succeeded = (id: string) => (r: Recording) => r.values('deliveryUpdates').some((d) => d.id === id && d.status === 'SUCCESS');
    for (const sub of [ws, sse]) await sub.until(succeeded(testId), 'the test delivery to succeed');

    const { event } = await api.publish('model.deployed', { job_id: randomUUID(), status: 'deployed' });
    await receiver.waitFor('/slow-then-ok', 3);
    for (const sub of [ws, sse]) {
      await sub.until((r) => r.values('deliveryUpdates').some((d) => d.event.id === event.id && d.status === 'SUCCESS'), 'the delivery to succeed');
      const all = sub.values('deliveryUpdates');
      expect(all.filter((d) => d.id !== testId && d.event.id !== event.id)).toEqual([]);
      const updates = all.filter((d) => d.event.id === event.id);
      expect(updates.map((d) => [d.status, d.attemptCount, d.statusCode])).toEqual([
        ['PENDING', 0, null],
        ['RETRYING', 1, 500],
        ['SUCCESS', 2, 200],
      ]);
      expect(sub.completed).toBe(false); // a webhook's deliveries go on
    }

    // A late subscriber gets the newest delivery as it is now.
    const late = connectWs(service.httpUrl, key).subscribe(DELIVERY_UPDATES, { webhookId });
    await late.count(1);
    expect(late.values('deliveryUpdates').map((d) => d.status)).toEqual(['SUCCESS']);
  });

  it("refuses another project's webhook as not found", async () => {
    const other = await service.newProject();
    const { id: webhookId } = await api.createWebhook(receiver.url('/mine'), ['model.deployed']);
    const sub = connectWs(service.httpUrl, other.key).subscribe(DELIVERY_UPDATES, { webhookId });
    await sub.finished();
    expect(sub.messages).toEqual([
      { errors: [expect.objectContaining({ message: `No webhook with id ${webhookId}`, extensions: { code: 'NOT_FOUND' } })] },
    ]);
  });
});

async function withDb<T>(url: string, run: (db: pg.Client) => Promise<T>): Promise<T> {
  const db = new pg.Client({ connectionString: url });
  await db.connect();
  try {
    return await run(db);
  } finally {
    await db.end();
  }
}

