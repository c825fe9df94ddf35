// Pull delivery (issue 20): a `pull` webhook's messages are stored in order and sent nowhere; its receiver reads them
// signed (GET /v1/webhooks/{id}/messages, long polling), verifies them, acknowledges them, and never gets them again.
import type { PgBoss } from 'pg-boss';
import { Webhook as StandardWebhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient, verifyWebhook, type PulledMessage } from '../client/src/index.js';
import { encodeCursor } from '../src/delivery/pull/cursor.js';
import { createBoss } from '../src/delivery/queueing/queue.js';
import { EventPublisher } from '../src/events/publisher.js';
import { purgeExpired } from '../src/housekeeping/retention.js';
import { expectError, restClient, startRestFixture } from './support/rest.js';
import { startTestService, type TestService } from './support/service.js';

let fixture: Awaited<ReturnType<typeof startRestFixture>>;

beforeAll(async () => {
  // One waiting read per project: a refused second one proves the first is still waiting.
  fixture = await startRestFixture({ MAX_SUBSCRIPTIONS_PER_PROJECT: '1' });
});
afterAll(() => fixture.service.stop());

type Project = { key: string; projectId: string };

const newProject = (): Promise<Project> => fixture.service.newProject();

let jobs = 0;
const progress = () => ({
  job_id: `job-${process.pid}-${++jobs}`,
  total_images: 10,
  processed_images: 5,
  failed_images: 0,
  progress_percent: 50,
});

async function pullWebhook(project: Project, events = ['batch.*']): Promise<{ id: string; secret: string }> {
  const created = await fixture.rest(project.key, 'POST', '/v1/webhooks', { kind: 'pull', events });
  expect(created.status).toBe(201);
  return { id: created.body.webhook_id, secret: created.body.secret };
}

async function publish(project: Project, httpUrl = fixture.service.httpUrl): Promise<string> {
  const published = await restClient(httpUrl)(project.key, 'POST', '/v1/events', { event_type: 'batch.progress', data: progress() });
  expect(published.status).toBe(202);
  return published.body.event_id;
}

const read = (project: Project, webhookId: string, query = '') =>
  fixture.rest(project.key, 'GET', `/v1/webhooks/${webhookId}/messages${query}`);
/**
 * A read expecting messages: it waits, since a message committed is readable only once every older transaction of
 * the database server has ended (other test files' included), and the read's wait covers that.
 */
const readSome = (project: Project, webhookId: string, after?: string) =>
  read(project, webhookId, `?wait=30${after === undefined ? '' : `&after=${encodeURIComponent(after)}`}`);
/** A test reading messages, with room for a read waiting on older transactions. */
const SLOW = 60_000;
const ack = (project: Project, webhookId: string, cursor: unknown) =>
  fixture.rest(project.key, 'POST', `/v1/webhooks/${webhookId}/messages/ack`, { cursor });

const deliveryStatus = async (deliveryId: string) =>
  (await fixture.service.db.delivery.findUniqueOrThrow({ where: { id: deliveryId } })).status;

