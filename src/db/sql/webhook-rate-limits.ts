// A rate-limited webhook's pace, shared by every worker (table webhook_rate_limits; the rule in
// src/delivery/queueing/rate-limit.ts).
import type { Queryable } from './queryable.js';

/** A start admitted now, or refused until `allowedAt` (the database's clock), `waitMs` from now. */
export type DeliveryStart = { admitted: true } | { admitted: false; allowedAt: Date; waitMs: number };

/**
 * Takes a start for one of the webhook's deliveries, if one is free: the generic cell rate algorithm with no burst.
 * A start is admitted when the webhook's `allowed_at` has come (or it has no row yet); it then moves to 1/`perSecond`
 * s after now (or after itself, when later). One statement, on the row's lock: two workers never take the same
 * start. On the database's clock, which every worker shares.
 */
export async function takeDeliveryStart(db: Queryable, webhookId: string, perSecond: number): Promise<DeliveryStart> {
  const { rows } = await db.query<{ admitted: boolean; allowed_at: Date; wait_ms: number }>(
    `WITH taken AS (
       INSERT INTO webhook_rate_limits AS r (webhook_id, allowed_at)
       VALUES ($1, clock_timestamp() + make_interval(secs => 1.0 / $2))
       ON CONFLICT (webhook_id) DO UPDATE
         SET allowed_at = greatest(r.allowed_at, clock_timestamp()) + make_interval(secs => 1.0 / $2)
         WHERE r.allowed_at <= clock_timestamp()
       RETURNING webhook_id)
     SELECT true AS admitted, NULL::timestamptz AS allowed_at, 0 AS wait_ms FROM taken
     UNION ALL
     SELECT false, allowed_at, greatest(0, ceil(extract(epoch FROM allowed_at - clock_timestamp()) * 1000))::int
     FROM webhook_rate_limits WHERE webhook_id = $1 AND NOT EXISTS (SELECT 1 FROM taken)`,
    [webhookId, perSecond],
  );
  const row = rows[0];
  if (row?.admitted) return { admitted: true };
  // No row: another worker's first start committed after this statement's snapshot; the next is one interval away.
  const waitMs = row?.wait_ms ?? Math.ceil(1000 / perSecond);
  return { admitted: false, allowedAt: row?.allowed_at ?? new Date(Date.now() + waitMs), waitMs };
}
