// deliveries: the statements of a manual retry (one delivery, or a recovery's batch), and deliveryUpdates' reads in
// commit order.
import type { Delivery } from '../../generated/prisma/client.js';
import { COMMIT_HORIZON } from './commit-horizon.js';
import type { Queryable } from './queryable.js';

type DeliveryRow = {
  id: string;
  project_id: string;
  webhook_id: string;
  event_id: string;
  event_type: string;
  status: Delivery['status'];
  status_code: number | null;
  response_time_ms: number | null;
  attempt_count: number;
  last_attempt_at: Date | null;
  next_attempt_at: Date | null;
  created_at: Date;
  updated_at: Date;
};

const COLUMNS = `id, project_id, webhook_id, event_id, event_type, status::text AS status, status_code, response_time_ms,
  attempt_count, last_attempt_at, next_attempt_at, created_at, updated_at`;

const toDelivery = (row: DeliveryRow): Delivery => ({
  id: row.id,
  projectId: row.project_id,
  webhookId: row.webhook_id,
  eventId: row.event_id,
  eventType: row.event_type,
  status: row.status,
  statusCode: row.status_code,
  responseTimeMs: row.response_time_ms,
  attemptCount: row.attempt_count,
  lastAttemptAt: row.last_attempt_at,
  nextAttemptAt: row.next_attempt_at,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
});

/** The project's delivery with that id, or null. */
export async function findDeliveryInProject(db: Queryable, projectId: string, id: string): Promise<Delivery | null> {
  const { rows } = await db.query<DeliveryRow>(`SELECT ${COLUMNS} FROM deliveries WHERE id = $1 AND project_id = $2`, [
    id,
    projectId,
  ]);
  return rows[0] ? toDelivery(rows[0]) : null;
}

/** A manual attempt is queued: the delivery's next attempt is now. Returns the delivery as it is then. */
export async function markRetryQueued(db: Queryable, id: string): Promise<Delivery> {
  const { rows } = await db.query<DeliveryRow>(
    `UPDATE deliveries SET next_attempt_at = now(), updated_at = now() WHERE id = $1 RETURNING ${COLUMNS}`,
    [id],
  );
  return toDelivery(rows[0]!);
}

/** Manual attempts are queued for many deliveries at once (a recovery's batch): their next attempt is now. */
export async function markRetriesQueued(db: Queryable, ids: string[]): Promise<void> {
  await db.query(`UPDATE deliveries SET next_attempt_at = now(), updated_at = now() WHERE id = ANY ($1::text[])`, [ids]);
}

/**
 * Where a delivery's latest change stands in its webhook's commit order: the writing transaction's id (`xid8`, as
 * text) and the delivery's id. The column and its trigger: prisma/migrations/20261206010300_delivery_change_position.
 */
export type ChangePosition = { xid: string; id: string };

/** Before every change. */
export const FIRST_CHANGE: ChangePosition = { xid: '0', id: '' };

export type DeliveryChange = { delivery: Delivery; position: ChangePosition };

type ChangeRow = DeliveryRow & { change_xid: string; held_back: boolean };

/**
 * Up to `limit` deliveries of the webhook changed after `after`, in commit order (change_xid, id), each as it is now;
 * and whether changes committed later are held back.
 *
 * Only changes below the commit horizon (src/db/sql/commit-horizon.ts) are read: their transactions have all ended,
 * so nothing can still commit below it, and a change committed later (even by a transaction that started first)
 * always has a position after every one read here. Changes above the horizon that are already committed wait for
 * the transactions still in flight below them: `heldBack` says there are some, so the caller reads again soon
 * (their own notification may already have come and gone).
 */
export async function deliveryChangesAfter(
  db: Queryable,
  projectId: string,
  webhookId: string,
  after: ChangePosition,
  limit: number,
): Promise<{ changes: DeliveryChange[]; heldBack: boolean }> {
  const { rows } = await db.query<ChangeRow | { id: null; held_back: boolean }>(
    `WITH horizon AS (SELECT ${COMMIT_HORIZON} AS xmin)
    SELECT d.*, EXISTS (
      SELECT 1 FROM deliveries later WHERE later.webhook_id = $2 AND later.change_xid >= horizon.xmin
    ) AS held_back
    FROM horizon LEFT JOIN LATERAL (
      SELECT ${COLUMNS}, change_xid::text AS change_xid FROM deliveries
      WHERE project_id = $1 AND webhook_id = $2 AND (change_xid, id) > ($3::xid8, $4) AND change_xid < horizon.xmin
      ORDER BY change_xid, id
      LIMIT $5
    ) d ON true`,
    [projectId, webhookId, after.xid, after.id, limit],
  );
  const changes = rows
    .filter((row): row is ChangeRow => row.id !== null)
    .map((row) => ({ delivery: toDelivery(row), position: { xid: row.change_xid, id: row.id } }));
  return { changes, heldBack: rows[0]?.held_back ?? false };
}

/** The webhook's latest change below the horizon (see `deliveryChangesAfter`), or null when it has none. */
export async function latestDeliveryChange(db: Queryable, projectId: string, webhookId: string): Promise<DeliveryChange | null> {
  const { rows } = await db.query<ChangeRow>(
    `SELECT ${COLUMNS}, change_xid::text AS change_xid FROM deliveries
    WHERE project_id = $1 AND webhook_id = $2 AND change_xid < ${COMMIT_HORIZON}
    ORDER BY change_xid DESC, id DESC
    LIMIT 1`,
    [projectId, webhookId],
  );
  const [row] = rows;
  return row ? { delivery: toDelivery(row), position: { xid: row.change_xid, id: row.id } } : null;
}
