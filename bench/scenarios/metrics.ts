// Every metric the scenarios report, by name: what bench/results/*.json holds under `scenarios`, what each
// scenario's line prints, and what the targets and ratios (bench/report.ts) read. A metric is written and read only
// under a name listed here, so a misspelt one does not compile.
import type { LatencySummary } from '../stats.js';

/** A scenario's figures by metric name (in the order written: the results file and the table keep it). */
export type Metrics<K extends string> = Partial<Record<K, number>>;

/** The service's processes. */
export type Role = 'api' | 'worker';

/** CPU seconds per 1,000 deliveries (`cpuPer1000`): the service's processes together and each, and Postgres. */
export type CpuMetric =
  | 'service_cpu_s_per_1k'
  | 'postgres_cpu_s_per_1k'
  | 'postgres_autovacuum_cpu_s_per_1k'
  | 'api_cpu_s_per_1k'
  | 'worker_cpu_s_per_1k';

export type CeilingMetric = 'posts_per_s' | 'concurrency' | 'loadgen_cpu_s_per_1k';

export type ThroughputMetric =
  | 'deliveries_per_s'
  | 'published_events_per_s'
  | 'deliveries'
  | 'lost'
  | 'ratio_to_ceiling'
  /** The most service processes seen at once (each measured process with its descendants). */
  | 'processes'
  | CpuMetric;

/** `npm start`'s process set (ROLE=all): its CPU is `all_cpu_s_per_1k`; the default's rate against WORKERS=1's. */
export type ProcessSetMetric = ThroughputMetric | 'all_cpu_s_per_1k' | 'ratio_to_single';

/** How the storage scenario counts (`storage.ts`): as grown, after a plain VACUUM, and steady (space reused). */
type StorageMeasure = '' | '_after_vacuum' | '_steady';

/** Bytes per delivery: all tables, their indexes alone, and each table that changed (`storage.ts` names them). */
export type StorageMetric = 'events' | 'deliveries' | 'body_bytes' | `${string}bytes_per_delivery${StorageMeasure}`;

/** Where the time between publish and receipt went (`stages` in latency.ts). */
export type StageMetric =
  | 'due_to_publish_p50_ms'
  | 'due_to_publish_p99_ms'
  | 'publish_to_attempt_p50_ms'
  | 'publish_to_attempt_p99_ms'
  | 'attempt_p50_ms'
  | 'attempt_p99_ms';

export type LatencyMetric =
  | 'offered_deliveries_per_s'
  | 'offered_fraction_of_ceiling'
  | 'offered_fraction_of_sustainable'
  | keyof LatencySummary
  | 'lost'
  | 'publish_errors'
  | StageMetric
  | CpuMetric;

export type FanoutMetric = 'webhooks' | 'runs' | 'last_receipt_ms_median' | 'last_receipt_ms_max' | 'publish_ms_median';

export type BadNeighboursMetric =
  | 'offered_deliveries_per_s'
  | 'offered_fraction_of_ceiling'
  | 'offered_fraction_of_sustainable'
  | 'healthy_p50_ms'
  | 'healthy_p95_ms'
  | 'healthy_p99_ms'
  | 'clean_p99_ms'
  | 'p99_ratio_to_clean'
  | 'failed_attempts'
  | 'hung_attempts'
  | 'healthy_lost';

export type RecoveryMetric =
  | 'offered_deliveries_per_s'
  | 'live_p50_ms'
  | 'live_p99_ms'
  | 'clean_p99_ms'
  | 'p99_ratio_to_clean'
  | 'live_lost'
  | 'backlog'
  | 'requeued'
  | 'requeued_per_s'
  | 'resent_succeeded';

