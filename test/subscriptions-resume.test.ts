// Resumable subscriptions: every message of jobEvents, deliveryUpdates and webhookHealth carries a position, and `after` resumes
// exactly after it, across API processes, over graphql-ws and SSE, with commits that finish out of order; the
// typed client resumes by itself when its socket drops; bad positions are refused on each transport.
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import type { PgBoss } from 'pg-boss';
import WebSocket from 'ws';
import { beforeAll, describe, expect, it } from 'vitest';
import { createClient } from '../client/src/index.js';
import { deliveryChangesAfter, FIRST_CHANGE } from '../src/db/sql/deliveries.js';
import { operationalEventsAfter } from '../src/db/sql/events.js';
import { inTransaction } from '../src/db/transaction.js';
import { createBoss } from '../src/delivery/queueing/queue.js';
import { OPERATIONAL_EVENT_TYPES } from '../src/events/catalog.js';
import { EventPublisher } from '../src/events/publisher.js';
import { purgeExpired } from '../src/housekeeping/retention.js';
import { channelFor } from '../src/notify/pg-event-target.js';
import { testApi, type TestApi } from './support/api.js';
import { onCleanup } from './support/cleanup.js';
import { connectWs, freePort, startProxy, subscribeSse, type Recording } from './support/live.js';
import { eventually, startReceiver, type Receiver } from './support/receiver.js';
import { startTestService, type TestService } from './support/service.js';

const JOB_EVENTS = `subscription($jobId: ID!, $after: String) { jobEvents(jobId: $jobId, after: $after) { id type position } }`;
const DELIVERY_UPDATES = `subscription($webhookId: ID!, $after: String) {
  deliveryUpdates(webhookId: $webhookId, after: $after) { id status responseTimeMs position event { id } } }`;
const WEBHOOK_HEALTH = `subscription($webhookId: ID, $after: String) { webhookHealth(webhookId: $webhookId, after: $after) { id type position } }`;

let a: TestService; // one API process
let b: TestService; // another, on the same database
let key: string;
let projectId: string;
let viaA: TestApi;
let viaB: TestApi;
let receiver: Receiver;

beforeAll(async () => {
  receiver = await startReceiver();
  a = await startTestService();
  b = await startTestService({ DATABASE_URL: a.databaseUrl });
  ({ key, projectId, api: viaA } = await a.newProject());
  viaB = testApi(b, key);
});

const progress = (jobId: string, processed: number) => ({
  job_id: jobId,
  total_images: 100,
  processed_images: processed,
  failed_images: 0,
  progress_percent: processed,
});

/** Publishes `count` progress events of the job through `api`, one after the other; returns their ids. */
async function publishProgress(api: TestApi, jobId: string, from: number, count: number): Promise<string[]> {
  const ids: string[] = [];
  for (let n = from; n < from + count; n++) ids.push((await api.publish('batch.progress', progress(jobId, n))).event.id);
  return ids;
}

const sorted = (xs: string[]) => [...xs].sort();
const ids = (sub: Recording, field: string) => sub.values(field).map((value) => value.id as string);
const lastPosition = (sub: Recording, field: string) => sub.values(field).at(-1).position as string;

