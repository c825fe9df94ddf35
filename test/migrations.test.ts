// Migrations: applying prisma/migrations must yield exactly prisma/schema.prisma (no drift), every migration is
// recorded as `prisma migrate deploy` would record it, and /readyz reports a migration that is not applied.
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import pg from 'pg';
import { beforeAll, describe, expect, it } from 'vitest';
import { applyMigrations, isEmptyScript, pendingSchemaChange, schemaCreationScript } from '../src/db/migrations.js';
import { createTestDatabase } from './support/database.js';
import { startTestService } from './support/service.js';

const migrationsDir = fileURLToPath(new URL('../prisma/migrations/', import.meta.url));

async function migrationDirectories(): Promise<string[]> {
  const entries = await readdir(migrationsDir, { withFileTypes: true });
  return entries.filter((e) => e.isDirectory()).map((e) => e.name).sort();
}

async function query<T extends pg.QueryResultRow = any>(url: string, sql: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql)).rows;
  } finally {
    await client.end();
  }
}

/** Everything about the public schema that a migration can change, as one sorted JSON document. */
const CATALOG = `
SELECT json_build_object(
  'tables', (
    SELECT coalesce(json_agg(table_name ORDER BY table_name), '[]')
    FROM information_schema.tables
    WHERE table_schema = 'public' AND table_name <> '_prisma_migrations'
  ),
  'columns', (
    SELECT coalesce(json_agg(json_build_object(
      'table', table_name, 'column', column_name, 'type', data_type, 'udt', udt_name,
      'length', character_maximum_length, 'precision', datetime_precision,
      'nullable', is_nullable, 'default', column_default
    ) ORDER BY table_name, column_name), '[]')
    FROM information_schema.columns
    WHERE table_schema = 'public' AND table_name <> '_prisma_migrations'
  ),
  'indexes', (
    SELECT coalesce(json_agg(indexdef ORDER BY indexname), '[]')
    FROM pg_indexes
    WHERE schemaname = 'public' AND tablename <> '_prisma_migrations'
  ),
  'constraints', (
    SELECT coalesce(json_agg(json_build_object(
      'table', c.conrelid::regclass::text, 'name', c.conname, 'type', c.contype, 'definition', pg_get_constraintdef(c.oid)
    ) ORDER BY c.conrelid::regclass::text, c.conname), '[]')
    FROM pg_constraint c
    JOIN pg_namespace n ON n.oid = c.connamespace
    WHERE n.nspname = 'public' AND c.conrelid <> 0 AND c.conrelid::regclass::text <> '_prisma_migrations'
      AND c.contype <> 'c'
  ),
  'enums', (
    SELECT coalesce(json_agg(json_build_object('name', e.name, 'labels', e.labels) ORDER BY e.name), '[]')
    FROM (
      SELECT t.typname AS name, json_agg(l.enumlabel ORDER BY l.enumsortorder) AS labels
      FROM pg_type t
      JOIN pg_enum l ON l.enumtypid = t.oid
      JOIN pg_namespace n ON n.oid = t.typnamespace
      WHERE n.nspname = 'public'
      GROUP BY t.typname
    ) e
  )
) AS catalog`;

type Catalog = {
  tables: string[];
  columns: { table: string; column: string }[];
  indexes: string[];
  constraints: { table: string; name: string; type: string; definition: string }[];
  enums: { name: string; labels: string[] }[];
};

const catalogOf = async (url: string) => (await query<{ catalog: Catalog }>(url, CATALOG))[0]!.catalog;

