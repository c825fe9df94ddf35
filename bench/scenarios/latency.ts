// 4. latency_10: publish-to-receipt at a fixed share of the ceiling, and where that time went (the fixed load is also
// bad_neighbours' and recovery's). latency_sustainable_50 and _80: the same at a share of what throughput_mutation
// sustained in this run, the utilisation a latency target is about.
import { awaitReceipts, Collector, now, openLoop, progressEvent } from '../load.js';
import type { Project, World } from '../setup.js';
import { round, summarize } from '../stats.js';
import { cpuPer1000, fmt, splitSet, withCpu, type Context, type Outcome } from './context.js';
import type { LatencyMetric, Metrics, StageMetric } from './metrics.js';

/** A fixed load: `fraction` of the ceiling, or of what the mutation path sustained in this run (throughput_mutation). */
export type Load = { fraction: number; of: 'ceiling' | 'sustainable' };

/** latency_10's load: bad_neighbours and recovery run it too, and compare their p99 with latency_10's. */
export const LATENCY_10: Load = { fraction: 0.1, of: 'ceiling' };

/** Open-loop publishing at the load (times the plan's load scale). */
export async function fixedLoad(ctx: Context, project: Project, load: Load, seconds: number, healthy = project.webhooks.length) {
  const { world } = ctx;
  const ceiling = ctx.results.ceiling!.posts_per_s!;
  const sustainable = ctx.results.throughput_mutation?.deliveries_per_s;
  const base = load.of === 'ceiling' ? ceiling : sustainable;
  if (!base) throw new Error('a load at a share of the sustainable rate needs throughput_mutation to have run');
  const deliveriesPerSecond = load.fraction * ctx.plan.loadScale * base;
  const eventsPerSecond = deliveriesPerSecond / project.webhooks.length;
  const publish = () => {
    const { type, data } = progressEvent('latency');
    return world.http.publish(project.key, type, data);
  };
  // Warm-up at the same rate, unmeasured; its receipts are pulled by this collector and dropped with it.
  const warmup = new Collector(world.receiver);
  await warmup.reset();
  await openLoop({ eventsPerSecond, seconds: ctx.plan.fixedLoadWarmupSeconds, collector: warmup, publish });
  const collector = new Collector(world.receiver);
  const measuredFrom = new Date();
  const [{ events, errors }, cpu] = await withCpu(ctx, splitSet(world), async () => {
    const sent = await openLoop({ eventsPerSecond, seconds, collector, publish });
    await awaitReceipts(collector, sent.events * healthy, 30_000);
    return sent;
  });
  const expected = events * healthy;
  const metrics: Metrics<LatencyMetric> = {
    offered_deliveries_per_s: Math.round(deliveriesPerSecond),
    offered_fraction_of_ceiling: round(deliveriesPerSecond / ceiling, 3),
    // Utilisation: what the load is against what the same path sustained in this run, when that was measured.
    ...(sustainable && { offered_fraction_of_sustainable: round(deliveriesPerSecond / sustainable, 2) }),
    ...summarize(collector.all),
    lost: expected - collector.received,
    publish_errors: errors,
    ...(await stages(world, project, measuredFrom, collector)),
    ...cpuPer1000(cpu, collector.received),
  };
  return { collector, metrics };
}

/**
 * Where the time between publish and receipt went, from the database's own record of the measured events and their
 * first attempts to the healthy (`/ok/`) webhooks: from when the publish was due to the event's timestamp (the
 * request's way into the API, taken in the publishing transaction), from there to the attempt's start (commit,
 * wake, fetch, read), and the attempt itself (the POST and its answer). Wall clocks of the same machine.
 */
async function stages(world: World, project: Project, since: Date, collector: Collector): Promise<Metrics<StageMetric>> {
  const healthy = project.webhooks.filter((w) => w.path.startsWith('/ok/')).map((w) => w.id);
  const wallMinusMonotonic = Date.now() - now();
  const due = [...collector.publishedEvents()];
  const { rows: [row] } = await world.pool.query<{ to_publish: number[] | null; to_attempt: number[] | null; attempt: number[] | null }>(
    `WITH due AS (SELECT * FROM unnest($4::text[], $5::float8[]) AS u(id, at_ms))
     SELECT (SELECT percentile_cont(ARRAY[0.5, 0.99]) WITHIN GROUP (ORDER BY extract(epoch FROM e.timestamp) * 1000 - due.at_ms)
             FROM due JOIN events e USING (id)) AS to_publish,
            percentile_cont(ARRAY[0.5, 0.99]) WITHIN GROUP (ORDER BY extract(epoch FROM a.started_at - e.timestamp) * 1000) AS to_attempt,
            percentile_cont(ARRAY[0.5, 0.99]) WITHIN GROUP (ORDER BY a.duration_ms) AS attempt
     FROM events e
     JOIN deliveries d ON d.event_id = e.id
     JOIN delivery_attempts a ON a.delivery_id = d.id AND a.number = 1
     WHERE e.project_id = $1 AND e.timestamp >= $2 AND d.webhook_id = ANY($3::text[])`,
    [project.id, since, healthy, due.map(([id]) => id), due.map(([, at]) => at + wallMinusMonotonic)],
  );
  // No rows (nothing delivered) leaves a stage out rather than reporting a number for it.
  const { to_publish: toPublish, to_attempt: toAttempt, attempt } = row!;
  return {
    ...(toPublish && { due_to_publish_p50_ms: round(toPublish[0]!), due_to_publish_p99_ms: round(toPublish[1]!) }),
    ...(toAttempt && { publish_to_attempt_p50_ms: round(toAttempt[0]!), publish_to_attempt_p99_ms: round(toAttempt[1]!) }),
    ...(attempt && { attempt_p50_ms: round(attempt[0]!), attempt_p99_ms: round(attempt[1]!) }),
  };
}

export const latency = (load: Load) => async (ctx: Context): Promise<Outcome<LatencyMetric>> => {
  const { metrics } = await fixedLoad(ctx, ctx.main, load, ctx.plan.latencySeconds);
  const name = `latency at ${round(load.fraction * ctx.plan.loadScale * 100, 1)}% of the ${load.of === 'ceiling' ? 'ceiling' : 'sustainable rate'}`;
  return { metrics, line: `${name}: ${fmt(metrics, ['offered_deliveries_per_s', 'offered_fraction_of_ceiling', 'offered_fraction_of_sustainable', 'p50_ms', 'p95_ms', 'p99_ms', 'max_ms', 'due_to_publish_p99_ms', 'publish_to_attempt_p99_ms', 'attempt_p99_ms', 'lost'])}` };
};
