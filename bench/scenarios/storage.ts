// 2. storage: the bytes a delivery leaves on disk. Publishes a known number of events (10 webhooks each, a 254-byte
// body, as the issue's target states it) through the publishEvent mutation, waits until every first attempt is on
// record and the service's own upkeep (the counters' fold, the dead-row vacuum) has had its turn, and divides the
// growth of every table of the database by the deliveries made. It runs right after the ceiling, on tables that hold
// only the warm-up's deliveries: later, space other scenarios' dead rows left would absorb the growth.
import { deliveryBody } from '../../src/delivery/sending/payload.js';
import { UPKEEP_INTERVAL_MS } from '../../src/housekeeping/table-upkeep.js';
import { newId } from '../../src/lib/ids.js';
import { awaitReceipts, Collector, now, sleep } from '../load.js';
import { waitFor } from '../processes.js';
import type { Project, World } from '../setup.js';
import { round } from '../stats.js';
import { fmt, type Context, type Outcome } from './context.js';
import type { Metrics, StorageMetric } from './metrics.js';

/** The body every receiver gets for one of this scenario's events (its `deliveryBody`), in bytes. */
export const STORAGE_BODY_BYTES = 254;
/** Concurrent publishes, each waiting for its answer: the pace the API takes them at. */
const LANES = 8;

let sequence = 0;
/** A batch.progress event whose delivery body is exactly STORAGE_BODY_BYTES long (its job id padded to fit). */
function storageEvent() {
  const n = ++sequence;
  const data = (jobId: string) => ({ job_id: jobId, status: 'running', total_images: 1000, processed_images: 500, failed_images: 0, progress_percent: 50 });
  const bodyBytes = (jobId: string) =>
    Buffer.byteLength(deliveryBody({ id: newId('evt'), type: 'batch.progress', timestamp: new Date(), data: data(jobId) }, 0));
  const short = `storage-${n}`;
  const padded = `storage-${String(n).padStart(String(n).length + STORAGE_BODY_BYTES - bodyBytes(short), '0')}`;
  if (bodyBytes(padded) !== STORAGE_BODY_BYTES) throw new Error(`storage: a body of ${bodyBytes(padded)} bytes, not ${STORAGE_BODY_BYTES}`);
  return { type: 'batch.progress', data: data(padded) };
}

/** Bytes on disk per table, by name: every table of every schema but the system's (a new side table counts too). */
type Sizes = Map<string, { total: number; indexes: number }>;

/**
 * The bytes of each table: the main fork of its heap, its TOAST table and every index of either, i.e.
 * pg_total_relation_size without the free-space and visibility maps (a vacuum adds those at a fixed 8 to 24 KB per
 * relation, whatever the rows). Named `table` in the public schema and `schema_table` elsewhere (pg-boss's); a
 * partition counts under its partitioned table's name, so a queue pg-boss keeps in a partition of its own is still
 * `pgboss_job`.
 */
async function sizes(world: World): Promise<Sizes> {
  const { rows } = await world.pool.query<{ name: string; total: string; indexes: string }>(
    `WITH tables AS (
       SELECT CASE WHEN n.nspname = 'public' THEN '' ELSE n.nspname || '_' END || coalesce(root.relname, c.relname) AS name,
              c.oid, c.reltoastrelid
       FROM pg_class c
       JOIN pg_namespace n ON n.oid = c.relnamespace
       LEFT JOIN pg_class root ON root.oid = pg_partition_root(c.oid)
       WHERE c.relkind IN ('r', 'm') AND n.nspname <> 'information_schema' AND n.nspname !~ '^pg_'
     ), relations AS (
       SELECT name, oid AS relation, false AS is_index FROM tables
       UNION ALL SELECT name, reltoastrelid, false FROM tables WHERE reltoastrelid <> 0
       UNION ALL SELECT t.name, i.indexrelid, true FROM tables t JOIN pg_index i ON i.indrelid IN (t.oid, t.reltoastrelid)
     )
     SELECT name, sum(pg_relation_size(relation, 'main')) AS total,
            coalesce(sum(pg_relation_size(relation, 'main')) FILTER (WHERE is_index), 0) AS indexes
     FROM relations GROUP BY name`,
  );
  return new Map(rows.map((r) => [r.name, { total: Number(r.total), indexes: Number(r.indexes) }]));
}

