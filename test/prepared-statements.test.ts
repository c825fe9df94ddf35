// The service's own statements are prepared once per connection (src/db/prepared.ts); Prisma's queries and
// statements without parameters are left as they were, and a bounded number of texts is ever prepared.
import { beforeAll, expect, it } from 'vitest';
import { createDatabase } from '../src/db/prisma.js';
import { StatementNames } from '../src/db/prepared.js';
import { createTestDatabase } from './support/database.js';

let url: string;
beforeAll(async () => {
  url = await createTestDatabase();
});

/** The statements prepared on the connection that runs `work`, with their texts. */
async function preparedAfter(prepare: boolean, work: (run: (text: string, values?: unknown[]) => Promise<unknown>) => Promise<unknown>) {
  const { db, pool, close } = createDatabase(url, () => {}, { max: 1, prepare });
  try {
    await work((text, values) => pool.query(text, values));
    // Prisma shares the pool: its queries must not be prepared under our names.
    await db.webhook.findMany({ where: { projectId: 'none' } });
    const { rows } = await pool.query<{ name: string; statement: string }>(
      'SELECT name, statement FROM pg_prepared_statements WHERE NOT from_sql ORDER BY name',
    );
    return rows;
  } finally {
    await close();
  }
}

it('prepares each parameterised statement once per connection and reuses it', async () => {
  const prepared = await preparedAfter(true, async (run) => {
    for (let i = 0; i < 3; i++) expect(await run('SELECT $1::int + 1 AS n', [i])).toMatchObject({ rows: [{ n: i + 1 }] });
    await run('SELECT 2 AS unparameterised');
  });
  const ours = prepared.filter((row) => row.name.startsWith('webhooks_'));
  expect(ours.map((row) => row.statement)).toContain('SELECT $1::int + 1 AS n');
  // One entry for three calls.
  expect(ours.filter((row) => row.statement === 'SELECT $1::int + 1 AS n')).toHaveLength(1);
  expect(prepared.map((row) => row.statement)).not.toContain('SELECT 2 AS unparameterised');
  expect(prepared.every((row) => row.name.startsWith('webhooks_'))).toBe(true);
});

it('prepares nothing when turned off (PgBouncer in transaction mode)', async () => {
  const prepared = await preparedAfter(false, (run) => run('SELECT $1::int + 1 AS n', [1]));
  expect(prepared).toEqual([]);
});

it('names at most its cap of distinct texts, the same name for the same text', () => {
  const names = new StatementNames(2);
  const a = names.nameFor('SELECT $1');
  const b = names.nameFor('SELECT $1, $2');
  expect(a).toBeDefined();
  expect(b).toBeDefined();
  expect(a).not.toBe(b);
  expect(names.nameFor('SELECT $1, $2, $3')).toBeUndefined();
  expect(names.nameFor('SELECT $1')).toBe(a);
});
