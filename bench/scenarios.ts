// The seven scenarios of issue 8. Each returns its metrics and the one line it prints.
import { Agent, request } from 'undici';
import { inTransaction } from '../src/db/transaction.js';
import { FOLD_LOCK } from '../src/db/sql/delivery-counts.js';
import { newId } from '../src/lib/ids.js';
import { deliveryBody, wireTimestamp } from '../src/delivery/sending/payload.js';
import { signedHeaders } from '../src/delivery/sending/signing.js';
import { generateWebhookSecret } from '../src/webhooks/secrets.js';
import { CpuMeter, type CpuReading } from './cpu.js';
import { StatementMeter, type StatementTimes } from './statements.js';
import { Collector, awaitReceipts, now, openLoop, progressEvent, sleep } from './load.js';
import type { Plan } from './plan.js';
import type { Project, World } from './setup.js';
import { newHistogram, recordMs, round, summarize } from './stats.js';

export type Metrics = Record<string, number>;
export type Outcome = { metrics: Metrics; line: string };

/** Everything a scenario needs: the world, the plan's durations, and what earlier scenarios measured. */
export type Context = {
  world: World;
  plan: Plan;
  /** Ten webhooks on /ok/ paths, subscribed to batch.progress. */
  main: Project;
  results: Record<string, Metrics>;
};

async function withCpu<T>(ctx: Context, extra: Record<string, number>, run: () => Promise<T>): Promise<[T, CpuReading]> {
  const { world } = ctx;
  const meter = new CpuMeter(world.admin, world.database, { api: world.api.pid, worker: world.worker.pid, ...extra });
  await meter.start();
  const result = await run();
  return [result, await meter.stop()];
}

/** CPU seconds per 1,000 deliveries: the service's processes together, and the Postgres backends. */
function cpuPer1000(cpu: CpuReading, deliveries: number): Metrics {
  const service = Object.values(cpu.service).reduce((a, b) => a + b, 0);
  const per = (seconds: number) => round((seconds * 1000) / Math.max(1, deliveries), 3);
  return {
    service_cpu_s_per_1k: per(service),
    postgres_cpu_s_per_1k: per(cpu.postgres),
    postgres_autovacuum_cpu_s_per_1k: per(cpu.postgresAutovacuum),
    ...Object.fromEntries(Object.entries(cpu.service).map(([name, s]) => [`${name}_cpu_s_per_1k`, per(s)])),
  };
}

const fmt = (m: Metrics, keys: string[]) =>
  keys
    .filter((k) => m[k] !== undefined)
    .map((k) => `${k}=${m[k]}`)
    .join(' ');

// 1. Raw ceiling --------------------------------------------------------------------------------------------------

/** A plain undici loop signing and POSTing the same payloads to the same receiver, at the worker's concurrency. */
export async function ceiling(ctx: Context): Promise<Outcome> {
  const { world, plan } = ctx;
  const concurrency = Number(plan.concurrency);
  const agent = new Agent({ keepAliveTimeout: 10_000, keepAliveMaxTimeout: 60_000, connections: concurrency });
  const secret = generateWebhookSecret();
  const url = world.receiver.url('/ok/ceiling');
  const webhookId = newId('wh');
  const template = progressEvent('ceiling').data;
  let sent = 0;
  const loop = async (until: number) => {
    while (now() < until) {
      const at = new Date();
      const event = { id: newId('evt'), type: 'batch.progress', timestamp: at, data: template };
      const body = deliveryBody(event, 0);
      const headers = signedHeaders({
        body,
        messageId: newId('del'),
        webhookId,
        eventId: event.id,
        eventTimestamp: wireTimestamp(at),
        secrets: [secret],
        now: at,
      });
      const response = await request(url, { method: 'POST', headers, body, dispatcher: agent });
      await response.body.text();
      if (response.statusCode !== 200) throw new Error(`receiver answered ${response.statusCode}`);
      sent++;
    }
  };
  const run = (seconds: number) => {
    const until = now() + seconds * 1000;
    return Promise.all(Array.from({ length: concurrency }, () => loop(until)));
  };
  await run(1); // warm-up: connections, JIT
  sent = 0;
  const [seconds, cpu] = await withCpu(ctx, { loadgen: process.pid }, async () => {
    const started = now();
    await run(plan.ceilingSeconds);
    return (now() - started) / 1000;
  });
  await agent.close();
  await world.receiver.drain();
  const { api: _a, worker: _w, ...own } = cpu.service;
  const metrics: Metrics = {
    posts_per_s: Math.round(sent / seconds),
    concurrency,
    loadgen_cpu_s_per_1k: round((own.loadgen! * 1000) / sent, 3),
  };
  return { metrics, line: `ceiling: ${fmt(metrics, ['posts_per_s', 'concurrency', 'loadgen_cpu_s_per_1k'])}` };
}

