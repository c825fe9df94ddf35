// Transactions: on one pooled pg connection for the statements of src/db/sql/ (`inTransaction`), and a snapshot for
// Prisma reads that take several statements (`inSnapshot`).
import type pg from 'pg';
import type { Db as JobDb } from 'pg-boss';
import type { Prisma } from '../generated/prisma/client.js';
import type { Db } from './prisma.js';
import { prepared } from './prepared.js';

/**
 * Prisma reads a row and its relations in separate statements: in one repeatable-read snapshot they agree (a status
 * from before an attempt was recorded never comes with that attempt, nor the other way round).
 */
export function inSnapshot<T>(db: Db, read: (tx: Prisma.TransactionClient) => Promise<T>): Promise<T> {
  return db.$transaction(read, { isolationLevel: 'RepeatableRead' });
}

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

/** pg-boss's view of a pg connection, so its statements join the caller's transaction. */
export const jobDatabase = (client: pg.ClientBase): JobDb => ({
  executeSql: (text, values) => client.query(text, values as unknown[]),
});

/** The same, its statements prepared: only for inserting jobs, which has no plan to choose (see prepared.ts). */
export const jobInsertDatabase = (client: pg.ClientBase): JobDb => ({
  executeSql: (text, values) => client.query(prepared(text, values ?? [])),
});
