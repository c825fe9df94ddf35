// The inserts of every publish and delivery run as prepared statements (src/db/prepared.ts); other statements, and
// every statement when DATABASE_PREPARED_STATEMENTS=false, run unnamed, and a bounded number of texts is prepared.
import type pg from 'pg';
import { beforeAll, expect, it } from 'vitest';
import { prepared, StatementNames } from '../src/db/prepared.js';
import { createDatabase } from '../src/db/prisma.js';
import { createTestDatabase } from './support/database.js';

let url: string;
beforeAll(async () => {
  url = await createTestDatabase();
});

/** The statements prepared on the (only) connection that ran `work`. */
async function preparedAfter(prepare: boolean, work: (pool: pg.Pool) => Promise<unknown>) {
  const { pool, close } = createDatabase(url, () => {}, { max: 1, prepare });
  try {
    await work(pool);
    const { rows } = await pool.query<{ statement: string }>('SELECT statement FROM pg_prepared_statements WHERE NOT from_sql');
    return rows.map((row) => row.statement);
  } finally {
    await close();
  }
}

it('prepares a statement marked as prepared once per connection, and no other', async () => {
  const statements = await preparedAfter(true, async (pool) => {
    for (let i = 0; i < 3; i++) {
      expect((await pool.query(prepared('SELECT $1::int + 1 AS n', [i]))).rows).toEqual([{ n: i + 1 }]);
    }
    expect((await pool.query('SELECT $1::int + 2 AS n', [1])).rows).toEqual([{ n: 3 }]);
  });
  expect(statements).toEqual(['SELECT $1::int + 1 AS n']);
});

it('prepares nothing when turned off (PgBouncer in transaction mode), and still runs the statements', async () => {
  const statements = await preparedAfter(false, async (pool) => {
    expect((await pool.query(prepared('SELECT $1::int + 1 AS n', [1]))).rows).toEqual([{ n: 2 }]);
  });
  expect(statements).toEqual([]);
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