// 2. Throughput ---------------------------------------------------------------------------------------------------

/**
 * Publishes flat out through `lanes` concurrent publishers, holding back only while more than `backlog` deliveries
 * are waiting (so the run measures the rate the whole pipeline sustains, not a queue filling up), and measures
 * deliveries received per second after a warm-up quarter.
 */
async function throughput(
  ctx: Context,
  opts: { lanes: number; publishOnce: () => Promise<number>; extraPids: Record<string, number> },
): Promise<Metrics> {
  const { world, plan } = ctx;
  const backlog = 2_000;
  await world.receiver.drain();
  const base = (await world.receiver.count()).ok;
  let received = 0;
  let published = 0;
  let polling = true;
  const poller = (async () => {
    while (polling) {
      received = (await world.receiver.count()).ok - base;
      await sleep(20);
    }
  })();
  const seconds = plan.throughputSeconds;
  const [, cpu] = await withCpu(ctx, opts.extraPids, async () => {
    const start = now();
    const end = start + seconds * 1000;
    await Promise.all(
      Array.from({ length: opts.lanes }, async () => {
        while (now() < end) {
          if (published - received > backlog) await sleep(2);
          else {
            const count = await opts.publishOnce(); // not `published += await …`, which would lose concurrent lanes' counts
            published += count;
          }
        }
      }),
    );
    const deadline = now() + 120_000;
    while (received < published && now() < deadline) await sleep(50);
  });
  polling = false;
  await poller;
  // Steady state: the rate between the 25th and the 95th percentile of arrivals, leaving out the start (pools,
  // first commits) and the tail (the last stragglers), whether publishing or delivering was the slower side.
  const times = Float64Array.from((await world.receiver.drain()).times).sort();
  const [a, b] = [Math.floor(times.length * 0.25), Math.floor(times.length * 0.95)];
  return {
    deliveries_per_s: Math.round((b - a) / ((times[b]! - times[a]!) / 1000)),
    published_events_per_s: Math.round(published / 10 / seconds),
    deliveries: published,
    lost: published - received,
    ...cpuPer1000(cpu, received),
  };
}

export async function throughputBatched(ctx: Context): Promise<Outcome> {
  const { world, main } = ctx;
  const batch = 50;
  const metrics = await throughput(ctx, {
    lanes: 2,
    // The publisher runs in the load generator here, so its CPU counts as the service's.
    extraPids: { publisher: process.pid },
    publishOnce: async () => {
      const results = await inTransaction(world.pool, async (tx) => {
        const out = [];
        for (let i = 0; i < batch; i++) {
          const { type, data } = progressEvent('batched');
          out.push(await world.publisher.publishWithin(tx, main.id, type, data, null));
        }
        return out;
      });
      for (const r of results) world.publisher.announce(r);
      return results.reduce((n, r) => n + r.deliveryCount, 0);
    },
  });
  metrics.ratio_to_ceiling = round(metrics.deliveries_per_s! / ctx.results.ceiling!.posts_per_s!, 3);
  return {
    metrics,
    line: `throughput (internal API, ${batch} events per transaction): ${fmt(metrics, ['deliveries_per_s', 'ratio_to_ceiling', 'service_cpu_s_per_1k', 'postgres_cpu_s_per_1k', 'lost'])}`,
  };
}

export async function throughputMutation(ctx: Context): Promise<Outcome> {
  const { world, main } = ctx;
  const metrics = await throughput(ctx, {
    lanes: 16,
    extraPids: {},
    publishOnce: async () => {
      const { type, data } = progressEvent('mutation');
      await world.http.publish(main.key, type, data);
      return main.webhooks.length;
    },
  });
  metrics.ratio_to_ceiling = round(metrics.deliveries_per_s! / ctx.results.ceiling!.posts_per_s!, 3);
  return {
    metrics,
    line: `throughput (publishEvent mutation): ${fmt(metrics, ['deliveries_per_s', 'ratio_to_ceiling', 'published_events_per_s', 'service_cpu_s_per_1k', 'postgres_cpu_s_per_1k', 'lost'])}`,
  };
}

// 3. Latency ------------------------------------------------------------------------------------------------------

