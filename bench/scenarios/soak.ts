// 9. soak: 300 s at 30% of the ceiling; whether memory, event-loop delay, latency and the cost of a delivery grow.
import { CpuMeter, serviceProcesses, type CpuReading } from '../cpu.js';
import { awaitReceipts, Collector, now, openLoop, progressEvent, sleep } from '../load.js';
import { StatementMeter, type StatementTimes } from '../statements.js';
import { newHistogram, recordMs, round, summarize } from '../stats.js';
import { cpuPer1000, fmt, splitSet, withCpu, type Context, type Outcome } from './context.js';
import type { Metrics, SoakMetric } from './metrics.js';

/** Waits (at most `limitMs`) until no autovacuum worker runs in the bench database; returns how long it waited. */
async function untilAutovacuumIdle(ctx: Context, limitMs: number) {
  const t0 = now();
  while (now() - t0 < limitMs) {
    const { rows } = await ctx.world.admin.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM pg_stat_activity WHERE backend_type = 'autovacuum worker' AND datname = $1`,
      [ctx.world.database],
    );
    if (rows[0]!.n === 0) break;
    await sleep(1000);
  }
  return now() - t0;
}

export async function soak(ctx: Context): Promise<Outcome<SoakMetric>> {
  const { world, plan, main } = ctx;
  const seconds = plan.soakSeconds;
  const windowMs = plan.soakWindowSeconds * 1000;
  // 30% of the ceiling, unless the service cannot sustain that: a soak of a growing backlog measures the backlog,
  // not leaks, so the rate is then capped at half the measured mutation throughput (reported as capped). That
  // throughput is a 30 s burst on a young queue table; at 80% of it a 300 s soak fell behind as the table churned
  // (Postgres CPU per delivery 0.58 ms in the burst, 3.4 ms in the soak; docs/performance.md).
  const wanted = 0.3 * ctx.results.ceiling!.posts_per_s!;
  const sustainable = ctx.results.throughput_mutation?.deliveries_per_s;
  const deliveriesPerSecond = sustainable ? Math.min(wanted, 0.5 * sustainable) : wanted;
  // The scenarios before this one leave Postgres busy (autovacuum of the million rows the reads scenario wrote) and
  // the processes' heaps full; a start window measured in that would compare the end with a recovery, not with the
  // service's steady state. So the soak waits for autovacuum to finish and warms up at its rate first.
  const quietAfterMs = await untilAutovacuumIdle(ctx, 180_000);
  const warmupMs = plan.soakWarmupSeconds * 1000;
  const early = newHistogram();
  const late = newHistogram();
  let start = 0;
  const collector = new Collector(world.receiver, (latency, publishedAt) => {
    const t = publishedAt - start - warmupMs;
    if (t < 0) return;
    if (t < windowMs) recordMs(early, latency);
    else if (t >= seconds * 1000 - windowMs) recordMs(late, latency);
  });
  await collector.reset();
  // The probe answers in the process it was asked through; a role that forks service processes of its own (the split
  // set pins WORKERS=1, so only if that stops holding) has its memory and event-loop delay left out rather than the
  // first process's reported as the role's. Only processes of the same program count: tsx's esbuild helper is not one.
  const forked = [world.api, world.worker].map((p) => ({ role: p.role, processes: serviceProcesses(p.pid) })).filter((p) => p.processes > 1);
  const processes = [world.api, world.worker].filter((p) => !forked.some((f) => f.role === p.role));
  const probeAll = () => Promise.all(processes.map((p) => p.probe()));
  let warm = false;
  let first: Awaited<ReturnType<typeof probeAll>> | undefined;
  let lastReset = false;
  // CPU in the first and the last window alone: whether a delivery costs more at the end than at the start.
  const windowMeter = () => new CpuMeter(world.admin, world.database, splitSet(world));
  const firstMeter = windowMeter();
  const lastMeter = windowMeter();
  let firstCpu: CpuReading | undefined;
  // Time per statement in the same windows, when the server has pg_stat_statements loaded.
  const statements = await StatementMeter.open(world.pool);
  let firstStatements: StatementTimes | undefined;
  start = now();
  const [{ events }, cpu] = await withCpu(ctx, splitSet(world), async () => {
    const sent = await openLoop({
      eventsPerSecond: deliveriesPerSecond / main.webhooks.length,
      seconds: plan.soakWarmupSeconds + seconds,
      collector,
      publish: () => {
        const { type, data } = progressEvent('soak');
        return world.http.publish(main.key, type, data);
      },
      onTick: async (elapsed) => {
        const t = elapsed - warmupMs;
        if (!warm && t >= 0) {
          warm = true;
          await probeAll(); // resets the event-loop histograms
          await firstMeter.start();
          await statements?.start();
        }
        if (warm && !first && t >= windowMs) {
          first = await probeAll();
          firstCpu = await firstMeter.stop();
          firstStatements = await statements?.stop();
        }
        if (!lastReset && t >= seconds * 1000 - windowMs) {
          lastReset = true;
          await probeAll();
          await lastMeter.start();
          await statements?.start();
        }
      },
    });
    return sent;
  });
  const last = await probeAll();
  const lastCpu = await lastMeter.stop();
  const lastStatements = await statements?.stop();
  await awaitReceipts(collector, events * main.webhooks.length, 30_000);
  if (!first) throw new Error('soak: too short for its windows');
  const metrics: Metrics<SoakMetric> = {
    seconds,
    offered_deliveries_per_s: Math.round(deliveriesPerSecond),
    thirty_percent_of_ceiling_per_s: Math.round(wanted),
    capped_to_sustainable: deliveriesPerSecond < wanted ? 1 : 0,
    window_seconds: windowMs / 1000,
    warmup_seconds: plan.soakWarmupSeconds,
    autovacuum_wait_seconds: round(quietAfterMs / 1000),
  };
  // What a window's totals are multiplied by for figures per 1,000 deliveries offered in it (at a steady state, as
  // many arrive).
  const per1k = (window: CpuReading) => 1000 / (deliveriesPerSecond * window.seconds);
  for (const [when, cpu] of [['start', firstCpu!], ['end', lastCpu]] as const) {
    metrics[`service_cpu_s_per_1k_${when}`] = round(Object.values(cpu.service).reduce((a, b) => a + b, 0) * per1k(cpu), 3);
    metrics[`postgres_cpu_s_per_1k_${when}`] = round(cpu.postgres * per1k(cpu), 3);
  }
  const notes =
    firstStatements && lastStatements
      ? statementGrowth(metrics, firstStatements, lastStatements, [per1k(firstCpu!), per1k(lastCpu)])
      : ['  statements: not measured (pg_stat_statements is not in shared_preload_libraries)'];
  for (const { role, processes: n } of forked) {
    notes.push(`  ${role}: ${n} processes; RSS, live heap and event-loop delay not measured (the probe reaches only the first)`);
  }
  processes.forEach((p, i) => {
    const a = first![i]!;
    const b = last[i]!;
    metrics[`${p.role}_rss_start_mb`] = round(a.rssBytes / 2 ** 20);
    metrics[`${p.role}_rss_end_mb`] = round(b.rssBytes / 2 ** 20);
    metrics[`${p.role}_rss_change`] = round(b.rssBytes / a.rssBytes - 1, 3);
    if (a.liveHeapBytes && b.liveHeapBytes) {
      metrics[`${p.role}_live_heap_start_mb`] = round(a.liveHeapBytes / 2 ** 20);
      metrics[`${p.role}_live_heap_end_mb`] = round(b.liveHeapBytes / 2 ** 20);
      metrics[`${p.role}_live_heap_change`] = round(b.liveHeapBytes / a.liveHeapBytes - 1, 3);
    }
    metrics[`${p.role}_eld_p99_start_ms`] = round(a.eventLoopDelayMs.p99, 2);
    metrics[`${p.role}_eld_p99_end_ms`] = round(b.eventLoopDelayMs.p99, 2);
    metrics[`${p.role}_eld_p99_change`] = round(b.eventLoopDelayMs.p99 / Math.max(0.01, a.eventLoopDelayMs.p99) - 1, 3);
  });
  const e = summarize(early);
  const l = summarize(late);
  Object.assign(metrics, {
    p99_start_ms: e.p99_ms,
    p99_end_ms: l.p99_ms,
    p99_ms: summarize(collector.all).p99_ms,
    lost: events * main.webhooks.length - collector.received,
    ...cpuPer1000(cpu, collector.received),
  });
  return {
    metrics,
    line: `soak (${seconds} s): ${fmt(metrics, ['offered_deliveries_per_s', 'capped_to_sustainable', 'worker_rss_start_mb', 'worker_rss_end_mb', 'api_rss_start_mb', 'api_rss_end_mb', 'worker_live_heap_start_mb', 'worker_live_heap_end_mb', 'api_live_heap_start_mb', 'api_live_heap_end_mb', 'worker_eld_p99_start_ms', 'worker_eld_p99_end_ms', 'api_eld_p99_start_ms', 'api_eld_p99_end_ms', 'p99_start_ms', 'p99_end_ms', 'postgres_cpu_s_per_1k_start', 'postgres_cpu_s_per_1k_end', 'sql_ms_per_1k_start', 'sql_ms_per_1k_end', 'sql_blocks_per_1k_start', 'sql_blocks_per_1k_end'])}\n${notes.join('\n')}`,
  };
}

/** How many statements the soak's table lists and reports as metrics. */
const STATEMENTS_SHOWN = 8;

/**
 * Per statement, calls, time and buffers per 1,000 deliveries in the soak's first and last window (`per1k`: what
 * each window's totals are multiplied by for figures per 1,000 deliveries). Time is the backends' wall time, which
 * on a loaded machine includes waiting for a core; buffers (shared blocks hit or read) count work whatever the
 * machine does. The busiest statements of the last window become `sql_<label>_*` metrics and a console table.
 */
function statementGrowth(metrics: Metrics<SoakMetric>, start: StatementTimes, end: StatementTimes, per1k: [number, number]) {
  const total = (times: StatementTimes, key: 'ms' | 'blocks') => [...times.values()].reduce((sum, t) => sum + t[key], 0);
  metrics.sql_ms_per_1k_start = round(total(start, 'ms') * per1k[0], 1);
  metrics.sql_ms_per_1k_end = round(total(end, 'ms') * per1k[1], 1);
  metrics.sql_blocks_per_1k_start = Math.round(total(start, 'blocks') * per1k[0]);
  metrics.sql_blocks_per_1k_end = Math.round(total(end, 'blocks') * per1k[1]);
  const busiest = [...end].sort(([, a], [, b]) => b.ms - a.ms).slice(0, STATEMENTS_SHOWN);
  const lines = [`  ${'statement'.padEnd(32)}  ${'calls per 1k'.padEnd(22)}  ${'ms per 1k'.padEnd(22)}  blocks per 1k`];
  for (const [label, e] of busiest) {
    const s = start.get(label) ?? { calls: 0, ms: 0, blocks: 0 };
    const cells = (['calls', 'ms', 'blocks'] as const).map((key) => {
      const [a, b] = [s[key] * per1k[0], e[key] * per1k[1]];
      metrics[`sql_${label}_${key}_per_1k_start`] = round(a, 1);
      metrics[`sql_${label}_${key}_per_1k_end`] = round(b, 1);
      return `${a.toFixed(key === 'blocks' ? 0 : 1)} → ${b.toFixed(key === 'blocks' ? 0 : 1)}`.padEnd(22);
    });
    lines.push(`  ${label.padEnd(32)}  ${cells.join('  ').trimEnd()}`);
  }
  return lines;
}
