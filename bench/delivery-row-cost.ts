// `node --import tsx bench/delivery-row-cost.ts`: what a delivery row costs to write and to keep, index by index,
// in counts that do not depend on the machine's load. In a scratch database with 10 webhooks and SEED earlier events,
// publishes EVENTS events (the publish's insert, `insertEventsWithDeliveries`, 50 a transaction) and records each
// delivery's first attempt as a success (the recorder's `updateDeliveries`, batches of 50), each statement under
// `EXPLAIN (ANALYZE, WAL)`; then vacuums and prints, per delivery: the WAL records and bytes of the insert and of the
// update (the statements' own: the counters' statement triggers are counted as rows written), how many updates were
// HOT, the counters' rows inserted and updated, and the bytes the heap and each index keep.
import pg from 'pg';
import { updateDeliveries, type DeliveryUpdate } from '../src/db/sql/attempts.js';
import { insertEventsWithDeliveries } from '../src/db/sql/events.js';
import { newId } from '../src/lib/ids.js';
import { seedCostWebhooks, withScratchDatabase } from './scratch-database.js';

const SEED = Number(process.env.SEED ?? 20_000);
const EVENTS = Number(process.env.EVENTS ?? 2_000);
const WEBHOOKS = 10;
const PER_TRANSACTION = 50;
const BODY = 'x'.repeat(200); // with the JSON around it, a body of about 254 bytes

type Wal = { records: number; bytes: number; fpi: number };

/** A client that runs each statement under EXPLAIN (ANALYZE, WAL) and adds up the WAL the plans report. */
function explaining(client: pg.ClientBase, into: Wal): pg.ClientBase {
  const query = async (config: string | pg.QueryConfig, values?: unknown[]) => {
    const { text, values: given } = typeof config === 'string' ? { text: config, values } : config;
    const { rows } = await client.query(`EXPLAIN (ANALYZE, WAL, FORMAT JSON) ${text}`, given as unknown[]);
    const plan = rows[0]['QUERY PLAN'][0].Plan;
    into.records += plan['WAL Records'];
    into.bytes += plan['WAL Bytes'];
    into.fpi += plan['WAL FPI'];
    return { rows: [], rowCount: 0 };
  };
  return { query } as unknown as pg.ClientBase;
}