/** Open-loop publishing at `fraction` of the ceiling (times the plan's load scale). */
async function fixedLoad(ctx: Context, project: Project, fraction: number, seconds: number, healthy = project.webhooks.length) {
  const { world } = ctx;
  const deliveriesPerSecond = fraction * ctx.plan.loadScale * ctx.results.ceiling!.posts_per_s!;
  const sustainable = ctx.results.throughput_mutation?.deliveries_per_s;
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
  const [{ events, errors }, cpu] = await withCpu(ctx, {}, async () => {
    const sent = await openLoop({ eventsPerSecond, seconds, collector, publish });
    await awaitReceipts(collector, sent.events * healthy, 30_000);
    return sent;
  });
  const expected = events * healthy;
  return {
    collector,
    metrics: {
      offered_deliveries_per_s: Math.round(deliveriesPerSecond),
      offered_fraction_of_ceiling: round(fraction * ctx.plan.loadScale, 3),
      // Utilisation: what the load is against what the same path sustained in this run, when that was measured.
      ...(sustainable && { offered_fraction_of_sustainable: round(deliveriesPerSecond / sustainable, 2) }),
      ...summarize(collector.all),
      lost: expected - collector.received,
      publish_errors: errors,
      ...(await stages(world, project, measuredFrom, collector)),
      ...cpuPer1000(cpu, collector.received),
    } as Metrics,
  };
}

/**
 * Where the time between publish and receipt went, from the database's own record of the measured events and their
 * first attempts to the healthy (`/ok/`) webhooks: from when the publish was due to the event's timestamp (the
 * request's way into the API, taken in the publishing transaction), from there to the attempt's start (commit,
 * wake, fetch, read), and the attempt itself (the POST and its answer). Wall clocks of the same machine.
 */
async function stages(world: World, project: Project, since: Date, collector: Collector): Promise<Metrics> {
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
  const split = (name: string, pair: number[] | null): Metrics =>
    pair ? { [`${name}_p50_ms`]: round(pair[0]!), [`${name}_p99_ms`]: round(pair[1]!) } : {};
  return { ...split('due_to_publish', row!.to_publish), ...split('publish_to_attempt', row!.to_attempt), ...split('attempt', row!.attempt) };
}

export const latency = (fraction: number) => async (ctx: Context): Promise<Outcome> => {
  const { metrics } = await fixedLoad(ctx, ctx.main, fraction, ctx.plan.latencySeconds);
  const name = `latency at ${round(fraction * ctx.plan.loadScale * 100, 1)}% of the ceiling`;
  return { metrics, line: `${name}: ${fmt(metrics, ['offered_deliveries_per_s', 'offered_fraction_of_sustainable', 'p50_ms', 'p95_ms', 'p99_ms', 'max_ms', 'due_to_publish_p99_ms', 'publish_to_attempt_p99_ms', 'attempt_p99_ms', 'lost'])}` };
};

// 4. Fan-out ------------------------------------------------------------------------------------------------------

