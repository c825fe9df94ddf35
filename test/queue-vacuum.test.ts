// The queue's table and the delivery counters gather dead rows as fast as deliveries are made; workers vacuum them
// once past a threshold, whether or not the server's autovacuum runs (src/housekeeping/dead-row-vacuum.ts).
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { foldDeliveryCounts } from '../src/db/sql/delivery-counts.js';
import { countJobs, jobTable } from '../src/db/sql/job-queue.js';
import { DELIVERY_QUEUE, EVENT_QUEUE } from '../src/delivery/queueing/queue.js';
import { DeadRowVacuum } from '../src/housekeeping/dead-row-vacuum.js';
import { eventually, startReceiver, type Receiver } from './support/receiver.js';
import { startTestService, type TestService } from './support/service.js';

const WEBHOOKS = 5;
const EVENTS = 12;

let service: TestService;
let receiver: Receiver;
let pool: pg.Pool;

beforeAll(async () => {
  receiver = await startReceiver();
  service = await startTestService();
  pool = new pg.Pool({ connectionString: service.databaseUrl, max: 3 });
});
afterAll(() => pool.end());

/** Dead and live rows of a table, as the statistics count them. */
async function rows(schema: string, table: string) {
  const { rows: [stats] } = await pool.query<{ dead: number; vacuumed: Date | null }>(
    'SELECT n_dead_tup::int AS dead, last_vacuum AS vacuumed FROM pg_stat_user_tables WHERE schemaname = $1 AND relname = $2',
    [schema, table],
  );
  return stats!;
}

it('vacuums the queue table and the counters once they hold enough dead rows, not before, and not while locked', async () => {
  const { api } = await service.newProject();
  for (let i = 0; i < WEBHOOKS; i++) {
    const created = await api.createWebhookResult({ url: receiver.url(`/vacuum-${i}`), events: ['training.started'] });
    expect(created.__typename).toBe('CreateWebhookPayload');
  }
  for (let i = 0; i < EVENTS; i++) {
    const published = await api.publishResult('training.started', { job_id: `vacuumed-${i}` });
    expect(published.__typename).toBe('PublishEventPayload');
  }
  const deliveries = WEBHOOKS * EVENTS;
  // Each event's job is inserted, claimed and deleted: two dead rows once its deliveries' outcomes are recorded.
  await eventually(async () => {
    const queued = (await countJobs(pool, DELIVERY_QUEUE)) + (await countJobs(pool, EVENT_QUEUE));
    return receiver.requests().length >= deliveries && queued === 0 ? true : undefined;
  }, 'every delivery made and its job gone', 20_000);
  await foldDeliveryCounts(pool); // the counters' appended rows are folded: dead rows there too
  // The queue's table, as pg-boss chose it (src/db/sql/job-queue.ts).
  const { schema, table } = (await jobTable(pool, DELIVERY_QUEUE))!;
  const queueTable = `${schema}.${table}`;
  // Statistics reach pg_stat_user_tables within seconds (an idle backend reports at most 10 s late).
  await eventually(
    async () => ((await rows(schema, table)).dead >= 2 * EVENTS && (await rows('public', 'delivery_counts')).dead >= EVENTS ? true : undefined),
    'the dead rows counted',
    30_000,
  );

  const vacuum = (minDeadRows: number) => new DeadRowVacuum(pool, minDeadRows);
  expect(await vacuum(1_000_000).vacuumDeadTables()).toEqual([]);
  expect((await rows(schema, table)).vacuumed).toBeNull();

  // A table someone else holds is skipped, and not reported as vacuumed, until a later check.
  const vacuumed = new Set<string>();
  const below = vacuum(EVENTS);
  const holder = await pool.connect();
  try {
    await holder.query('BEGIN');
    await holder.query(`LOCK TABLE ${pg.escapeIdentifier(schema)}.${pg.escapeIdentifier(table)} IN SHARE UPDATE EXCLUSIVE MODE`);
    for (const name of await below.vacuumDeadTables()) vacuumed.add(name);
    expect(vacuumed.has(queueTable)).toBe(false);
    expect((await rows(schema, table)).vacuumed).toBeNull();
  } finally {
    await holder.query('ROLLBACK');
    holder.release();
  }
  // pg-boss may also hold it for a while, building an index concurrently.
  await eventually(async () => {
    for (const name of await below.vacuumDeadTables()) vacuumed.add(name);
    return vacuumed.size === 2 ? true : undefined;
  }, 'both tables vacuumed', 30_000);
  expect([...vacuumed].sort()).toEqual([queueTable, 'public.delivery_counts'].sort());
  const queue = await rows(schema, table);
  expect(queue.vacuumed).not.toBeNull();
  expect(queue.dead).toBeLessThan(2 * EVENTS);
  expect((await rows('public', 'delivery_counts')).vacuumed).not.toBeNull();
});
