// `npm run db:migrate` applies pending migrations; `npm run db:migration -- <name>` writes a new one from the
// difference between the last migration's schema snapshot and prisma/schema.prisma.
import { loadConfig } from '../config.js';
import { openEmbeddedPostgres } from '../db/embedded.js';
import { applyMigrations, createMigration } from '../db/migrations.js';

const [command, name] = process.argv.slice(2);
const config = loadConfig();

if (command !== 'apply' && command !== 'create') {
  console.error('usage: cli/migrate.ts apply | create <name>');
  process.exit(2);
}
if (command === 'create' && (!name || !/^[a-z0-9_]+$/i.test(name))) {
  console.error('usage: npm run db:migration -- <name>   (letters, digits and underscores)');
  process.exit(2);
}
// The engine needs a live database even to diff datamodels; without DATABASE_URL the embedded one serves.
const embedded = config.databaseUrl ? null : await openEmbeddedPostgres(config.dataDir);
const url = config.databaseUrl ?? embedded!.url;
try {
  if (command === 'create') {
    const dir = await createMigration(url, name!);
    console.log(dir ? `wrote ${dir}` : 'schema.prisma matches the migrations; nothing to write');
  } else {
    const applied = await applyMigrations(url);
    console.log(applied.length ? `applied ${applied.join(', ')}` : 'database is up to date');
  }
} finally {
  await embedded?.stop();
}
