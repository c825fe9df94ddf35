// Listing totals (REST `total`, GraphQL `totalCount`) are sums of counters that triggers keep
// (src/delivery/read-model/delivery-counts.ts): held here to count(*) of the deliveries through every way deliveries
// change, and through folds (src/housekeeping/delivery-count-folds.ts).
import { readdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import pg from 'pg';
import { beforeAll, describe, expect, it } from 'vitest';
import { FOLD_LOCK, foldDeliveryCounts } from '../src/db/sql/delivery-counts.js';
import { inTransaction } from '../src/db/transaction.js';
import { DeliveryCountFolds, foldUnlessBusy } from '../src/housekeeping/delivery-count-folds.js';
import { UPKEEP_INTERVAL_MS } from '../src/housekeeping/table-upkeep.js';
import { createPrisma, type Db } from '../src/db/prisma.js';
import type { DeliveryStatus } from '../src/generated/prisma/client.js';
import { newId } from '../src/lib/ids.js';
import { purgeExpired } from '../src/housekeeping/retention.js';
import { onCleanup } from './support/cleanup.js';
import { createTestDatabase } from './support/database.js';
import { eventually, startReceiver, type Receiver } from './support/receiver.js';
import { startTestService } from './support/service.js';
import { restClient } from './support/rest.js';

const STATUSES = ['PENDING', 'SUCCESS', 'RETRYING', 'FAILED'] as const satisfies DeliveryStatus[];
type Filter = { status?: DeliveryStatus; eventType?: string };

const TOTAL = `query($webhookId: ID!, $status: DeliveryStatus, $eventType: String) {
  deliveries(webhookId: $webhookId, status: $status, eventType: $eventType, first: 1) { totalCount } }`;

/** A service with a client of its database, and the totals both doors report to one project's key. */
async function open(env: Record<string, string>) {
  const service = await startTestService(env);
  const db = createPrisma(service.databaseUrl, 4);
  onCleanup(() => db.$disconnect());
  const rest = restClient(service.httpUrl);
  const { key, projectId } = await service.newProject();
  const totals = async (webhookId: string, { status, eventType }: Filter) => {
    const query = new URLSearchParams({ limit: '1' });
    if (status) query.set('status', status.toLowerCase());
    if (eventType) query.set('event_type', eventType);
    const [listed, connection] = await Promise.all([
      rest(key, 'GET', `/v1/webhooks/${webhookId}/deliveries?${query}`),
      service.gql(key, TOTAL, { webhookId, status, eventType }),
    ]);
    return { rest: listed.body?.total, graphql: connection.body.data?.deliveries.totalCount };
  };
  return { service, db, rest, key, projectId, totals };
}
type Opened = Awaited<ReturnType<typeof open>>;

/**
 * Asks REST and GraphQL for the webhook's total under every filter (none, each status, each event type, both)
 * and expects count(*) of its deliveries; returns the deliveries by status, so callers can check the scenario.
 */
async function expectExactTotals({ db, totals }: Opened, webhookId: string, eventTypes: string[]) {
  const groups = await db.delivery.groupBy({ by: ['status', 'eventType'], where: { webhookId }, _count: { _all: true } });
  const count = (f: Filter) =>
    groups
      .filter((g) => (!f.status || g.status === f.status) && (!f.eventType || g.eventType === f.eventType))
      .reduce((sum, g) => sum + g._count._all, 0);
  const filters: Filter[] = [undefined, ...eventTypes].flatMap((eventType) =>
    [undefined, ...STATUSES].map((status) => ({ status, eventType })),
  );
  const reported = await Promise.all(filters.map(async (filter) => ({ filter, ...(await totals(webhookId, filter)) })));
  expect(reported).toEqual(filters.map((filter) => ({ filter, rest: count(filter), graphql: count(filter) })));
  return Object.fromEntries(STATUSES.map((status) => [status, count({ status })]));
}

/** Keys whose counter disagrees with count(*) over the whole database, in one statement (one snapshot). */
async function mismatches(query: (sql: string) => Promise<unknown[]>) {
  return query(`
    SELECT webhook_id, project_id, status, event_type, d.n AS deliveries, c.n AS counted
    FROM (SELECT webhook_id, project_id, status, event_type, count(*) AS n FROM deliveries GROUP BY 1, 2, 3, 4) d
    FULL JOIN (SELECT webhook_id, project_id, status, event_type, sum(delta) AS n FROM delivery_counts GROUP BY 1, 2, 3, 4) c
      USING (webhook_id, project_id, status, event_type)
    WHERE coalesce(d.n, 0) <> coalesce(c.n, 0)`);
}
const mismatchesIn = (db: Db) => mismatches((sql) => db.$queryRawUnsafe(sql));

const counterRows = async (db: Db, webhookId: string) => db.deliveryCount.count({ where: { webhookId } });

describe('through the service', () => {
  let receiver: Receiver;
  let opened: Opened;

  beforeAll(async () => {
    receiver = await startReceiver();
    // One retry an hour away: a failed first attempt stays RETRYING, a failed manual retry gives up (FAILED).
    opened = await open({ RETRY_SCHEDULE: '1h', DELIVERY_TIMEOUT: '2s' });
  });

  async function createWebhook(path: string, events: string[]) {
    const created = await opened.rest(opened.key, 'POST', '/v1/webhooks', { url: receiver.url(path), events });
    expect(created.status).toBe(201);
    return created.body.webhook_id as string;
  }

  async function publish(type: string, jobId: string) {
    const published = await opened.rest(opened.key, 'POST', '/v1/events', { event_type: type, data: { job_id: jobId } });
    expect(published.status).toBe(202);
  }

  const settled = (webhookId: string, expected: Partial<Record<DeliveryStatus, number>>) =>
    eventually(async () => {
      const groups = await opened.db.delivery.groupBy({ by: ['status'], where: { webhookId }, _count: { _all: true } });
      const actual = Object.fromEntries(groups.map((g) => [g.status, g._count._all]));
      return JSON.stringify(actual) === JSON.stringify(expected) ? true : undefined;
    }, `deliveries ${JSON.stringify(expected)}`);

  it('stays exact through publishing, attempts that succeed, fail and retry, and every filter', async () => {
    let answer = 200;
    receiver.on('/counted', (_req, res) => res.writeHead(answer).end());
    const webhookId = await createWebhook('/counted', ['batch.*']);
    const types = ['batch.submitted', 'batch.completed', 'model.deprecated'];

    for (let i = 0; i < 3; i++) await publish('batch.submitted', `ok-${i}`);
    await settled(webhookId, { SUCCESS: 3 });
    answer = 500;
    for (let i = 0; i < 3; i++) await publish('batch.completed', `failing-${i}`);
    await settled(webhookId, { SUCCESS: 3, RETRYING: 3 });
    expect(await expectExactTotals(opened, webhookId, types)).toEqual({ PENDING: 0, SUCCESS: 3, RETRYING: 3, FAILED: 0 });

    // Manual retries: one now answered 200 (RETRYING → SUCCESS), one failing again, which gives up (→ FAILED).
    const retrying = await opened.db.delivery.findMany({ where: { webhookId, status: 'RETRYING' }, orderBy: { id: 'asc' } });
    answer = 200;
    const retry = (id: string) => opened.rest(opened.key, 'POST', `/v1/webhooks/${webhookId}/deliveries/${id}/retry`);
    expect((await retry(retrying[0]!.id)).status).toBe(202);
    await settled(webhookId, { SUCCESS: 4, RETRYING: 2 });
    answer = 500;
    expect((await retry(retrying[1]!.id)).status).toBe(202);
    await settled(webhookId, { SUCCESS: 4, RETRYING: 1, FAILED: 1 });
    expect(await expectExactTotals(opened, webhookId, types)).toEqual({ PENDING: 0, SUCCESS: 4, RETRYING: 1, FAILED: 1 });
    expect(await mismatchesIn(opened.db)).toEqual([]);
  });

  it('are folded by the worker every few seconds, one row per key', async () => {
    const webhookId = await createWebhook('/folded', ['inference.*']);
    for (let i = 0; i < 4; i++) await publish('inference.completed', `folded-${i}`);
    await settled(webhookId, { SUCCESS: 4 });
    // Appended per publish and per batch of attempts; folded, the PENDING rows sum to nothing and SUCCESS is one row.
    await eventually(
      async () => ((await counterRows(opened.db, webhookId)) === 1 ? true : undefined),
      'the counters to be folded',
      3 * UPKEEP_INTERVAL_MS,
    );
    expect(await expectExactTotals(opened, webhookId, ['inference.completed'])).toEqual({ PENDING: 0, SUCCESS: 4, RETRYING: 0, FAILED: 0 });
  });

  it("drops a deleted webhook's counters with it", async () => {
    const webhookId = await createWebhook('/deleted', ['training.*']);
    for (let i = 0; i < 3; i++) await publish('training.started', `deleted-${i}`);
    await settled(webhookId, { SUCCESS: 3 });
    expect(await counterRows(opened.db, webhookId)).toBeGreaterThan(0);

    expect((await opened.rest(opened.key, 'DELETE', `/v1/webhooks/${webhookId}`)).status).toBe(204);
    expect(await opened.db.delivery.count({ where: { webhookId } })).toBe(0);
    expect(await counterRows(opened.db, webhookId)).toBe(0);
    expect(await opened.totals(webhookId, {})).toEqual({ rest: undefined, graphql: 0 }); // REST: 404
    expect(await mismatchesIn(opened.db)).toEqual([]);
  });
});

describe('in the database', () => {
  let opened: Opened;
  let db: Db;
  /** Where the fold and the retention purge run (plain pg, like the workers'). */
  let pool: pg.Pool;

  beforeAll(async () => {
    // No worker: nothing attempts these deliveries, and no worker folds behind the tests' back.
    opened = await open({ ROLE: 'api' });
    db = opened.db;
    pool = new pg.Pool({ connectionString: opened.service.databaseUrl, max: 4 });
    onCleanup(() => pool.end());
  });

  const DAY = 86_400_000;

  async function newWebhook(projectId = opened.projectId) {
    return (
      await db.webhook.create({
        data: { id: newId('wh'), projectId, url: 'https://example.com/counted', events: ['*'], secret: 'a-secret-of-some-length' },
      })
    ).id;
  }

  async function newEvent(type: string, ageDays = 0, projectId = opened.projectId) {
    return (
      await db.event.create({
        data: { id: newId('evt'), projectId, type, data: { job_id: 'counted' }, timestamp: new Date(Date.now() - ageDays * DAY) },
      })
    ).id;
  }

  /** One statement inserting `n` deliveries of one event to one webhook. */
  async function insertDeliveries(webhookId: string, eventId: string, eventType: string, statuses: DeliveryStatus[]) {
    await db.delivery.createMany({
      data: statuses.map((status) => ({ id: newId('del'), projectId: opened.projectId, webhookId, eventId, eventType, status })),
    });
  }

  it('counts multi-row inserts, updates and deletes, and appends nothing for updates that keep the status', async () => {
    const webhookId = await newWebhook();
    const [a, b] = [await newEvent('vision.started'), await newEvent('vision.completed')];
    await insertDeliveries(webhookId, a, 'vision.started', ['PENDING', 'PENDING', 'PENDING', 'SUCCESS', 'FAILED']);
    await insertDeliveries(webhookId, b, 'vision.completed', ['PENDING', 'PENDING', 'RETRYING']);
    const types = ['vision.started', 'vision.completed', 'vision.failed'];
    expect(await expectExactTotals(opened, webhookId, types)).toEqual({ PENDING: 5, SUCCESS: 1, RETRYING: 1, FAILED: 1 });

    // One statement moving deliveries of both event types between several statuses, as a batch of attempts does.
    await db.$executeRaw`
      UPDATE deliveries SET status = CASE WHEN event_type = 'vision.started' THEN 'SUCCESS' ELSE 'RETRYING' END::delivery_status
      WHERE webhook_id = ${webhookId} AND status = 'PENDING'`;
    expect(await expectExactTotals(opened, webhookId, types)).toEqual({ PENDING: 0, SUCCESS: 4, RETRYING: 3, FAILED: 1 });

    const rows = await counterRows(db, webhookId);
    await db.delivery.updateMany({ where: { webhookId }, data: { nextAttemptAt: new Date() } });
    expect(await counterRows(db, webhookId)).toBe(rows);

    await db.delivery.deleteMany({ where: { webhookId, status: 'RETRYING' } });
    expect(await expectExactTotals(opened, webhookId, types)).toEqual({ PENDING: 0, SUCCESS: 4, RETRYING: 0, FAILED: 1 });
    expect(await mismatchesIn(db)).toEqual([]);
  });

  it('stays exact through the retention purge', async () => {
    const webhookId = await newWebhook();
    const old = await Promise.all([...Array(4)].map(() => newEvent('batch.completed', 40)));
    const recent = await newEvent('batch.completed', 1);
    for (const [i, eventId] of old.entries()) {
      await insertDeliveries(webhookId, eventId, 'batch.completed', [i === 0 ? 'RETRYING' : 'SUCCESS', 'FAILED']);
    }
    await insertDeliveries(webhookId, recent, 'batch.completed', ['SUCCESS', 'PENDING']);
    expect(await expectExactTotals(opened, webhookId, ['batch.completed'])).toEqual({ PENDING: 1, SUCCESS: 4, RETRYING: 1, FAILED: 4 });

    // The first old event is kept for its RETRYING delivery; the other three go, in batches of two.
    expect(await purgeExpired(pool, new Date(Date.now() - 30 * DAY), 2)).toBe(3);
    expect(await expectExactTotals(opened, webhookId, ['batch.completed'])).toEqual({ PENDING: 1, SUCCESS: 1, RETRYING: 1, FAILED: 1 });
    expect(await mismatchesIn(db)).toEqual([]);
  });

  it("drops a deleted project's counters with its webhooks", async () => {
    const { projectId } = await opened.service.newProject();
    const webhookId = await newWebhook(projectId);
    const eventId = await newEvent('model.deployed', 0, projectId);
    await db.delivery.create({
      data: { id: newId('del'), projectId, webhookId, eventId, eventType: 'model.deployed', status: 'SUCCESS' },
    });
    expect(await counterRows(db, webhookId)).toBe(1);
    await db.project.delete({ where: { id: projectId } });
    expect(await counterRows(db, webhookId)).toBe(0);
    expect(await mismatchesIn(db)).toEqual([]);
  });

  it('a fold folds each key into one row and changes no total', async () => {
    const webhookId = await newWebhook();
    const types = ['inference.started', 'inference.completed'];
    for (let i = 0; i < 4; i++) {
      for (const type of types) await insertDeliveries(webhookId, await newEvent(type), type, ['PENDING', 'PENDING']);
    }
    await db.delivery.updateMany({ where: { webhookId, eventType: 'inference.started' }, data: { status: 'SUCCESS' } });
    // A key whose deliveries all went: its rows sum to 0, and the fold leaves no row for it.
    await db.delivery.deleteMany({ where: { webhookId, eventType: 'inference.completed' } });
    const before = await expectExactTotals(opened, webhookId, types);
    expect(before).toEqual({ PENDING: 0, SUCCESS: 8, RETRYING: 0, FAILED: 0 });
    const rows = await counterRows(db, webhookId);
    expect(rows).toBeGreaterThan(1);

    expect((await foldDeliveryCounts(pool)).folded).toBeGreaterThanOrEqual(rows);
    expect(await db.deliveryCount.findMany({ where: { webhookId }, select: { status: true, eventType: true, delta: true } })).toEqual([
      { status: 'SUCCESS', eventType: 'inference.started', delta: 8n },
    ]);
    expect(await expectExactTotals(opened, webhookId, types)).toEqual(before);
    expect((await foldDeliveryCounts(pool)).folded).toBe(0);
    expect(await mismatchesIn(db)).toEqual([]);
  });

  it('is folded by one process at a time: a fold that finds the lock taken skips its turn', async () => {
    const webhookId = await newWebhook();
    const eventId = await newEvent('model.updated');
    for (const status of ['SUCCESS', 'FAILED'] as const) await insertDeliveries(webhookId, eventId, 'model.updated', [status]);
    const written = { webhookId, slot: { not: 0 } };
    await db.$transaction(async (tx) => {
      await tx.$queryRaw`SELECT pg_advisory_xact_lock(${FOLD_LOCK}::bigint)::text`;
      expect(await foldUnlessBusy(pool)).toBeNull();
      expect(await db.deliveryCount.count({ where: written })).toBe(2);
    });
    expect((await foldUnlessBusy(pool))?.folded).toBeGreaterThanOrEqual(2);
    expect(await db.deliveryCount.count({ where: written })).toBe(0);
    expect(await counterRows(db, webhookId)).toBe(2); // one per key
  });

  it('a backend adds to one row per key, a partial fold folds only the keys written since the last, and a full fold every few reaches the rest', async () => {
    const [loaded, written] = [await newWebhook(), await newWebhook()];
    const event = await newEvent('model.updated');
    for (let i = 0; i < 2; i++) await insertDeliveries(loaded, event, 'model.updated', ['SUCCESS']);
    await foldDeliveryCounts(pool);
    const slots = async (webhookId: string) =>
      (await db.deliveryCount.findMany({ where: { webhookId }, select: { slot: true }, orderBy: { slot: 'asc' } })).map((r) => r.slot);
    /** `n` statements of one backend, each inserting one delivery to `webhookId`. */
    const insertFromOneBackend = async (webhookId: string, n: number) => {
      const client = await pool.connect();
      try {
        for (let i = 0; i < n; i++) {
          await client.query(
            `INSERT INTO deliveries (id, project_id, webhook_id, event_id, event_type, status, updated_at)
             VALUES ($1, $2, $3, $4, 'model.updated', 'SUCCESS', now())`,
            [newId('del'), opened.projectId, webhookId, event],
          );
        }
      } finally {
        client.release();
      }
    };
    // After the fold: a row added to `loaded`'s key in slot 0 directly (as a bulk load adds one), and three
    // statements of one backend for `written`: one row, in the backend's slot.
    await db.$executeRaw`INSERT INTO delivery_counts (project_id, webhook_id, status, event_type, delta)
      SELECT project_id, webhook_id, status, event_type, 0 FROM delivery_counts WHERE webhook_id = ${loaded}`;
    await insertFromOneBackend(written, 3);
    expect(await slots(loaded)).toEqual([0, 0]);
    expect(await slots(written)).toHaveLength(1);
    expect((await slots(written))[0]).not.toBe(0);

    const partial = await foldDeliveryCounts(pool, 'written');
    expect(partial.folded).toBe(1);
    expect([await slots(loaded), await slots(written)]).toEqual([[0, 0], [0]]);

    // The worker's sequence: full, then partial ones, then full again.
    const folds = new DeliveryCountFolds(pool, 2);
    expect((await folds.run())?.folded).toBe(2); // full: `loaded`'s two rows in slot 0
    expect([await slots(loaded), await slots(written)]).toEqual([[0], [0]]);
    await insertFromOneBackend(written, 2);
    expect((await folds.run())?.folded).toBe(2); // partial: `written`'s new row with its folded one
    expect(await slots(written)).toEqual([0]);
    expect(await expectExactTotals(opened, written, ['model.updated'])).toEqual({ PENDING: 0, SUCCESS: 5, RETRYING: 0, FAILED: 0 });
    expect(await expectExactTotals(opened, loaded, ['model.updated'])).toEqual({ PENDING: 0, SUCCESS: 2, RETRYING: 0, FAILED: 0 });
    expect(await mismatchesIn(db)).toEqual([]);
  });

  it("a fold neither waits for a writer's transaction in flight nor folds the row it holds", async () => {
    const webhookId = await newWebhook();
    const eventId = await newEvent('model.updated');
    await insertDeliveries(webhookId, eventId, 'model.updated', ['SUCCESS']);
    await foldDeliveryCounts(pool);
    const insertOne = (db: { query: (text: string, values: unknown[]) => Promise<unknown> }) =>
      db.query(
        `INSERT INTO deliveries (id, project_id, webhook_id, event_id, event_type, status, updated_at)
         VALUES ($1, $2, $3, $4, 'model.updated', 'SUCCESS', now())`,
        [newId('del'), opened.projectId, webhookId, eventId],
      );
    // A backend's row, committed; then the same backend's transaction adds to it again, and stays open.
    const writer = await pool.connect();
    try {
      await insertOne(writer);
      await writer.query('BEGIN');
      await insertOne(writer);
      // The fold runs to its end meanwhile (were it waiting for the writer's row, this would never return) and
      // folds nothing: the row the writer holds stays, and so does the folded row in slot 0 beside it.
      expect((await foldDeliveryCounts(pool)).folded).toBe(0);
      await writer.query('COMMIT');
    } finally {
      writer.release();
    }
    expect(await expectExactTotals(opened, webhookId, ['model.updated'])).toEqual({ PENDING: 0, SUCCESS: 3, RETRYING: 0, FAILED: 0 });
    expect((await foldDeliveryCounts(pool)).folded).toBe(2);
    expect(await counterRows(db, webhookId)).toBe(1);
    expect(await mismatchesIn(db)).toEqual([]);
  });

  it('a fold never writes a sum back for a webhook deleted meanwhile, nor waits for its deletion', async () => {
    const fill = async () => {
      const webhookId = await newWebhook();
      const eventId = await newEvent('model.updated');
      for (const status of ['SUCCESS', 'FAILED'] as const) await insertDeliveries(webhookId, eventId, 'model.updated', [status]);
      return webhookId;
    };
    // Deleted while the fold is uncommitted: the deletion waits, then drops the folded row too.
    const first = await fill();
    let deletion: Promise<unknown> | undefined;
    await inTransaction(pool, async (tx) => {
      expect((await foldDeliveryCounts(tx)).folded).toBeGreaterThanOrEqual(2);
      deletion = db.webhook.delete({ where: { id: first } }).then(() => 'deleted');
      // Proof that it waits: its backend is blocked on a lock (the fold's), not merely not yet done.
      await eventually(async () => {
        const [blocked] = await db.$queryRaw<{ n: number }[]>`SELECT count(*)::int AS n FROM pg_stat_activity
          WHERE datname = current_database() AND wait_event_type = 'Lock' AND query ILIKE 'DELETE%webhooks%'`;
        return blocked!.n > 0 ? true : undefined;
      }, "the webhook's deletion to wait for the fold's lock");
      expect(await Promise.race([deletion, 'waiting'])).toBe('waiting');
    });
    expect(await deletion).toBe('deleted');
    expect(await counterRows(db, first)).toBe(0);

    // Being deleted when the fold starts: skipped, without waiting.
    const second = await fill();
    await db.$transaction(async (tx) => {
      await tx.webhook.delete({ where: { id: second } });
      await foldDeliveryCounts(pool);
    });
    expect(await counterRows(db, second)).toBe(0);
    expect(await mismatchesIn(db)).toEqual([]);
  });

  it('folds stay exact while deliveries are inserted, moved and deleted on the same keys', async () => {
    const webhookId = await newWebhook();
    const pool = new pg.Pool({ connectionString: opened.service.databaseUrl, max: 8 });
    onCleanup(() => pool.end());
    const sql = async (text: string, values: unknown[] = []) => (await pool.query(text, values)).rows;
    const writerEvents = await Promise.all([...Array(4)].map(() => newEvent('optimization.progress')));
    const until = Date.now() + 3_000;

    // Each writer touches only its own event's deliveries (no deadlocks between writers), all on the same keys.
    const writer = async (eventId: string) => {
      while (Date.now() < until) {
        await sql(
          `INSERT INTO deliveries (id, project_id, webhook_id, event_id, event_type, status, updated_at)
           SELECT 'del_' || md5(random()::text), $1, $2, $3, (ARRAY['optimization.progress', 'optimization.completed'])[1 + g % 2],
                  (ARRAY['PENDING', 'SUCCESS', 'RETRYING', 'FAILED']::delivery_status[])[1 + floor(random() * 4)::int], now()
           FROM generate_series(1, 1 + floor(random() * 4)::int) g`,
          [opened.projectId, webhookId, eventId],
        );
        await sql(
          `UPDATE deliveries SET status = (ARRAY['SUCCESS', 'RETRYING', 'FAILED']::delivery_status[])[1 + floor(random() * 3)::int]
           WHERE id IN (SELECT id FROM deliveries WHERE event_id = $1 ORDER BY random() LIMIT 3)`,
          [eventId],
        );
        await sql(`DELETE FROM deliveries WHERE id IN (SELECT id FROM deliveries WHERE event_id = $1 ORDER BY random() LIMIT 2)`, [eventId]);
      }
    };
    let folded = 0;
    const folder = async () => {
      while (Date.now() < until) folded += (await foldDeliveryCounts(pool)).folded;
    };
    const seen: unknown[] = [];
    let checks = 0;
    const checker = async () => {
      while (Date.now() < until) {
        seen.push(...(await mismatches((text) => sql(text))));
        checks++;
      }
    };
    await Promise.all([...writerEvents.map(writer), folder(), checker()]);

    expect(seen).toEqual([]);
    expect(checks).toBeGreaterThan(5);
    expect(folded).toBeGreaterThan(0);
    await foldDeliveryCounts(pool);
    expect(await counterRows(db, webhookId)).toBeLessThanOrEqual(STATUSES.length * 2);
    await expectExactTotals(opened, webhookId, ['optimization.progress', 'optimization.completed']);
    expect(await mismatchesIn(db)).toEqual([]);
  });
});

describe('the migration', () => {
  it('counts the deliveries that exist when it runs', async () => {
    const migrationsDir = fileURLToPath(new URL('../prisma/migrations/', import.meta.url));
    const names = (await readdir(migrationsDir, { withFileTypes: true })).filter((e) => e.isDirectory()).map((e) => e.name).sort();
    const counting = names.findIndex((name) => name.endsWith('_delivery_counts'));
    expect(counting).toBeGreaterThan(0);
    const client = new pg.Client({ connectionString: await createTestDatabase({ migrated: false }) });
    await client.connect();
    onCleanup(() => client.end());
    const run = async (name: string) => client.query(await readFile(path.join(migrationsDir, name, 'migration.sql'), 'utf8'));
    for (const name of names.slice(0, counting)) await run(name);

    await client.query(`
      INSERT INTO projects (id, name) VALUES ('prj_a', 'a');
      INSERT INTO webhooks (id, project_id, url, events, secret, updated_at)
        VALUES ('wh_a', 'prj_a', 'https://example.com/a', '{*}', 's', now()), ('wh_b', 'prj_a', 'https://example.com/b', '{*}', 's', now());
      INSERT INTO events (id, project_id, type, data) VALUES ('evt_a', 'prj_a', 'batch.completed', '{}');
      INSERT INTO deliveries (id, project_id, webhook_id, event_id, event_type, status, updated_at)
        SELECT 'del_' || g, 'prj_a', CASE WHEN g % 3 = 0 THEN 'wh_b' ELSE 'wh_a' END, 'evt_a',
               CASE WHEN g % 2 = 0 THEN 'batch.completed' ELSE 'batch.failed' END,
               (ARRAY['PENDING', 'SUCCESS', 'RETRYING', 'FAILED']::delivery_status[])[1 + g % 4], now()
        FROM generate_series(1, 50) g`);
    await run(names[counting]!);

    expect(await mismatches(async (text) => (await client.query(text)).rows)).toEqual([]);
    const { rows } = await client.query<{ n: string }>('SELECT sum(delta) AS n FROM delivery_counts');
    expect(Number(rows[0]!.n)).toBe(50);
  });
});
