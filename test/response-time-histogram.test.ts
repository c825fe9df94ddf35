// The response-time histogram of webhook stats: the precision it states, and nearest-rank percentiles; and what a
// batch of attempts adds to a webhook's failure streak.
import { describe, expect, it } from 'vitest';
import { BIN_COUNT, binOf, emptyHistogram, MAX_TRACKED_MS, percentile } from '../src/webhooks/response-time-histogram.js';
import { statsIncrements } from '../src/webhooks/stats.js';

const histogramOf = (times: number[]) => {
  const histogram = emptyHistogram();
  for (const ms of times) histogram[binOf(ms)]! += 1;
  return histogram;
};

describe('the response-time histogram', () => {
  it('reads every time up to the longest timeout within 12%, and exactly below 9 ms, in a bounded number of bins', () => {
    expect(BIN_COUNT).toBeLessThanOrEqual(64);
    for (let ms = 0; ms <= MAX_TRACKED_MS; ms++) {
      const read = percentile(histogramOf([ms]), 0.5)!;
      if (ms < 9) expect(read).toBe(ms);
      else if (Math.abs(read - ms) > ms * 0.12) expect.fail(`${ms} ms read as ${read}`);
    }
    expect(percentile(histogramOf([10 * MAX_TRACKED_MS]), 0.5)).toBe(MAX_TRACKED_MS);
  });

  it('gives the nearest-rank percentile, and nothing for no attempts', () => {
    const times = [1, 2, 3, 4, 5, 6, 7, 8, 8, 250];
    expect(percentile(histogramOf(times), 0.5)).toBe(5);
    expect(percentile(histogramOf(times), 0.9)).toBe(8);
    expect(Math.abs(percentile(histogramOf(times), 0.95)! - 250)).toBeLessThanOrEqual(30);
    expect(percentile(emptyHistogram(), 0.5)).toBeNull();
  });
});

describe("a batch's failure streak", () => {
  const at = (s: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, s));
  const attempt = (webhookId: string, s: number, succeeded: boolean) => ({ webhookId, startedAt: at(s), succeeded, durationMs: 5 });

  it('keeps each webhook’s newest success and failure, and counts its attempts in a minute and an hour bucket', () => {
    const { health, buckets } = statsIncrements([
      attempt('wh_a', 1, false),
      attempt('wh_a', 2, true),
      attempt('wh_b', 3, false),
      attempt('wh_a', 4, false),
      attempt('wh_a', 5, false),
      attempt('wh_b', 6, false),
    ]);
    expect(health).toEqual([
      { webhookId: 'wh_a', lastSuccessAt: at(2), lastFailureAt: at(5) },
      { webhookId: 'wh_b', lastSuccessAt: null, lastFailureAt: at(6) },
    ]);
    // One minute bucket and one hour bucket per webhook.
    expect(buckets.map((b) => [b.webhookId, b.bucketSeconds, b.attempts, b.successes])).toEqual([
      ['wh_a', 60, 4, 1],
      ['wh_a', 3600, 4, 1],
      ['wh_b', 60, 2, 0],
      ['wh_b', 3600, 2, 0],
    ]);
  });
});
