// pull_messages: a PULL webhook's deliveries kept for its receiver to read (`/messages`) and acknowledge. A message's
// position is (xid, seq): the id of the transaction that stored it (pg_current_xact_id()), then the row's sequence
// number. Transactions commit out of order, so a read returns only messages whose xid is below the horizon, the
// oldest transaction still running when the read's snapshot was taken (pg_snapshot_xmin): every transaction that
// could still store a smaller position has ended, so a position once read is never followed by a smaller one.
import type { Queryable } from './queryable.js';

/** A place in a webhook's stream: messages after it are (xid, seq) greater. Both are decimal strings (64-bit). */
export type StreamPosition = { xid: string; seq: string };

/** Before every message. */
export const STREAM_START: StreamPosition = { xid: '0', seq: '0' };

/** A message ready to read: its delivery and position, and when it was stored. */
export type ReadyMessage = { deliveryId: string; position: StreamPosition; storedAt: Date };

export type StreamRead = {
  messages: ReadyMessage[];
  /**
   * Where a reader that got no message stands: every message before it has been seen (the horizon, seq 0; a
   * message has seq ≥ 1). The time is the database's at the read.
   */
  horizon: StreamPosition;
  readAt: Date;
  /** Messages after the cursor are stored but not readable yet: an older transaction is still running. */
  held: boolean;
};

/** Stores a message for each delivery (`deliveryIds[i]` of `webhookIds[i]`), at this transaction's position. */
export async function insertPullMessages(tx: Queryable, deliveryIds: string[], webhookIds: string[]): Promise<void> {
  await tx.query('INSERT INTO pull_messages (delivery_id, webhook_id) SELECT * FROM unnest($1::text[], $2::text[])', [
    deliveryIds,
    webhookIds,
  ]);
}

type ReadRow = {
  horizon: string;
  read_at: Date;
  held: boolean;
  delivery_id: string | null;
  xid: string | null;
  seq: string | null;
  created_at: Date | null;
};

/** Up to `limit` of the webhook's messages after `after`, in position order, and the horizon: one snapshot. */
export async function readPullMessages(db: Queryable, webhookId: string, after: StreamPosition, limit: number): Promise<StreamRead> {
  const { rows } = await db.query<ReadRow>(
    `WITH horizon AS (SELECT pg_snapshot_xmin(pg_current_snapshot()) AS xmin),
    ready AS (
      SELECT m.delivery_id, m.xid, m.seq, m.created_at FROM pull_messages m
      WHERE m.webhook_id = $1 AND (m.xid, m.seq) > ($2::xid8, $3::bigint) AND m.xid < (SELECT xmin FROM horizon)
      ORDER BY m.xid, m.seq
      LIMIT $4
    )
    SELECT h.xmin::text AS horizon, now() AS read_at,
      EXISTS (SELECT 1 FROM pull_messages m WHERE m.webhook_id = $1 AND m.xid >= h.xmin) AS held,
      r.delivery_id, r.xid::text AS xid, r.seq::text AS seq, r.created_at
    FROM horizon h LEFT JOIN ready r ON true
    ORDER BY r.xid, r.seq`,
    [webhookId, after.xid, after.seq, limit],
  );
  const first = rows[0]!;
  return {
    messages: rows
      .filter((row) => row.delivery_id !== null)
      .map((row) => ({ deliveryId: row.delivery_id!, position: { xid: row.xid!, seq: row.seq! }, storedAt: row.created_at! })),
    horizon: { xid: first.horizon, seq: '0' },
    readAt: first.read_at,
    held: first.held,
  };
}

/**
 * Acknowledges the webhook's messages up to `upTo` (inclusive): each leaves the stream and its delivery becomes
 * SUCCESS. Locks the deliveries before the messages (the order of a cascading delete), in id order. Returns the
 * deliveries acknowledged now (none when repeated).
 */
export async function acknowledgePullMessages(
  tx: Queryable,
  webhookId: string,
  upTo: StreamPosition,
): Promise<{ id: string; projectId: string; webhookId: string }[]> {
  const { rows } = await tx.query<{ id: string; project_id: string; webhook_id: string }>(
    `WITH due AS (
      SELECT d.id FROM deliveries d JOIN pull_messages m ON m.delivery_id = d.id
      WHERE m.webhook_id = $1 AND (m.xid, m.seq) <= ($2::xid8, $3::bigint)
        AND m.xid < pg_snapshot_xmin(pg_current_snapshot())
      ORDER BY d.id
      FOR UPDATE OF d
    ),
    gone AS (DELETE FROM pull_messages m USING due WHERE m.delivery_id = due.id RETURNING m.delivery_id)
    UPDATE deliveries d SET status = 'SUCCESS', last_attempt_at = now(), next_attempt_at = NULL, updated_at = now()
    FROM gone WHERE d.id = gone.delivery_id
    RETURNING d.id, d.project_id, d.webhook_id`,
    [webhookId, upTo.xid, upTo.seq],
  );
  return rows.map((row) => ({ id: row.id, projectId: row.project_id, webhookId: row.webhook_id }));
}

/**
 * If the delivery is a PULL webhook's: stores its message again, at this transaction's position (the end of the
 * stream; an unacknowledged one moves there), and makes it PENDING. Returns whether it was a PULL webhook's.
 */
export async function requeuePullMessage(tx: Queryable, deliveryId: string): Promise<boolean> {
  const { rowCount } = await tx.query(
    `WITH pending AS (
      UPDATE deliveries d SET status = 'PENDING', updated_at = now()
      FROM webhooks w
      WHERE d.id = $1 AND w.id = d.webhook_id AND w.kind = 'PULL'
      RETURNING d.id, d.webhook_id
    )
    INSERT INTO pull_messages (delivery_id, webhook_id) SELECT id, webhook_id FROM pending
    ON CONFLICT (delivery_id) DO UPDATE SET xid = EXCLUDED.xid, seq = EXCLUDED.seq, created_at = EXCLUDED.created_at`,
    [deliveryId],
  );
  return (rowCount ?? 0) > 0;
}
