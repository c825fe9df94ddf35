// A delivery is read as of one moment: its status and its attempts never disagree, even when an attempt is
// recorded between the statements that read them (Prisma reads a relation in a statement of its own).
import pg from 'pg';
import { beforeAll, expect, it } from 'vitest';
import type { TestApi } from './support/api.js';
import { eventually } from './support/receiver.js';
import { startTestService, type TestService } from './support/service.js';

const DELIVERY = `query($id: ID!) { delivery(id: $id) { ... on Delivery { status attemptCount attempts { number } } } }`;

let service: TestService;
let key: string;
let api: TestApi;

beforeAll(async () => {
  // No worker: the test records the attempt itself, at the moment it chooses.
  service = await startTestService({ ROLE: 'api' });
  ({ key, api } = await service.newProject());
});

it('answers a delivery whose attempt is recorded between the reads of its row and of its attempts from one snapshot', async () => {
  const created = await api.createWebhookResult({ url: 'https://example.com/snapshot', events: ['inference.started'] });
  expect(created.webhook!.id).toBeTruthy();
  const published = await api.publishResult('inference.started', { job_id: 'snap-1' });
  expect(published.message).toBeUndefined();
  const deliveryId = (await api.client.events.get(published.event!.id)).deliveries[0]!.id;

  // The recorder's transaction, held open with the attempts table locked: the reader gets past the delivery's
  // row and then waits for its attempts.
  const recorder = new pg.Client({ connectionString: service.databaseUrl });
  await recorder.connect();
  try {
    await recorder.query('BEGIN');
    await recorder.query('LOCK TABLE delivery_attempts IN ACCESS EXCLUSIVE MODE');
    const read = service.gql(key, DELIVERY, { id: deliveryId });
    await eventually(async () => {
      // Blocked while parsing its statement on the attempts, so the lock it waits for is what shows, not the text.
      const { rows } = await recorder.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM pg_locks l JOIN pg_class c ON c.oid = l.relation
         WHERE c.relname = 'delivery_attempts' AND NOT l.granted`,
      );
      return rows[0]!.n > 0 ? true : undefined;
    }, 'the read to wait for the attempts');
    await recorder.query(
      `INSERT INTO delivery_attempts (delivery_id, number, started_at, duration_ms) VALUES ($1, 1, now(), 5)`,
      [deliveryId],
    );
    await recorder.query(`UPDATE deliveries SET status = 'RETRYING', attempt_count = 1 WHERE id = $1`, [deliveryId]);
    await recorder.query('COMMIT');

    // As it was before the attempt: pending, with no attempt (not pending with one).
    expect((await read).body.data.delivery).toEqual({ status: 'PENDING', attemptCount: 0, attempts: [] });
  } finally {
    await recorder.end();
  }
  // And as it is now.
  expect((await service.gql(key, DELIVERY, { id: deliveryId })).body.data.delivery).toEqual({
    status: 'RETRYING',
    attemptCount: 1,
    attempts: [{ number: 1 }],
  });
});
