// 8. recovery: the healthy webhooks' latency at 10% of the ceiling while a bulk recovery re-sends a backlog of
// another webhook's failed deliveries (at the default RECOVERY_RATE_PER_SECOND), against latency_10's. A recovery
// must not starve live traffic.
import { now } from '../load.js';
import { round } from '../stats.js';
import { fmt, type Context, type Outcome } from './context.js';
import { fixedLoad, LATENCY_10 } from './latency.js';
import type { Metrics, RecoveryMetric } from './metrics.js';

/** More than the scenario can re-send at the default rate while it measures: the recovery runs throughout. */
const BACKLOG = 20_000;

export async function recovery(ctx: Context): Promise<Outcome<RecoveryMetric>> {
  const { world, plan } = ctx;
  const project = await world.newProject('bench-recovery', ['/ok/recovered'], ['model.deprecated']);
  const [recovered] = project.webhooks as [{ id: string; path: string }];
  await world.db.$executeRawUnsafe(
    `INSERT INTO events (id, project_id, type, data, job_id, timestamp)
     VALUES ('evt_recovery0000000', $1, 'model.deprecated', '{"job_id": "recovery", "status": "deprecated"}', 'recovery', now() - interval '1 hour')`,
    project.id,
  );
  await world.db.$executeRawUnsafe(
    `INSERT INTO deliveries (id, project_id, webhook_id, event_id, event_type, status, status_code, attempt_count,
                             last_attempt_at, created_at, updated_at)
     SELECT 'del_v' || lpad(g::text, 11, '0'), $1, $2, 'evt_recovery0000000', 'model.deprecated', 'FAILED', 500, 6,
            now() - interval '30 minutes', now() - interval '1 hour' + make_interval(secs => g / 100.0), now()
     FROM generate_series(1, $3::int) g`,
    project.id,
    recovered.id,
    BACKLOG,
  );
  const started = await world.http.post<{ recovery_id: string }>(project.key, `/v1/webhooks/${recovered.id}/recover`, {
    since: new Date(Date.now() - 2 * 3_600_000).toISOString().replace(/\.\d+Z$/, 'Z'),
    until: new Date(Date.now() + 60_000).toISOString().replace(/\.\d+Z$/, 'Z'),
    statuses: ['failed'],
  });
  const t0 = now();
  const { metrics } = await fixedLoad(ctx, ctx.main, LATENCY_10, plan.latencySeconds);
  const elapsedS = (now() - t0) / 1000;
  const progress = await world.http.rest<{ requeued: number; state: string }>(project.key, `/v1/recoveries/${started.recovery_id}`);
  const resent = await world.db.delivery.count({ where: { webhookId: recovered.id, status: 'SUCCESS' } });
  // Stops the recovery (its row goes with the webhook) for the scenarios after this one.
  await world.webhooks.delete(project.principal, recovered.id);
  const clean = ctx.results.latency_10!.p99_ms!;
  const out: Metrics<RecoveryMetric> = {
    offered_deliveries_per_s: metrics.offered_deliveries_per_s!,
    live_p50_ms: metrics.p50_ms!,
    live_p99_ms: metrics.p99_ms!,
    clean_p99_ms: clean,
    p99_ratio_to_clean: round(metrics.p99_ms! / clean, 2),
    live_lost: metrics.lost!,
    backlog: BACKLOG,
    requeued: progress.requeued,
    requeued_per_s: round(progress.requeued / elapsedS, 1),
    resent_succeeded: resent,
  };
  return { metrics: out, line: `recovery: ${fmt(out, ['offered_deliveries_per_s', 'live_p99_ms', 'clean_p99_ms', 'p99_ratio_to_clean', 'requeued', 'requeued_per_s', 'resent_succeeded'])}` };
}
