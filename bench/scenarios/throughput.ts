// 3. throughput_batched and throughput_mutation: what the whole pipeline sustains, publishing through the internal
// API (50 events per transaction) or the publishEvent mutation, on the split set (an API and a worker process).
// 10. throughput_single and throughput_default (run last): the mutation path on `npm start`'s process set instead,
// with WORKERS=1 and with WORKERS unset (the default: every core), and the ratio of the two.
import { inTransaction } from '../../src/db/transaction.js';
import { alone, withDescendants, type Measured } from '../cpu.js';
import { now, progressEvent, sleep, warmUp, type Api } from '../load.js';
import type { Project } from '../setup.js';
import { round } from '../stats.js';
import { cpuPer1000, fmt, splitSet, withCpu, type Context, type Outcome } from './context.js';
import type { Metrics, ScenarioMetrics, ThroughputMetric } from './metrics.js';

/**
 * Publishes flat out through `lanes` concurrent publishers, holding back only while more than `backlog` deliveries
 * are waiting (so the run measures the rate the whole pipeline sustains, not a queue filling up), and measures
 * deliveries received per second after a warm-up quarter. The CPU of the `measured` processes counts as the
 * service's (`R`: their names).
 */
async function throughput<R extends string>(
  ctx: Context,
  opts: { lanes: number; publishOnce: () => Promise<number>; measured: Record<R, Measured> },
): Promise<Metrics<ThroughputMetric> & Metrics<`${R}_cpu_s_per_1k`>> {
  const { world, plan } = ctx;
  const backlog = 2_000;
  await world.receiver.drain();
  const base = (await world.receiver.count()).ok;
  let received = 0;
  let published = 0;
  let polling = true;
  const poller = (async () => {
    while (polling) {
      received = (await world.receiver.count()).ok - base;
      await sleep(20);
    }
  })();
  const seconds = plan.throughputSeconds;
  const [, cpu] = await withCpu(ctx, opts.measured, async () => {
    const start = now();
    const end = start + seconds * 1000;
    await Promise.all(
      Array.from({ length: opts.lanes }, async () => {
        while (now() < end) {
          if (published - received > backlog) await sleep(2);
          else {
            const count = await opts.publishOnce(); // not `published += await …`, which would lose concurrent lanes' counts
            published += count;
          }
        }
      }),
    );
    const deadline = now() + 120_000;
    while (received < published && now() < deadline) await sleep(50);
  });
  polling = false;
  await poller;
  // Steady state: the rate between the 25th and the 95th percentile of arrivals, leaving out the start (pools,
  // first commits) and the tail (the last stragglers), whether publishing or delivering was the slower side.
  const times = Float64Array.from((await world.receiver.drain()).times).sort();
  const [a, b] = [Math.floor(times.length * 0.25), Math.floor(times.length * 0.95)];
  return {
    deliveries_per_s: Math.round((b - a) / ((times[b]! - times[a]!) / 1000)),
    published_events_per_s: Math.round(published / 10 / seconds),
    deliveries: published,
    lost: published - received,
    processes: Object.values<number>(cpu.processes).reduce((a, b) => a + b, 0),
    ...cpuPer1000(cpu, received),
  };
}

/** One publishEvent mutation to the project through `api`; counts its deliveries (one per webhook). */
const publishMutation = (api: Api, project: Project) => async () => {
  const { type, data } = progressEvent('mutation');
  await api.publish(project.key, type, data);
  return project.webhooks.length;
};

/** The mutation path's lanes: concurrent requests enough to keep the API busy, one process or one per core. */
const MUTATION_LANES = 16;

export async function throughputBatched(ctx: Context): Promise<Outcome<ScenarioMetrics['throughput_batched']>> {
  const { world, main } = ctx;
  const batch = 50;
  const metrics = await throughput(ctx, {
    lanes: 2,
    // The publisher runs in the load generator here, so its CPU counts as the service's.
    measured: { ...splitSet(world), publisher: alone(process.pid) },
    publishOnce: async () => {
      // Live subscribers are told at the commit, by NOTIFYs the publishes' statements send.
      const results = await inTransaction(world.pool, async (tx) => {
        const out = [];
        for (let i = 0; i < batch; i++) {
          const { type, data } = progressEvent('batched');
          out.push(await world.publisher.publishWithin(tx, main.id, type, data, null));
        }
        return out;
      });
      return results.reduce((n, r) => n + r.deliveryCount, 0);
    },
  });
  metrics.ratio_to_ceiling = round(metrics.deliveries_per_s! / ctx.results.ceiling!.posts_per_s!, 3);
  return {
    metrics,
    line: `throughput (internal API, ${batch} events per transaction): ${fmt(metrics, ['deliveries_per_s', 'ratio_to_ceiling', 'service_cpu_s_per_1k', 'postgres_cpu_s_per_1k', 'lost'])}`,
  };
}

export async function throughputMutation(ctx: Context): Promise<Outcome<ScenarioMetrics['throughput_mutation']>> {
  const { world, main } = ctx;
  const metrics = await throughput(ctx, { lanes: MUTATION_LANES, measured: splitSet(world), publishOnce: publishMutation(world.http, main) });
  metrics.ratio_to_ceiling = round(metrics.deliveries_per_s! / ctx.results.ceiling!.posts_per_s!, 3);
  return {
    metrics,
    line: `throughput (publishEvent mutation): ${fmt(metrics, ['deliveries_per_s', 'ratio_to_ceiling', 'published_events_per_s', 'service_cpu_s_per_1k', 'postgres_cpu_s_per_1k', 'lost'])}`,
  };
}

/**
 * The mutation path's throughput on `npm start`'s process set (ROLE=all), with `WORKERS` as given or unset (the
 * default). The split API and worker are stopped first, for good: they would take jobs from the same queue. CPU is
 * the whole set's (its first process and every one it forks); `processes` says how many there were.
 */
export const throughputOfProcessSet =
  (workers: '1' | undefined) =>
  async (ctx: Context): Promise<Outcome<ScenarioMetrics['throughput_single' | 'throughput_default']>> => {
    const { world, main } = ctx;
    await world.stopSplit();
    const set = await world.startProcessSet(workers);
    try {
      await warmUp(set.http, world.receiver, main.key, main.webhooks.length);
      const metrics: Metrics<ScenarioMetrics['throughput_default']> = await throughput(ctx, {
        lanes: MUTATION_LANES,
        measured: { all: withDescendants(set.root.pid) },
        publishOnce: publishMutation(set.http, main),
      });
      metrics.ratio_to_ceiling = round(metrics.deliveries_per_s! / ctx.results.ceiling!.posts_per_s!, 3);
      const single = ctx.results.throughput_single?.deliveries_per_s;
      if (workers === undefined && single) metrics.ratio_to_single = round(metrics.deliveries_per_s! / single, 2);
      const name = workers === undefined ? 'ROLE=all, WORKERS unset (npm start)' : `ROLE=all, WORKERS=${workers}`;
      return {
        metrics,
        line: `throughput (publishEvent mutation, ${name}): ${fmt(metrics, ['deliveries_per_s', 'ratio_to_single', 'ratio_to_ceiling', 'processes', 'service_cpu_s_per_1k', 'postgres_cpu_s_per_1k', 'lost'])}`,
      };
    } finally {
      await set.stop();
    }
  };
