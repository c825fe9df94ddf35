// Migrations without Prisma's native schema engine (it cannot be downloaded here): the WASM build of the same
// engine, driven over the pg driver adapter. It records applied migrations in `_prisma_migrations`, exactly as
// `prisma migrate deploy` does, so both tools agree about the database.
//
// The WASM engine cannot describe a live Postgres through the adapter (pg_catalog's "char" columns have no
// mapping), so new migrations are computed between datamodels: each migration directory keeps the
// `schema.prisma` it was generated from, and the next migration is the diff from that snapshot.
import { readdir, readFile, mkdir, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import { bindMigrationAwareSqlAdapterFactory, DriverAdapterError } from '@prisma/driver-adapter-utils';
import { SchemaEngine, type DiffTarget, type MigrationList } from '@prisma/schema-engine-wasm';

const prismaDir = fileURLToPath(new URL('../../prisma/', import.meta.url));
const migrationsDir = path.join(prismaDir, 'migrations');
const schemaPath = path.join(prismaDir, 'schema.prisma');
const SNAPSHOT = 'schema.prisma';
const noFilter = { externalTables: [], externalEnums: [] };

async function migrationNames(): Promise<string[]> {
  const entries = await readdir(migrationsDir, { withFileTypes: true }).catch(() => []);
  return entries.filter((e) => e.isDirectory()).map((e) => e.name).sort();
}

async function readMigrationList(): Promise<MigrationList> {
  const lockPath = path.join(migrationsDir, 'migration_lock.toml');
  return {
    baseDir: migrationsDir,
    lockfile: { path: 'migration_lock.toml', content: await readFile(lockPath, 'utf8').catch(() => null) },
    shadowDbInitScript: '',
    migrationDirectories: await Promise.all(
      (await migrationNames()).map(async (name) => ({
        path: name,
        migrationFile: {
          path: 'migration.sql',
          content: await readFile(path.join(migrationsDir, name, 'migration.sql'), 'utf8').then(
            (sql) => ({ tag: 'ok' as const, value: sql }),
            (err: Error) => ({ tag: 'error' as const, value: err.message }),
          ),
        },
      })),
    ),
  };
}

/**
 * `prisma migrate deploy` sends each migration to Postgres as one simple query, which Postgres runs as one
 * transaction. The pg adapter instead splits the script at every `;` (function bodies and comments included) and
 * runs the pieces one by one, so a failing migration would stay half-applied.
 */
class WholeScriptPg extends PrismaPg {
  override async connect() {
    const adapter = await super.connect();
    adapter.executeScript = async (script) => {
      try {
        await adapter.underlyingDriver().query(script);
      } catch (error) {
        if (!(error instanceof pg.DatabaseError)) throw error;
        // As the adapter reports it, so the engine records Postgres' message in `_prisma_migrations.logs`.
        const { code = '', severity = 'ERROR', message, detail, column, hint } = error;
        throw new DriverAdapterError({ kind: 'postgres', code, severity, message, detail, column, hint });
      }
    };
    return adapter;
  }
}

async function withEngine<T>(connectionString: string, run: (engine: SchemaEngine) => Promise<T>): Promise<T> {
  const schema = await readFile(schemaPath, 'utf8');
  const pool = new pg.Pool({ connectionString, max: 2 }); // ours, so it can be closed: the engine never does
  try {
    const engine = await SchemaEngine.new(
      { datamodels: [[schemaPath, schema]] },
      () => {}, // engine logs are noise here; failures come back as rejected promises
      bindMigrationAwareSqlAdapterFactory(new WholeScriptPg(pool)),
    );
    try {
      return await run(engine);
    } finally {
      engine.free();
    }
  } finally {
    await pool.end();
  }
}

/** Applies every pending migration; returns the names of those applied now. */
export async function applyMigrations(connectionString: string): Promise<string[]> {
  const migrationsList = await readMigrationList();
  const result = await withEngine(connectionString, (engine) =>
    engine.applyMigrations({ migrationsList, filters: noFilter }),
  );
  return result.appliedMigrationNames;
}

/** The migrations in prisma/migrations/ that are not among `applied` (see `appliedMigrationNames`). */
export async function pendingMigrations(applied: readonly string[]): Promise<string[]> {
  const done = new Set(applied);
  return (await migrationNames()).filter((name) => !done.has(name));
}

/** Diffs two datamodels; the engine needs a live connection to start even though it reads no schema from it. */
async function diffScript(connectionString: string, from: DiffTarget, to: DiffTarget): Promise<string> {
  const result = await withEngine(connectionString, (engine) =>
    engine.diff({ from, to, script: true, exitCode: null, filters: noFilter }),
  );
  return result.stdout ?? '';
}

const datamodel = (file: string, content: string): DiffTarget => ({
  tag: 'schemaDatamodel',
  files: [{ path: file, content }],
});

/** SQL that creates `schema.prisma` from nothing; the drift test compares it with the migrations' result. */
export async function schemaCreationScript(connectionString: string): Promise<string> {
  return diffScript(connectionString, { tag: 'empty' }, datamodel(schemaPath, await readFile(schemaPath, 'utf8')));
}

/** SQL that takes the last migration's snapshot to the current `schema.prisma`; only comments when in sync. */
export async function pendingSchemaChange(connectionString: string): Promise<string> {
  const last = (await migrationNames()).at(-1);
  const from: DiffTarget = last
    ? datamodel(SNAPSHOT, await readFile(path.join(migrationsDir, last, SNAPSHOT), 'utf8'))
    : { tag: 'empty' };
  return diffScript(connectionString, from, datamodel(schemaPath, await readFile(schemaPath, 'utf8')));
}

export const isEmptyScript = (sql: string) => !/\S/.test(sql.replace(/^--.*$/gm, ''));

/** Writes `prisma/migrations/<timestamp>_<name>/`; returns its path, or null when nothing changed. */
export async function createMigration(connectionString: string, name: string): Promise<string | null> {
  const sql = await pendingSchemaChange(connectionString);
  if (isEmptyScript(sql)) return null;
  const stamp = new Date().toISOString().replace(/\D/g, '').slice(0, 14);
  const dir = path.join(migrationsDir, `${stamp}_${name.replace(/\W+/g, '_')}`);
  await mkdir(dir, { recursive: true });
  await writeFile(path.join(migrationsDir, 'migration_lock.toml'), 'provider = "postgresql"\n');
  await writeFile(path.join(dir, 'migration.sql'), sql);
  await writeFile(path.join(dir, SNAPSHOT), await readFile(schemaPath, 'utf8'));
  return dir;
}
