// The delivery loop's statements: the attempter's read of a batch of deliveries with their webhooks and events, and
// the recorder's transaction (lock, insert the attempts, update the deliveries, disable webhooks given up on).
//
// Lock order matches a webhook's deletion (webhooks, then their deliveries), and within each table every batch locks
// in id order, so batches and deletions never deadlock: callers lock the webhooks (`lockWebhooks`) before the
// deliveries (`lockDeliveries`), and `disableWebhooks` updates in id order too.
import type pg from 'pg';
import type { Delivery, DeliveryStatus, WebhookKind, WebhookStatus } from '../../generated/prisma/client.js';
import type { RequestRecord } from '../../delivery/sending/attempt-request.js';
import { prepared } from '../prepared.js';
import type { Queryable } from './queryable.js';

type SigningKeys = { secret: string; previousSecret: string | null; previousSecretExpiresAt: Date | null };

/** A delivery as an attempt needs it, with its webhook and event. */
export type DeliveryToAttempt = {
  id: string;
  projectId: string;
  webhookId: string;
  eventId: string;
  status: DeliveryStatus;
  attemptCount: number;
  webhook: SigningKeys & {
    kind: WebhookKind;
    url: string | null;
    status: WebhookStatus;
    rateLimitPerSecond: number | null;
    sealedHeaders: string | null;
    propagateTraceContext: boolean;
  };
  event: { id: string; type: string; timestamp: Date; data: unknown };
};

type DeliveryToAttemptRow = {
  id: string;
  project_id: string;
  webhook_id: string;
  event_id: string;
  status: DeliveryStatus;
  attempt_count: number;
  kind: WebhookKind;
  url: string | null;
  webhook_status: WebhookStatus;
  secret: string;
  previous_secret: string | null;
  previous_secret_expires_at: Date | null;
  rate_limit_per_second: number | null;
  sealed_headers: string | null;
  propagate_trace_context: boolean;
  event_type: string;
  event_data: unknown;
  event_timestamp: Date;
};

/** The deliveries `ids` (those that still exist), by id, each with its webhook and event: one joined query. */
export async function loadDeliveriesToAttempt(db: Queryable, ids: string[]): Promise<Map<string, DeliveryToAttempt>> {
  const { rows } = await db.query<DeliveryToAttemptRow>(
    `SELECT d.id, d.project_id, d.webhook_id, d.event_id, d.status::text AS status, d.attempt_count,
           w.kind::text AS kind, w.url, w.status::text AS webhook_status, w.secret, w.previous_secret, w.previous_secret_expires_at,
           w.rate_limit_per_second, w.sealed_headers, w.propagate_trace_context,
           e.type AS event_type, e.data AS event_data, e.timestamp AS event_timestamp
    FROM deliveries d
    JOIN webhooks w ON w.id = d.webhook_id
    JOIN events e ON e.id = d.event_id
    WHERE d.id = ANY($1::text[])`,
    [ids],
  );
  return new Map(
    rows.map((row) => [
      row.id,
      {
        id: row.id,
        projectId: row.project_id,
        webhookId: row.webhook_id,
        eventId: row.event_id,
        status: row.status,
        attemptCount: row.attempt_count,
        webhook: {
          kind: row.kind,
          url: row.url,
          status: row.webhook_status,
          secret: row.secret,
          previousSecret: row.previous_secret,
          previousSecretExpiresAt: row.previous_secret_expires_at,
          rateLimitPerSecond: row.rate_limit_per_second,
          sealedHeaders: row.sealed_headers,
          propagateTraceContext: row.propagate_trace_context,
        },
        event: { id: row.event_id, type: row.event_type, timestamp: row.event_timestamp, data: row.event_data },
      },
    ]),
  );
}

const inIdOrder = (ids: readonly string[]) => [...new Set(ids)].sort();

/** A webhook's failure streak: attempts failed in a row, and whether the streak was announced (webhook.failing). */
export type WebhookHealth = { consecutiveFailures: number; failureAnnounced: boolean };

/**
 * Locks the webhooks `ids` that still exist, in id order, and returns their status and health. NO KEY UPDATE holds
 * off a delete and serialises the batches of one webhook's attempts (their failure streak is read, then written),
 * but not a publish (whose deliveries only KEY SHARE it).
 */
export async function lockWebhooks(
  tx: pg.ClientBase,
  ids: readonly string[],
): Promise<{ statuses: Map<string, WebhookStatus>; health: Map<string, WebhookHealth> }> {
  const { rows } = await tx.query<{ id: string; status: WebhookStatus; consecutive_failures: number; failure_announced: boolean }>(
    `SELECT id, status::text AS status, consecutive_failures, failure_announced
     FROM webhooks WHERE id = ANY($1::text[]) ORDER BY id FOR NO KEY UPDATE`,
    [inIdOrder(ids)],
  );
  return {
    statuses: new Map(rows.map((row) => [row.id, row.status])),
    health: new Map(
      rows.map((row) => [row.id, { consecutiveFailures: row.consecutive_failures, failureAnnounced: row.failure_announced }]),
    ),
  };
}

/** Where a delivery stands: its attempts so far and its status. */
export type DeliveryState = { attemptCount: number; status: DeliveryStatus };

/**
 * Locks the deliveries `ids` that still exist, in id order, and returns where each stands. Serialises attempts on
 * one delivery (a manual retry may race a scheduled one, in another batch).
 */