describe('jobEvents resumed after a position', () => {
  it('sends every event published meanwhile by another API process, exactly once, in order (graphql-ws on A; SSE on B)', async () => {
    const jobId = randomUUID();
    const ws = connectWs(a.httpUrl, key);
    const first = ws.subscribe(JOB_EVENTS, { jobId });
    const before = [(await viaB.publish('batch.submitted', { job_id: jobId, status: 'submitted' })).event.id];
    await first.count(1);
    before.push(...(await publishProgress(viaB, jobId, 1, 1)));
    await first.count(2);
    expect(ids(first, 'jobEvents')).toEqual(before);
    const position = lastPosition(first, 'jobEvents');
    await ws.close(); // killed mid-stream

    // A run of progress events, which a subscriber without a position would get coalesced: after a position, all.
    const meanwhile = await publishProgress(viaB, jobId, 2, 6);

    const onB = subscribeSse(b.httpUrl, key, JOB_EVENTS, { jobId, after: position });
    const onA = connectWs(a.httpUrl, key).subscribe(JOB_EVENTS, { jobId, after: position });
    expect(await onB.status).toBe(200);
    for (const sub of [onA, onB]) await sub.count(meanwhile.length);
    const last = (await viaA.publish('batch.completed', { job_id: jobId, status: 'completed' })).event.id;
    for (const sub of [onA, onB]) {
      await sub.finished();
      expect(sub.completed).toBe(true);
      expect(ids(sub, 'jobEvents')).toEqual([...meanwhile, last]);
    }
    // Positions are the events' own: the one of the last event before the cut resumes after it from any process.
    expect(new Set(onB.values('jobEvents').map((e) => e.position)).size).toBe(meanwhile.length + 1);
  });

  it('completes at once when resumed after the terminal event', async () => {
    const jobId = randomUUID();
    await viaA.publish('batch.submitted', { job_id: jobId, status: 'submitted' });
    await viaA.publish('batch.completed', { job_id: jobId, status: 'completed' });
    const latest = connectWs(a.httpUrl, key).subscribe(JOB_EVENTS, { jobId });
    await latest.finished();
    const resumed = subscribeSse(b.httpUrl, key, JOB_EVENTS, { jobId, after: lastPosition(latest, 'jobEvents') });
    await resumed.finished();
    expect(resumed.completed).toBe(true);
    expect(resumed.messages).toEqual([]);
  });
});

describe('the typed client', () => {
  it('resumes jobEvents by itself when its socket drops: the loop sees every event once, in order', { timeout: 60_000 }, async () => {
    const jobId = randomUUID();
    const proxy = await startProxy(Number(new URL(a.httpUrl).port));
    const client = createClient({ url: `${proxy.url}/graphql`, apiKey: key, webSocketImpl: WebSocket, retryAttempts: 20 });
    onCleanup(() => client.close());
    const received: string[] = [];
    const loop = (async () => {
      for await (const event of client.subscribe.jobEvents(jobId)) received.push(event.id);
    })();
    const published: string[] = [];
    const publishOne = async (type: string, data: Record<string, unknown>) => {
      published.push((await viaB.publish(type, data)).event.id);
      await eventually(async () => (received.length === published.length ? true : undefined), `${published.length} events`);
    };
    await publishOne('batch.submitted', { job_id: jobId, status: 'submitted' });
    await publishOne('batch.progress', progress(jobId, 1));

    proxy.cut(); // the socket drops mid-stream; reconnections are refused until restore()
    published.push(...(await publishProgress(viaB, jobId, 2, 5)));
    proxy.restore();

    published.push((await viaB.publish('batch.completed', { job_id: jobId, status: 'completed' })).event.id);
    await loop; // ends after the terminal event
    expect(received).toEqual(published);
  });

  it('resumes jobEvents by itself after the API process it was connected to restarts', { timeout: 60_000 }, async () => {
    const jobId = randomUUID();
    const env = { DATABASE_URL: a.databaseUrl, PORT: String(await freePort()) };
    const first = await startTestService(env);
    const client = createClient({ url: `${first.httpUrl}/graphql`, apiKey: key, webSocketImpl: WebSocket, retryAttempts: 20 });
    onCleanup(() => client.close());
    const received: string[] = [];
    const loop = (async () => {
      for await (const event of client.subscribe.jobEvents(jobId)) received.push(event.id);
    })();
    const published = [(await viaB.publish('batch.submitted', { job_id: jobId, status: 'submitted' })).event.id];
    await eventually(async () => (received.length === 1 ? true : undefined), 'the first event');

    await first.stop(); // the process serving the subscription goes away mid-stream
    published.push(...(await publishProgress(viaB, jobId, 1, 4)));
    await startTestService(env);

    published.push((await viaB.publish('batch.completed', { job_id: jobId, status: 'completed' })).event.id);
    await loop;
    expect(received).toEqual(published);
  });

  it('resumes deliveryUpdates by itself: each delivery changed while away comes once, as it is now', { timeout: 60_000 }, async () => {
    const { id: webhookId } = await viaA.createWebhook(receiver.url('/typed-resume'), ['model.deployed']);
    const proxy = await startProxy(Number(new URL(b.httpUrl).port));
    const client = createClient({ url: `${proxy.url}/graphql`, apiKey: key, webSocketImpl: WebSocket, retryAttempts: 20 });
    onCleanup(() => client.close());
    const received: { id: string; status: string }[] = [];
    const updates = client.subscribe.deliveryUpdates(webhookId);
    void (async () => {
      for await (const delivery of updates) received.push({ id: delivery.id, status: delivery.status });
    })();
    const succeeded = (id: string) => async () => (received.some((d) => d.id === id && d.status === 'SUCCESS') ? true : undefined);
    const deliveryOf = async (eventId: string) => (await a.db.delivery.findFirstOrThrow({ where: { eventId, webhookId } })).id;
    const first = await deliveryOf((await viaA.publish('model.deployed', { job_id: randomUUID(), status: 'deployed' })).event.id);
    await eventually(succeeded(first), 'the first delivery to succeed');

    proxy.cut();
    const meanwhile: string[] = [];
    for (let i = 0; i < 3; i++) {
      meanwhile.push(await deliveryOf((await viaA.publish('model.deployed', { job_id: randomUUID(), status: 'deployed' })).event.id));
    }
    await eventually(async () => ((await a.db.delivery.count({ where: { id: { in: meanwhile }, status: 'SUCCESS' } })) === 3 ? true : undefined), 'the deliveries to succeed');
    const seenBefore = received.length;
    proxy.restore();
    // A marker after them: once it arrives, everything changed meanwhile has arrived.
    const marker = await deliveryOf((await viaA.publish('model.deployed', { job_id: randomUUID(), status: 'deployed' })).event.id);
    await eventually(succeeded(marker), 'the marker delivery to succeed', 20_000);
    await updates.return();
    // Once each, in commit order (which the test cannot know: one transaction may record several attempts).
    const resumed = received.slice(seenBefore).filter((d) => d.id !== marker);
    expect(sorted(resumed.map((d) => `${d.id} ${d.status}`))).toEqual(sorted(meanwhile.map((id) => `${id} SUCCESS`)));
  });

  it('resumes webhookHealth by itself: every operational event published while away comes once, in order', { timeout: 60_000 }, async () => {
    const { id: webhookId } = await viaA.createWebhook(receiver.url('/typed-health'), ['model.deployed']);
    const proxy = await startProxy(Number(new URL(b.httpUrl).port));
    const client = createClient({ url: `${proxy.url}/graphql`, apiKey: key, webSocketImpl: WebSocket, retryAttempts: 20 });
    onCleanup(() => client.close());
    const received: string[] = [];
    const health = client.subscribe.webhookHealth(webhookId);
    void (async () => {
      for await (const event of health) received.push(event.id);
    })();
    const published = [await recovered(webhookId)];
    await eventually(async () => (received.length === 1 ? true : undefined), 'the first event');

    proxy.cut(); // the socket drops mid-stream; reconnections are refused until restore()
    for (let i = 0; i < 3; i++) published.push(await recovered(webhookId));
    proxy.restore();

    published.push(await recovered(webhookId)); // once it arrives, everything published meanwhile has arrived
    await eventually(async () => (received.includes(published.at(-1)!) ? true : undefined), 'the last event', 20_000);
    await health.return();
    expect(received).toEqual(published);
  });
});

