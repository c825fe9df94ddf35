// The default database: with no DATABASE_URL the real service (a child process, as `npm start` runs it) starts an
// embedded PostgreSQL under DATA_DIR, keeps its data across restarts and stops it on shutdown.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { appendFile, chmod, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../src/lib/free-port.js';
import { eventually } from './support/receiver.js';
import { isAlive } from './support/process.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const START_TIMEOUT = 60_000;

type LogLine = { level: number; msg: string; [field: string]: unknown };
type Running = {
  url: string;
  logs: LogLine[];
  /** Whatever the process printed that is not a JSON log line, on stdout or stderr. */
  otherOutput: () => string;
  child: ChildProcess;
  exited: Promise<number | null>;
  stop: () => Promise<number | null>;
};

const children = new Set<ChildProcess>();
const dirs: string[] = [];
afterAll(async () => {
  for (const child of children) child.kill('SIGTERM');
  await Promise.all([...children].map((c) => new Promise((resolve) => c.once('exit', resolve))));
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
}, START_TIMEOUT);

async function freshDataDir(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'webhooks-embedded-'));
  await chmod(dir, 0o755); // as root, Postgres runs as its own user and must reach the cluster directory
  dirs.push(dir);
  return dir;
}


/**
 * Starts `src/main.ts` as `npm start` does and resolves once it logs that it is running. `ownProcessGroup` puts it
 * in a process group of its own, as a terminal does with the command it runs, so a test can Ctrl-C the group.
 */
async function startService(env: Record<string, string>, { ownProcessGroup = false } = {}): Promise<Running> {
  const port = await freePort();
  const base: NodeJS.ProcessEnv = {
    ...process.env,
    PATH: `${path.join(root, 'node_modules/.bin')}${path.delimiter}${process.env.PATH}`,
  };
  for (const name of ['DATABASE_URL', 'BOOTSTRAP_API_KEY', 'ROLE', 'HOST', 'NODE_ENV']) delete base[name];
  const child = spawn(path.join(root, 'node_modules/.bin/tsx'), ['src/main.ts'], {
    cwd: root,
    env: { ...base, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: ownProcessGroup,
  });
  children.add(child);
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => {
      children.delete(child);
      resolve(code);
    }),
  );

  const logs: LogLine[] = [];
  let output = '';
  let buffered = '';
  let otherOutput = '';
  child.stderr.on('data', (chunk) => {
    output += chunk;
    otherOutput += chunk;
  });
  const running = new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk;
      buffered += chunk;
      const lines = buffered.split('\n');
      buffered = lines.pop()!;
      for (const text of lines) {
        if (!text.startsWith('{')) {
          otherOutput += `${text}\n`;
          continue;
        }
        const line = JSON.parse(text) as LogLine;
        logs.push(line);
        if (line.msg === 'AI Platform Webhooks is running') resolve();
      }
    });
    void exited.then((code) => reject(new Error(`service exited with ${code} before running:\n${output}`)));
    setTimeout(() => reject(new Error(`service did not start in time:\n${output}`)), START_TIMEOUT - 5_000).unref();
  });
  await running;
  return {
    url: `http://127.0.0.1:${port}`,
    logs,
    otherOutput: () => otherOutput,
    child,
    exited,
    stop: async () => {
      child.kill('SIGTERM');
      return exited;
    },
  };
}

/** The postmaster's pid, from the first line of the cluster's lock file. */
const postmasterPid = async (dataDir: string) =>
  Number((await readFile(path.join(dataDir, 'postgres', 'postmaster.pid'), 'utf8')).split('\n')[0]);

const readiness = async (url: string) => {
  const response = await fetch(`${url}/readyz`).catch(() => null);
  return response && { status: response.status, body: (await response.json()) as { status: string; reason?: string } };
};

const WARN = 40;

const generatedKeys = (logs: LogLine[]) =>
  logs.filter((l) => l.msg.includes('Generated the first API key')).map((l) => l.apiKey as string);

async function gql(url: string, key: string, query: string, variables?: Record<string, unknown>) {
  const response = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
    body: JSON.stringify({ query, variables }),
  });
  return { status: response.status, body: (await response.json()) as any };
}

const LIST = '{ webhooks { totalCount edges { node { id url events } } } }';
const CREATE = `mutation($input: CreateWebhookInput!) {
  createWebhook(input: $input) { __typename ... on CreateWebhookPayload { webhook { id url events } } }
}`;

