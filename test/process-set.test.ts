// Every core by default: `npm start` as a process set (WORKERS=2 here, node:cluster), spawned as a real child
// process on a test database. Requests are spread over new connections, which the primary hands round, so both
// processes serve them; what they must share (a key's request budget, a project's subscription cap, /metrics)
// holds for the set, a process that dies is replaced and its subscription slots given back, and SIGTERM stops the
// set with one "stopping" and one "stopped".
import http from 'node:http';
import { existsSync } from 'node:fs';
import { chmod, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { availableParallelism } from 'node:os';
import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { onCleanup } from './support/cleanup.js';
import { ConfigError, loadConfig } from '../src/config.js';
import { freePort } from '../src/lib/free-port.js';
import { testApi } from './support/api.js';
import { connectWs, type Recording } from './support/live.js';
import { isAlive, serviceReady, spawnService, workerEnv, type ServiceProcess } from './support/process.js';
import { eventually, startReceiver, type Receiver } from './support/receiver.js';
import { startTestService, type TestService } from './support/service.js';

const RATE_LIMIT_MAX = 6;
const PROJECT_SUBSCRIPTIONS = 2;
const BATCH = `subscription($jobId: ID!) { batchProgress(jobId: $jobId) { jobId status } }`;

let api: TestService; // in-process, ROLE=api: makes keys, and publishes for the subscribers of the set
let set: ServiceProcess;
let setUrl: string;
let receiver: Receiver;

beforeAll(async () => {
  receiver = await startReceiver();
  api = await startTestService({ ROLE: 'api' });
  const port = await freePort();
  set = spawnService(
    workerEnv(api.databaseUrl, {
      ROLE: 'all',
      WORKERS: '2',
      PORT: String(port),
      HOST: '127.0.0.1',
      RATE_LIMIT_MAX: String(RATE_LIMIT_MAX),
      RATE_LIMIT_WINDOW: '1h',
      MAX_SUBSCRIPTIONS_PER_PROJECT: String(PROJECT_SUBSCRIPTIONS),
    }),
  );
  await set.waitForLog(serviceReady, 90_000);
  setUrl = `http://127.0.0.1:${port}`;
}, 120_000);

/** A request on a connection of its own (no keep-alive pool), so the primary hands it to the next process. */
function requestAt(baseUrl: string, method: string, path: string, key: string | null, body?: unknown) {
  return new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = http.request(`${baseUrl}${path}`, {
      method,
      agent: false,
      headers: { ...(key && { authorization: `Bearer ${key}` }), ...(body !== undefined && { 'content-type': 'application/json' }) },
    });
    req.on('response', (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode!, body: text }));
    });
    req.on('error', reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

const request = (method: string, path: string, key: string | null, body?: unknown) => requestAt(setUrl, method, path, key, body);

/** The pids of the set's processes that logged a request from `from` on (the primary serves none). */
const servingPids = (from: number) =>
  new Set(set.logs().slice(from).filter((l) => l.msg === 'request completed').map((l) => l.pid as number));

/** Whether a subscription was accepted: its job's state, published now, arrives (a refused one got only its error). */
async function accepted(key: string, sub: Recording, jobId: string): Promise<boolean> {
  await testApi(api, key).publish('batch.progress', {
    job_id: jobId,
    total_images: 2,
    processed_images: 1,
    failed_images: 0,
    progress_percent: 50,
  });
  await sub.count(1);
  return sub.messages[0]!.data?.batchProgress?.jobId === jobId && sub.error === null;
}

describe('WORKERS', () => {
  it("defaults to the machine's cores; anything but a positive integer is refused", () => {
    expect(loadConfig({}).workers).toBe(availableParallelism());
    expect(loadConfig({ WORKERS: '1' }).workers).toBe(1);
    for (const bad of ['0', '-1', '1.5', 'all', '2000']) {
      expect(() => loadConfig({ WORKERS: bad })).toThrow(ConfigError);
      expect(() => loadConfig({ WORKERS: bad })).toThrow(/WORKERS: must be an integer from 1 to 1024/);
    }
  });
});

describe('a process set of two', () => {
  it('serves from two processes, the primary serving none, and delivers what is published', async () => {
    const { key } = await api.newProject();
    await testApi({ httpUrl: setUrl }, key).createWebhook(receiver.url('/set'), ['model.deployed']);
    const from = set.logs().length;
    for (let i = 0; i < 4; i++) expect((await request('GET', '/v1/webhooks', key)).status).toBe(200);
    const published = await request('POST', '/v1/events', key, { event_type: 'model.deployed', data: { job_id: 'set-1' } });
    expect(published.status).toBe(202);
    await eventually(async () => (servingPids(from).size === 2 ? true : undefined), 'request lines of both processes');
    const pids = servingPids(from);
    expect(pids.has(set.child.pid!)).toBe(false);
    const [delivered] = await receiver.waitFor('/set', 1, 30_000);
    expect(JSON.parse(delivered!.body).event_id).toBe(JSON.parse(published.body).event_id);
  });

  it("holds a key's request limit for the whole set, whichever process serves each request", async () => {
    const { key } = await api.newProject();
    const from = set.logs().length;
    for (let i = 0; i < RATE_LIMIT_MAX; i++) expect((await request('GET', '/v1/webhooks', key)).status).toBe(200);
    // Each process served some: counted apart, neither would have reached the limit yet.
    await eventually(async () => (servingPids(from).size === 2 ? true : undefined), 'request lines of both processes');
    for (let i = 0; i < 2; i++) {
      const refused = await request('GET', '/v1/webhooks', key);
      expect(refused.status).toBe(429);
      expect(JSON.parse(refused.body)).toMatchObject({ error: { code: 'rate_limited' } });
    }
    const gql = await request('POST', '/graphql', key, { query: '{ webhooks(first: 1) { totalCount } }' });
    expect(gql.status).toBe(200); // GraphQL has its own budget
  });

  it("holds a project's subscription cap for the whole set, and gives back the slots of a process that dies", async () => {
    const { key } = await api.newProject();
    // One graphql-ws connection each: consecutive connections go to the two processes in turn.
    const jobIds = [randomUUID(), randomUUID()];
    const held = jobIds.map((jobId) => connectWs(setUrl, key).subscribe(BATCH, { jobId }));
    for (const [i, sub] of held.entries()) expect(await accepted(key, sub, jobIds[i]!)).toBe(true);
    for (let i = 0; i < 2; i++) {
      const refused = connectWs(setUrl, key).subscribe(BATCH, { jobId: randomUUID() });
      await refused.finished();
      expect(refused.messages).toEqual([
        {
          errors: [
            expect.objectContaining({
              extensions: { code: 'SUBSCRIPTION_LIMIT_EXCEEDED', scope: 'project', limit: PROJECT_SUBSCRIPTIONS },
            }),
          ],
        },
      ]);
    }

    // A process killed outright says nothing about its slots: the primary gives them back.
    const victim = [...servingPids(0)].find(isAlive)!;
    const before = set.logs().length;
    process.kill(victim, 'SIGKILL');
    await eventually(async () => (held.some((sub) => sub.error !== null) ? true : undefined), 'a subscription of the killed process to end');
    const replacement = await eventually(async () => {
      const jobId = randomUUID();
      const sub = connectWs(setUrl, key).subscribe(BATCH, { jobId });
      return (await accepted(key, sub, jobId)) ? sub : undefined;
    }, 'a free subscription slot', 30_000);
    expect([replacement.completed, replacement.error]).toEqual([false, null]);

    // …and replaces the process.
    expect(set.logs().slice(before).find((l) => l.msg === 'a process of the set exited unexpectedly; replacing it')).toMatchObject({
      pid: set.child.pid,
      exited: { pid: victim, signal: 'SIGKILL' },
    });
    await set.waitForLog((l) => l.msg === 'the replacement process is running' && set.logs().indexOf(l) >= before, 60_000);
    const from = set.logs().length;
    const { key: another } = await api.newProject();
    await eventually(async () => {
      expect((await request('GET', '/v1/webhooks', another)).status).toBe(200);
      return servingPids(from).size === 2 ? true : undefined;
    }, 'requests served by the survivor and the replacement');
    expect(servingPids(from).has(victim)).toBe(false);
  }, 120_000);

  it('answers /metrics for the whole set: a counter incremented in both processes is their sum', async () => {
    const { key } = await api.newProject();
    const type = 'inference.completed';
    const series = `webhooks_events_published_total{type="${type}"}`;
    const scrape = async () => {
      const text = (await request('GET', '/metrics', null)).body;
      const line = text.split('\n').find((l) => l.startsWith(`${series} `));
      return { text, published: line === undefined ? 0 : Number(line.slice(series.length + 1)) };
    };
    const before = (await scrape()).published;
    const from = set.logs().length;
    for (let i = 0; i < 4; i++) {
      expect((await request('POST', '/v1/events', key, { event_type: type, data: { job_id: `m-${i}` } })).status).toBe(202);
    }
    await eventually(async () => (servingPids(from).size === 2 ? true : undefined), 'request lines of both processes');
    // Whichever process a scrape reaches, it answers for both.
    for (let i = 0; i < 2; i++) expect((await scrape()).published).toBe(before + 4);
    const { text } = await scrape();
    expect(text).toMatch(/^process_resident_memory_bytes \d+/m);
    expect(text).toMatch(/^webhooks_queue_depth \d+/m);
  });

  it('stops on SIGTERM: every process drains and exits, one "stopping" and one "stopped", exit code 0', async () => {
    const members = [...servingPids(0)].filter(isAlive);
    expect(members.length).toBe(2);
    const from = set.logs().length;
    set.child.kill('SIGTERM');
    expect(await set.exited).toEqual({ code: 0, signal: null });
    const said = set.logs().slice(from).filter((l) => l.msg === 'stopping' || l.msg === 'stopped');
    expect(said.map((l) => [l.msg, l.pid])).toEqual([
      ['stopping', set.child.pid],
      ['stopped', set.child.pid],
    ]);
    for (const pid of members) expect(isAlive(pid)).toBe(false);
  }, 60_000);
});

describe('a process set on the embedded PostgreSQL', () => {
  it('is started once by the primary, which generates one key, and stopped by it last', async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'webhooks-set-'));
    await chmod(dataDir, 0o755); // as root, Postgres runs as its own user and must reach the cluster directory
    onCleanup(() => rm(dataDir, { recursive: true, force: true }));
    const port = await freePort();
    // An empty DATABASE_URL is an unset one.
    const embedded = spawnService({ DATABASE_URL: '', DATA_DIR: dataDir, WORKERS: '2', PORT: String(port), HOST: '127.0.0.1' });
    await embedded.waitForLog(serviceReady, 90_000);
    const started = embedded.logs().filter((l) => l.msg === 'embedded PostgreSQL started');
    expect(started.map((l) => l.pid)).toEqual([embedded.child.pid]);
    const keys = embedded.logs().filter((l) => String(l.msg).includes('Generated the first API key'));
    expect(keys).toHaveLength(1);
    const from = embedded.logs().length;
    for (let i = 0; i < 4; i++) {
      expect((await requestAt(`http://127.0.0.1:${port}`, 'GET', '/v1/webhooks', keys[0]!.apiKey as string)).status).toBe(200);
    }
    await eventually(async () => {
      const pids = new Set(embedded.logs().slice(from).filter((l) => l.msg === 'request completed').map((l) => l.pid));
      return pids.size === 2 ? true : undefined;
    }, 'request lines of both processes');

    const postmaster = Number((await readFile(path.join(dataDir, 'postgres', 'postmaster.pid'), 'utf8')).split('\n')[0]);
    embedded.child.kill('SIGTERM');
    expect(await embedded.exited).toEqual({ code: 0, signal: null });
    const warnings = embedded.logs().filter((l) => (l.level as number) >= 40);
    expect(warnings.map((l) => l.msg)).toEqual([keys[0]!.msg]); // the generated key is announced at warn
    expect(isAlive(postmaster)).toBe(false);
    expect(existsSync(path.join(dataDir, 'postgres', 'postmaster.pid'))).toBe(false);
  }, 120_000);
});
