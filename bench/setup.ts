// A benchmark's world: a fresh database on the local Postgres (dropped at the end), the receiver, the service's
// API and worker processes (the split set, one process each), the projects, keys and webhooks the scenarios publish
// to, and `npm start`'s process set (ROLE=all) for the scenarios that measure it instead.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { PgBoss } from 'pg-boss';
import { ApiKeyStore, principalOfKey, type Principal } from '../src/auth/api-keys.js';
import { loadConfig } from '../src/config.js';
import { applyMigrations } from '../src/db/migrations.js';
import { createDatabase, type Db } from '../src/db/prisma.js';
import { JOB_SCHEMA } from '../src/db/sql/job-queue.js';
import { DestinationPolicy } from '../src/delivery/sending/destination-policy.js';
import { DELIVERY_QUEUE } from '../src/delivery/queueing/queue.js';
import { EventPublisher } from '../src/events/publisher.js';
import { openSecretBox } from '../src/secrets/encryption-key.js';
import { WebhookService } from '../src/app/webhooks.js';
import type { Filter } from '../src/webhooks/filter.js';
import { AuditLog } from '../src/app/audit.js';
import { processTree } from './cpu.js';
import { Api } from './load.js';
import { freePort } from '../src/lib/free-port.js';
import { withDatabase } from '../test/support/database-url.js';
import { startReceiver, startServiceProcess, waitFor, type Receiver, type ServiceProcess } from './processes.js';

/** A service started as `npm start` starts it (ROLE=all), with its own port; `root` is its first process. */
export type ProcessSet = { root: ServiceProcess<'all'>; http: Api; stop: () => Promise<void> };

export type Project = { id: string; key: string; principal: Principal; webhooks: { id: string; path: string }[] };

export type World = {
  database: string;
  url: string;
  admin: pg.Client;
  /** The load generator's own clients, for seeding and for the internal publishing API. */
  db: Db;
  pool: pg.Pool;
  publisher: EventPublisher;
  webhooks: WebhookService;
  receiver: Receiver;
  api: ServiceProcess<'api'>;
  worker: ServiceProcess<'worker'>;
  http: Api;
  /**
   * Stops the split API and worker for good (the scenarios that measure another process set run last): they would
   * otherwise take jobs from the same queue.
   */
  stopSplit: () => Promise<void>;
  /** `npm start`'s process set on this world's database: WORKERS as given, or unset (the default) when undefined. */
  startProcessSet: (workers: string | undefined) => Promise<ProcessSet>;
  /** Deliveries not yet attempted, in every project. */
  pending: () => Promise<number>;
  /** A project with a webhook per receiver path, each subscribed to `events` (and with `filter`, when given). */
  newProject: (name: string, paths: string[], events: string[], filter?: Filter) => Promise<Project>;
  /**
   * Waits (up to `timeoutMs`) for every delivery to have been attempted, so a scenario the service could not keep
   * up with does not slow the next one; then deletes the jobs still queued. Returns how many were deleted.
   */
  settle: (timeoutMs: number) => Promise<number>;
  close: () => Promise<void>;
};

export const serviceSettings = {
  DELIVERY_CONCURRENCY: '50',
  WEBHOOK_MAX_IN_FLIGHT: '10',
  DELIVERY_TIMEOUT: '30s',
  JOB_POLL_INTERVAL: '2s',
};