describe('reading, verifying and acknowledging', () => {
  it("returns a pull webhook's messages signed as an HTTP receiver gets them; acknowledged ones never come again", async () => {
    const project = await newProject();
    const webhook = await pullWebhook(project);
    const first = await publish(project);
    const second = await publish(project);

    const page = await readSome(project, webhook.id);
    expect(page.status).toBe(200);
    expect(page.body.messages.map((m: { event_id: string }) => m.event_id)).toEqual([first, second]);
    for (const message of page.body.messages) {
      // Standard Webhooks' own library accepts it, and so does the client's verifier (timestamp: now).
      const standard = webhook.secret.startsWith('whsec_') ? new StandardWebhook(webhook.secret) : new StandardWebhook(webhook.secret, { format: 'raw' });
      expect(standard.verify(message.body, message.headers)).toMatchObject({
        event_id: message.event_id,
        event_type: 'batch.progress',
      });
      expect(verifyWebhook(message.body, message.headers, webhook.secret)).toMatchObject({ event_id: message.event_id });
      expect(message.headers['webhook-id']).toBe(message.delivery_id);
      // Stored, not sent: PENDING, and no job queued for it.
      expect(await fixture.service.db.delivery.findUniqueOrThrow({ where: { id: message.delivery_id } })).toMatchObject({
        status: 'PENDING',
      });
    }
    expect(await fixture.service.queuedJobsByPriority(webhook.id)).toEqual({});

    const [m1, m2] = page.body.messages;
    expect((await ack(project, webhook.id, m1.cursor)).body).toEqual({ acknowledged: 1 });
    // Acknowledging again is idempotent.
    expect((await ack(project, webhook.id, m1.cursor)).body).toEqual({ acknowledged: 0 });
    const delivered = await fixture.service.db.delivery.findUniqueOrThrow({ where: { id: m1.delivery_id } });
    expect(delivered.status).toBe('SUCCESS');
    expect(delivered.lastAttemptAt).not.toBeNull();

    // From the start again: only the unacknowledged one.
    const again = await readSome(project, webhook.id);
    expect(again.body.messages.map((m: { event_id: string }) => m.event_id)).toEqual([second]);
    expect((await ack(project, webhook.id, m2.cursor)).body).toEqual({ acknowledged: 1 });
    // After the acknowledged cursor, and even from an older cursor: nothing.
    expect((await read(project, webhook.id, `?after=${encodeURIComponent(m2.cursor)}`)).body.messages).toEqual([]);
    expect((await read(project, webhook.id, `?after=${encodeURIComponent(m1.cursor)}`)).body.messages).toEqual([]);
    expect((await read(project, webhook.id)).body.messages).toEqual([]);
    expect(await deliveryStatus(m2.delivery_id)).toBe('SUCCESS');
  }, SLOW);

  it('pages with limit and next_cursor, in order', async () => {
    const project = await newProject();
    const webhook = await pullWebhook(project);
    const events = [await publish(project), await publish(project), await publish(project)];
    const one = await read(project, webhook.id, '?limit=2&wait=30');
    expect(one.body.messages.map((m: { event_id: string }) => m.event_id)).toEqual(events.slice(0, 2));
    expect(one.body.next_cursor).toBe(one.body.messages[1].cursor);
    const two = await readSome(project, webhook.id, one.body.next_cursor);
    expect(two.body.messages.map((m: { event_id: string }) => m.event_id)).toEqual(events.slice(2));
    const three = await read(project, webhook.id, `?after=${encodeURIComponent(two.body.next_cursor)}`);
    expect(three.body.messages).toEqual([]);
    // A read that found nothing still moves the cursor on (to where it read up to).
    expect(typeof three.body.next_cursor).toBe('string');
  }, SLOW);

  it('leaves HTTP webhooks as they were: POSTed to, no messages', async () => {
    const project = await newProject();
    const http = await fixture.rest(project.key, 'POST', '/v1/webhooks', { url: fixture.receiver.url('/pull-neighbour'), events: ['batch.*'] });
    const webhook = await pullWebhook(project);
    const eventId = await publish(project);
    const [request] = await fixture.receiver.waitFor('/pull-neighbour', 1);
    expect(JSON.parse(request!.body).event_id).toBe(eventId);
    expect((await readSome(project, webhook.id)).body.messages.map((m: { event_id: string }) => m.event_id)).toEqual([eventId]);
    expectError(await read(project, http.body.webhook_id), 409, 'conflict');
    expectError(await ack(project, http.body.webhook_id, 'm1.x'), 409, 'conflict');
  }, SLOW);

  it('testWebhook stores a test message; retryDelivery makes an acknowledged message readable again', async () => {
    const project = await newProject();
    const webhook = await pullWebhook(project);
    const tested = await fixture.rest(project.key, 'POST', `/v1/webhooks/${webhook.id}/test`);
    expect(tested.status).toBeLessThan(300);
    const page = await readSome(project, webhook.id);
    expect(page.body.messages).toHaveLength(1);
    const [message] = page.body.messages;
    expect(message.event_type).toBe('webhook.test');
    await ack(project, webhook.id, message.cursor);
    expect(await deliveryStatus(message.delivery_id)).toBe('SUCCESS');

    const retried = await fixture.rest(project.key, 'POST', `/v1/webhooks/${webhook.id}/deliveries/${message.delivery_id}/retry`);
    expect(retried.status).toBe(202);
    expect(retried.body.status).toBe('pending');
    const again = await readSome(project, webhook.id, page.body.next_cursor);
    expect(again.body.messages.map((m: { delivery_id: string }) => m.delivery_id)).toEqual([message.delivery_id]);
    expect(await fixture.service.queuedJobsByPriority(webhook.id)).toEqual({});
    await ack(project, webhook.id, again.body.messages[0].cursor);
    expect(await deliveryStatus(message.delivery_id)).toBe('SUCCESS');
  }, SLOW);
});