describe('embedded PostgreSQL', () => {
  it(
    'keeps webhooks and keys across a restart, prints a key only on first start, and stops Postgres on SIGTERM',
    async () => {
      const dataDir = await freshDataDir();

      const first = await startService({ DATA_DIR: dataDir });
      const keys = generatedKeys(first.logs);
      expect(keys).toHaveLength(1);
      const key = keys[0]!;
      expect(key).toMatch(/^aip_[A-Za-z0-9_-]{43}$/);
      expect(first.logs.some((l) => l.msg === 'embedded PostgreSQL started')).toBe(true);
      expect(existsSync(path.join(dataDir, 'postgres', 'PG_VERSION'))).toBe(true);

      expect(await gql(first.url, key, LIST)).toEqual({
        status: 200,
        body: { data: { webhooks: { totalCount: 0, edges: [] } } },
      });
      const created = await gql(first.url, key, CREATE, {
        input: { url: 'https://example.com/persist', events: ['optimization.completed'] },
      });
      expect(created.body.data.createWebhook.__typename).toBe('CreateWebhookPayload');
      const webhook = created.body.data.createWebhook.webhook;

      expect(await first.stop()).toBe(0);
      expect(existsSync(path.join(dataDir, 'postgres', 'postmaster.pid'))).toBe(false); // Postgres stopped too

      const second = await startService({ DATA_DIR: dataDir });
      expect(generatedKeys(second.logs)).toEqual([]);
      expect(second.logs.some((l) => JSON.stringify(l).includes('aip_'))).toBe(false);
      expect(await gql(second.url, key, LIST)).toEqual({
        status: 200,
        body: { data: { webhooks: { totalCount: 1, edges: [{ node: webhook }] } } },
      });
      expect((await gql(second.url, `aip_${randomBytes(32).toString('base64url')}`, LIST)).status).toBe(401);
      expect(await second.stop()).toBe(0);
    },
    3 * START_TIMEOUT,
  );

  it(
    'installs BOOTSTRAP_API_KEY on a fresh DATA_DIR, prints no key, and is healthy and ready',
    async () => {
      const dataDir = await freshDataDir();
      const bootstrapKey = `bootstrap-${randomBytes(24).toString('hex')}`;

      const service = await startService({ DATA_DIR: dataDir, BOOTSTRAP_API_KEY: bootstrapKey });
      expect(generatedKeys(service.logs)).toEqual([]);
      expect(service.logs.some((l) => l.msg.includes('BOOTSTRAP_API_KEY installed'))).toBe(true);
      expect(service.logs.some((l) => JSON.stringify(l).includes(bootstrapKey))).toBe(false);

      expect(await gql(service.url, bootstrapKey, LIST)).toEqual({
        status: 200,
        body: { data: { webhooks: { totalCount: 0, edges: [] } } },
      });
      const healthz = await fetch(`${service.url}/healthz`);
      expect(healthz.status).toBe(200);
      expect(await healthz.json()).toEqual({ status: 'ok' });
      const readyz = await fetch(`${service.url}/readyz`);
      expect(readyz.status).toBe(200);
      expect(await readyz.json()).toEqual({ status: 'ready' });

      expect(await service.stop()).toBe(0);
    },
    2 * START_TIMEOUT,
  );

  it(
    'on Ctrl-C (SIGINT to the whole process group) stops Postgres last: one line in, one line out, no orphan',
    async () => {
      const dataDir = await freshDataDir();
      const key = `bootstrap-${randomBytes(24).toString('hex')}`; // a generated key is announced at warn
      const service = await startService({ DATA_DIR: dataDir, BOOTSTRAP_API_KEY: key }, { ownProcessGroup: true });
      // Connections in use everywhere: pools, the queue, the live listener.
      expect((await gql(service.url, key, LIST)).status).toBe(200);
      const postgres = await postmasterPid(dataDir);
      // The request's own log line is written after its answer: wait for it, so what follows is the shutdown's.
      await eventually(async () => (service.logs.some((l) => l.msg === 'request completed') ? true : undefined), "the request's log line");
      const before = service.logs.length;
      const printedBefore = service.otherOutput().length;

      process.kill(-service.child.pid!, 'SIGINT');
      expect(await service.exited).toBe(0);

      expect(service.logs.slice(before).map((l) => l.msg)).toEqual(['stopping', 'stopped']);
      expect(service.logs.filter((l) => l.level >= WARN)).toEqual([]);
      expect(service.otherOutput().slice(printedBefore)).toBe('');
      expect(isAlive(postgres)).toBe(false);
      expect(existsSync(path.join(dataDir, 'postgres', 'postmaster.pid'))).toBe(false);
    },
    2 * START_TIMEOUT,
  );

  it(
    'restarts Postgres after a kill -9 of the postmaster, on the same port and data, and the pools reconnect',
    async () => {
      const dataDir = await freshDataDir();
      const service = await startService({ DATA_DIR: dataDir });
      const key = generatedKeys(service.logs)[0]!;
      const created = await gql(service.url, key, CREATE, {
        input: { url: 'https://example.com/survives', events: ['optimization.completed'] },
      });
      const webhook = created.body.data.createWebhook.webhook;
      const postgres = await postmasterPid(dataDir);

      process.kill(postgres, 'SIGKILL');
      await eventually(async () => service.logs.find((l) => l.msg === 'embedded PostgreSQL restarted'), 'the restart', 20_000);
      expect(await postmasterPid(dataDir)).not.toBe(postgres);
      await eventually(async () => ((await readiness(service.url))?.status === 200 ? true : undefined), 'readiness', 20_000);
      expect(await eventually(async () => {
        const listed = await gql(service.url, key, LIST);
        return listed.status === 200 && !listed.body.errors ? listed.body.data.webhooks.edges : undefined;
      }, 'a working request', 20_000)).toEqual([{ node: webhook }]);
      expect(await service.stop()).toBe(0);
    },
    2 * START_TIMEOUT,
  );

  it(
    'exits non-zero when Postgres cannot be restarted, /readyz saying the database is unreachable until then',
    async () => {
      const dataDir = await freshDataDir();
      const service = await startService({ DATA_DIR: dataDir });
      // The running postmaster read its configuration at start; a new one refuses to start on this line.
      await appendFile(path.join(dataDir, 'postgres', 'postgresql.conf'), '\nthis line is not a setting\n');

      process.kill(await postmasterPid(dataDir), 'SIGKILL');
      const unready = await eventually(async () => {
        const answer = await readiness(service.url);
        return answer?.status === 503 ? answer : undefined;
      }, 'an unready answer', 20_000);
      expect(unready.body).toEqual({ status: 'not ready', reason: expect.stringMatching(/^database unreachable: /) });
      expect(await service.exited).toBe(1);
      expect(service.logs.find((l) => l.msg === 'stopping: the database is gone')).toMatchObject({
        err: { message: expect.stringMatching(/did not restart in \d+ attempts/) },
      });
    },
    2 * START_TIMEOUT,
  );
});
