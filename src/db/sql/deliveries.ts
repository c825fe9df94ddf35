// deliveries: the statements of a manual retry (one delivery, or a recovery's batch).
import type { Delivery } from '../../generated/prisma/client.js';
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