describe('deliveryUpdates resumed after a position', () => {
  it('sends each delivery changed meanwhile once, as it is now, from another process (graphql-ws and SSE)', async () => {
    const { id: webhookId } = await viaA.createWebhook(receiver.url('/resume'), ['model.deployed']);
    const sub = connectWs(a.httpUrl, key).subscribe(DELIVERY_UPDATES, { webhookId });
    const publish = async () => (await viaB.publish('model.deployed', { job_id: randomUUID(), status: 'deployed' })).event.id;
    const first = await publish();
    await sub.until((r) => r.values('deliveryUpdates').some((d) => d.event.id === first && d.status === 'SUCCESS'), 'success');
    const position = lastPosition(sub, 'deliveryUpdates');
    sub.unsubscribe();

    const meanwhile = [await publish(), await publish(), await publish()];
    const done = () => b.db.delivery.count({ where: { webhookId, eventId: { in: meanwhile }, status: 'SUCCESS' } });
    await eventually(async () => ((await done()) === 3 ? true : undefined), 'the deliveries to succeed');

    const resumed = [
      connectWs(b.httpUrl, key).subscribe(DELIVERY_UPDATES, { webhookId, after: position }),
      subscribeSse(a.httpUrl, key, DELIVERY_UPDATES, { webhookId, after: position }),
    ];
    for (const r of resumed) await r.count(3);
    const marker = await publish();
    for (const r of resumed) {
      await r.until((x) => x.values('deliveryUpdates').some((d) => d.event.id === marker), 'the marker');
      // Once each, in commit order (which the test cannot know: one transaction may record several attempts).
      const before = r.values('deliveryUpdates').filter((d) => d.event.id !== marker);
      expect(sorted(before.map((d) => `${d.event.id} ${d.status}`))).toEqual(sorted(meanwhile.map((id) => `${id} SUCCESS`)));
    }
  });

  it('never skips a change whose transaction commits after a later one (commits out of order)', async () => {
    const { id: webhookId } = await viaA.createWebhook(receiver.url('/out-of-order'), ['model.deployed']);
    const eventIds: string[] = [];
    for (let i = 0; i < 2; i++) eventIds.push((await viaA.publish('model.deployed', { job_id: randomUUID(), status: 'deployed' })).event.id);
    const rows = await a.db.delivery.findMany({ where: { webhookId }, orderBy: { createdAt: 'asc' } });
    await eventually(async () => ((await a.db.delivery.count({ where: { webhookId, status: 'SUCCESS' } })) === 2 ? true : undefined), 'success');
    const [early, late] = [rows.find((d) => d.eventId === eventIds[0])!.id, rows.find((d) => d.eventId === eventIds[1])!.id];
    const sub = connectWs(b.httpUrl, key).subscribe(DELIVERY_UPDATES, { webhookId });
    await sub.count(1);
    const start = (await deliveryChangesAfter(a.pool, projectId, webhookId, FIRST_CHANGE, 100)).changes.at(-1)!.position;

    // Two writers, as two processes would be: the first takes its transaction id and holds it open; the second
    // commits first.
    const first = await connected(a.databaseUrl);
    const second = await connected(a.databaseUrl);
    await first.query('BEGIN');
    await first.query('UPDATE deliveries SET response_time_ms = 111 WHERE id = $1', [early]);
    await second.query('BEGIN');
    await second.query('UPDATE deliveries SET response_time_ms = 222 WHERE id = $1', [late]);
    await second.query('COMMIT');
    await notifyDeliveryChanged(webhookId, late);

    // The later commit is held back while the earlier transaction is in flight: read now, it would be handed out
    // with a position after the earlier one's, and the earlier one would be skipped when it commits.
    const whileOpen = await deliveryChangesAfter(a.pool, projectId, webhookId, start, 100);
    expect(whileOpen).toEqual({ changes: [], heldBack: true });

    await first.query('COMMIT');
    await notifyDeliveryChanged(webhookId, early);
    // (Read until nothing is held back: a transaction of anyone else on the server may hold the horizon a moment.)
    const afterCommit = await eventually(async () => {
      const page = await deliveryChangesAfter(a.pool, projectId, webhookId, start, 100);
      return page.heldBack ? undefined : page;
    }, 'the horizon to pass both commits');
    expect(afterCommit.changes.map((c) => [c.delivery.id, c.delivery.responseTimeMs])).toEqual([
      [early, 111],
      [late, 222],
    ]);
    expect(afterCommit.heldBack).toBe(false);

    // The live subscriber gets both, in commit order of their transactions' start, the earlier one included.
    await sub.until((r) => r.values('deliveryUpdates').some((d) => d.responseTimeMs === 222), 'the later change');
    const changes = sub.values('deliveryUpdates').filter((d) => d.responseTimeMs === 111 || d.responseTimeMs === 222);
    expect(changes.map((d) => d.id)).toEqual([early, late]);
  });
  it('is not held back by a transaction open in another database on the same server', async () => {
    const { id: webhookId } = await viaA.createWebhook(receiver.url('/other-database'), ['model.deployed']);
    const elsewhere = await connected(Object.assign(new URL(a.databaseUrl), { pathname: '/postgres' }).toString());
    await elsewhere.query('BEGIN');
    await elsewhere.query('SELECT pg_current_xact_id()'); // takes a transaction id, and holds it
    const { event } = await viaA.publish('model.deployed', { job_id: randomUUID(), status: 'deployed' });
    const page = await deliveryChangesAfter(a.pool, projectId, webhookId, FIRST_CHANGE, 100);
    expect(page.changes.map((c) => c.delivery.eventId)).toContain(event.id);
    await elsewhere.query('ROLLBACK');
  });
});

