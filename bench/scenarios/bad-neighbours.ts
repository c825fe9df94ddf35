// 6. bad_neighbours: healthy webhooks' latency while one webhook fails and one hangs, against latency_10's.
import { round } from '../stats.js';
import { fmt, type Context, type Outcome } from './context.js';
import { fixedLoad, LATENCY_10 } from './latency.js';
import type { BadNeighboursMetric, Metrics } from './metrics.js';

export async function badNeighbours(ctx: Context): Promise<Outcome<BadNeighboursMetric>> {
  const { world, plan } = ctx;
  const paths = [...Array.from({ length: 8 }, (_, i) => `/ok/neighbour-${i}`), '/fail/neighbour-8', '/hang/neighbour-9'];
  const project = await world.newProject('bench-neighbours', paths, ['batch.progress']);
  const before = await world.receiver.count();
  const { metrics } = await fixedLoad(ctx, project, LATENCY_10, plan.badNeighbourSeconds, 8);
  const after = await world.receiver.count();
  // Clean up for the scenarios after this one: no more failing deliveries, no more held connections.
  for (const w of project.webhooks.filter((w) => !w.path.startsWith('/ok/'))) await world.webhooks.delete(project.principal, w.id);
  world.receiver.release();
  const clean = ctx.results.latency_10!.p99_ms!;
  const out: Metrics<BadNeighboursMetric> = {
    offered_deliveries_per_s: metrics.offered_deliveries_per_s!,
    offered_fraction_of_ceiling: metrics.offered_fraction_of_ceiling!,
    ...(metrics.offered_fraction_of_sustainable && { offered_fraction_of_sustainable: metrics.offered_fraction_of_sustainable }),
    healthy_p50_ms: metrics.p50_ms!,
    healthy_p95_ms: metrics.p95_ms!,
    healthy_p99_ms: metrics.p99_ms!,
    clean_p99_ms: clean,
    p99_ratio_to_clean: round(metrics.p99_ms! / clean, 2),
    failed_attempts: after.fail - before.fail,
    hung_attempts: after.hang - before.hang,
    healthy_lost: metrics.lost!,
  };
  return { metrics: out, line: `bad neighbours: ${fmt(out, ['offered_deliveries_per_s', 'offered_fraction_of_sustainable', 'healthy_p99_ms', 'clean_p99_ms', 'p99_ratio_to_clean', 'failed_attempts', 'hung_attempts'])}` };
}