it('a disabled pull webhook gets no new messages; its stored ones can still be read and acknowledged', async () => {
  const project = await newProject();
  const webhook = await pullWebhook(project);
  const kept = await publish(project);
  expect((await fixture.rest(project.key, 'POST', `/v1/webhooks/${webhook.id}/disable`)).status).toBe(200);
  const later = await fixture.rest(project.key, 'POST', '/v1/events', { event_type: 'batch.progress', data: progress() });
  expect(later.body.delivery_count).toBe(0);
  const page = await readSome(project, webhook.id);
  expect(page.body.messages.map((m: { event_id: string }) => m.event_id)).toEqual([kept]);
  expect((await ack(project, webhook.id, page.body.next_cursor)).body).toEqual({ acknowledged: 1 });
}, SLOW);

describe('order is commit-safe', () => {
  it('a message committed late with an earlier position is still returned after a read that went past it', async () => {
    const project = await newProject();
    const webhook = await pullWebhook(project);
    const boss = createBoss(fixture.service.databaseUrl, { monitorIntervalSeconds: 60 }) as PgBoss;
    const publisher = new EventPublisher(fixture.service.pool, boss);
    // The first publish takes its transaction id and stays open; a later one commits first.
    const client = await fixture.service.pool.connect();
    try {
      await client.query('BEGIN');
      const held = await publisher.publishWithin(client, project.projectId, 'batch.progress', progress(), null);
      const late = await publish(project);
      const before = await read(project, webhook.id);
      expect(before.body.messages).toEqual([]);

      // A waiting read from there; the held transaction commits while it waits, and wakes it.
      const waiting = read(project, webhook.id, `?wait=30&after=${encodeURIComponent(before.body.next_cursor)}`);
      await client.query('COMMIT');
      const after = await waiting;
      expect(after.body.messages.map((m: { event_id: string }) => m.event_id)).toEqual([held.event.id, late]);
    } finally {
      client.release();
    }
  }, SLOW);
});

describe('long polling', () => {
  let other: TestService;
  beforeAll(async () => {
    other = await startTestService({ DATABASE_URL: fixture.service.databaseUrl, ROLE: 'api' });
  });

  /**
   * Starts `wait` (a read waiting up to 30 s) and resolves, with its answer to come, once it is waiting: a second
   * waiting read is then refused (429). A probe that was not refused held the slot for its own second, so the
   * first may have been the one refused: then it starts again.
   */
  async function waiting<T>(project: Project, webhookId: string, wait: () => Promise<T>): Promise<{ answer: Promise<T> }> {
    for (;;) {
      let settled = false;
      const answer = wait().finally(() => (settled = true));
      for (;;) {
        const probe = await read(project, webhookId, '?wait=1');
        if (probe.status === 429) return { answer };
        if (settled) break;
      }
      await answer;
    }
  }

  it('answers a waiting read when another process publishes', async () => {
    const project = await newProject();
    const webhook = await pullWebhook(project);
    const { answer } = await waiting(project, webhook.id, () => read(project, webhook.id, '?wait=30'));
    const eventId = await publish(project, other.httpUrl);
    const answered = await answer;
    expect(answered.body.messages.map((m: { event_id: string }) => m.event_id)).toEqual([eventId]);
    // The read waits 30 s: within this test's 25 s only when the publish woke it (at its deadline it would find the
    // message too).
  }, 25_000);

  it('ends the wait when the client goes away, giving its slot back', async () => {
    const project = await newProject();
    const webhook = await pullWebhook(project);
    const gone = new AbortController();
    const { answer } = await waiting(project, webhook.id, () =>
      fetch(`${fixture.service.httpUrl}/v1/webhooks/${webhook.id}/messages?wait=30`, {
        headers: { authorization: `Bearer ${project.key}` },
        signal: gone.signal,
      }).then((response) => response.status, (error: Error) => error.name),
    );
    gone.abort();
    expect(await answer).toBe('AbortError');
    // Well before the 30 s wait would have ended, a new waiting read is accepted.
    await expect
      .poll(async () => (await read(project, webhook.id, '?wait=1')).status, { timeout: 10_000, interval: 50 })
      .toBe(200);
  }, 20_000);
});

