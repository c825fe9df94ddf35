// 7. reads: the delivery listing of a webhook with 900,000 deliveries and of one with 100,000, over GraphQL and
// REST, and with the counters' rows left unfolded; the project's event log (1,000,000 events) and its deliveries
// across webhooks (1,000,000), newest first, by job, status and window.
import { FOLD_LOCK } from '../../src/db/sql/delivery-counts.js';
import { now } from '../load.js';
import type { Project, World } from '../setup.js';
import { newHistogram, recordMs, round, summarize } from '../stats.js';
import { fmt, type Context, type Outcome } from './context.js';
import type { Metrics, ReadsMetric } from './metrics.js';

const DELIVERIES_QUERY = `query Deliveries($id: ID!) {
  deliveries(webhookId: $id, first: 50) {
    totalCount
    edges { node { id eventType status statusCode attemptCount responseTimeMs timestamp createdAt } }
    pageInfo { hasNextPage endCursor }
  }
}`;

const EVENT_LOG_QUERY = `query Events {
  events(first: 50) {
    edges { node { id type timestamp data } }
    pageInfo { hasNextPage endCursor }
  }
}`;

const PROJECT_DELIVERIES_QUERY = `query ProjectDeliveries {
  deliveries(first: 50) {
    totalCount
    edges { node { id eventType status statusCode attemptCount responseTimeMs timestamp createdAt webhook { id } } }
    pageInfo { hasNextPage endCursor }
  }
}`;

/** Runs `work` while the bench holds the counters' fold lock: every worker skips its fold meanwhile. */
async function withFoldsHeld<T>(world: World, work: () => Promise<T>): Promise<T> {
  const holder = await world.pool.connect();
  try {
    await holder.query('SELECT pg_advisory_lock($1::bigint)', [FOLD_LOCK]);
    return await work();
  } finally {
    await holder.query('SELECT pg_advisory_unlock($1::bigint)', [FOLD_LOCK]);
    holder.release();
  }
}