function isAlive(pid: number) {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export async function createWorld(adminUrl: string): Promise<World> {
  const cleanups: (() => Promise<unknown>)[] = [];
  const close = async () => {
    for (const step of cleanups.reverse()) await step().catch((error) => console.error('bench cleanup:', error));
  };
  try {
    const admin = new pg.Client({ connectionString: adminUrl });
    await admin.connect();
    cleanups.push(() => admin.end());
    const database = `webhooks_bench_${randomBytes(4).toString('hex')}`;
    await admin.query(`CREATE DATABASE ${database}`);
    cleanups.push(() => admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`));
    const url = withDatabase(adminUrl, database);
    await applyMigrations(url);

    const dataDir = await mkdtemp(path.join(tmpdir(), 'webhooks-bench-'));
    cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
    const env = {
      DATABASE_URL: url,
      HOST: '127.0.0.1',
      NODE_ENV: 'production',
      ALLOW_HTTP_WEBHOOKS: 'true',
      LOG_LEVEL: 'warn',
      DATA_DIR: dataDir,
      DESTINATION_ALLOWLIST: '127.0.0.0/8',
      SECRET_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
      // The load generator calls the API far more often than the per-key limit allows.
      RATE_LIMIT_MAX: '0',
      ...serviceSettings,
    };
    const config = loadConfig(env);

    const { db, pool, close: closeDatabase } = createDatabase(url, (error) => console.error('bench database:', error), { max: 10 });
    cleanups.push(closeDatabase);
    const secrets = await openSecretBox(config);
    const apiKeys = new ApiKeyStore(pool);
    // A key exists before the service starts, so it does not generate (and log) a bootstrap key.
    await apiKeys.create('bench-bootstrap');

    const receiver = await startReceiver();
    cleanups.push(() => receiver.stop());
    // The split set is one process per role whatever the service's default (WORKERS=1), so the probe reaches the
    // process that does the work; the default set is measured on its own (startProcessSet).
    const port = await freePort();
    const api = await startServiceProcess('api', { ...env, PORT: String(port), WORKERS: '1' });
    cleanups.push(() => api.stop());
    const worker = await startServiceProcess('worker', { ...env, PORT: '0', WORKERS: '1' });
    cleanups.push(() => worker.stop());
    const http = new Api(`http://127.0.0.1:${port}`);
    cleanups.push(() => http.close());
    await waitFor(async () => (await fetch(`${http.url}/readyz`)).ok, 'the API process');
    const stopSplit = async () => {
      await api.stop();
      await worker.stop();
    };

    const startProcessSet = async (workers: string | undefined): Promise<ProcessSet> => {
      const setPort = await freePort();
      const root = await startServiceProcess('all', { ...env, PORT: String(setPort), WORKERS: workers });
      const setHttp = new Api(`http://127.0.0.1:${setPort}`);
      let stopped: Promise<void> | undefined;
      const stop = () =>
        (stopped ??= (async () => {
          await setHttp.close();
          const tree = processTree(root.pid);
          await root.stop();
          // A set's processes stop with its first one (a helper such as tsx's esbuild service a moment after); one
          // left behind would take jobs in the scenarios after.
          const outlived = () => tree.slice(1).filter(isAlive);
          await waitFor(async () => outlived().length === 0, 'the ROLE=all set to stop', 10_000).catch(() => {});
          const left = outlived();
          for (const pid of left) process.kill(pid, 'SIGKILL');
          if (left.length) console.error(`bench: ${left.length} processes of the ROLE=all set outlived it by 10 s and were killed`);
        })());
      cleanups.push(stop);
      await waitFor(async () => (await fetch(`${setHttp.url}/readyz`)).ok, 'the ROLE=all process set');
      return { root, http: setHttp, stop };
    };

    // Only inserts jobs (the internal publishing API); maintenance is the service's business.
    const boss = new PgBoss({ connectionString: url, schema: JOB_SCHEMA, supervise: false, schedule: false, migrate: false, max: 4 });
    boss.on('error', (error) => console.error('bench pg-boss:', error));
    await boss.start();
    cleanups.push(() => boss.stop({ graceful: false }));
    const publisher = new EventPublisher(pool, boss);
    const webhooks = new WebhookService({
      db,
      policy: { allowHttp: true, destinations: new DestinationPolicy(config.destinationAllowlist) },
      secrets,
      publisher,
      audit: new AuditLog(db),
    });

    const newProject = async (name: string, paths: string[], events: string[], filter?: Filter): Promise<Project> => {
      const { key, apiKey } = await apiKeys.create(name);
      const principal = principalOfKey(apiKey);
      const created: Project['webhooks'] = [];
      for (const p of paths) {
        const { webhook } = await webhooks.create(principal, { url: receiver.url(p), events, filter });
        created.push({ id: webhook.id, path: p });
      }
      return { id: principal.projectId, key, principal, webhooks: created };
    };

    const pending = async () =>
      Number((await db.$queryRaw<{ n: bigint }[]>`SELECT count(*) AS n FROM deliveries WHERE status = 'PENDING'`)[0]!.n);
    const settle = async (timeoutMs: number) => {
      const deadline = Date.now() + timeoutMs;
      while ((await pending()) > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 250));
      return (await pending()) > 0 ? boss.deleteQueuedJobs(DELIVERY_QUEUE) : 0;
    };

    return { database, url, admin, db, pool, publisher, webhooks, receiver, api, worker, http, stopSplit, startProcessSet, pending, newProject, settle, close };
  } catch (error) {
    await close();
    throw error;
  }
}
