import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import { PrismaClient } from '../generated/prisma/client.js';
import { UnpreparedClient } from './prepared.js';

export type Db = PrismaClient;

export function createPrisma(connectionString: string, max = 10): Db {
  return new PrismaClient({ adapter: new PrismaPg({ connectionString, max }) });
}

/**
 * Prisma and plain pg over one pool. The statements of every delivery, publish and request (the delivery loop,
 * publishing, API-key checks) go straight to pg: through Prisma, its per-query work was over a third of the worker's
 * CPU, and of the API's when publishing (bench/README.md, "Tools for finding out why").
 */
export function createDatabase(
  connectionString: string,
  onIdleError: (error: Error) => void,
  { max = 10, prepare = true }: { max?: number; prepare?: boolean } = {},
): { db: Db; pool: pg.Pool; close: () => Promise<void> } {
  // Prepared statements (see prepared.ts) unless turned off: PgBouncer before 1.21 in transaction mode cannot
  // keep them.
  const pool = new pg.Pool({ connectionString, max, ...(!prepare && { Client: UnpreparedClient }) });
  // An idle connection dropped by the server is discarded by the pool; unheard, the error would end the process.
  pool.on('error', onIdleError);
  const db = new PrismaClient({ adapter: new PrismaPg(pool) });
  return { db, pool, close: () => db.$disconnect().then(() => pool.end()) };
}