export async function fanout(ctx: Context): Promise<Outcome> {
  const { world, plan } = ctx;
  const size = 1000;
  const project = await world.newProject(
    'bench-fanout',
    Array.from({ length: size }, (_, i) => `/ok/fanout-${i}`),
    ['vision.submitted'],
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
  const metrics: Metrics = {
    webhooks: size,
    runs: plan.fanoutRuns,
    last_receipt_ms_median: round(median(lasts)),
    last_receipt_ms_max: round(Math.max(...lasts)),
    publish_ms_median: round(median(publishes)),
  };
  return { metrics, line: `fan-out: ${fmt(metrics, ['webhooks', 'last_receipt_ms_median', 'last_receipt_ms_max', 'publish_ms_median'])}` };
}

// 5. Bad neighbours -----------------------------------------------------------------------------------------------

export async function badNeighbours(ctx: Context): Promise<Outcome> {
  const { world, plan } = ctx;
  const paths = [...Array.from({ length: 8 }, (_, i) => `/ok/neighbour-${i}`), '/fail/neighbour-8', '/hang/neighbour-9'];
  const project = await world.newProject('bench-neighbours', paths, ['batch.progress']);
  const before = await world.receiver.count();
  const { metrics } = await fixedLoad(ctx, project, 0.1, plan.badNeighbourSeconds, 8);
  const after = await world.receiver.count();
  // Clean up for the scenarios after this one: no more failing deliveries, no more held connections.
  for (const w of project.webhooks.filter((w) => !w.path.startsWith('/ok/'))) await world.webhooks.delete(project.id, w.id);
  world.receiver.release();
  const clean = ctx.results.latency_10!.p99_ms!;
  const out: Metrics = {
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

// 6. Reads --------------------------------------------------------------------------------------------------------

const DELIVERIES_QUERY = `query Deliveries($id: ID!) {
  deliveries(webhookId: $id, first: 50) {
    totalCount
    edges { node { id eventType status statusCode attemptCount responseTimeMs timestamp createdAt } }
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

export async function reads(ctx: Context): Promise<Outcome> {
  const { world, plan } = ctx;
  const project = await world.newProject('bench-reads', ['/ok/reads-big', '/ok/reads-typical'], ['model.deprecated']);
  const [big, typical] = project.webhooks as [Project['webhooks'][0], Project['webhooks'][0]];
  const rows = plan.readRows;
  const started = now();
  await world.db.$executeRawUnsafe(
    `INSERT INTO events (id, project_id, type, data, job_id, timestamp)
     SELECT 'evt_r' || lpad(g::text, 11, '0'), $1, 'model.deprecated', jsonb_build_object('job_id', 'reads-' || g), 'reads-' || g,
            now() - make_interval(secs => g)
     FROM generate_series(1, 1000) g`,
    project.id,
  );
  // 90% of the rows on one webhook, 10% on another: the listing of a very busy webhook and of a typical one.
  await world.db.$executeRawUnsafe(
    `INSERT INTO deliveries (id, project_id, webhook_id, event_id, event_type, status, status_code, response_time_ms,
                             attempt_count, last_attempt_at, next_attempt_at, created_at, updated_at)
     SELECT 'del_r' || lpad(g::text, 11, '0'), $1, CASE WHEN g % 10 = 0 THEN $3 ELSE $2 END,
            'evt_r' || lpad((g % 1000 + 1)::text, 11, '0'), 'model.deprecated', 'SUCCESS', 200, 12, 1,
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
  const metrics: Metrics = {
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
    seed_seconds: round(seedSeconds),
  };
  return { metrics, line: `reads: ${fmt(metrics, ['table_rows', 'graphql_p99_ms', 'rest_p99_ms', 'typical_graphql_p99_ms', 'typical_rest_p99_ms'])}` };
}

// 7. Soak ---------------------------------------------------------------------------------------------------------

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

export async function soak(ctx: Context): Promise<Outcome> {
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
  const processes = [world.api, world.worker];
  const probeAll = () => Promise.all(processes.map((p) => p.probe()));
  let warm = false;
  let first: Awaited<ReturnType<typeof probeAll>> | undefined;
  let lastReset = false;
  // CPU in the first and the last window alone: whether a delivery costs more at the end than at the start.
  const windowMeter = () => new CpuMeter(world.admin, world.database, { api: world.api.pid, worker: world.worker.pid });
  const firstMeter = windowMeter();
  const lastMeter = windowMeter();
  let firstCpu: CpuReading | undefined;
  // Time per statement in the same windows, when the server has pg_stat_statements loaded.
  const statements = await StatementMeter.open(world.pool);
  let firstStatements: StatementTimes | undefined;
  start = now();
  const [{ events }, cpu] = await withCpu(ctx, {}, async () => {
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
  const metrics: Metrics = {
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
  const statementLines =
    firstStatements && lastStatements
      ? statementGrowth(metrics, firstStatements, lastStatements, [per1k(firstCpu!), per1k(lastCpu)])
      : ['  statements: not measured (pg_stat_statements is not in shared_preload_libraries)'];
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
    line: `soak (${seconds} s): ${fmt(metrics, ['offered_deliveries_per_s', 'capped_to_sustainable', 'worker_rss_start_mb', 'worker_rss_end_mb', 'api_rss_start_mb', 'api_rss_end_mb', 'worker_live_heap_start_mb', 'worker_live_heap_end_mb', 'api_live_heap_start_mb', 'api_live_heap_end_mb', 'worker_eld_p99_start_ms', 'worker_eld_p99_end_ms', 'api_eld_p99_start_ms', 'api_eld_p99_end_ms', 'p99_start_ms', 'p99_end_ms', 'postgres_cpu_s_per_1k_start', 'postgres_cpu_s_per_1k_end', 'sql_ms_per_1k_start', 'sql_ms_per_1k_end', 'sql_blocks_per_1k_start', 'sql_blocks_per_1k_end'])}\n${statementLines.join('\n')}`,
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
function statementGrowth(metrics: Metrics, start: StatementTimes, end: StatementTimes, per1k: [number, number]) {
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
