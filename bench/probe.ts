// Preloaded into each service process by the benchmark (`node --import ./bench/probe.ts`): answers `probe`
// messages on the IPC channel with the process's RSS, its live heap (after a full collection, when the process runs
// with --expose-gc: RSS also holds heap the collector has not given back, so only this tells a leak from slack),
// and its event-loop delay since the previous probe. Nothing in src/ knows about it; without an IPC channel it does
// nothing, and neither in a process a service forks with node:cluster (it inherits the preload, but its channel is
// its primary's, not the bench's): the probe reaches only the process the bench started.
import cluster from 'node:cluster';
import { monitorEventLoopDelay } from 'node:perf_hooks';

export type ProbeReply = {
  type: 'probe';
  rssBytes: number;
  liveHeapBytes: number | null;
  eventLoopDelayMs: { p50: number; p99: number; max: number };
};

if (process.send && cluster.isPrimary) {
  // Node samples the delay every `resolution` ms; the delay is the lateness beyond that.
  const resolution = 10;
  const delay = monitorEventLoopDelay({ resolution });
  delay.enable();
  const ms = (ns: number) => Math.max(0, ns / 1e6 - resolution);
  process.on('message', (message: { type?: string }) => {
    if (message?.type !== 'probe') return;
    const rssBytes = process.memoryUsage.rss();
    const eventLoopDelayMs = { p50: ms(delay.percentile(50)), p99: ms(delay.percentile(99)), max: ms(delay.max) };
    const gc = (globalThis as { gc?: () => void }).gc;
    gc?.();
    const liveHeapBytes = gc ? process.memoryUsage().heapUsed : null;
    // Reset after the collection, so its pause is not counted as the service's delay.
    delay.reset();
    const reply: ProbeReply = { type: 'probe', rssBytes, liveHeapBytes, eventLoopDelayMs };
    process.send!(reply);
  });
  // The IPC channel must not keep a stopping service alive.
  process.channel?.unref();
}
