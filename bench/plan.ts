// How long each scenario runs: the full benchmark, and `--quick` (about a minute, for development).
export type Plan = {
  quick: boolean;
  concurrency: number;
  /**
   * Scales the fixed loads of the latency, bad-neighbours and recovery scenarios (1: 10% of the ceiling, 50% and
   * 80% of the sustainable rate, as the targets say). Below 1 it separates what load does from anything else.
   */
  loadScale: number;
  ceilingSeconds: number;
  throughputSeconds: number;
  latencySeconds: number;
  /**
   * Load at a fixed-load scenario's rate before it is measured: the first second after a pause pays for connections
   * the pools closed while idle and code not yet optimised (p99 tripled in a 30 s run), which is not the steady state
   * the targets are about.
   */
  fixedLoadWarmupSeconds: number;
  /** Events the storage scenario publishes (10 deliveries each). */
  storageEvents: number;
  fanoutRuns: number;
  badNeighbourSeconds: number;
  readRows: number;
  readRequests: number;
  soakSeconds: number;
  soakWindowSeconds: number;
  /** Load at the soak's rate before its first window, so the start is the service's steady state. */
  soakWarmupSeconds: number;
};

export const fullPlan = (concurrency: number, loadScale = 1): Plan => ({
  quick: false,
  concurrency,
  loadScale,
  ceilingSeconds: 10,
  throughputSeconds: 30,
  latencySeconds: 30,
  fixedLoadWarmupSeconds: 5,
  storageEvents: 2_000,
  fanoutRuns: 5,
  // Longer than the 30 s delivery timeout, so hung attempts do time out.
  badNeighbourSeconds: 45,
  readRows: 1_000_000,
  readRequests: 500,
  soakSeconds: 300,
  soakWindowSeconds: 30,
  soakWarmupSeconds: 30,
});

export const quickPlan = (concurrency: number, loadScale = 1): Plan => ({
  quick: true,
  concurrency,
  loadScale,
  ceilingSeconds: 3,
  throughputSeconds: 6,
  latencySeconds: 5,
  fixedLoadWarmupSeconds: 1,
  storageEvents: 300,
  fanoutRuns: 2,
  badNeighbourSeconds: 6,
  readRows: 100_000,
  readRequests: 200,
  soakSeconds: 15,
  soakWindowSeconds: 5,
  soakWarmupSeconds: 5,
});
