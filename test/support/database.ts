import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';
import { onCleanup } from './cleanup.js';
import { withDatabase } from './database-url.js';

async function adminQuery(sql: string) {
  const admin = new pg.Client({ connectionString: inject('adminDatabaseUrl') });
  await admin.connect();
  try {
    await admin.query(sql);
  } finally {
    await admin.end();
  }
}

/**
 * A fresh database for the calling test file, dropped when the file finishes: a clone of the migrated template,
 * or empty with `{ migrated: false }`.
 */
export async function createTestDatabase({ migrated = true } = {}): Promise<string> {
  const name = `webhooks_test_${randomBytes(6).toString('hex')}`;
  await adminQuery(`CREATE DATABASE ${name}${migrated ? ` TEMPLATE ${inject('templateDatabase')}` : ''}`);
  onCleanup(() => adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
  return withDatabase(inject('adminDatabaseUrl'), name);
}
