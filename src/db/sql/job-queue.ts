// pg-boss's tables, the one module that names them. pg-boss owns its schema (it creates and migrates it), and the
// service reaches past its API only where the API has no call for what it needs: to move queued jobs between
// priorities (holding slow webhooks back, `src/delivery/queueing/held-back.ts`), to put a fetched job back with a
// later start (a rate-limited webhook's, `src/delivery/queueing/rate-limit.ts`, or one whose webhook had no free
// slot), to narrow a fetched event job to the parts its worker kept (`src/delivery/queueing/event-jobs.ts`), to find the table a queue's jobs
// live in (the dead-row vacuum), and, in tests, to look at the jobs a queue holds. What this assumes of pg-boss 12:
// - jobs are rows of `JOB_SCHEMA.job` (a partitioned table: each queue's rows live in the table named in
//   `JOB_SCHEMA.queue.table_name`), with the columns `name`, `state`, `blocked`, `group_id`, `priority`, `data`,
//   `created_on`, `retry_count`;
// - its fetch reads the partial index `job_i11` on (name, priority DESC, created_on, start_after) of queued jobs,
//   so a priority below the main fetch's `minPriority` is outside the index range that fetch scans.
// `test/held-back.test.ts` and `test/queue-vacuum.test.ts` fail if either changes.
import type { Queryable } from './queryable.js';

/** The schema pg-boss keeps its tables in: every process's PgBoss is created on it (`createBoss`). */
export const JOB_SCHEMA = 'pgboss';
const JOBS = `${JOB_SCHEMA}.job`;
const QUEUES = `${JOB_SCHEMA}.queue`;

/** Queued (not yet fetched) jobs of queue $1 in the groups $2, as pg-boss's fetch index sees them. */
const QUEUED_IN_GROUPS = `name = $1 AND state < 'active' AND NOT blocked AND group_id = ANY($2::text[])`;

/** Moves the queued jobs of the groups `groupIds` from priority `from` to `to`; returns how many moved. */
export async function moveQueuedJobs(db: Queryable, queue: string, groupIds: string[], from: number, to: number): Promise<number> {
  const { rowCount } = await db.query(`UPDATE ${JOBS} SET priority = $3 WHERE ${QUEUED_IN_GROUPS} AND priority = $4`, [
    queue,
    groupIds,
    to,
    from,
  ]);
  return rowCount ?? 0;
}

/**
 * Moves the queued jobs of the groups `groupIds` created after `after` less `overlap` (all of them when `after` is
 * null) from priority `from` to `to`; returns the database's time of the statement, where the next call starts.
 */
export async function moveQueuedJobsCreatedSince(
  db: Queryable,
  queue: string,
  groupIds: string[],
  from: number,
  to: number,
  after: Date | null,
  overlap: string,
): Promise<Date> {
  // A data-modifying WITH runs whether or not it is read; now() is the statement's transaction time.
  const { rows } = await db.query<{ at: Date }>(
    `WITH moved AS (
       UPDATE ${JOBS} SET priority = $3
       WHERE ${QUEUED_IN_GROUPS} AND priority = $4 AND ($5::timestamptz IS NULL OR created_on > $5::timestamptz - $6::interval))
     SELECT now() AS at`,
    [queue, groupIds, to, from, after, overlap],
  );
  return rows[0]!.at;
}

/**
 * Puts a fetched (active) job back in the queue, due at `startAfter`, as if it had not been fetched: pg-boss's
 * `restore`, which cannot delay, plus a start time. Fenced like pg-boss's own settles: only the claim `retryCount`
 * names. A rate-limited delivery waits this way (src/delivery/queueing/rate-limit.ts), counted as neither a retry nor a
 * failure.
 */
export async function requeueJob(
  db: Queryable,
  queue: string,
  job: { id: string; retryCount: number },
  startAfter: Date,
): Promise<void> {
  await db.query(
    `UPDATE ${JOBS} SET state = 'created', started_on = NULL, heartbeat_on = NULL, upsert_by_key = NULL, start_after = $4
     WHERE name = $1 AND id = $2::uuid AND state = 'active' AND retry_count = $3`,
    [queue, job.id, job.retryCount, startAfter],
  );
}

/**
 * Replaces a fetched (active) job's data, fenced like pg-boss's own settles (only the claim `retryCount` names);
 * false when that claim has lapsed (the job expired, or another worker holds it now).
 */
export async function narrowClaimedJob(
  db: Queryable,
  queue: string,
  job: { id: string; retryCount: number },
  data: object,
): Promise<boolean> {
  const { rowCount } = await db.query(
    `UPDATE ${JOBS} SET data = $4::jsonb WHERE name = $1 AND id = $2::uuid AND state = 'active' AND retry_count = $3`,
    [queue, job.id, job.retryCount, JSON.stringify(data)],
  );
  return rowCount === 1;
}

/** A table, by schema and name. */
export type QualifiedTable = { schema: string; table: string };

/** The table that holds a queue's jobs (a shared one, or its own partition: pg-boss's choice); null for no such queue. */
export async function jobTable(db: Queryable, queue: string): Promise<QualifiedTable | null> {
  const { rows } = await db.query<{ table_name: string }>(`SELECT table_name FROM ${QUEUES} WHERE name = $1`, [queue]);
  return rows[0] ? { schema: JOB_SCHEMA, table: rows[0].table_name } : null;
}

/** A group's queued (not yet fetched) jobs by priority, e.g. `{ '0': 3, '-1': 2 }`. */
export async function queuedJobsByPriority(db: Queryable, queue: string, groupId: string): Promise<Record<string, number>> {
  const { rows } = await db.query<{ priority: number; n: number }>(
    `SELECT priority, count(*)::int AS n FROM ${JOBS}
     WHERE name = $1 AND group_id = $2 AND state < 'active' GROUP BY priority`,
    [queue, groupId],
  );
  return Object.fromEntries(rows.map((row) => [row.priority, row.n]));
}

/**
 * How many jobs of a queue its table holds, in any state: all, or one group's, or one delivery's (its own jobs, or the
 * event jobs that list it among their parts).
 */
export async function countJobs(
  db: Queryable,
  queue: string,
  only: { groupId?: string; deliveryId?: string } = {},
): Promise<number> {
  const { rows } = await db.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM ${JOBS}
     WHERE name = $1 AND ($2::text IS NULL OR group_id = $2)
       AND ($3::text IS NULL OR data->>'deliveryId' = $3 OR data->'parts' @> jsonb_build_array(jsonb_build_array($3::text)))`,
    [queue, only.groupId ?? null, only.deliveryId ?? null],
  );
  return rows[0]!.n;
}