describe('bad input', () => {
  let project: Project;
  let webhook: { id: string };
  let cursor: string;
  beforeAll(async () => {
    project = await newProject();
    webhook = await pullWebhook(project);
    await publish(project);
    cursor = (await read(project, webhook.id)).body.next_cursor;
  });

  it('refuses a malformed cursor naming after (read) or cursor (ack)', async () => {
    for (const bad of ['garbage', 'm1.', `m1.${Buffer.from('["x"]').toString('base64url')}`, `m1.${Buffer.from(`["${webhook.id}","-1","1",0]`).toString('base64url')}`]) {
      expectError(await read(project, webhook.id, `?after=${encodeURIComponent(bad)}`), 422, 'validation_failed', 'after');
      expectError(await ack(project, webhook.id, bad), 422, 'validation_failed', 'cursor');
    }
    expectError(await ack(project, webhook.id, undefined), 422, 'validation_failed', 'cursor');
  });

  it("refuses another webhook's cursor", async () => {
    const sibling = await pullWebhook(project);
    const response = await read(project, sibling.id, `?after=${encodeURIComponent(cursor)}`);
    expectError(response, 422, 'validation_failed', 'after');
    expect(response.body.error.message).toMatch(/another webhook/);
    expectError(await ack(project, sibling.id, cursor), 422, 'validation_failed', 'cursor');
  });

  it('refuses a cursor older than retention as expired, never restarting from the start', async () => {
    const old = encodeCursor({ webhookId: webhook.id, position: { xid: '1', seq: '1' }, at: new Date(Date.now() - 31 * 86_400_000) });
    const response = await read(project, webhook.id, `?after=${encodeURIComponent(old)}`);
    expectError(response, 422, 'validation_failed', 'after');
    expect(response.body.error.message).toMatch(/expired/);
  });

  it("answers 404 for another project's webhook, for reading and acknowledging", async () => {
    const stranger = await newProject();
    expectError(await read(stranger, webhook.id), 404, 'not_found');
    expectError(await ack(stranger, webhook.id, cursor), 404, 'not_found');
  });

  it("answers 404 to a token restricted to other webhooks", async () => {
    const sibling = await pullWebhook(project);
    const minted = await fixture.rest(project.key, 'POST', '/v1/tokens', { scopes: ['deliveries:read', 'deliveries:write'], webhook_ids: [sibling.id] });
    expect(minted.status).toBe(201);
    const token = { ...project, key: minted.body.token };
    expectError(await read(token, webhook.id), 404, 'not_found');
    expectError(await ack(token, webhook.id, cursor), 404, 'not_found');
    expect((await read(token, sibling.id)).status).toBe(200);
  });

  it('refuses limit and wait out of range, naming them', async () => {
    expectError(await read(project, webhook.id, '?limit=0'), 422, 'validation_failed', 'limit');
    expectError(await read(project, webhook.id, '?limit=101'), 422, 'validation_failed', 'limit');
    expectError(await read(project, webhook.id, '?wait=31'), 422, 'validation_failed', 'wait');
  });
});

it('keeps unacknowledged messages until retention, then purges them', async () => {
  const project = await newProject();
  const webhook = await pullWebhook(project);
  await publish(project);
  expect((await readSome(project, webhook.id)).body.messages).toHaveLength(1);
  // Retention on a clock a day ahead: the unacknowledged message goes with its event.
  await purgeExpired(fixture.service.pool, new Date(Date.now() + 86_400_000));
  expect((await read(project, webhook.id)).body.messages).toEqual([]);
}, SLOW);

describe('the typed client', () => {
  it('client.pull yields verified messages with ack(); acknowledged ones are not read again', async () => {
    const project = await newProject();
    const webhook = await pullWebhook(project);
    const client = createClient({ url: `${fixture.service.httpUrl}/graphql`, apiKey: project.key });
    const published = [await publish(project), await publish(project)];
    const received: PulledMessage[] = [];
    for await (const message of client.pull(webhook.id, { secret: webhook.secret, wait: 30 })) {
      received.push(message);
      await message.ack();
      if (received.length === published.length) break;
    }
    expect(received.map((m) => m.event.event_id)).toEqual(published);
    expect(received.every((m) => m.event.event_type === 'batch.progress')).toBe(true);
    expect((await client.messages.read(webhook.id)).messages).toEqual([]);

    // A wrong secret: the loop throws the verifier's error instead of yielding.
    await publish(project);
    const wrong = client.pull(webhook.id, { secret: 'not-the-secret', wait: 30 });
    await expect(wrong.next()).rejects.toMatchObject({ name: 'WebhookVerificationError' });
  }, SLOW);
});
