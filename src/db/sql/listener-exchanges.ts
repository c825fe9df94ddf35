// listener_exchanges: LISTEN deliveries in flight between the worker attempting them and the API process holding a
// listener's connection (src/delivery/listening/). Every deadline is on the database's clock, so the worker, the
// API processes and the table agree on it whatever their own clocks say.
import type { Queryable } from './queryable.js';

/** A request waiting for (or handed to) a listener: what the listener forwards. */
export type ListenerExchangeRequest = {
  id: string;
  webhookId: string;
  deliveryId: string;
  eventId: string;
  eventType: string;
  headers: Record<string, string>;
  body: string;
  /** Milliseconds left before the attempt's deadline, when it was claimed. */
  remainingMs: number;
};

/** How an exchange ended, as the worker takes it back: claimed or not, and the listener's report if any. */
export type ListenerExchangeEnd = { claimed: boolean; report: unknown };

/** Rows of a crashed worker (never taken back) are deleted this long after their deadline. */
const ABANDONED_AFTER = "interval '1 minute'";

/**
 * Writes the request for a listener to claim until `timeoutMs` from now, deleting exchanges abandoned by a crashed
 * worker on the way (there are none unless a worker died mid-attempt).
 */
export async function openExchange(
  db: Queryable,
  exchange: Omit<ListenerExchangeRequest, 'remainingMs'> & { projectId: string; replyTopic: string; timeoutMs: number },
): Promise<void> {
  await db.query(
    `WITH abandoned AS (DELETE FROM listener_exchanges WHERE deadline < now() - ${ABANDONED_AFTER})
     INSERT INTO listener_exchanges
       (id, project_id, webhook_id, delivery_id, event_id, event_type, headers, body, deadline, reply_topic)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, now() + make_interval(secs => $9::double precision / 1000), $10)`,
    [
      exchange.id,
      exchange.projectId,
      exchange.webhookId,
      exchange.deliveryId,
      exchange.eventId,
      exchange.eventType,
      JSON.stringify(exchange.headers),
      exchange.body,
      exchange.timeoutMs,
      exchange.replyTopic,
    ],
  );
}

type RequestRow = {
  id: string;
  webhook_id: string;
  delivery_id: string;
  event_id: string;
  event_type: string;
  headers: Record<string, string>;
  body: string;
  remaining_ms: number;
};

/**
 * Claims the webhook's oldest request still waiting and not past its deadline, or null. Concurrent claims (several
 * listeners on one webhook, on any API process) never take the same request: first claim wins.
 */
export async function claimWaitingExchange(db: Queryable, webhookId: string): Promise<ListenerExchangeRequest | null> {
  const { rows } = await db.query<RequestRow>(
    `UPDATE listener_exchanges SET claimed_at = now()
     WHERE id = (
       SELECT id FROM listener_exchanges
       WHERE webhook_id = $1 AND claimed_at IS NULL AND deadline > now()
       ORDER BY created_at, id LIMIT 1 FOR UPDATE SKIP LOCKED)
     RETURNING id, webhook_id, delivery_id, event_id, event_type, headers, body,
       floor(extract(epoch FROM deadline - now()) * 1000)::int AS remaining_ms`,
    [webhookId],
  );
  const row = rows[0];
  if (!row) return null;
  return {
    id: row.id,
    webhookId: row.webhook_id,
    deliveryId: row.delivery_id,
    eventId: row.event_id,
    eventType: row.event_type,
    headers: row.headers,
    body: row.body,
    remainingMs: row.remaining_ms,
  };
}

/** Gives a claimed, unreported request back to the webhook's other listeners (its session ended before sending it). */
export async function releaseExchange(db: Queryable, id: string): Promise<void> {
  await db.query('UPDATE listener_exchanges SET claimed_at = NULL WHERE id = $1 AND report IS NULL', [id]);
}

/**
 * Writes a listener's report on a claimed exchange of the project (of `webhookIds` when given) before its deadline,
 * once; returns the topic its worker waits on, or null when there is no such exchange (unknown, another project's,
 * already reported, or too late: the worker has recorded a timeout).
 */
export async function reportExchange(
  db: Queryable,
  { id, projectId, webhookIds, report }: { id: string; projectId: string; webhookIds: readonly string[] | null; report: unknown },
): Promise<string | null> {
  const { rows } = await db.query<{ reply_topic: string }>(
    `UPDATE listener_exchanges SET report = $4
     WHERE id = $1 AND project_id = $2 AND ($3::text[] IS NULL OR webhook_id = ANY($3))
       AND claimed_at IS NOT NULL AND report IS NULL AND deadline > now()
     RETURNING reply_topic`,
    [id, projectId, webhookIds, JSON.stringify(report)],
  );
  return rows[0]?.reply_topic ?? null;
}

/** Deletes the exchange (the worker is done waiting) and returns how it ended; null if it was never written. */
export async function closeExchange(db: Queryable, id: string): Promise<ListenerExchangeEnd | null> {
  const { rows } = await db.query<{ claimed: boolean; report: unknown }>(
    'DELETE FROM listener_exchanges WHERE id = $1 RETURNING claimed_at IS NOT NULL AS claimed, report',
    [id],
  );
  return rows[0] ?? null;
}