describe('webhookHealth resumed after a position', () => {
  it('sends every operational event committed meanwhile, exactly once, in order (graphql-ws on B; SSE on A)', async () => {
    const { id: webhookId } = await viaA.createWebhook(receiver.url('/health-resume'), ['model.deployed']);
    const sub = connectWs(a.httpUrl, key).subscribe(WEBHOOK_HEALTH, { webhookId });
    const first = await recovered(webhookId);
    await sub.count(1);
    expect(ids(sub, 'webhookHealth')).toEqual([first]);
    const position = lastPosition(sub, 'webhookHealth');
    sub.unsubscribe(); // killed mid-stream

    const meanwhile: string[] = [];
    for (let i = 0; i < 4; i++) meanwhile.push(await recovered(webhookId));

    const resumed = [
      connectWs(b.httpUrl, key).subscribe(WEBHOOK_HEALTH, { webhookId, after: position }),
      subscribeSse(a.httpUrl, key, WEBHOOK_HEALTH, { webhookId, after: position }),
    ];
    for (const r of resumed) await r.count(meanwhile.length);
    // Then on live: the next one, once.
    const next = await recovered(webhookId);
    for (const r of resumed) {
      await r.count(meanwhile.length + 1);
      expect(ids(r, 'webhookHealth')).toEqual([...meanwhile, next]);
      expect(new Set(r.values('webhookHealth').map((e) => e.position)).size).toBe(meanwhile.length + 1);
    }
  });

  it('never skips an event whose transaction commits after a later one (commits out of order)', async () => {
    const { id: webhookId } = await viaA.createWebhook(receiver.url('/health-out-of-order'), ['model.deployed']);
    await recovered(webhookId);
    const sub = connectWs(b.httpUrl, key).subscribe(WEBHOOK_HEALTH, { webhookId });
    await sub.count(1);
    const start = sub.values('webhookHealth')[0].position as string;
    const firstChange = (await operationalEventsAfter(a.pool, projectId, OPERATIONAL_EVENT_TYPES, [webhookId], FIRST_CHANGE, 100)).changes.at(-1)!.position;

    // Two recorders, as two worker processes would be: the first takes its transaction id and holds it open; the
    // second commits first.
    const [first, second] = [await connected(a.databaseUrl), await connected(a.databaseUrl)];
    await first.query('BEGIN');
    const early = await publishRecovered(first, webhookId);
    await second.query('BEGIN');
    const late = await publishRecovered(second, webhookId);
    await second.query('COMMIT');
    await notifyHealth(webhookId, late);

    // Held back while the earlier transaction is in flight: handed out now, the earlier one would be skipped.
    expect(await operationalEventsAfter(a.pool, projectId, OPERATIONAL_EVENT_TYPES, [webhookId], firstChange, 100)).toEqual({
      changes: [],
      heldBack: true,
    });

    await first.query('COMMIT');
    await notifyHealth(webhookId, early);
    await sub.count(3);
    expect(ids(sub, 'webhookHealth').slice(1)).toEqual([early, late]);
    // And a subscriber resuming from before both gets both, in the same order.
    const resumed = subscribeSse(a.httpUrl, key, WEBHOOK_HEALTH, { webhookId, after: start });
    await resumed.count(2);
    expect(ids(resumed, 'webhookHealth')).toEqual([early, late]);
  });
});

