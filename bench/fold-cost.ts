// `node --import tsx bench/fold-cost.ts`: how long folding the delivery counters takes
// (src/db/sql/delivery-counts.ts) when the table holds one folded row for each of many keys and a few rows
// written by backends since: a full fold against a partial one (only the keys written since the last fold), as every
// worker runs them every 5 s.
import pg from 'pg';
import { createPrisma } from '../src/db/prisma.js';
import { foldDeliveryCounts } from '../src/db/sql/delivery-counts.js';
import { withScratchDatabase } from './scratch-database.js';

const KEYS = Number(process.env.KEYS ?? 100_000);
const APPENDED_KEYS = Number(process.env.APPENDED_KEYS ?? 20);
const RUNS = 10;
const PILED_UP = 50_000;

await withScratchDatabase('fold', async (url) => {
  const db = createPrisma(url, 2);
  const pool = new pg.Pool({ connectionString: url, max: 1 });
  try {
    // KEYS keys over 1,000 webhooks (statuses × event types), folded: one row each.
    await db.$executeRawUnsafe(`INSERT INTO projects (id, name) VALUES ('prj_fold', 'fold')`);
    await db.$executeRawUnsafe(`
      INSERT INTO webhooks (id, project_id, url, events, secret, updated_at)
      SELECT 'wh_' || w, 'prj_fold', 'https://example.com/' || w, '{*}', 'a-secret-of-some-length', now()
      FROM generate_series(1, 1000) w`);
    await db.$executeRawUnsafe(`
      INSERT INTO delivery_counts (project_id, webhook_id, status, event_type, delta)
      SELECT 'prj_fold', 'wh_' || (k % 1000 + 1), (ARRAY['PENDING','SUCCESS','RETRYING','FAILED'])[k / 1000 % 4 + 1]::delivery_status,
             'type.' || (k / 4000), 5
      FROM generate_series(0, ${KEYS - 1}) k`);
    await db.$executeRawUnsafe('VACUUM ANALYZE delivery_counts');
    const append = () =>
      db.$executeRawUnsafe(`
        INSERT INTO delivery_counts (project_id, webhook_id, status, event_type, slot, delta)
        SELECT 'prj_fold', 'wh_' || (k % 1000 + 1), 'SUCCESS', 'type.0', 1, 1 FROM generate_series(0, ${APPENDED_KEYS - 1}) k`);
    await foldDeliveryCounts(pool);
    const timings = { full: [] as number[], partial: [] as number[] };
    for (let i = 0; i < RUNS; i++) {
      for (const kind of ['full', 'partial'] as const) {
        await append();
        const t0 = performance.now();
        const fold = await foldDeliveryCounts(pool, kind === 'full' ? 'every' : 'written');
        timings[kind].push(performance.now() - t0);
        if (fold.folded !== 2 * APPENDED_KEYS) throw new Error(`${kind} fold folded ${fold.folded} rows`);
      }
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    console.log(`${KEYS} folded keys, ${APPENDED_KEYS} keys written before each fold (${RUNS} folds each):`);
    for (const [kind, xs] of Object.entries(timings)) console.log(`  ${kind.padEnd(7)} fold median ${median(xs).toFixed(1)} ms`);

    // A fold held off for minutes: one key with 50,000 rows (as many slots).
    console.log(`one key with ${PILED_UP} rows:`);
    for (const kind of ['full', 'partial'] as const) {
      await db.$executeRawUnsafe(`
        INSERT INTO delivery_counts (project_id, webhook_id, status, event_type, slot, delta)
        SELECT 'prj_fold', 'wh_1', 'SUCCESS', 'type.0', n, 1 FROM generate_series(1, ${PILED_UP}) n`);
      const t0 = performance.now();
      const fold = await foldDeliveryCounts(pool, kind === 'full' ? 'every' : 'written');
      console.log(`  ${kind.padEnd(7)} fold ${(performance.now() - t0).toFixed(1)} ms (${fold.folded} rows)`);
    }
  } finally {
    await pool.end();
    await db.$disconnect();
  }
});
