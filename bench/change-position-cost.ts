// `node --import tsx bench/change-position-cost.ts`: what deliveryUpdates' positions cost on the write path
// (migration delivery_change_position: the `change_xid` column, set by a trigger on every UPDATE, and the index on
// (webhook_id, change_xid, id)). 10,000 single-row statements in a PL/pgSQL loop, as the recorder and the publisher
// write them: with the trigger and the index, with the trigger alone, and without either, alternating, in one run.
import pg from 'pg';
import { withScratchDatabase } from './scratch-database.js';

const ROWS = 100_000;
const STATEMENTS = 10_000;
const ROUNDS = 9;

await withScratchDatabase('change_position', async (url) => {
  const db = new pg.Client({ connectionString: url });
  await db.connect();
  try {
    await db.query(`INSERT INTO projects (id, name) VALUES ('prj_pos', 'pos')`);
    await db.query(`
      INSERT INTO webhooks (id, project_id, url, events, secret, updated_at)
      SELECT 'wh_' || w, 'prj_pos', 'https://example.com/' || w, '{*}', 'a-secret-of-some-length', now()
      FROM generate_series(1, 100) w`);
    await db.query(`INSERT INTO events (id, project_id, type, data) VALUES ('evt_pos', 'prj_pos', 'batch.progress', '{}')`);
    await db.query(`
      INSERT INTO deliveries (id, project_id, webhook_id, event_id, event_type, updated_at)
      SELECT 'del_' || d, 'prj_pos', 'wh_' || (d % 100 + 1), 'evt_pos', 'batch.progress', now()
      FROM generate_series(1, ${ROWS}) d`);
    await db.query('VACUUM ANALYZE deliveries');

    const timed = async (sql: string) => {
      const t0 = performance.now();
      await db.query(sql);
      return ((performance.now() - t0) * 1000) / STATEMENTS; // µs per statement
    };
    // What the recorder does to a delivery after an attempt: status, code, count; a status change each time.
    let n = 0;
    const updates = () => {
      n++;
      return timed(`DO $$ BEGIN FOR i IN 1..${STATEMENTS} LOOP
        UPDATE deliveries SET status = (CASE WHEN (i + ${n}) % 2 = 0 THEN 'SUCCESS' ELSE 'RETRYING' END)::delivery_status,
          status_code = 200, attempt_count = attempt_count + 1, updated_at = now()
        WHERE id = 'del_' || ((i * 7919 + ${n}) % ${ROWS} + 1);
      END LOOP; END $$`);
    };
    const inserts = () => {
      n++;
      return timed(`DO $$ BEGIN FOR i IN 1..${STATEMENTS} LOOP
        INSERT INTO deliveries (id, project_id, webhook_id, event_id, event_type, updated_at)
        VALUES ('del_x${n}_' || i, 'prj_pos', 'wh_' || (i % 100 + 1), 'evt_pos', 'batch.progress', now());
      END LOOP; END $$`);
    };
    const settings = {
      with: { trigger: true, index: true },
      'trigger only': { trigger: true, index: false },
      without: { trigger: false, index: false },
    };
    type Setting = keyof typeof settings;
    const apply = async ({ trigger, index }: { trigger: boolean; index: boolean }) => {
      await db.query(`ALTER TABLE deliveries ${trigger ? 'ENABLE' : 'DISABLE'} TRIGGER deliveries_change_xid`);
      await db.query(
        index
          ? 'CREATE INDEX IF NOT EXISTS deliveries_webhook_id_change_xid_id_idx ON deliveries (webhook_id, change_xid, id)'
          : 'DROP INDEX IF EXISTS deliveries_webhook_id_change_xid_id_idx',
      );
    };
    const results = Object.fromEntries(Object.keys(settings).map((name) => [name, { update: [] as number[], insert: [] as number[] }])) as Record<
      Setting,
      { update: number[]; insert: number[] }
    >;
    for (let round = 0; round < ROUNDS; round++) {
      for (const setting of Object.keys(settings) as Setting[]) {
        await apply(settings[setting]);
        await db.query('VACUUM deliveries');
        results[setting].update.push(await updates());
        results[setting].insert.push(await inserts());
      }
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    console.log(`${STATEMENTS} single-row statements on ${ROWS.toLocaleString()} deliveries, median of ${ROUNDS} rounds (µs per statement):`);
    for (const kind of ['update', 'insert'] as const) {
      const without = median(results.without[kind]);
      const compared = (['with', 'trigger only'] as const).map((setting) => {
        const t = median(results[setting][kind]);
        return `${setting} ${t.toFixed(1)} (+${(t - without).toFixed(1)} µs, ${((t / without - 1) * 100).toFixed(0)}%)`;
      });
      console.log(`  ${kind}: without ${without.toFixed(1)}; ${compared.join('; ')}`);
    }
  } finally {
    await db.end();
  }
});
