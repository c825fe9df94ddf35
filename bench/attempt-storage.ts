// `node --import tsx bench/attempt-storage.ts`: what an attempt's record costs, through the real service (API and
// worker processes, the bench's receiver). 300 batch.progress events to 10 webhooks (3,000 deliveries, each answered
// 200 at its first attempt), published through the internal API 50 events per transaction; then, once every
// delivery is recorded, load-independent figures only:
// - bytes per attempt: pg_total_relation_size('delivery_attempts') (heap, TOAST, every index) over its rows, and
//   the same per delivery for events, deliveries and attempts together;
// - WAL the attempts cost: from pg_walinspect, the records of the run that touch delivery_attempts' heap, TOAST or
//   indexes, per attempt and per recorded batch (one recorder transaction; batches are counted as the distinct
//   transactions that inserted attempts). Full-page images are shown apart: they depend on when checkpoints fall.
// - the webhooks' rows the recorder wrote: row versions (WAL heap updates of `webhooks`) per recorded batch.
// With `--failing`, one of the webhooks answers 500 (its first attempts fail, so its failure streak changes in every
// batch that has one of them); the storage figures are then not the first-attempt-answered-200 ones.
import pg from 'pg';
import { inTransaction } from '../src/db/transaction.js';
import { progressEvent } from './load.js';
import { benchAdminUrl } from './scratch-database.js';
import { createWorld } from './setup.js';

const EVENTS = 300;
const EVENTS_PER_TRANSACTION = 50;
const WEBHOOKS = 10;
const failing = process.argv.includes('--failing');