export type ReadsMetric =
  | 'busy_webhook_count_sql_ms'
  | 'busy_webhook_page_sql_ms'
  | 'uncompacted_count_sql_ms'
  | 'uncompacted_rest_p50_ms'
  | 'uncompacted_rest_p99_ms'
  | 'uncompacted_rows_at_end'
  | 'table_rows'
  | 'busy_webhook_rows'
  | 'typical_webhook_rows'
  | 'requests_each'
  | 'graphql_p50_ms'
  | 'graphql_p99_ms'
  | 'rest_p50_ms'
  | 'rest_p99_ms'
  | 'typical_graphql_p99_ms'
  | 'typical_rest_p99_ms'
  | 'event_log_rows'
  | 'event_log_graphql_p50_ms'
  | 'event_log_graphql_p99_ms'
  | 'event_log_rest_p50_ms'
  | 'event_log_rest_p99_ms'
  | 'event_log_job_rest_p99_ms'
  | 'event_log_window_rest_p99_ms'
  | 'project_deliveries_graphql_p50_ms'
  | 'project_deliveries_graphql_p99_ms'
  | 'project_deliveries_rest_p50_ms'
  | 'project_deliveries_rest_p99_ms'
  | 'project_deliveries_status_rest_p99_ms'
  | 'project_deliveries_window_rest_p99_ms'
  | 'seed_seconds';

/** The soak's two windows. */
export type Window = 'start' | 'end';

/** Memory and event-loop delay of one service process over the soak (`Role` first: `worker_rss_change`). */
export type ProcessMetric<R extends Role = Role> =
  | `${R}_rss_start_mb`
  | `${R}_rss_end_mb`
  | `${R}_rss_change`
  | `${R}_live_heap_start_mb`
  | `${R}_live_heap_end_mb`
  | `${R}_live_heap_change`
  | `${R}_eld_p99_start_ms`
  | `${R}_eld_p99_end_ms`
  | `${R}_eld_p99_change`;

/** Per statement (its label, from bench/statements.ts: `insert_events`, `fetch_pgboss_job_common`, …). */
export type StatementMetric = `sql_${string}_${'calls' | 'ms' | 'blocks'}_per_1k_${Window}`;

export type SoakMetric =
  | 'seconds'
  | 'offered_deliveries_per_s'
  | 'thirty_percent_of_ceiling_per_s'
  | 'capped_to_sustainable'
  | 'window_seconds'
  | 'warmup_seconds'
  | 'autovacuum_wait_seconds'
  | `service_cpu_s_per_1k_${Window}`
  | `postgres_cpu_s_per_1k_${Window}`
  | `sql_ms_per_1k_${Window}`
  | `sql_blocks_per_1k_${Window}`
  | StatementMetric
  | ProcessMetric
  | 'p99_start_ms'
  | 'p99_end_ms'
  | 'p99_ms'
  | 'lost'
  | CpuMetric;

/** Each scenario's metrics, by the scenario's name in the results (and in `--only`). */
export type ScenarioMetrics = {
  ceiling: CeilingMetric;
  storage: StorageMetric;
  throughput_batched: ThroughputMetric | 'publisher_cpu_s_per_1k';
  throughput_mutation: ThroughputMetric;
  latency_10: LatencyMetric;
  latency_sustainable_50: LatencyMetric;
  latency_sustainable_80: LatencyMetric;
  fanout: FanoutMetric;
  fanout_filtered: FanoutMetric;
  bad_neighbours: BadNeighboursMetric;
  reads: ReadsMetric;
  recovery: RecoveryMetric;
  soak: SoakMetric;
  throughput_single: ProcessSetMetric;
  throughput_default: ProcessSetMetric;
};

export type ScenarioName = keyof ScenarioMetrics;

/** Added by the runner to any scenario: the jobs still queued when it ended, deleted (bench/run.ts). */
export type RunnerMetric = 'backlog_deleted_after';

/** What the scenarios run so far measured, by scenario. */
export type ScenarioResults = { [S in ScenarioName]?: Metrics<ScenarioMetrics[S] | RunnerMetric> };
