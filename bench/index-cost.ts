// `node --import tsx bench/index-cost.ts`: what the event log's and the project-wide deliveries' indexes cost each
// publish. Times the publish's one insert statement (`insertEventsWithDeliveries`: an event and its deliveries, 10
// webhooks) in transactions of 50 events, with those three indexes and without them, alternately, in one scratch
// database whose tables grow as a busy project's would. Prints the median per event of each, and their ratio.
import pg from 'pg';
import { insertEventsWithDeliveries } from '../src/db/sql/events.js';
import { newId } from '../src/lib/ids.js';
import { seedCostWebhooks, withScratchDatabase } from './scratch-database.js';

const ROUNDS = Number(process.env.ROUNDS ?? 6);
const EVENTS_PER_ROUND = Number(process.env.EVENTS ?? 2_000);
const WEBHOOKS = 10;
const PER_TRANSACTION = 50;

/** The indexes the event log and the deliveries across webhooks read (migrations 20261206010500, 20261206020100). */
const INDEXES = [
  'CREATE INDEX "events_project_id_timestamp_id_idx" ON "events"("project_id", "timestamp" DESC, "id" DESC)',
  'CREATE INDEX "deliveries_project_id_created_at_idx" ON "deliveries"("project_id", "created_at" DESC)',
  `CREATE INDEX "deliveries_project_id_status_created_at_not_success_idx" ON "deliveries"("project_id", "status", "created_at" DESC) WHERE (status <> 'SUCCESS')`,
];
const NAMES = INDEXES.map((sql) => /INDEX "([^"]+)"/.exec(sql)![1]!);

await withScratchDatabase('index_cost', async (url) => {
  const pool = new pg.Pool({ connectionString: url, max: 1 });
  pool.on('error', () => {}); // an idle connection ended by the scratch database's drop
  try {
    const webhookIds = await seedCostWebhooks(pool, WEBHOOKS);
    const publishRound = async () => {
      const t0 = performance.now();
      for (let done = 0; done < EVENTS_PER_ROUND; done += PER_TRANSACTION) {
        const client = await pool.connect();
        try {
          await client.query('BEGIN');
          for (let i = 0; i < PER_TRANSACTION; i++) {
            const event = {
              id: newId('evt'),
              projectId: 'prj_cost',
              type: 'batch.progress',
              data: { job_id: newId('evt'), processed_images: i },
              jobId: null,
              jobSeq: null,
              idempotencyKey: null,
              timestamp: new Date(),
            };
            const deliveries = { ids: webhookIds.map(() => newId('del')), webhookIds, eventIndexes: webhookIds.map(() => 0) };
            await insertEventsWithDeliveries(client, 'prj_cost', [event], deliveries, { channels: [], payloads: [] });
          }
          await client.query('COMMIT');
        } finally {
          client.release();
        }
      }
      return (performance.now() - t0) / EVENTS_PER_ROUND;
    };
    const timings = { with: [] as number[], without: [] as number[] };
    await publishRound(); // warm-up, with the indexes
    for (let round = 0; round < ROUNDS; round++) {
      for (const kind of round % 2 === 0 ? (['without', 'with'] as const) : (['with', 'without'] as const)) {
        if (kind === 'without') for (const name of NAMES) await pool.query(`DROP INDEX IF EXISTS "${name}"`);
        else for (const sql of INDEXES) await pool.query(sql.replace('CREATE INDEX', 'CREATE INDEX IF NOT EXISTS'));
        timings[kind].push(await publishRound());
      }
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    const [withMs, withoutMs] = [median(timings.with), median(timings.without)];
    const { rows } = await pool.query<{ n: number }>('SELECT count(*)::int AS n FROM deliveries');
    console.log(`${ROUNDS} rounds of ${EVENTS_PER_ROUND} events × ${WEBHOOKS} deliveries (${rows[0]!.n} deliveries at the end):`);
    console.log(`  insert per event, with the three indexes:    median ${withMs.toFixed(3)} ms`);
    console.log(`  insert per event, without them:              median ${withoutMs.toFixed(3)} ms`);
    console.log(`  ratio: ${(withMs / withoutMs).toFixed(3)}`);
  } finally {
    await pool.end();
  }
});