describe('drift', () => {
  let migratedUrl: string;
  let createdUrl: string;

  beforeAll(async () => {
    [migratedUrl, createdUrl] = await Promise.all([
      createTestDatabase({ migrated: false }),
      createTestDatabase({ migrated: false }),
    ]);
    const applied = await applyMigrations(migratedUrl);
    expect(applied).toEqual(await migrationDirectories());
    const script = await schemaCreationScript(createdUrl);
    expect(isEmptyScript(script)).toBe(false);
    await query(createdUrl, script);
  });

  it('applying the migrations yields exactly the database schema.prisma describes', async () => {
    const [fromMigrations, fromSchema] = await Promise.all([catalogOf(migratedUrl), catalogOf(createdUrl)]);
    // Not trivially equal: the data model is there.
    for (const table of ['projects', 'api_keys', 'webhooks', 'events', 'deliveries', 'delivery_attempts']) {
      expect(fromSchema.tables).toContain(table);
    }
    expect(fromSchema.indexes.length).toBeGreaterThan(fromSchema.tables.length);
    expect(fromSchema.constraints.some((c) => c.type === 'f')).toBe(true);
    expect(fromSchema.enums.map((e) => e.name)).toContain('webhook_status');

    expect(fromMigrations).toEqual(fromSchema);
  });

  it('adds to schema.prisma only the hand-written triggers, functions and checks listed here', async () => {
    // Prisma's data model has no triggers, functions or CHECK constraints, so the catalog above leaves them out: the
    // delivery_counts migration appends them by hand (see src/delivery/read-model/delivery-counts.ts), the
    // api_key_revoked_notify migration announces revoked keys (src/auth/access.ts), webhook_kinds holds a URL to
    // the HTTP kind, the delivery_change_position migration moves a changed delivery to its transaction's position
    // (src/live/commit-order.ts), and these are all there are.
    const TRIGGERS = `
      SELECT coalesce(json_agg(t.tgrelid::regclass || '.' || t.tgname || ' -> ' || p.proname ORDER BY t.tgname), '[]') AS triggers
      FROM pg_trigger t JOIN pg_proc p ON p.oid = t.tgfoid
      WHERE NOT t.tgisinternal`;
    const FUNCTIONS = `
      SELECT coalesce(json_agg(p.proname ORDER BY p.proname), '[]') AS functions
      FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = 'public'`;
    const CHECKS = `
      SELECT coalesce(json_agg(c.conrelid::regclass || '.' || c.conname ORDER BY c.conname), '[]') AS checks
      FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace
      WHERE n.nspname = 'public' AND c.contype = 'c'`;
    const objects = async (url: string) => ({
      checks: (await query(url, CHECKS))[0].checks,
      triggers: (await query(url, TRIGGERS))[0].triggers,
      functions: (await query(url, FUNCTIONS))[0].functions,
    });
    expect(await objects(createdUrl)).toEqual({ checks: [], triggers: [], functions: [] });
    expect(await objects(migratedUrl)).toEqual({
      checks: ['webhooks.webhooks_url_by_kind'],
      triggers: [
        'api_keys.api_keys_deleted -> api_key_revoked_notify',
        'api_keys.api_keys_revoked -> api_key_revoked_notify',
        'deliveries.deliveries_change_xid -> deliveries_change_xid',
        'deliveries.deliveries_count_delete -> delivery_counts_delete',
        'deliveries.deliveries_count_insert -> delivery_counts_insert',
        'deliveries.deliveries_count_update -> delivery_counts_update',
        'webhooks.webhooks_drop_delivery_counts -> delivery_counts_drop',
      ],
      functions: ['api_key_revoked_notify', 'deliveries_change_xid', 'delivery_counts_delete', 'delivery_counts_drop', 'delivery_counts_insert', 'delivery_counts_update'],
    });
  });

  it('has no schema change waiting for a migration (run `npm run db:migration -- <name>` if this fails)', async () => {
    const pending = await pendingSchemaChange(migratedUrl);
    expect(isEmptyScript(pending), `schema.prisma differs from the last migration:\n${pending}`).toBe(true);
  });

  it('recognises an empty script and a real one', () => {
    expect(isEmptyScript('')).toBe(true);
    expect(isEmptyScript('-- This is an empty migration.\n\n')).toBe(true);
    expect(isEmptyScript('-- AlterTable\nALTER TABLE "x" ADD COLUMN "y" TEXT;\n')).toBe(false);
  });
});

describe('_prisma_migrations', () => {
  let url: string;

  beforeAll(async () => {
    url = await createTestDatabase({ migrated: false });
    await applyMigrations(url);
  });

  it('records every directory of prisma/migrations as finished, with the checksum migrate deploy expects', async () => {
    const rows = await query<{ migration_name: string; checksum: string }>(
      url,
      `SELECT migration_name, checksum FROM _prisma_migrations
       WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL ORDER BY migration_name`,
    );
    const directories = await migrationDirectories();
    expect(directories.length).toBeGreaterThan(0);
    expect(rows.map((r) => r.migration_name)).toEqual(directories);
    for (const row of rows) {
      const sql = await readFile(path.join(migrationsDir, row.migration_name, 'migration.sql'));
      expect(row.checksum).toBe(createHash('sha256').update(sql).digest('hex'));
    }
  });

  it('applies nothing the second time', async () => {
    expect(await applyMigrations(url)).toEqual([]);
    const [row] = await query<{ count: string }>(url, 'SELECT count(*) FROM _prisma_migrations');
    expect(Number(row!.count)).toBe((await migrationDirectories()).length);
  });
});

describe('/readyz', () => {
  it('answers 200 when every migration is applied and 503 naming a migration that is not', async () => {
    const service = await startTestService();
    const ready = await fetch(`${service.httpUrl}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready' });

    const last = (await migrationDirectories()).at(-1)!;
    await query(service.databaseUrl, `DELETE FROM _prisma_migrations WHERE migration_name = '${last}'`);
    const notReady = await fetch(`${service.httpUrl}/readyz`);
    expect(notReady.status).toBe(503);
    const body = await notReady.json();
    expect(body.status).toBe('not ready');
    expect(body.reason).toContain(last);

    // /healthz only says the process is alive.
    expect((await fetch(`${service.httpUrl}/healthz`)).status).toBe(200);
  });
});
