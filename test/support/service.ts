// Starts the real service in-process against a test database, on a loopback port, with helpers to call it.
import { pino, type Logger } from 'pino';
import { ApiKeyStore } from '../../src/auth/api-keys.js';
import { loadConfig } from '../../src/config.js';
import { createDatabase, type Db } from '../../src/db/prisma.js';
import type pg from 'pg';
import { startService, type RunningService } from '../../src/composition-root.js';
import { testApi, type TestApi } from './api.js';
import { queuedJobsByPriority } from '../../src/db/sql/job-queue.js';
import { DELIVERY_QUEUE } from '../../src/delivery/queueing/queue.js';
import { onCleanup } from './cleanup.js';
import { createTestDatabase } from './database.js';
import { startReceiver } from './receiver.js';

export type GraphQLResult<T = any> = { status: number; body: { data?: T; errors?: { message: string; extensions?: any }[] } };

export type TestService = RunningService & {
  httpUrl: string;
  /** A client of the service's database, to look at what the API does not show (the job queue). */
  db: Db;
  /** The same database over plain pg (what the key store and the SQL of src/db/sql/ take). */
  pool: pg.Pool;
  /** A webhook's queued delivery jobs by pg-boss priority: 0 is what the main fetch reads, -1 is held back. */
  queuedJobsByPriority: (webhookId: string) => Promise<Record<string, number>>;
  /** A new project with its own API key, and the API as that key sees it. */
  newProject: (name?: string) => Promise<{ key: string; projectId: string; api: TestApi }>;
  /** POSTs a GraphQL operation with the given key (none when null). */
  gql: <T = any>(key: string | null, query: string, variables?: Record<string, unknown>) => Promise<GraphQLResult<T>>;
};

let projectCounter = 0;

/** One fixed key for every test process, so a worker child can open what the in-process API sealed. */
export const TEST_ENCRYPTION_KEY = Buffer.alloc(32, 7).toString('base64');

/** `logger` receives the service's log (silent by default), e.g. to check what a test made it log. */
export async function startTestService(
  env: Record<string, string> = {},
  { logger = pino({ level: 'silent' }) }: { logger?: Logger } = {},
): Promise<TestService> {
  const databaseUrl = env.DATABASE_URL ?? (await createTestDatabase());
  const config = loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    // Receivers in tests listen on loopback, which the SSRF guard refuses unless allow-listed.
    DESTINATION_ALLOWLIST: '127.0.0.0/8,::1/128',
    SECRET_ENCRYPTION_KEY: TEST_ENCRYPTION_KEY,
    ...env,
    DATABASE_URL: databaseUrl,
  });
  const service = await startService(config, logger);
  onCleanup(() => service.stop());
  const { db, pool, close } = createDatabase(databaseUrl, () => {}, { max: 2 });
  onCleanup(close);
  const apiKeys = new ApiKeyStore(pool);
  const httpUrl = service.httpUrl!;

  return {
    ...service,
    httpUrl,
    db,
    pool,
    queuedJobsByPriority: (webhookId) => queuedJobsByPriority(pool, DELIVERY_QUEUE, webhookId),
    newProject: async (name = `project-${process.pid}-${++projectCounter}`) => {
      const { key, apiKey } = await apiKeys.create(name);
      return { key, projectId: apiKey.projectId, api: testApi({ httpUrl }, key) };
    },
    gql: async (key, query, variables) => {
      const response = await fetch(`${httpUrl}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}) },
        body: JSON.stringify({ query, variables }),
      });
      return { status: response.status, body: (await response.json()) as GraphQLResult['body'] };
    },
  };
}

/**
 * Where most test files start: a loopback receiver, the service (configured by `env`), and a project of its own:
 * `{ receiver, service, key, projectId, api }`.
 */
export async function startFixture(env: Record<string, string> = {}) {
  const receiver = await startReceiver();
  const service = await startTestService(env);
  return { receiver, service, ...(await service.newProject()) };
}
