// The results file (`{ machine, scenarios, ratios }`) and its markdown table of targets.
import { writeFile, mkdir } from 'node:fs/promises';
import type { ScenarioMetrics, ScenarioName, ScenarioResults } from './scenarios/metrics.js';

export type Results = {
  machine: Record<string, string | number | boolean>;
  scenarios: ScenarioResults;
  ratios: Record<string, number>;
};

type Target = { target: string; measured: (s: ScenarioResults) => number | undefined; unit: string; met: (v: number) => boolean };

const get = <S extends ScenarioName>(s: ScenarioResults, scenario: S, metric: ScenarioMetrics[S]): number | undefined =>
  s[scenario]?.[metric];
const within15 = (v: number) => Math.abs(v) <= 0.15;

/** CPU per delivery in ms, service and Postgres together (CPU seconds per 1,000 deliveries are ms per delivery). */
const cpuMs = (s: ScenarioResults, scenario: 'throughput_batched' | 'throughput_mutation') => {
  const service = get(s, scenario, 'service_cpu_s_per_1k');
  const postgres = get(s, scenario, 'postgres_cpu_s_per_1k');
  return service === undefined || postgres === undefined ? undefined : Number((service + postgres).toFixed(3));
};

/** The issue's storage measure: events, deliveries and attempts with their indexes, in steady state. */
const issueStorage = (s: ScenarioResults) => {
  const parts = (['events', 'deliveries', 'delivery_attempts'] as const).map((table) => get(s, 'storage', `${table}_bytes_per_delivery_steady`));
  return parts.some((v) => v === undefined) ? undefined : Math.round(parts.reduce((a, v) => a! + v!, 0)!);
};

export const targets: Target[] = [
  { target: 'internal path deliveries/s ≥ 0.4× the ceiling', measured: (s) => get(s, 'throughput_batched', 'ratio_to_ceiling'), unit: '× ceiling', met: (v) => v >= 0.4 },
  { target: 'internal path CPU (service + Postgres) ≤ 0.2 ms per delivery', measured: (s) => cpuMs(s, 'throughput_batched'), unit: 'ms', met: (v) => v <= 0.2 },
  { target: 'publishEvent deliveries/s ≥ 0.3× the ceiling', measured: (s) => get(s, 'throughput_mutation', 'ratio_to_ceiling'), unit: '× ceiling', met: (v) => v >= 0.3 },
  { target: 'publishEvent CPU (service + Postgres) ≤ 0.35 ms per delivery', measured: (s) => cpuMs(s, 'throughput_mutation'), unit: 'ms', met: (v) => v <= 0.35 },
  { target: 'p99 publish-to-receipt ≤ 50 ms at 50% of the sustainable rate', measured: (s) => get(s, 'latency_sustainable_50', 'p99_ms'), unit: 'ms', met: (v) => v <= 50 },
  { target: 'p99 publish-to-receipt ≤ 150 ms at 80% of the sustainable rate', measured: (s) => get(s, 'latency_sustainable_80', 'p99_ms'), unit: 'ms', met: (v) => v <= 150 },
  { target: 'fan-out to 1,000 webhooks ≤ 300 ms (worst of the runs)', measured: (s) => get(s, 'fanout', 'last_receipt_ms_max'), unit: 'ms', met: (v) => v <= 300 },
  { target: "storage ≤ 700 bytes per delivery: the issue's measure (event, delivery row, first attempt, their indexes; 10 webhooks per event, 254-byte body; steady: space the service's vacuum freed reused)", measured: issueStorage, unit: 'bytes', met: (v) => v <= 700 },
  { target: 'storage ≤ 700 bytes per delivery, stricter: every table (queue, counters, stats too), as grown (dead rows counted)', measured: (s) => get(s, 'storage', 'bytes_per_delivery'), unit: 'bytes', met: (v) => v <= 700 },
  { target: '`npm start` default process set ≥ 1.4× the single-process rate (WORKERS=1)', measured: (s) => get(s, 'throughput_default', 'ratio_to_single'), unit: '×', met: (v) => v >= 1.4 },
  { target: 'healthy p99 with bad neighbours ≤ 2× clean p99', measured: (s) => get(s, 'bad_neighbours', 'p99_ratio_to_clean'), unit: '×', met: (v) => v <= 2 },
  { target: 'deliveries(webhookId, first: 50) p99 ≤ 20 ms (GraphQL)', measured: (s) => get(s, 'reads', 'graphql_p99_ms'), unit: 'ms', met: (v) => v <= 20 },
  { target: 'GET /v1/webhooks/{id}/deliveries?limit=50 p99 ≤ 20 ms (REST)', measured: (s) => get(s, 'reads', 'rest_p99_ms'), unit: 'ms', met: (v) => v <= 20 },
  { target: 'events(first: 50) p99 ≤ 20 ms at 1M events (GraphQL)', measured: (s) => get(s, 'reads', 'event_log_graphql_p99_ms'), unit: 'ms', met: (v) => v <= 20 },
  { target: 'GET /v1/events?limit=50 p99 ≤ 20 ms at 1M events (REST)', measured: (s) => get(s, 'reads', 'event_log_rest_p99_ms'), unit: 'ms', met: (v) => v <= 20 },
  { target: 'deliveries(first: 50) across webhooks p99 ≤ 20 ms at 1M (GraphQL)', measured: (s) => get(s, 'reads', 'project_deliveries_graphql_p99_ms'), unit: 'ms', met: (v) => v <= 20 },
  { target: 'GET /v1/deliveries?limit=50 p99 ≤ 20 ms at 1M (REST)', measured: (s) => get(s, 'reads', 'project_deliveries_rest_p99_ms'), unit: 'ms', met: (v) => v <= 20 },
  { target: 'live p99 while a recovery runs ≤ 2× clean p99', measured: (s) => get(s, 'recovery', 'p99_ratio_to_clean'), unit: '×', met: (v) => v <= 2 },
  { target: 'soak: worker RSS within ±15% start to end', measured: (s) => get(s, 'soak', 'worker_rss_change'), unit: 'change', met: within15 },
  { target: 'soak: API RSS within ±15% start to end', measured: (s) => get(s, 'soak', 'api_rss_change'), unit: 'change', met: within15 },
  { target: 'soak: worker event-loop delay p99 within ±15%', measured: (s) => get(s, 'soak', 'worker_eld_p99_change'), unit: 'change', met: within15 },
  { target: 'soak: API event-loop delay p99 within ±15%', measured: (s) => get(s, 'soak', 'api_eld_p99_change'), unit: 'change', met: within15 },
];

