// A migrated database of its own for a bench tool run alone (`node --import tsx bench/<tool>.ts`), dropped when the
// tool ends. The server is BENCH_DATABASE_URL's, the local Postgres by default.
import pg from 'pg';
import { applyMigrations } from '../src/db/migrations.js';
import { withDatabase } from '../test/support/database-url.js';

/** The server the bench and its tools make their databases on: BENCH_DATABASE_URL, the local Postgres by default. */
export const benchAdminUrl = process.env.BENCH_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';

export async function withScratchDatabase(label: string, work: (url: string) => Promise<void>): Promise<void> {
  const admin = new pg.Client({ connectionString: benchAdminUrl });
  await admin.connect();
  const name = `webhooks_bench_${label}_${process.pid}`;
  await admin.query(`CREATE DATABASE ${name}`);
  try {
    const url = withDatabase(benchAdminUrl, name);
    await applyMigrations(url);
    await work(url);
  } finally {
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
  }
}

/**
 * The cost tools' project (`prj_cost`) and its `count` webhooks `wh_cost0` … (subscribed to every event, never sent
 * to): their ids, in order.
 */
export async function seedCostWebhooks(pool: pg.Pool, count: number): Promise<string[]> {
  await pool.query(`INSERT INTO projects (id, name) VALUES ('prj_cost', 'cost')`);
  await pool.query(`
    INSERT INTO webhooks (id, project_id, url, events, secret, updated_at)
    SELECT 'wh_cost' || w, 'prj_cost', 'https://example.com/' || w, '{*}', 'a-secret-of-some-length', now()
    FROM generate_series(0, ${count - 1}) w`);
  return Array.from({ length: count }, (_, i) => `wh_cost${i}`);
}
