// A transaction on one pooled pg connection, for the code paths that bypass Prisma (see createDatabase).
import type pg from 'pg';
import type { Db as JobDb } from 'pg-boss';

export async function inTransaction<T>(pool: pg.Pool, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let broken: Error | undefined;
  // A checked-out client has no listener of the pool's: without one, a dropped connection (Postgres restarting)
  // would be an unhandled 'error' event. The statement in progress fails with it anyway.
  const dropped = (error: Error) => (broken = error);
  client.on('error', dropped);
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    // A connection that cannot even roll back is not given back to the pool.
    await client.query('ROLLBACK').catch((rollbackError: Error) => (broken = rollbackError));
    throw error;
  } finally {
    client.off('error', dropped);
    client.release(broken);
  }
}

/** pg-boss's view of a pg connection (its statements join the caller's transaction) or of a pool. */
export const jobDatabase = (client: pg.ClientBase | pg.Pool): JobDb => ({
  executeSql: (text, values) => client.query(text, values as unknown[]),
});