export async function reads(ctx: Context): Promise<Outcome<ReadsMetric>> {
  const { world, plan } = ctx;
  const project = await world.newProject('bench-reads', ['/ok/reads-big', '/ok/reads-typical'], ['model.deprecated']);
  const [big, typical] = project.webhooks as [Project['webhooks'][0], Project['webhooks'][0]];
  const rows = plan.readRows;
  const started = now();
  await world.db.$executeRawUnsafe(
    `INSERT INTO events (id, project_id, type, data, job_id, timestamp)
     SELECT 'evt_r' || lpad(g::text, 11, '0'), $1, 'model.deprecated', jsonb_build_object('job_id', 'reads-' || g), 'reads-' || g,
            now() - make_interval(secs => g / 10.0)
     FROM generate_series(1, $2::int) g`,
    project.id,
    rows,
  );
  // 90% of the rows on one webhook, 10% on another: the listing of a very busy webhook and of a typical one.
  await world.db.$executeRawUnsafe(
    `INSERT INTO deliveries (id, project_id, webhook_id, event_id, event_type, status, status_code, response_time_ms,
                             attempt_count, last_attempt_at, next_attempt_at, created_at, updated_at)
     SELECT 'del_r' || lpad(g::text, 11, '0'), $1, CASE WHEN g % 10 = 0 THEN $3 ELSE $2 END,
            'evt_r' || lpad(g::text, 11, '0'), 'model.deprecated', 'SUCCESS', 200, 12, 1,
            now() - make_interval(secs => g / 10.0), NULL, now() - make_interval(secs => g / 10.0), now()
     FROM generate_series(1, $4::int) g`,
    project.id,
    big.id,
    typical.id,
    rows,
  );
  await world.db.$executeRawUnsafe('VACUUM (ANALYZE) deliveries');
  await world.db.$executeRawUnsafe('VACUUM (ANALYZE) events');
  const seedSeconds = (now() - started) / 1000;
  const [{ total }] = await world.db.$queryRaw<{ total: bigint }[]>`SELECT count(*) AS total FROM deliveries` as [{ total: bigint }];

  const measure = async (call: () => Promise<unknown>) => {
    for (let i = 0; i < 20; i++) await call(); // warm-up
    const h = newHistogram();
    for (let i = 0; i < plan.readRequests; i++) {
      const t0 = now();
      await call();
      recordMs(h, now() - t0);
    }
    return summarize(h);
  };
  const graphql = (id: string) => () => world.http.graphql(project.key, DELIVERIES_QUERY, { id });
  const rest = (id: string) => () => world.http.rest(project.key, `/v1/webhooks/${id}/deliveries?limit=50`);
  const gBig = await measure(graphql(big.id));
  const rBig = await measure(rest(big.id));
  const gTypical = await measure(graphql(typical.id));
  const rTypical = await measure(rest(typical.id));
  // The event log and the project's deliveries: newest first over the project's index, a job's events over the job's
  // index, and a window a day deep (its first row is 864,000 rows down the index at 1M rows; a quick run's 100,000
  // rows span 2.8 hours, so there it starts an hour down).
  const deepHours = rows >= 1_000_000 ? 24 : 1;
  const until = new Date(Date.now() - deepHours * 3_600_000).toISOString().replace(/\.\d+Z$/, 'Z');
  const since = new Date(Date.now() - (deepHours + 1) * 3_600_000).toISOString().replace(/\.\d+Z$/, 'Z');
  const restGet = (path: string) => () => world.http.rest(project.key, path);
  const gLog = await measure(() => world.http.graphql(project.key, EVENT_LOG_QUERY, {}));
  const rLog = await measure(restGet('/v1/events?limit=50'));
  const rLogJob = await measure(restGet(`/v1/events?job_id=reads-${Math.floor(rows / 2)}&limit=50`));
  const rLogWindow = await measure(restGet(`/v1/events?since=${since}&until=${until}&limit=50`));
  const gAll = await measure(() => world.http.graphql(project.key, PROJECT_DELIVERIES_QUERY, {}));
  const rAll = await measure(restGet('/v1/deliveries?limit=50'));
  const rAllStatus = await measure(restGet('/v1/deliveries?status=success&limit=50'));
  const rAllWindow = await measure(restGet(`/v1/deliveries?since=${since}&until=${until}&limit=50`));
  // The two statements of a listing: the exact total (a sum of the webhook's counter rows) and the page (an index range).
  const explain = async (sql: string) => {
    const [row] = await world.db.$queryRawUnsafe<{ 'QUERY PLAN': { 'Execution Time': number }[] }[]>(
      `EXPLAIN (ANALYZE, FORMAT JSON) ${sql}`,
      project.id,
      big.id,
    );
    return round(row!['QUERY PLAN'][0]!['Execution Time'], 2);
  };
  const TOTAL_SQL = 'SELECT sum(delta) FROM delivery_counts WHERE project_id = $1 AND webhook_id = $2';
  const countSqlMs = await explain(TOTAL_SQL);
  const pageSqlMs = await explain(
    'SELECT * FROM deliveries WHERE project_id = $1 AND webhook_id = $2 ORDER BY created_at DESC, id DESC LIMIT 51',
  );
  // The seed is one statement, so each key has one counter row. Between folds (every 5 s) a key gains about 3 rows
  // per delivery (publish, then -1/+1 per status change); 50,000 rows is what a fold held up for minutes leaves, the
  // worst case. Added as +1/-1 pairs, which leave the total as it is, and kept unfolded while measured: the bench
  // holds the fold's lock, so the workers skip their turns.
  const { uncompactedCountSqlMs, rUncompacted, uncompactedRows } = await withFoldsHeld(world, async () => {
    await world.db.$executeRawUnsafe(
      `INSERT INTO delivery_counts (project_id, webhook_id, status, event_type, delta)
       SELECT $1, $2, 'SUCCESS', 'model.deprecated', CASE WHEN g % 2 = 0 THEN 1 ELSE -1 END FROM generate_series(1, 50000) g`,
      project.id,
      big.id,
    );
    await world.db.$executeRawUnsafe('ANALYZE delivery_counts');
    return {
      uncompactedCountSqlMs: await explain(TOTAL_SQL),
      rUncompacted: await measure(rest(big.id)),
      // Says that the rows were still there at the end: folded meanwhile, the figures would not be the worst case.
      uncompactedRows: await world.db.deliveryCount.count({ where: { webhookId: big.id } }),
    };
  });
  const metrics: Metrics<ReadsMetric> = {
    busy_webhook_count_sql_ms: countSqlMs,
    busy_webhook_page_sql_ms: pageSqlMs,
    uncompacted_count_sql_ms: uncompactedCountSqlMs,
    uncompacted_rest_p50_ms: rUncompacted.p50_ms,
    uncompacted_rest_p99_ms: rUncompacted.p99_ms,
    uncompacted_rows_at_end: uncompactedRows,
    table_rows: Number(total),
    busy_webhook_rows: rows - rows / 10,
    typical_webhook_rows: rows / 10,
    requests_each: plan.readRequests,
    graphql_p50_ms: gBig.p50_ms,
    graphql_p99_ms: gBig.p99_ms,
    rest_p50_ms: rBig.p50_ms,
    rest_p99_ms: rBig.p99_ms,
    typical_graphql_p99_ms: gTypical.p99_ms,
    typical_rest_p99_ms: rTypical.p99_ms,
    event_log_rows: rows,
    event_log_graphql_p50_ms: gLog.p50_ms,
    event_log_graphql_p99_ms: gLog.p99_ms,
    event_log_rest_p50_ms: rLog.p50_ms,
    event_log_rest_p99_ms: rLog.p99_ms,
    event_log_job_rest_p99_ms: rLogJob.p99_ms,
    event_log_window_rest_p99_ms: rLogWindow.p99_ms,
    project_deliveries_graphql_p50_ms: gAll.p50_ms,
    project_deliveries_graphql_p99_ms: gAll.p99_ms,
    project_deliveries_rest_p50_ms: rAll.p50_ms,
    project_deliveries_rest_p99_ms: rAll.p99_ms,
    project_deliveries_status_rest_p99_ms: rAllStatus.p99_ms,
    project_deliveries_window_rest_p99_ms: rAllWindow.p99_ms,
    seed_seconds: round(seedSeconds),
  };
  return {
    metrics,
    line: `reads: ${fmt(metrics, [
      'table_rows',
      'graphql_p99_ms',
      'rest_p99_ms',
      'typical_graphql_p99_ms',
      'typical_rest_p99_ms',
      'event_log_graphql_p99_ms',
      'event_log_rest_p99_ms',
      'event_log_job_rest_p99_ms',
      'event_log_window_rest_p99_ms',
      'project_deliveries_graphql_p99_ms',
      'project_deliveries_rest_p99_ms',
      'project_deliveries_status_rest_p99_ms',
      'project_deliveries_window_rest_p99_ms',
    ])}`,
  };
}
