// Latency histograms (HdrHistogram, microsecond resolution, 3 significant digits) and their summaries in ms.
import { build, type Histogram } from 'hdr-histogram-js';

export type LatencySummary = { count: number; p50_ms: number; p95_ms: number; p99_ms: number; max_ms: number };

export const newHistogram = (): Histogram => build({ numberOfSignificantValueDigits: 3, lowestDiscernibleValue: 1 });

export function recordMs(h: Histogram, ms: number) {
  h.recordValue(Math.max(1, Math.round(ms * 1000)));
}

const round = (value: number, digits = 1) => Number(value.toFixed(digits));

export function summarize(h: Histogram): LatencySummary {
  const at = (p: number) => round(h.getValueAtPercentile(p) / 1000);
  return { count: h.totalCount, p50_ms: at(50), p95_ms: at(95), p99_ms: at(99), max_ms: round(h.maxValue / 1000) };
}

export { round };
