// The statements of webhook stats (src/webhooks/stats.ts): the recorder's one statement per batch, which adds the
// batch's attempts to their webhooks' time buckets, last success and failure times and failure streaks; a window's
// read; and the housekeeping's prune.
import type pg from 'pg';
import type { BucketIncrement, HealthIncrement, WindowTotals } from '../../webhooks/stats.js';
import type { WebhookHealth } from './attempts.js';
import type { Queryable } from './queryable.js';

/** What a batch changes in a webhook's row, by column; null: unchanged. */
type WebhookRowChange = {
  webhook_id: string;
  last_success_at: Date | null;
  last_failure_at: Date | null;
  consecutive_failures: number | null;
  failure_announced: boolean | null;
};
const UNCHANGED = { last_success_at: null, last_failure_at: null, consecutive_failures: null, failure_announced: null };

/**
 * Adds a batch's increments to its webhooks' stats, in one statement, in the recorder's transaction: the buckets are
 * added to (ON CONFLICT DO UPDATE), so concurrent recorders (other workers) lose nothing, and the webhooks' last
 * success and failure only move forward. `streaks` are the failure streaks the batch changed, as they now stand:
 * written in the same update, so each webhook the batch touched has its row written once. Webhooks deleted meanwhile
 * are skipped. The recorder holds the webhooks' row locks already (`lockWebhooks`, taken first, in id order, before
 * their streaks were read), so this statement takes none of its own.
 */
export async function recordWebhookStats(
  tx: pg.ClientBase,
  { buckets, health }: { buckets: readonly BucketIncrement[]; health: readonly HealthIncrement[] },
  streaks: readonly (WebhookHealth & { webhookId: string })[] = [],
): Promise<void> {
  // One row per webhook: its new last times and its new streak, each null when unchanged.
  const rows = new Map<string, WebhookRowChange>();
  const row = (webhookId: string) => {
    if (!rows.has(webhookId)) rows.set(webhookId, { webhook_id: webhookId, ...UNCHANGED });
    return rows.get(webhookId)!;
  };
  for (const h of health) Object.assign(row(h.webhookId), { last_success_at: h.lastSuccessAt, last_failure_at: h.lastFailureAt });
  for (const s of streaks) {
    Object.assign(row(s.webhookId), { consecutive_failures: s.consecutiveFailures, failure_announced: s.failureAnnounced });
  }
  if (rows.size === 0) return;
  await tx.query(
    `WITH locked AS (
      SELECT id FROM webhooks WHERE id = ANY($1::text[])
    ), buckets AS (
      INSERT INTO webhook_stats AS s (webhook_id, bucket_seconds, bucket_start, attempts, successes, response_times)
      SELECT b.webhook_id, b.bucket_seconds, b.bucket_start, b.attempts, b.successes, b.response_times
      FROM json_to_recordset($2::json)
        AS b(webhook_id text, bucket_seconds int, bucket_start timestamptz, attempts int, successes int, response_times int[])
      JOIN locked ON locked.id = b.webhook_id
      ORDER BY b.webhook_id, b.bucket_seconds, b.bucket_start
      ON CONFLICT (webhook_id, bucket_seconds, bucket_start) DO UPDATE SET
        attempts = s.attempts + excluded.attempts,
        successes = s.successes + excluded.successes,
        response_times = ARRAY(
          SELECT mine + theirs FROM unnest(s.response_times, excluded.response_times) WITH ORDINALITY AS t(mine, theirs, n) ORDER BY n
        )
    )
    UPDATE webhooks AS w SET
      last_success_at = GREATEST(w.last_success_at, h.last_success_at),
      last_failure_at = GREATEST(w.last_failure_at, h.last_failure_at),
      consecutive_failures = COALESCE(h.consecutive_failures, w.consecutive_failures),
      failure_announced = COALESCE(h.failure_announced, w.failure_announced)
    FROM locked
    JOIN json_to_recordset($3::json)
      AS h(webhook_id text, last_success_at timestamptz, last_failure_at timestamptz, consecutive_failures int, failure_announced boolean)
      ON h.webhook_id = locked.id
    WHERE w.id = locked.id`,
    [
      [...rows.keys()],
      JSON.stringify(
        buckets.map((b) => ({
          webhook_id: b.webhookId,
          bucket_seconds: b.bucketSeconds,
          bucket_start: b.bucketStart,
          attempts: b.attempts,
          successes: b.successes,
          response_times: b.responseTimes,
        })),
      ),
      JSON.stringify([...rows.values()]),
    ],
  );
}

/**
 * The project's webhook's buckets of `bucketSeconds` from `since` on, summed (response times bin by bin), with its
 * health; null when the project has no such webhook.
 */
export async function readWindowTotals(
  db: Queryable,
  projectId: string,
  webhookId: string,
  bucketSeconds: number,
  since: Date,
): Promise<WindowTotals | null> {
  const { rows } = await db.query<{
    attempts: string;
    successes: string;
    response_times: number[] | null;
    consecutive_failures: number;
    last_success_at: Date | null;
    last_failure_at: Date | null;
  }>(
    `SELECT w.consecutive_failures, w.last_success_at, w.last_failure_at,
      coalesce((SELECT sum(attempts) FROM webhook_stats s
        WHERE s.webhook_id = w.id AND s.bucket_seconds = $2 AND s.bucket_start >= $3), 0) AS attempts,
      coalesce((SELECT sum(successes) FROM webhook_stats s
        WHERE s.webhook_id = w.id AND s.bucket_seconds = $2 AND s.bucket_start >= $3), 0) AS successes,
      ARRAY(
        SELECT sum(t.count)::int FROM webhook_stats s, unnest(s.response_times) WITH ORDINALITY AS t(count, bin)
        WHERE s.webhook_id = w.id AND s.bucket_seconds = $2 AND s.bucket_start >= $3
        GROUP BY t.bin ORDER BY t.bin
      ) AS response_times
    FROM webhooks w WHERE w.id = $1 AND w.project_id = $4`,
    [webhookId, bucketSeconds, since, projectId],
  );
  const row = rows[0];
  if (!row) return null;
  return {
    attempts: Number(row.attempts),
    successes: Number(row.successes),
    responseTimes: row.response_times ?? [],
    consecutiveFailures: row.consecutive_failures,
    lastSuccessAt: row.last_success_at,
    lastFailureAt: row.last_failure_at,
  };
}

/** Deletes the buckets of `bucketSeconds` that started before `cutoff`; returns how many went. */
export async function deleteStatBucketsBefore(db: Queryable, bucketSeconds: number, cutoff: Date): Promise<number> {
  const { rowCount } = await db.query('DELETE FROM webhook_stats WHERE bucket_seconds = $1 AND bucket_start < $2', [bucketSeconds, cutoff]);
  return rowCount ?? 0;
}