describe('a bad `after`', () => {
  /** Subscribes over graphql-ws and SSE; each must answer only with a BAD_USER_INPUT error matching `message`. */
  async function refusedOnEachTransport(query: string, variables: Record<string, unknown>, message: RegExp) {
    const ws = connectWs(a.httpUrl, key).subscribe(query, variables);
    const sse = subscribeSse(b.httpUrl, key, query, variables);
    for (const sub of [ws, sse]) {
      await sub.finished();
      expect(sub.messages).toEqual([
        { errors: [expect.objectContaining({ message: expect.stringMatching(message), extensions: expect.objectContaining({ code: 'BAD_USER_INPUT', field: 'after' }) })] },
      ]);
    }
  }

  it('of jobEvents: malformed, of another job, of another project, or past retention, is refused on each transport', async () => {
    const jobId = randomUUID();
    await viaA.publish('batch.submitted', { job_id: jobId, status: 'submitted' });
    const positions: string[] = [];
    const sub = connectWs(a.httpUrl, key).subscribe(JOB_EVENTS, { jobId });
    await sub.count(1);
    for (const n of [1, 2, 3]) {
      await viaA.publish('batch.progress', progress(jobId, n));
      await sub.count(n + 1);
    }
    positions.push(...sub.values('jobEvents').map((e) => e.position));
    sub.unsubscribe();

    await refusedOnEachTransport(JOB_EVENTS, { jobId, after: 'not-a-position' }, /^after is not a position/);
    await refusedOnEachTransport(JOB_EVENTS, { jobId: randomUUID(), after: positions[0] }, /^after is a position of another job/);
    // The same job id in another project is another job.
    const other = await a.newProject();
    await other.api.publish('batch.submitted', { job_id: jobId, status: 'submitted' });
    const theirs = connectWs(a.httpUrl, other.key).subscribe(JOB_EVENTS, { jobId });
    await theirs.count(1);
    await refusedOnEachTransport(JOB_EVENTS, { jobId, after: lastPosition(theirs, 'jobEvents') }, /^after is a position of another job/);

    // Retention purges the job's first three events (as if they were 40 days old): a position before the third is
    // refused, since an event after it is gone; the third's own position still resumes, with the fourth.
    await a.pool.query(`UPDATE events SET timestamp = now() - interval '40 days' WHERE project_id = $1 AND job_id = $2 AND job_seq <= 3`, [projectId, jobId]);
    expect(await purgeExpired(a.pool, new Date(Date.now() - 30 * 86_400_000))).toBeGreaterThanOrEqual(3);
    await refusedOnEachTransport(JOB_EVENTS, { jobId, after: positions[1] }, /^after is older than retention/);
    const resumed = subscribeSse(b.httpUrl, key, JOB_EVENTS, { jobId, after: positions[2] });
    await resumed.count(1);
    expect(resumed.values('jobEvents').map((e) => e.position)).toEqual([positions[3]]);
  });

  it('of deliveryUpdates: malformed, of another webhook, or older than retention, is refused on each transport', async () => {
    const { id: webhookId } = await viaA.createWebhook(receiver.url('/bad-after'), ['model.deployed']);
    const { id: otherWebhookId } = await viaA.createWebhook(receiver.url('/bad-after-other'), ['model.deployed']);
    await viaA.publish('model.deployed', { job_id: randomUUID(), status: 'deployed' });
    const sub = connectWs(a.httpUrl, key).subscribe(DELIVERY_UPDATES, { webhookId });
    await sub.until((r) => r.values('deliveryUpdates').some((d) => d.status === 'SUCCESS'), 'the delivery to succeed');

    await refusedOnEachTransport(DELIVERY_UPDATES, { webhookId, after: 'p1.e30' }, /^after is not a position/);
    await refusedOnEachTransport(DELIVERY_UPDATES, { webhookId: otherWebhookId, after: lastPosition(sub, 'deliveryUpdates') }, /^after is a position of another webhook/);
    // A job's position is not a webhook's.
    const jobId = randomUUID();
    await viaA.publish('batch.submitted', { job_id: jobId, status: 'submitted' });
    const job = connectWs(a.httpUrl, key).subscribe(JOB_EVENTS, { jobId });
    await job.count(1);
    await refusedOnEachTransport(DELIVERY_UPDATES, { webhookId, after: lastPosition(job, 'jobEvents') }, /^after is a position of another webhook/);

    // A change made 40 days ago (RETENTION_DAYS is 30): its position is refused.
    const delivery = sub.values('deliveryUpdates').at(-1);
    const seen = sub.messages.length;
    await a.pool.query(`UPDATE deliveries SET updated_at = now() - interval '40 days' WHERE id = $1`, [delivery.id]);
    await notifyDeliveryChanged(webhookId, delivery.id);
    await sub.count(seen + 1);
    await refusedOnEachTransport(DELIVERY_UPDATES, { webhookId, after: lastPosition(sub, 'deliveryUpdates') }, /^after is older than retention/);
  });

  it('of webhookHealth: malformed, of another project, of another stream, or older than retention, is refused on each transport', async () => {
    const { id: webhookId } = await viaA.createWebhook(receiver.url('/health-bad-after'), ['model.deployed']);
    await recovered(webhookId);
    const filtered = connectWs(a.httpUrl, key).subscribe(WEBHOOK_HEALTH, { webhookId });
    const projectWide = connectWs(a.httpUrl, key).subscribe(WEBHOOK_HEALTH);
    for (const sub of [filtered, projectWide]) await sub.count(1);

    await refusedOnEachTransport(WEBHOOK_HEALTH, { webhookId, after: 'p1.e30' }, /^after is not a position/);
    await refusedOnEachTransport(WEBHOOK_HEALTH, { after: 'garbage' }, /^after is not a position/);
    // A position resumes only a subscription with the same filter: one webhook's, not the whole project's.
    await refusedOnEachTransport(WEBHOOK_HEALTH, { after: lastPosition(filtered, 'webhookHealth') }, /^after is a position of another stream/);
    await refusedOnEachTransport(WEBHOOK_HEALTH, { webhookId, after: lastPosition(projectWide, 'webhookHealth') }, /^after is a position of another stream/);
    // A job's position is not webhookHealth's.
    const jobId = randomUUID();
    await viaA.publish('batch.submitted', { job_id: jobId, status: 'submitted' });
    const job = connectWs(a.httpUrl, key).subscribe(JOB_EVENTS, { jobId });
    await job.count(1);
    await refusedOnEachTransport(WEBHOOK_HEALTH, { after: lastPosition(job, 'jobEvents') }, /^after is a position of another stream/);
    // Another project's position of its project-wide stream.
    const other = await a.newProject();
    const { id: theirWebhook } = await other.api.createWebhook(receiver.url('/health-theirs'), ['model.deployed']);
    await recovered(theirWebhook, other.projectId);
    const theirs = connectWs(a.httpUrl, other.key).subscribe(WEBHOOK_HEALTH);
    await theirs.count(1);
    await refusedOnEachTransport(WEBHOOK_HEALTH, { after: lastPosition(theirs, 'webhookHealth') }, /^after is a position of another stream/);

    // An event made 40 days ago (RETENTION_DAYS is 30): its position is refused.
    const old = await recovered(webhookId);
    await a.pool.query(`UPDATE events SET timestamp = now() - interval '40 days' WHERE id = $1`, [old]);
    const latest = connectWs(a.httpUrl, key).subscribe(WEBHOOK_HEALTH, { webhookId });
    await latest.count(1);
    expect(ids(latest, 'webhookHealth')).toEqual([old]);
    await refusedOnEachTransport(WEBHOOK_HEALTH, { webhookId, after: lastPosition(latest, 'webhookHealth') }, /^after is older than retention/);
  });
});

