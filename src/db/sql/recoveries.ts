// recoveries: a bulk recovery asked for (one per webhook, window and statuses), and each batch the workers re-queue.
import type { DeliveryStatus, Recovery } from '../../generated/prisma/client.js';
import type { Queryable } from './queryable.js';

type RecoveryRow = {
  id: string;
  project_id: string;
  webhook_id: string;
  since: Date;
  until: Date;
  statuses: DeliveryStatus[];
  total: number;
  requeued: number;
  state: Recovery['state'];
  after_created_at: Date | null;
  after_id: string | null;
  created_at: Date;
  completed_at: Date | null;
};

const COLUMNS = `id, project_id, webhook_id, since, until, statuses::text[] AS statuses, total, requeued, state::text AS state,
  after_created_at, after_id, created_at, completed_at`;

const toRecovery = (row: RecoveryRow): Recovery => ({
  id: row.id,
  projectId: row.project_id,
  webhookId: row.webhook_id,
  since: row.since,
  until: row.until,
  statuses: row.statuses,
  total: row.total,
  requeued: row.requeued,
  state: row.state,
  afterCreatedAt: row.after_created_at,
  afterId: row.after_id,
  createdAt: row.created_at,
  completedAt: row.completed_at,
});

/**
 * The deliveries a recovery of `statuses` covers, as a condition on `deliveries` given the recovery `r`: its
 * webhook's, created in its window before it was asked for, of one of its statuses. Served by the webhook's
 * by-status index, which leaves out SUCCESS: without SUCCESS among `statuses` the condition says so in its text, so
 * the planner may use that index (a batch then reads the window's rows of those statuses, not all of them).
 */
const covered = (statuses: readonly string[]) => `d.webhook_id = r.webhook_id AND d.status = ANY (r.statuses)
  AND d.created_at >= r.since AND d.created_at < least(r.until, r.created_at)${
    statuses.includes('SUCCESS') ? '' : ` AND d.status <> 'SUCCESS'`
  }`;

/**
 * Records a new recovery with how many deliveries it covers now; null when the webhook already has one for that window
 * and those statuses (`statuses` sorted, so one window has one key).
 */
export async function insertRecovery(
  tx: Queryable,
  recovery: { id: string; projectId: string; webhookId: string; since: Date; until: Date; statuses: DeliveryStatus[] },
): Promise<Recovery | null> {
  const { rows } = await tx.query<RecoveryRow>(
    `WITH r AS (
       SELECT $1::text AS id, $2::text AS project_id, $3::text AS webhook_id, $4::timestamptz AS since,
              $5::timestamptz AS until, $6::text[]::delivery_status[] AS statuses, now() AS created_at
     )
     INSERT INTO recoveries (id, project_id, webhook_id, since, until, statuses, created_at, total)
     SELECT r.id, r.project_id, r.webhook_id, r.since, r.until, r.statuses, r.created_at,
            (SELECT count(*)::int FROM deliveries d WHERE ${covered(recovery.statuses)})
     FROM r
     ON CONFLICT (webhook_id, since, until, statuses) DO NOTHING
     RETURNING ${COLUMNS}`,
    [recovery.id, recovery.projectId, recovery.webhookId, recovery.since, recovery.until, recovery.statuses],
  );
  return rows[0] ? toRecovery(rows[0]) : null;
}

/** The webhook's recovery of that window and those statuses (sorted), or null. */
export async function findRecoveryOfWindow(
  db: Queryable,
  webhookId: string,
  window: { since: Date; until: Date; statuses: DeliveryStatus[] },
): Promise<Recovery | null> {
  const { rows } = await db.query<RecoveryRow>(
    `SELECT ${COLUMNS} FROM recoveries WHERE webhook_id = $1 AND since = $2 AND until = $3 AND statuses = $4::text[]::delivery_status[]`,
    [webhookId, window.since, window.until, window.statuses],
  );
  return rows[0] ? toRecovery(rows[0]) : null;
}

/**
 * A running recovery, locked until the transaction ends (so one worker at a time takes its next batch), and the
 * next `limit` deliveries it covers after the last one re-queued, oldest first; null when it is not running (done,
 * or its webhook deleted).
 */
export async function lockNextBatch(
  tx: Queryable,
  id: string,
  limit: number,
): Promise<{ recovery: Recovery; deliveryIds: { id: string; createdAt: Date }[] } | null> {
  const locked = await tx.query<RecoveryRow>(`SELECT ${COLUMNS} FROM recoveries WHERE id = $1 AND state = 'RUNNING' FOR UPDATE`, [id]);
  const [row] = locked.rows;
  if (!row) return null;
  const { rows } = await tx.query<{ id: string; created_at: Date }>(
    `SELECT d.id, d.created_at FROM deliveries d, recoveries r
     WHERE r.id = $1 AND ${covered(row.statuses)}
       AND (r.after_id IS NULL OR (d.created_at, d.id) > (r.after_created_at, r.after_id))
     ORDER BY d.created_at, d.id
     LIMIT $2`,
    [id, limit],
  );
  return { recovery: toRecovery(row), deliveryIds: rows.map((r) => ({ id: r.id, createdAt: r.created_at })) };
}

/** A batch was re-queued: the recovery goes on after `last`, or is completed. */
export async function recordBatch(
  tx: Queryable,
  id: string,
  batch: { requeued: number; last: { id: string; createdAt: Date } | undefined; completed: boolean },
): Promise<void> {
  await tx.query(
    `UPDATE recoveries SET requeued = requeued + $2,
       after_created_at = coalesce($3, after_created_at), after_id = coalesce($4, after_id),
       state = CASE WHEN $5 THEN 'COMPLETED'::recovery_state ELSE state END,
       completed_at = CASE WHEN $5 THEN now() ELSE completed_at END
     WHERE id = $1`,
    [id, batch.requeued, batch.last?.createdAt ?? null, batch.last?.id ?? null, batch.completed],
  );
}

/** Deletes the completed recoveries whose window ended before `cutoff` (what they covered is gone); returns how many. */
export async function deleteExpiredRecoveries(db: Queryable, cutoff: Date): Promise<number> {
  const { rowCount } = await db.query(`DELETE FROM recoveries WHERE state = 'COMPLETED' AND until < $1`, [cutoff]);
  return rowCount ?? 0;
}
