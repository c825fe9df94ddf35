// 5. fanout: one event to 1,000 webhooks, timed to the last receipt. fanout_filtered: the same, each webhook with a
// payload filter the event matches (src/webhooks/filter.ts), so the two differ only by deciding the filters.
import type { Filter } from '../../src/webhooks/filter.js';
import { awaitReceipts, Collector, now, sleep } from '../load.js';
import { round } from '../stats.js';
import { fmt, type Context, type Outcome } from './context.js';
import type { FanoutMetric, Metrics } from './metrics.js';

/** What each webhook of fanout_filtered holds: a few operators a real filter might use, all met by the event. */
export const FANOUT_FILTER: Filter = { status: { $in: ['submitted', 'running'] }, job_id: { $startsWith: 'fanout-' }, error: { $exists: false } };

export const fanout = (filter?: Filter) => async (ctx: Context): Promise<Outcome<FanoutMetric>> => {
  const { world, plan } = ctx;
  const size = 1000;
  const name = filter ? 'fanout-filtered' : 'fanout';
  const project = await world.newProject(
    `bench-${name}`,
    Array.from({ length: size }, (_, i) => `/ok/${name}-${i}`),
    ['vision.submitted'],
    filter,
  );
  const lasts: number[] = [];
  const publishes: number[] = [];
  for (let run = 0; run < plan.fanoutRuns; run++) {
    let last = 0;
    const collector = new Collector(world.receiver, (latency) => (last = Math.max(last, latency)));
    await collector.reset();
    const t0 = now();
    const id = await world.http.publish(project.key, 'vision.submitted', { job_id: `fanout-${run}`, status: 'submitted' });
    publishes.push(now() - t0);
    collector.markPublished(id, t0);
    const got = await awaitReceipts(collector, size, 60_000);
    if (got < size) throw new Error(`fan-out: only ${got} of ${size} received`);
    lasts.push(last);
    await sleep(1000);
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const metrics: Metrics<FanoutMetric> = {
    webhooks: size,
    runs: plan.fanoutRuns,
    last_receipt_ms_median: round(median(lasts)),
    last_receipt_ms_max: round(Math.max(...lasts)),
    publish_ms_median: round(median(publishes)),
  };
  return { metrics, line: `${filter ? 'fan-out, filtered' : 'fan-out'}: ${fmt(metrics, ['webhooks', 'last_receipt_ms_median', 'last_receipt_ms_max', 'publish_ms_median'])}` };
};
