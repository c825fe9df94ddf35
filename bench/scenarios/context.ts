// What every scenario gets (the world, the plan, what earlier scenarios measured) and returns (its metrics and the
// one line it prints), and the CPU measurement most of them wrap their load in.
import { CpuMeter, withDescendants, type CpuReading, type Measured } from '../cpu.js';
import type { Plan } from '../plan.js';
import type { Project, World } from '../setup.js';
import { round } from '../stats.js';
import type { CpuMetric, Metrics, Role, RunnerMetric, ScenarioResults } from './metrics.js';

/** Everything a scenario needs: the world, the plan's durations, and what earlier scenarios measured. */
export type Context = {
  world: World;
  plan: Plan;
  /** Ten webhooks on /ok/ paths, subscribed to batch.progress. */
  main: Project;
  results: ScenarioResults;
};

/** A scenario's metrics (`K`: their names) and the line it prints; the runner may add `backlog_deleted_after`. */
export type Outcome<K extends string> = { metrics: Metrics<K | RunnerMetric>; line: string };

/** The split set's API and worker, each with any process it forks. */
export const splitSet = (world: World): Record<Role, Measured> => ({
  api: withDescendants(world.api.pid),
  worker: withDescendants(world.worker.pid),
});

/** CPU used by the `measured` processes (`splitSet`, the load generator, …) and Postgres while `run` runs. */
export async function withCpu<T, R extends string>(
  ctx: Context,
  measured: Record<R, Measured>,
  run: () => Promise<T>,
): Promise<[T, CpuReading<R>]> {
  const { world } = ctx;
  const meter = new CpuMeter(world.admin, world.database, measured);
  await meter.start();
  const result = await run();
  return [result, await meter.stop()];
}

/** CPU seconds per 1,000 deliveries: the service's processes together and each (`R`), and the Postgres backends. */
export function cpuPer1000<R extends string>(cpu: CpuReading<R>, deliveries: number): Metrics<CpuMetric> & Metrics<`${R}_cpu_s_per_1k`> {
  const service = Object.values<number>(cpu.service).reduce((a, b) => a + b, 0);
  const per = (seconds: number) => round((seconds * 1000) / Math.max(1, deliveries), 3);
  const each = Object.entries<number>(cpu.service).map(([name, s]) => [`${name}_cpu_s_per_1k`, per(s)]);
  return {
    service_cpu_s_per_1k: per(service),
    postgres_cpu_s_per_1k: per(cpu.postgres),
    postgres_autovacuum_cpu_s_per_1k: per(cpu.postgresAutovacuum),
    ...(Object.fromEntries(each) as Metrics<`${R}_cpu_s_per_1k`>),
  };
}

/** `name=value` for each of `keys` the metrics have, in that order: the body of a scenario's line. */
export const fmt = <M extends Metrics<string>>(m: M, keys: (keyof M & string)[]) =>
  keys
    .filter((k) => m[k] !== undefined)
    .map((k) => `${k}=${m[k]}`)
    .join(' ');