export async function lockDeliveries(tx: pg.ClientBase, ids: readonly string[]): Promise<Map<string, DeliveryState>> {
  const { rows } = await tx.query<{ id: string; attempt_count: number; status: DeliveryStatus }>(
    'SELECT id, attempt_count, status::text AS status FROM deliveries WHERE id = ANY($1::text[]) ORDER BY id FOR UPDATE',
    [inIdOrder(ids)],
  );
  return new Map(rows.map((row) => [row.id, { attemptCount: row.attempt_count, status: row.status }]));
}

/** An attempt to record: its request as a record keeps it (src/delivery/sending/attempt-request.ts). */
export type NewAttempt = {
  deliveryId: string;
  number: number;
  startedAt: Date;
  durationMs: number;
  request: RequestRecord;
  responseStatus: number | null;
  responseHeaders: Record<string, string> | null;
  responseBody: string | null;
  responseBodyTruncated: boolean;
  errorKind: string | null;
  errorMessage: string | null;
};

/** An attempt as a delivery_attempts row, by column name (what `json_populate_recordset` reads). */
const toAttemptRow = (a: NewAttempt) => ({
  delivery_id: a.deliveryId,
  number: a.number,
  started_at: a.startedAt,
  duration_ms: a.durationMs,
  retry_count: a.request.retryCount,
  signature_count: a.request.signatureCount,
  traceparent: a.request.traceparent,
  header_names: a.request.headerNames,
  response_status: a.responseStatus,
  response_headers: a.responseHeaders,
  response_body: a.responseBody,
  response_body_truncated: a.responseBodyTruncated,
  error_kind: a.errorKind,
  error_message: a.errorMessage,
});

/** Inserts a batch's attempts in one prepared statement (see `src/db/prepared.ts`). */
export async function insertAttempts(tx: pg.ClientBase, attempts: readonly NewAttempt[]): Promise<void> {
  if (attempts.length === 0) return;
  // One parameter for the whole batch: the rows as JSON, read back as delivery_attempts rows.
  await tx.query(
    prepared('INSERT INTO delivery_attempts SELECT * FROM json_populate_recordset(NULL::delivery_attempts, $1::json)', [
      JSON.stringify(attempts.map(toAttemptRow)),
    ]),
  );
}

/** A delivery's row after a batch; `attempt` is absent when it was only given up on (its attempt columns stay). */
export type DeliveryUpdate = DeliveryState & {
  id: string;
  nextAttemptAt: Date | null;
  attempt?: { statusCode: number | null; responseTimeMs: number; startedAt: Date };
};

/** Every delivery's new row in one statement; returns the deliveries changed. */
export async function updateDeliveries(tx: pg.ClientBase, updates: readonly DeliveryUpdate[]): Promise<Pick<Delivery, 'id' | 'projectId' | 'webhookId'>[]> {
  if (updates.length === 0) return [];
  const { rows } = await tx.query<{ id: string; project_id: string; webhook_id: string }>(
    `UPDATE deliveries AS d SET
      status = u.status::delivery_status,
      next_attempt_at = u.next_attempt_at,
      attempt_count = u.attempt_count,
      status_code = CASE WHEN u.attempted THEN u.status_code ELSE d.status_code END,
      response_time_ms = CASE WHEN u.attempted THEN u.response_time_ms ELSE d.response_time_ms END,
      last_attempt_at = CASE WHEN u.attempted THEN u.last_attempt_at ELSE d.last_attempt_at END,
      updated_at = now()
    FROM unnest($1::text[], $2::text[], $3::timestamptz[], $4::int[], $5::boolean[], $6::int[], $7::int[], $8::timestamptz[])
      AS u(id, status, next_attempt_at, attempt_count, attempted, status_code, response_time_ms, last_attempt_at)
    WHERE d.id = u.id
    RETURNING d.id, d.project_id, d.webhook_id`,
    [
      updates.map((u) => u.id),
      updates.map((u) => u.status),
      updates.map((u) => u.nextAttemptAt),
      updates.map((u) => u.attemptCount),
      updates.map((u) => u.attempt !== undefined),
      updates.map((u) => u.attempt?.statusCode ?? null),
      updates.map((u) => u.attempt?.responseTimeMs ?? null),
      updates.map((u) => u.attempt?.startedAt ?? null),
    ],
  );
  return rows.map((row) => ({ id: row.id, projectId: row.project_id, webhookId: row.webhook_id }));
}

/** A webhook to disable, and why. */
export type WebhookToDisable = { webhookId: string; reason: string; at: Date };

/** Disables the webhooks still active among `webhooks`, in id order; returns how many it disabled. */
export async function disableWebhooks(tx: pg.ClientBase, webhooks: readonly WebhookToDisable[]): Promise<number> {
  let disabled = 0;
  for (const { webhookId, reason, at } of [...webhooks].sort((a, b) => (a.webhookId < b.webhookId ? -1 : 1))) {
    const { rowCount } = await tx.query(
      `UPDATE webhooks SET status = 'DISABLED', disabled_reason = $2, disabled_at = $3, updated_at = now()
       WHERE id = $1 AND status = 'ACTIVE'`,
      [webhookId, reason, at],
    );
    disabled += rowCount ?? 0;
  }
  return disabled;
}
