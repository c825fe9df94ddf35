// What every scenario gets (the world, the plan, what earlier scenarios measured) and returns (its metrics and the
// one line it prints), and the CPU measurement most of them wrap their load in.
import { CpuMeter, type CpuReading } from '../cpu.js';
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

/** CPU used by the service's processes, those in `extra` (e.g. the load generator) and Postgres while `run` runs. */
export async function withCpu<T, E extends string = never>(
  ctx: Context,
  extra: Record<E, number>,
  run: () => Promise<T>,
): Promise<[T, CpuReading<Role | E>]> {
  const { world } = ctx;
  const services = { api: world.api.pid, worker: world.worker.pid, ...extra } as Record<Role | E, number>;
  const meter = new CpuMeter(world.admin, world.database, services);
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