const world = await createWorld(benchAdminUrl);
const db = new pg.Client({ connectionString: world.url });
try {
  await db.connect();
  await db.query('CREATE EXTENSION IF NOT EXISTS pg_walinspect');
  // Keeps the run's WAL until it is read (a temporary slot, gone when this connection ends).
  await db.query(`SELECT pg_create_physical_replication_slot('attempt_storage_${process.pid}', true, true)`);
  const paths = Array.from({ length: WEBHOOKS }, (_, i) => (failing && i === 0 ? `/fail/attempts-${i}` : `/ok/attempts-${i}`));
  const project = await world.newProject('attempt-storage', paths, ['batch.progress']);

  const lsn = async () => (await db.query<{ lsn: string }>('SELECT pg_current_wal_flush_lsn()::text AS lsn')).rows[0]!.lsn;
  const start = await lsn();
  for (let published = 0; published < EVENTS; published += EVENTS_PER_TRANSACTION) {
    // Live subscribers and the workers are told at the commit, by the publish's own statement.
    await inTransaction(world.pool, async (tx) => {
      for (let i = 0; i < EVENTS_PER_TRANSACTION; i++) {
        const { type, data } = progressEvent('attempt-storage');
        await world.publisher.publishWithin(tx, project.id, type, data, null);
      }
    });
  }
  const deliveries = EVENTS * WEBHOOKS;
  const recorded = async () => Number((await db.query<{ n: string }>('SELECT count(*) AS n FROM delivery_attempts')).rows[0]!.n);
  const deadline = Date.now() + 120_000;
  while ((await recorded()) < deliveries) {
    if (Date.now() > deadline) throw new Error(`only ${await recorded()} of ${deliveries} attempts recorded in 120 s`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  const end = await lsn();
  const size = async (relation: string) =>
    Number((await db.query<{ n: string }>('SELECT pg_total_relation_size($1::regclass) AS n', [relation])).rows[0]!.n);
  const [attempts, deliveriesBytes, events] = [await size('delivery_attempts'), await size('deliveries'), await size('events')];
  const parts = (
    await db.query<{ part: string; bytes: string }>(
      `SELECT 'heap' AS part, pg_relation_size('delivery_attempts') AS bytes
       UNION ALL SELECT 'toast', COALESCE(pg_total_relation_size(reltoastrelid), 0) FROM pg_class WHERE relname = 'delivery_attempts'
       UNION ALL SELECT indexrelid::regclass::text, pg_relation_size(indexrelid) FROM pg_index WHERE indrelid = 'delivery_attempts'::regclass`,
    )
  ).rows;

  // What a row holds, on average: the whole tuple (with its header), and the columns that weigh most.
  const columns = ['request_headers', 'request_body', 'response_headers', 'response_body', 'delivery_id'];
  const { rows: widths } = await db.query<Record<string, string>>(
    `SELECT round(avg(pg_column_size(a.*))) AS tuple, ${columns.map((c) => `round(avg(COALESCE(pg_column_size(${c}), 0))) AS ${c}`).join(', ')}
     FROM delivery_attempts a`,
  );

  // Every relation file of the table: its heap, its indexes, its TOAST table and the TOAST table's index.
  const { rows: files } = await db.query<{ relfilenode: string }>(
    `SELECT c.relfilenode::text FROM pg_class c
     WHERE c.oid = 'delivery_attempts'::regclass
        OR c.oid IN (SELECT indexrelid FROM pg_index WHERE indrelid = 'delivery_attempts'::regclass)
        OR c.oid = (SELECT reltoastrelid FROM pg_class WHERE oid = 'delivery_attempts'::regclass)
        OR c.oid IN (SELECT indexrelid FROM pg_index WHERE indrelid = (SELECT reltoastrelid FROM pg_class WHERE oid = 'delivery_attempts'::regclass))`,
  );
  const heap = (await db.query<{ relfilenode: string }>(`SELECT relfilenode::text FROM pg_class WHERE oid = 'delivery_attempts'::regclass`))
    .rows[0]!.relfilenode;
  const { rows: wal } = await db.query<{ bytes: string; fpi: string; batches: string }>(
    `SELECT COALESCE(sum(record_length), 0) AS bytes, COALESCE(sum(fpi_length), 0) AS fpi,
            count(DISTINCT xid::text) FILTER (WHERE resource_manager = 'Heap' AND record_type = 'INSERT'
                                          AND block_ref ~ ('/' || $4 || ' ')) AS batches
     FROM pg_get_wal_records_info($1::pg_lsn, $2::pg_lsn)
     WHERE block_ref ~ ('/(' || array_to_string($3::text[], '|') || ') ')`,
    [start, end, files.map((f) => f.relfilenode), heap],
  );
  const { rows: webhookWrites } = await db.query<{ versions: string }>(
    `SELECT count(*) AS versions FROM pg_get_wal_records_info($1::pg_lsn, $2::pg_lsn)
     WHERE resource_manager = 'Heap' AND record_type IN ('UPDATE', 'HOT_UPDATE')
       AND block_ref ~ ('/' || (SELECT relfilenode FROM pg_class WHERE oid = 'webhooks'::regclass) || ' ')`,
    [start, end],
  );
  const rows = await recorded();
  const { bytes, fpi, batches } = wal[0]!;
  const per = (n: number, d: number) => Math.round(n / d);
  console.log(`${rows} attempts of ${deliveries} deliveries (${EVENTS} events x ${WEBHOOKS} webhooks), through the service:`);
  console.log(`  delivery_attempts: ${per(attempts, rows)} bytes per attempt (total relation size, ${attempts} bytes)`);
  for (const { part, bytes: b } of parts) console.log(`    ${part}: ${per(Number(b), rows)} bytes per attempt`);
  const { tuple, ...width } = widths[0]!;
  console.log(`    a row: ${tuple} bytes on average, of which ${Object.entries(width).map(([c, b]) => `${c} ${b}`).join(', ')}`);
  console.log(
    `  per delivery: events ${per(events, deliveries)} + deliveries ${per(deliveriesBytes, deliveries)} + attempts ${per(attempts, deliveries)} = ${per(events + deliveriesBytes + attempts, deliveries)} bytes`,
  );
  const walBytes = Number(bytes);
  const walWithoutFpi = walBytes - Number(fpi);
  console.log(
    `  WAL on delivery_attempts: ${per(walWithoutFpi, rows)} bytes per attempt without full-page images (${per(walBytes, rows)} with); ` +
      `${batches} recorded batches, ${per(walWithoutFpi, Number(batches))} bytes per batch (${per(walBytes, Number(batches))} with)`,
  );
  const versions = Number(webhookWrites[0]!.versions);
  console.log(`  webhooks' row versions written: ${versions}, ${(versions / Number(batches)).toFixed(2)} per recorded batch${failing ? ' (one webhook failing)' : ''}`);
} finally {
  await db.end();
  await world.close();
}