await withScratchDatabase('delivery_row_cost', async (url) => {
  const pool = new pg.Pool({ connectionString: url, max: 1 });
  pool.on('error', () => {}); // an idle connection ended by the scratch database's drop
  try {
    const webhookIds = await seedCostWebhooks(pool, WEBHOOKS);
    // Earlier traffic, delivered: the indexes have the depth and the statuses of a table in use, each row last changed
    // by a recorder's batch of 50.
    await pool.query(`
      WITH e AS (
        INSERT INTO events (id, project_id, type, data, timestamp)
        SELECT 'evt_seed' || lpad(n::text, 12, '0'), 'prj_cost', 'batch.progress', '{}', now() - interval '1 day' + n * interval '1 ms'
        FROM generate_series(1, ${SEED}) n RETURNING id, timestamp
      )
      INSERT INTO deliveries (id, project_id, webhook_id, event_id, event_type, status, attempt_count, created_at, updated_at,
                              change_xid)
      SELECT 'del_' || substr(md5(e.id || w), 1, 16), 'prj_cost', 'wh_cost' || w, e.id, 'batch.progress', 'SUCCESS', 1,
             e.timestamp, e.timestamp, (1000 + substr(e.id, 9)::bigint * ${WEBHOOKS} / ${PER_TRANSACTION})::text::xid8
      FROM e, generate_series(0, ${WEBHOOKS - 1}) w`);
    await pool.query('VACUUM ANALYZE deliveries');
    await pool.query('VACUUM ANALYZE delivery_counts');

    const inserted: Wal = { records: 0, bytes: 0, fpi: 0 };
    const updated: Wal = { records: 0, bytes: 0, fpi: 0 };
    const ids: string[] = [];
    const before = await tableCounters(pool);
    const client = await pool.connect();
    try {
      for (let done = 0; done < EVENTS; done += PER_TRANSACTION) {
        await client.query('BEGIN');
        for (let i = 0; i < PER_TRANSACTION; i++) {
          const deliveryIds = webhookIds.map(() => newId('del'));
          ids.push(...deliveryIds);
          const event = {
            id: newId('evt'),
            projectId: 'prj_cost',
            type: 'batch.progress',
            data: { job_id: newId('evt'), body: BODY },
            jobId: null,
            jobSeq: null,
            idempotencyKey: null,
            timestamp: new Date(),
          };
          const deliveries = { ids: deliveryIds, webhookIds, eventIndexes: deliveryIds.map(() => 0) };
          await insertEventsWithDeliveries(explaining(client, inserted), event.projectId, [event], deliveries, {
            channels: [],
            payloads: [],
          });
        }
        await client.query('COMMIT');
      }
      for (let done = 0; done < ids.length; done += PER_TRANSACTION) {
        const updates: DeliveryUpdate[] = ids.slice(done, done + PER_TRANSACTION).map((id) => ({
          id,
          status: 'SUCCESS',
          attemptCount: 1,
          nextAttemptAt: null,
          attempt: { statusCode: 200, responseTimeMs: 3, startedAt: new Date() },
        }));
        await client.query('BEGIN');
        await updateDeliveries(explaining(client, updated), updates);
        await client.query('COMMIT');
      }
    } finally {
      client.release();
    }
    const after = await tableCounters(pool);
    await pool.query('VACUUM deliveries');
    const n = ids.length;
    const { rows: total } = await pool.query<{ n: number }>('SELECT count(*)::int AS n FROM deliveries');
    const rows = total[0]!.n;
    const per = (x: number) => (x / n).toFixed(2);
    console.log(`${EVENTS} events × ${WEBHOOKS} webhooks = ${n} deliveries written, on ${SEED * WEBHOOKS} earlier ones`);
    console.log(`insert, per delivery: ${per(inserted.records)} WAL records, ${per(inserted.bytes)} WAL bytes (${per(inserted.fpi)} full pages)`);
    console.log(`update, per delivery: ${per(updated.records)} WAL records, ${per(updated.bytes)} WAL bytes (${per(updated.fpi)} full pages)`);
    console.log(`updates HOT: ${after.hot - before.hot} of ${after.updates - before.updates}`);
    const counterUpdates = after.counterUpdates - before.counterUpdates;
    console.log(
      `counters, per delivery: ${per(after.counterInserts - before.counterInserts)} rows inserted, ${per(counterUpdates)} updated ` +
        `(${after.counterHot - before.counterHot} of ${counterUpdates} HOT)`,
    );
    const { rows: sizes } = await pool.query<{ name: string; bytes: string }>(
      `SELECT 'heap' AS name, pg_relation_size('deliveries') AS bytes
       UNION ALL
       SELECT i.indexrelid::regclass::text, pg_relation_size(i.indexrelid)
       FROM pg_index i WHERE i.indrelid = 'deliveries'::regclass
       ORDER BY 2 DESC`,
    );
    console.log(`bytes kept per delivery row (${rows} rows, after VACUUM):`);
    let sum = 0;
    for (const { name, bytes } of sizes) {
      sum += Number(bytes);
      console.log(`  ${(Number(bytes) / rows).toFixed(1).padStart(7)}  ${name}`);
    }
    console.log(`  ${(sum / rows).toFixed(1).padStart(7)}  in all`);
  } finally {
    await pool.end();
  }
});

type TableCounters = { updates: number; hot: number; counterInserts: number; counterUpdates: number; counterHot: number };

/** Rows updated (and of them HOT) in the deliveries, rows inserted and updated in the counters, as of now. */
async function tableCounters(pool: pg.Pool): Promise<TableCounters> {
  await pool.query('SELECT pg_stat_force_next_flush()');
  const { rows } = await pool.query<Record<'relname' | 'ins' | 'upd' | 'hot', string>>(
    `SELECT relname, n_tup_ins AS ins, n_tup_upd AS upd, n_tup_hot_upd AS hot FROM pg_stat_user_tables
     WHERE relname IN ('deliveries', 'delivery_counts')`,
  );
  const of = (name: string) => rows.find((r) => r.relname === name)!;
  const [deliveries, counts] = [of('deliveries'), of('delivery_counts')];
  return {
    updates: Number(deliveries.upd),
    hot: Number(deliveries.hot),
    counterInserts: Number(counts.ins),
    counterUpdates: Number(counts.upd),
    counterHot: Number(counts.hot),
  };
}