/** Growth from `before` to `after` per delivery: each table that changed, the total and the indexes' part. */
function perDelivery(before: Sizes, after: Sizes, deliveries: number) {
  const per = (bytes: number) => round(bytes / deliveries, 1);
  const tables = new Map<string, number>();
  let total = 0;
  let indexes = 0;
  for (const [name, is] of after) {
    const was = before.get(name) ?? { total: 0, indexes: 0 };
    total += is.total - was.total;
    indexes += is.indexes - was.indexes;
    if (is.total !== was.total) tables.set(name, per(is.total - was.total));
  }
  return { total: per(total), indexes: per(indexes), tables };
}

/**
 * Publishes `events` events to the project's webhooks, waits until every first attempt is on record, and then for the
 * service's upkeep: each worker folds the counters and vacuums the tables past their dead-row threshold every upkeep
 * interval, so two intervals after the last record every worker has had a whole turn.
 */
async function deliverAndSettle(world: World, project: Project, events: number) {
  const collector = new Collector(world.receiver);
  await collector.reset();
  let published = 0;
  await Promise.all(
    Array.from({ length: LANES }, async () => {
      while (published < events) {
        published++;
        const { type, data } = storageEvent();
        collector.markPublished(await world.http.publish(project.key, type, data), now());
      }
    }),
  );
  const deliveries = events * project.webhooks.length;
  if ((await awaitReceipts(collector, deliveries, 120_000)) < deliveries) throw new Error(`storage: ${collector.received} of ${deliveries} delivered`);
  // Received is not recorded: the attempt is written after the receiver's answer.
  await waitFor(async () => (await world.pending()) === 0, 'every first attempt on record');
  await sleep(2 * UPKEEP_INTERVAL_MS);
}

export async function storage(ctx: Context): Promise<Outcome<StorageMetric>> {
  const { world, plan, main } = ctx;
  const events = plan.storageEvents;
  const deliveries = events * main.webhooks.length;
  // As grown: from tables that hold only the warm-up's deliveries, dead rows included (an updated row's old version,
  // a deleted job), as they are until a vacuum makes their space reusable: what the disk pays as the service runs.
  const before = await sizes(world);
  await deliverAndSettle(world, main, events);
  const grown = perDelivery(before, await sizes(world), deliveries);
  // A plain VACUUM (what autovacuum does) makes dead rows' space reusable and returns a table's empty tail to the
  // system (the queue's, once its jobs are deleted); it does not compact the rest.
  await world.pool.query('VACUUM');
  const afterVacuum = await sizes(world);
  const vacuumed = perDelivery(before, afterVacuum, deliveries);
  // Steady: as many deliveries again, into tables whose dead rows' space the vacuum freed, as a service that has run
  // for a while with autovacuum finds them.
  await deliverAndSettle(world, main, events);
  const steady = perDelivery(afterVacuum, await sizes(world), deliveries);

  const metrics: Metrics<StorageMetric> = {
    events,
    deliveries,
    body_bytes: STORAGE_BODY_BYTES,
    bytes_per_delivery: grown.total,
    index_bytes_per_delivery: grown.indexes,
    bytes_per_delivery_after_vacuum: vacuumed.total,
    index_bytes_per_delivery_after_vacuum: vacuumed.indexes,
    bytes_per_delivery_steady: steady.total,
    index_bytes_per_delivery_steady: steady.indexes,
  };
  const measures = [
    ['', 'as grown', grown.tables],
    ['_after_vacuum', 'after VACUUM', vacuumed.tables],
    ['_steady', 'steady', steady.tables],
  ] as const;
  for (const [suffix, , tables] of measures) for (const [name, bytes] of tables) metrics[`${name}_bytes_per_delivery${suffix}`] = bytes;
  const byTable = measures.map(([, label, tables]) => `  ${label}: ${[...tables].sort(([, a], [, b]) => b - a).map(([name, bytes]) => `${name} ${bytes}`).join(', ')}`);
  return {
    metrics,
    line: `storage (${deliveries} deliveries twice, ${STORAGE_BODY_BYTES}-byte body), bytes per delivery: ${fmt(metrics, ['bytes_per_delivery', 'index_bytes_per_delivery', 'bytes_per_delivery_after_vacuum', 'bytes_per_delivery_steady'])}\n${byTable.join('\n')}`,
  };
}