export function ratios(s: ScenarioResults): Record<string, number> {
  const out: Record<string, number> = {};
  const put = (name: string, value: number | undefined) => {
    if (value !== undefined && Number.isFinite(value)) out[name] = value;
  };
  put('throughput_batched_to_ceiling', get(s, 'throughput_batched', 'ratio_to_ceiling'));
  put('throughput_mutation_to_ceiling', get(s, 'throughput_mutation', 'ratio_to_ceiling'));
  put('bad_neighbours_p99_to_clean_p99', get(s, 'bad_neighbours', 'p99_ratio_to_clean'));
  put('default_process_set_to_single', get(s, 'throughput_default', 'ratio_to_single'));
  for (const role of ['worker', 'api'] as const) {
    put(`soak_${role}_rss_end_to_start`, 1 + (get(s, 'soak', `${role}_rss_change`) ?? NaN));
    put(`soak_${role}_eld_p99_end_to_start`, 1 + (get(s, 'soak', `${role}_eld_p99_change`) ?? NaN));
  }
  return out;
}

export function markdown(results: Results): string {
  const lines = [
    `# Benchmark results${results.machine.quick ? ' (--quick)' : ''}`,
    '',
    `${results.machine.date} · ${results.machine.cpu} × ${results.machine.cores} · Node ${results.machine.node} · ${results.machine.postgres} · load average at start ${results.machine.loadavg_at_start}`,
    '',
    '| target | measured | met |',
    '|---|---|---|',
  ];
  for (const t of targets) {
    const value = t.measured(results.scenarios);
    const shown = value === undefined ? 'not run' : `${value} ${t.unit}`;
    lines.push(`| ${t.target} | ${shown} | ${value === undefined ? '' : t.met(value) ? 'yes' : '**no**'} |`);
  }
  lines.push('', '| scenario | metric | value |', '|---|---|---|');
  for (const [name, metrics] of Object.entries(results.scenarios)) {
    for (const [metric, value] of Object.entries(metrics)) lines.push(`| ${name} | ${metric} | ${value} |`);
  }
  return `${lines.join('\n')}\n`;
}

export async function writeResults(dir: string, base: string, results: Results) {
  await mkdir(dir, { recursive: true });
  await writeFile(`${dir}/${base}.json`, `${JSON.stringify(results, null, 2)}\n`);
  await writeFile(`${dir}/${base}.md`, markdown(results));
}
