// The delivery worker's loop (src/delivery/queueing/worker.ts) against fakes of the queue, the attempter and the
// held-back webhooks: its states, the order of its fetches, and what wakes it. No database.
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import type { PgBoss } from 'pg-boss';
import type { HeldBackWebhooks } from '../src/delivery/queueing/held-back.js';
import type pg from 'pg';
import type { EventJobs } from '../src/delivery/queueing/event-jobs.js';
import { EVENT_QUEUE, type DeliveryQueueJob } from '../src/delivery/queueing/queue.js';
import type { WebhookSlots } from '../src/delivery/queueing/webhook-slots.js';
import { DeliveryWorker } from '../src/delivery/queueing/worker.js';
import type { DeliveryAttempter, RequestEnd } from '../src/delivery/sending/attempter.js';

type FetchCall = { batchSize: number; groupConcurrency: number; minPriority?: number; maxPriority?: number };

const job = (id: string, webhookId = 'wh_1') =>
  ({ id, groupId: webhookId, retryCount: 0, data: { deliveryId: `del_${id}`, attempt: 1 } }) as unknown as DeliveryQueueJob;

/** Waits for `condition`, checking every few ms (the loop runs on timers and promises). */
async function until(condition: () => boolean, what: string) {
  const deadline = Date.now() + 2_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

function setup({ concurrency = 4, webhookMaxInFlight = 2 } = {}) {
  const fetches: FetchCall[] = [];
  /** What the next fetches answer, in order, per kind; an empty queue when none is left. */
  const queued = { heldBack: [] as DeliveryQueueJob[][], normal: [] as DeliveryQueueJob[][] };
  const boss = {
    fetch: async (queue: string, options: FetchCall) => {
      if (queue === EVENT_QUEUE) return []; // no event jobs: these tests are about jobs of their own
      fetches.push(options);
      return (options.maxPriority !== undefined ? queued.heldBack : queued.normal).shift() ?? [];
    },
    touch: async () => {},
    fail: async () => {},
  };
  /** Per job: end its request, and record its outcome. */
  const running = new Map<string, { send: (end: RequestEnd) => void; record: () => void }>();
  const attempter = {
    load: async () => new Map(),
    run: (jobs: readonly DeliveryQueueJob[]) =>
      jobs.map((j) => {
        let send!: (end: RequestEnd) => void;
        let record!: () => void;
        const sent = new Promise<RequestEnd>((resolve) => (send = resolve));
        const recorded = new Promise<void>((resolve) => (record = resolve));
        running.set(j.id, { send, record });
        return { sent, recorded };
      }),
  };
  const heldBack = { isHeld: () => false, hold: async () => {}, renew: async () => {}, release: async () => {}, sweep: async () => {} };
  // Every webhook has a free slot.
  const webhookSlots = {
    take: async (wanted: Map<string, number>) =>
      new Map([...wanted].map(([webhookId, n]) => [webhookId, Array.from({ length: n }, (_, slot) => ({ webhookId, slot, session: 0 }))])),
    release: () => {},
  };
  const worker = new DeliveryWorker(
    boss as unknown as PgBoss,
    {
      pool: {} as pg.Pool,
      attempter: attempter as unknown as DeliveryAttempter,
      heldBack: heldBack as unknown as HeldBackWebhooks,
      webhookSlots: webhookSlots as unknown as WebhookSlots,
      eventJobs: { claimed: () => [] } as unknown as EventJobs,
    },
    { concurrency, webhookMaxInFlight, pollIntervalMs: 60_000, heartbeatSeconds: 60, timeoutMs: 10_000 },
    pino({ level: 'silent' }),
  );
  const finish = (id: string) => {
    running.get(id)!.send('finished');
    running.get(id)!.record();
  };
  return { worker, fetches, queued, running, finish };
}

const kinds = (fetches: FetchCall[]) =>
  fetches.map((f) => `${f.maxPriority !== undefined ? 'held-back' : 'normal'}:${f.batchSize}`);

describe('DeliveryWorker', () => {
  it('goes from created to running to stopping to stopped, and stops fetching', async () => {
    const { worker, fetches } = setup();
    expect(worker.state).toBe('created');
    worker.start();
    expect(worker.state).toBe('running');
    await until(() => fetches.length === 2, 'the first fetches');
    const stopping = worker.stop();
    expect(worker.state).toBe('stopping');
    await stopping;
    expect(worker.state).toBe('stopped');
    worker.wake();
    await new Promise((r) => setTimeout(r, 30));
    expect(fetches).toHaveLength(2);
  });

  it('fetches held-back jobs first when due, then normal ones for the slots left, with the per-webhook limit', async () => {
    const { worker, fetches, queued, finish } = setup({ concurrency: 4, webhookMaxInFlight: 2 });
    queued.heldBack.push([job('h1', 'wh_slow')]);
    worker.start();
    await until(() => fetches.length === 2, 'the first fetches');
    expect(fetches).toEqual([
      { batchSize: 4, groupConcurrency: 2, maxPriority: -1 },
      { batchSize: 3, groupConcurrency: 2, minPriority: 0 },
    ]);
    // The queue came back short: the loop sleeps until woken, and held-back jobs are not due again before the poll.
    await new Promise((r) => setTimeout(r, 30));
    expect(fetches).toHaveLength(2);
    worker.wake();
    await until(() => fetches.length === 3, 'the fetch after the wake');
    expect(kinds(fetches)).toEqual(['held-back:4', 'normal:3', 'normal:3']);
    finish('h1');
    await worker.stop();
  });

  it('waits while every slot is taken, and fetches again as soon as one frees after a full fetch', async () => {
    const { worker, fetches, queued, running } = setup({ concurrency: 2, webhookMaxInFlight: 2 });
    queued.normal.push([job('a', 'wh_a'), job('b', 'wh_b')], [job('c', 'wh_c')]);
    worker.start();
    await until(() => fetches.length === 2, 'the first fetches');
    await new Promise((r) => setTimeout(r, 30));
    expect(kinds(fetches)).toEqual(['held-back:2', 'normal:2']); // no slot free: no fetch
    running.get('a')!.send('finished'); // answered, not yet recorded: its slot is free
    await until(() => fetches.length === 3, 'the fetch for the freed slot');
    expect(kinds(fetches)).toEqual(['held-back:2', 'normal:2', 'normal:1']);
    for (const id of ['a', 'b', 'c']) {
      running.get(id)!.send('finished');
      running.get(id)!.record();
    }
    await worker.stop();
  });

  it('waits for the outcomes in hand to be recorded before it is stopped', async () => {
    const { worker, fetches, queued, running } = setup();
    queued.normal.push([job('a')]);
    worker.start();
    await until(() => fetches.length === 2, 'the first fetches');
    running.get('a')!.send('finished');
    let stopped = false;
    const stopping = worker.stop().then(() => (stopped = true));
    await new Promise((r) => setTimeout(r, 30));
    expect(stopped).toBe(false);
    expect(worker.state).toBe('stopping');
    running.get('a')!.record();
    await stopping;
    expect(worker.state).toBe('stopped');
  });
});
