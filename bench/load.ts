// Load generation: the GraphQL/REST calls the benchmark makes, open-loop pacing at a fixed rate, and the collector
// that joins the receiver's arrival times with publish times by event id.
import { Pool } from 'undici';
import type { Histogram } from 'hdr-histogram-js';
import type { Receiver } from './processes.js';
import { newHistogram, recordMs } from './stats.js';

/** CLOCK_MONOTONIC in ms: the same clock the receiver stamps arrivals with. */
export const now = () => Number(process.hrtime.bigint()) / 1e6;
export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export class Api {
  readonly pool: Pool;

  constructor(readonly url: string) {
    this.pool = new Pool(url, { connections: 64, keepAliveTimeout: 60_000 });
  }

  async graphql<T>(key: string, query: string, variables: Record<string, unknown>): Promise<T> {
    const response = await this.pool.request({
      method: 'POST',
      path: '/graphql',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
      body: JSON.stringify({ query, variables }),
    });
    const body = (await response.body.json()) as { data?: T; errors?: { message: string }[] };
    if (response.statusCode !== 200 || body.errors?.length || !body.data) {
      throw new Error(`GraphQL ${response.statusCode}: ${JSON.stringify(body.errors ?? body)}`);
    }
    return body.data;
  }

  async rest<T>(key: string, path: string): Promise<T> {
    const response = await this.pool.request({ method: 'GET', path, headers: { authorization: `Bearer ${key}` } });
    const body = (await response.body.json()) as T;
    if (response.statusCode !== 200) throw new Error(`GET ${path}: ${response.statusCode} ${JSON.stringify(body)}`);
    return body;
  }

  /** POSTs JSON to a REST route; resolves to the answer of a 2xx. */
  async post<T>(key: string, path: string, body: unknown): Promise<T> {
    const response = await this.pool.request({
      method: 'POST',
      path,
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
      body: JSON.stringify(body),
    });
    const answer = (await response.body.json()) as T;
    if (response.statusCode >= 300) throw new Error(`POST ${path}: ${response.statusCode} ${JSON.stringify(answer)}`);
    return answer;
  }

  /** The publishEvent mutation; returns the event id. */
  async publish(key: string, type: string, data: Record<string, unknown>): Promise<string> {
    const result = await this.graphql<{ publishEvent: { __typename: string; event?: { id: string }; message?: string } }>(
      key,
      `mutation Publish($input: PublishEventInput!) {
        publishEvent(input: $input) {
          __typename
          ... on PublishEventPayload { event { id } deliveryCount }
          ... on Error { message }
        }
      }`,
      { input: { type, data } },
    );
    const payload = result.publishEvent;
    if (!payload.event) throw new Error(`publishEvent: ${payload.__typename} ${payload.message ?? ''}`);
    return payload.event.id;
  }

  close() {
    return this.pool.close();
  }
}

let sequence = 0;
/** A batch.progress event of its own job (distinct jobs: publishes never queue on one job's row). */
export function progressEvent(scenario: string) {
  const n = ++sequence;
  return {
    type: 'batch.progress',
    data: {
      job_id: `bench-${scenario}-${n}`,
      status: 'running',
      total_images: 1000,
      processed_images: n % 1000,
      failed_images: 0,
      progress_percent: (n % 1000) / 10,
    },
  };
}

/**
 * Joins arrivals (from the receiver) with publish times (from the load generator) by event id. Arrivals may come
 * before the publish call returns the id: those wait for the next pull.
 */
export class Collector {
  private readonly published = new Map<string, number>();
  private unmatched: { id: string; at: number; path: string }[] = [];
  readonly all: Histogram = newHistogram();
  received = 0;

  constructor(
    private readonly receiver: Receiver,
    private readonly onReceipt?: (latencyMs: number, publishedAt: number, path: string) => void,
  ) {}

  /** Forgets arrivals from before this scenario. */
  async reset() {
    await this.receiver.drain();
  }

  markPublished(id: string, at: number) {
    this.published.set(id, at);
  }

  /** Each published event's id and when its publish was due (this clock). */
  publishedEvents(): IterableIterator<[string, number]> {
    return this.published.entries();
  }

  async pull() {
    const { ids, times, paths } = await this.receiver.drain();
    const batch = this.unmatched;
    this.unmatched = [];
    for (let i = 0; i < ids.length; i++) batch.push({ id: ids[i]!, at: times[i]!, path: paths[i]! });
    for (const arrival of batch) {
      const at = this.published.get(arrival.id);
      if (at === undefined) {
        this.unmatched.push(arrival);
        continue;
      }
      this.received++;
      recordMs(this.all, arrival.at - at);
      this.onReceipt?.(arrival.at - at, at, arrival.path);
    }
  }

  get unmatchedCount() {
    return this.unmatched.length;
  }
}

/**
 * Publishes at a fixed rate for `seconds`, open loop: each publish is timed from when it was due, not from when a
 * slow previous call let it start, so a stalled service shows up in the latencies (no coordinated omission).
 */
export async function openLoop(opts: {
  eventsPerSecond: number;
  seconds: number;
  publish: () => Promise<string>;
  collector: Collector;
  onTick?: (elapsedMs: number) => Promise<void> | void;
}): Promise<{ events: number; errors: number }> {
  const { eventsPerSecond, seconds, publish, collector } = opts;
  const interval = 1000 / eventsPerSecond;
  const start = now();
  const end = start + seconds * 1000;
  const inflight = new Set<Promise<void>>();
  let events = 0;
  let errors = 0;
  let nextPull = start + 1000;
  let firstError: unknown;
  for (let i = 0; ; i++) {
    const due = start + i * interval;
    if (due >= end) break;
    const wait = due - now();
    if (wait > 1) await sleep(wait);
    // An overloaded service: hold back rather than queue without bound (the latency still counts from `due`).
    while (inflight.size >= 500) await Promise.race(inflight);
    const call = publish().then(
      (id) => {
        collector.markPublished(id, due);
        events++;
      },
      (error: unknown) => {
        errors++;
        firstError ??= error;
      },
    );
    inflight.add(call);
    void call.finally(() => inflight.delete(call));
    if (now() >= nextPull) {
      nextPull += 1000;
      await collector.pull();
      await opts.onTick?.(now() - start);
    }
  }
  await Promise.all(inflight);
  if (errors) console.error(`bench: ${errors} publishes failed, first: ${String(firstError)}`);
  return { events, errors };
}

/** Pulls arrivals until `expected` were received or `timeoutMs` passed. */
export async function awaitReceipts(collector: Collector, expected: number, timeoutMs: number) {
  const deadline = now() + timeoutMs;
  for (;;) {
    await collector.pull();
    if (collector.received >= expected || now() > deadline) return collector.received;
    await sleep(100);
  }
}

/**
 * Publishes `events` events to a project and waits for their deliveries (to `webhooks` webhooks each): the service is
 * up when one arrives, and JIT and connection pools get going. Throws when they do not arrive within a minute.
 */
export async function warmUp(api: Api, receiver: Receiver, key: string, webhooks: number, events = 20) {
  const warm = new Collector(receiver);
  await warm.reset();
  for (let i = 0; i < events; i++) {
    const { type, data } = progressEvent('warmup');
    warm.markPublished(await api.publish(key, type, data), now());
  }
  if ((await awaitReceipts(warm, events * webhooks, 60_000)) < events * webhooks) throw new Error('the service did not deliver the warm-up events');
}
