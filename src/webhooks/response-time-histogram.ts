// Response times kept as a histogram of fixed, log-scale bins, so that stats add up bucket by bucket (an element-wise
// sum) and a percentile is read without keeping each attempt. Precision: a percentile read from the histogram is
// within 12% of the true one (the nearest-rank percentile of the same attempts), and exact below 9 ms, up to
// MAX_TRACKED_MS (the longest delivery timeout); a longer time is counted in the last bin and read as MAX_TRACKED_MS.
// The stored histograms (`webhook_stats.response_times`) are counts by these bins: changing the bins needs a
// migration that empties or rebins them.

/** Each bin's representative is within this ratio of every time in it. */
const PRECISION = 1.12;
/** The longest delivery timeout (DELIVERY_TIMEOUT is at most 5 minutes). */
export const MAX_TRACKED_MS = 300_000;

type Bin = { from: number; to: number; representative: number };

/**
 * Whole milliseconds `from` to `to` (inclusive), read as `representative`: the integer at most 12% above `from`,
 * and `to` the last integer at most 12% above it, so every time in the bin is within 12% of it.
 */
function bins(): Bin[] {
  const result: Bin[] = [];
  let from = 0;
  while (from < MAX_TRACKED_MS) {
    const representative = Math.max(from, Math.floor(from * PRECISION));
    const to = Math.min(Math.max(representative, Math.floor(representative * PRECISION)), MAX_TRACKED_MS - 1);
    result.push({ from, to, representative });
    from = to + 1;
  }
  result.push({ from: MAX_TRACKED_MS, to: Number.POSITIVE_INFINITY, representative: MAX_TRACKED_MS });
  return result;
}

const BINS = bins();

/** How many bins a histogram has (the length of every `response_times` array). */
export const BIN_COUNT = BINS.length;

/** The bin a response time of `ms` falls in. */
export function binOf(ms: number): number {
  const time = Math.max(0, Math.round(ms));
  let low = 0;
  let high = BINS.length - 1;
  while (low < high) {
    const mid = (low + high + 1) >> 1;
    if (BINS[mid]!.from <= time) low = mid;
    else high = mid - 1;
  }
  return low;
}

/** An empty histogram. */
export const emptyHistogram = (): number[] => new Array<number>(BIN_COUNT).fill(0);

/**
 * The `quantile` (0.5 for the median) of the times counted in `histogram`, nearest rank (the smallest time at least
 * that share of the attempts took no longer than), as its bin's representative; null when it counts none.
 */
export function percentile(histogram: readonly number[], quantile: number): number | null {
  const total = histogram.reduce((sum, count) => sum + count, 0);
  if (total === 0) return null;
  const rank = Math.max(1, Math.ceil(quantile * total));
  let seen = 0;
  for (const [bin, count] of histogram.entries()) {
    seen += count;
    if (seen >= rank) return BINS[bin]!.representative;
  }
  return BINS[BINS.length - 1]!.representative;
}
