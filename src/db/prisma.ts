import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import { PrismaClient } from '../generated/prisma/client.js';
import { UnpreparedClient } from './prepared.js';

export type Db = PrismaClient;

export function createPrisma(connectionString: string, max = 10): Db {
  return new PrismaClient({ adapter: new PrismaPg({ connectionString, max }) });
}

/**
 * Prisma and plain pg over one pool: Prisma for CRUD and the API's reads, pg for the statements of src/db/sql/
 * (every delivery, publish and request runs those; docs/performance.md, "Plain pg instead of Prisma on the hot
 * paths", says why).
 */
export function createDatabase(
  connectionString: string,
  onIdleError: (error: Error) => void,
  { max = 10, prepare = true }: { max?: number; prepare?: boolean } = {},
): { db: Db; pool: pg.Pool; close: () => Promise<void> } {
  // Prepared statements (src/db/prepared.ts) unless turned off: PgBouncer before 1.21 in transaction mode cannot
  // keep them.
  const pool = new pg.Pool({ connectionString, max, ...(!prepare && { Client: UnpreparedClient }) });
  // An idle connection dropped by the server is discarded by the pool; unheard, the error would end the process.
  pool.on('error', onIdleError);
  const db = new PrismaClient({ adapter: new PrismaPg(pool) });
  return { db, pool, close: () => db.$disconnect().then(() => pool.end()) };
}
