// A webhook's stats over a window (the last hour, day or week): attempts, successes, the success rate, p50/p95
// response times, and its health (consecutive failures, last success and failure). They are kept incrementally:
// each batch of recorded attempts adds to per-webhook time buckets (`statsIncrements`, applied by
// src/db/sql/webhook-stats.ts in the recorder's transaction), and a read sums a window's buckets
// (`summarizeWindow`). No attempt is ever scanned for them.
import { binOf, emptyHistogram, percentile } from './response-time-histogram.js';

export const MINUTE_SECONDS = 60;
export const HOUR_SECONDS = 3_600;

/** The buckets every attempt is counted in: a minute's (for the hour window) and an hour's (for the day and week). */
export const BUCKET_SECONDS = [MINUTE_SECONDS, HOUR_SECONDS] as const;

export const STATS_WINDOWS = ['HOUR', 'DAY', 'WEEK'] as const;
export type StatsWindow = (typeof STATS_WINDOWS)[number];

/**
 * A window is the current bucket and the `buckets` whole ones before it: the last hour covers 60 to 61 minutes, the
 * last day 24 to 25 hours, the last week 168 to 169 hours (`since` says exactly where it starts).
 */
const WINDOWS: Record<StatsWindow, { bucketSeconds: number; buckets: number }> = {
  HOUR: { bucketSeconds: MINUTE_SECONDS, buckets: 60 },
  DAY: { bucketSeconds: HOUR_SECONDS, buckets: 24 },
  WEEK: { bucketSeconds: HOUR_SECONDS, buckets: 168 },
};

/** How long the housekeeping keeps buckets of each size: the longest window they serve, and one bucket more. */
export const BUCKET_RETENTION_SECONDS: Record<(typeof BUCKET_SECONDS)[number], number> = {
  [MINUTE_SECONDS]: (WINDOWS.HOUR.buckets + 2) * MINUTE_SECONDS,
  [HOUR_SECONDS]: (WINDOWS.WEEK.buckets + 2) * HOUR_SECONDS,
};

/** The start of the bucket of `bucketSeconds` that `at` falls in (buckets are aligned to the epoch, in UTC). */
export const bucketStart = (at: Date, bucketSeconds: number): Date =>
  new Date(Math.floor(at.getTime() / (bucketSeconds * 1000)) * bucketSeconds * 1000);

/** Which buckets a read of `window` at `now` sums: those of `bucketSeconds` starting at or after `since`. */
export function windowBuckets(window: StatsWindow, now: Date): { bucketSeconds: number; since: Date } {
  const { bucketSeconds, buckets } = WINDOWS[window];
  const since = new Date(bucketStart(now, bucketSeconds).getTime() - buckets * bucketSeconds * 1000);
  return { bucketSeconds, since };
}

/** An attempt as the stats count it. */
export type CountedAttempt = { webhookId: string; startedAt: Date; succeeded: boolean; durationMs: number };

/** What a batch adds to one bucket of one webhook. */
export type BucketIncrement = {
  webhookId: string;
  bucketSeconds: number;
  bucketStart: Date;
  attempts: number;
  successes: number;
  responseTimes: number[];
};

/**
 * When a batch's newest success and newest failure of one webhook started (null: none in the batch). Its failure
 * streak is the recorder's (src/delivery/recording/failure-streaks.ts), decided from the row as locked.
 */
export type HealthIncrement = {
  webhookId: string;
  lastSuccessAt: Date | null;
  lastFailureAt: Date | null;
};

/** What a batch of attempts (in the order they were recorded) adds to the stats of their webhooks. */
export function statsIncrements(attempts: readonly CountedAttempt[]): { buckets: BucketIncrement[]; health: HealthIncrement[] } {
  const buckets = new Map<string, BucketIncrement>();
  const health = new Map<string, HealthIncrement>();
  for (const attempt of attempts) {
    const { webhookId, startedAt, succeeded, durationMs } = attempt;
    for (const bucketSeconds of BUCKET_SECONDS) {
      const start = bucketStart(startedAt, bucketSeconds);
      const key = `${webhookId} ${bucketSeconds} ${start.getTime()}`;
      let bucket = buckets.get(key);
      if (!bucket) {
        bucket = { webhookId, bucketSeconds, bucketStart: start, attempts: 0, successes: 0, responseTimes: emptyHistogram() };
        buckets.set(key, bucket);
      }
      bucket.attempts += 1;
      if (succeeded) bucket.successes += 1;
      bucket.responseTimes[binOf(durationMs)]! += 1;
    }
    const current = health.get(webhookId) ?? { webhookId, lastSuccessAt: null, lastFailureAt: null };
    const later = (a: Date | null) => (a === null || a < startedAt ? startedAt : a);
    health.set(
      webhookId,
      succeeded ? { ...current, lastSuccessAt: later(current.lastSuccessAt) } : { ...current, lastFailureAt: later(current.lastFailureAt) },
    );
  }
  return { buckets: [...buckets.values()], health: [...health.values()] };
}

/** A window's buckets summed, and the webhook's health. */
export type WindowTotals = {
  attempts: number;
  successes: number;
  responseTimes: readonly number[];
  consecutiveFailures: number;
  lastSuccessAt: Date | null;
  lastFailureAt: Date | null;
};

export type WebhookStats = {
  window: StatsWindow;
  /** Where the window starts: the oldest bucket it counts. */
  since: Date;
  attempts: number;
  successes: number;
  failures: number;
  /** Successes over attempts, 0 to 1; null without attempts. */
  successRate: number | null;
  /** Within 12% (src/webhooks/response-time-histogram.ts); null without attempts. */
  p50ResponseTimeMs: number | null;
  p95ResponseTimeMs: number | null;
  consecutiveFailures: number;
  lastSuccessAt: Date | null;
  lastFailureAt: Date | null;
};

export function summarizeWindow(window: StatsWindow, since: Date, totals: WindowTotals): WebhookStats {
  const { attempts, successes, responseTimes, consecutiveFailures, lastSuccessAt, lastFailureAt } = totals;
  return {
    window,
    since,
    attempts,
    successes,
    failures: attempts - successes,
    successRate: attempts === 0 ? null : successes / attempts,
    p50ResponseTimeMs: percentile(responseTimes, 0.5),
    p95ResponseTimeMs: percentile(responseTimes, 0.95),
    consecutiveFailures,
    lastSuccessAt,
    lastFailureAt,
  };
}
