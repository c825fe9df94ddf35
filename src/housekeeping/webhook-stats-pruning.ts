// Webhook stats' buckets past the longest window they serve go (src/webhooks/stats.ts, BUCKET_RETENTION_SECONDS), so
// a webhook keeps a bounded number of them: at most 62 minute buckets and 170 hour buckets.
import type { Queryable } from '../db/sql/queryable.js';
import { deleteStatBucketsBefore } from '../db/sql/webhook-stats.js';
import { BUCKET_RETENTION_SECONDS, BUCKET_SECONDS } from '../webhooks/stats.js';

/** Deletes every bucket older than its retention at `now`; returns how many went. */
export async function pruneWebhookStats(db: Queryable, now: Date): Promise<number> {
  let pruned = 0;
  for (const bucketSeconds of BUCKET_SECONDS) {
    pruned += await deleteStatBucketsBefore(db, bucketSeconds, new Date(now.getTime() - BUCKET_RETENTION_SECONDS[bucketSeconds] * 1000));
  }
  return pruned;
}
