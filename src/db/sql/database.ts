// The database as a whole: whether it answers, which migrations it has, and creating a database in a cluster.
import pg from 'pg';
import type { Queryable } from './queryable.js';

/** Resolves when the database answers a statement. */
export async function ping(db: Queryable): Promise<void> {
  await db.query('SELECT 1');
}

/** Migrations recorded as applied (`_prisma_migrations`, as `prisma migrate deploy` keeps it); none before the first. */
export async function appliedMigrationNames(db: Queryable): Promise<string[]> {
  try {
    const { rows } = await db.query<{ migration_name: string }>(
      'SELECT migration_name FROM _prisma_migrations WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL',
    );
    return rows.map((row) => row.migration_name);
  } catch (error) {
    if ((error as { code?: unknown }).code === '42P01') return []; // undefined_table: nothing migrated yet
    throw error;
  }
}

/** Creates a database (an identifier: quoted here). */
export async function createDatabase(db: Queryable, name: string): Promise<void> {
  await db.query(`CREATE DATABASE ${pg.escapeIdentifier(name)}`);
}