async function connected(url: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  onCleanup(() => client.end());
  return client;
}

/** What a writing process announces after its commit (LiveUpdates.deliveryChanged), sent as any process would. */
async function notifyDeliveryChanged(webhookId: string, deliveryId: string) {
  await a.pool.query('SELECT pg_notify($1, $2)', [channelFor(`deliveries:${projectId}:${webhookId}`), JSON.stringify({ deliveryId })]);
}

let operationalPublisher: EventPublisher | undefined;

/**
 * A webhook.recovered event about the webhook, published within `tx` as the delivery recorder publishes it (no
 * webhook of the project is subscribed to it, so no delivery job is queued: the queue is never started).
 */
async function publishRecovered(tx: pg.ClientBase, webhookId: string, inProject = projectId): Promise<string> {
  operationalPublisher ??= new EventPublisher(a.pool, createBoss(a.databaseUrl, { monitorIntervalSeconds: 60 }) as PgBoss);
  const { event } = await operationalPublisher.publishOperationalWithin(tx, {
    projectId: inProject,
    type: 'webhook.recovered',
    data: { webhook_id: webhookId, url: receiver.url('/health'), consecutive_failures: 3 },
    webhookId,
  });
  return event.id;
}

/** One webhook.recovered event in a transaction of its own, announced after its commit as its process would. */
async function recovered(webhookId: string, inProject = projectId): Promise<string> {
  const eventId = await inTransaction(a.pool, (tx) => publishRecovered(tx, webhookId, inProject));
  await notifyHealth(webhookId, eventId, inProject);
  return eventId;
}

/** What a recording process announces after its commit (LiveUpdates.operationalEventPublished). */
async function notifyHealth(webhookId: string, eventId: string, inProject = projectId) {
  await a.pool.query('SELECT pg_notify($1, $2)', [channelFor(`health:${inProject}:operational`), JSON.stringify({ eventId, webhookId })]);
}
