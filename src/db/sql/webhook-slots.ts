// A webhook's in-flight slots (the rule in src/delivery/queueing/webhook-slots.ts): session-level advisory locks of
// the two-key form (`hashtext(webhook id)`, slot number), held on one connection per worker process. Advisory locks
// live in Postgres' shared memory: taking and releasing them writes no row and no WAL, and they vanish with the
// session that holds them.
import type { Queryable } from './queryable.js';

/** A webhook's slot: one of 0 … WEBHOOK_MAX_IN_FLIGHT − 1. */
export type WebhookSlot = { webhookId: string; slot: number };

/**
 * Takes, for each webhook of `wanted`, up to its count of its slots 0 … `perWebhook` − 1 that no session holds, in
 * slot order, skipping the `held` ones (this session's own: a session's advisory locks are re-entrant, so trying one
 * again would take it twice). One statement for a whole batch; the LIMIT stops the tries once a webhook has what it
 * wants, and the CASE keeps a held slot from being tried whatever order the planner gives the conditions.
 */
export async function takeWebhookSlots(
  db: Queryable,
  wanted: { webhookId: string; count: number }[],
  perWebhook: number,
  held: WebhookSlot[],
): Promise<WebhookSlot[]> {
  if (wanted.length === 0) return [];
  const { rows } = await db.query<{ webhook_id: string; slot: number }>(
    `SELECT w.webhook_id, c.slot
     FROM unnest($1::text[], $2::int[]) AS w(webhook_id, wanted)
     CROSS JOIN LATERAL (
       SELECT slot FROM generate_series(0, $3::int - 1) AS slot
       WHERE CASE WHEN w.webhook_id || ':' || slot = ANY($4::text[]) THEN false
                  ELSE pg_try_advisory_lock(hashtext(w.webhook_id), slot) END
       LIMIT w.wanted) c`,
    [wanted.map((w) => w.webhookId), wanted.map((w) => w.count), perWebhook, held.map((h) => `${h.webhookId}:${h.slot}`)],
  );
  return rows.map((row) => ({ webhookId: row.webhook_id, slot: row.slot }));
}

/** Releases slots this session holds. */
export async function releaseWebhookSlots(db: Queryable, slots: WebhookSlot[]): Promise<void> {
  if (slots.length === 0) return;
  await db.query(`SELECT pg_advisory_unlock(hashtext(r.webhook_id), r.slot) FROM unnest($1::text[], $2::int[]) AS r(webhook_id, slot)`, [
    slots.map((s) => s.webhookId),
    slots.map((s) => s.slot),
  ]);
}
