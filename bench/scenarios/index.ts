// The scenarios in run order, each under the name its results are stored by (and `--only` takes), with the ones
// it is measured against: every figure is relative to the ceiling, bad neighbours and recovery compare with latency
// at 10%, the sustainable-rate latencies and the soak's rate follow the mutation path's throughput, and the default
// process set is compared with one process. Storage runs first, on tables no load has churned; the process sets
// last, since they stop the split API and worker.
import { badNeighbours } from './bad-neighbours.js';
import { ceiling } from './ceiling.js';
import type { Context, Outcome } from './context.js';
import { fanout, FANOUT_FILTER } from './fanout.js';
import { latency, LATENCY_10 } from './latency.js';
import type { ScenarioMetrics, ScenarioName } from './metrics.js';
import { reads } from './reads.js';
import { recovery } from './recovery.js';
import { soak } from './soak.js';
import { storage } from './storage.js';
import { throughputBatched, throughputMutation, throughputOfProcessSet } from './throughput.js';

export type Scenario<S extends ScenarioName = ScenarioName> = {
  [N in S]: { name: N; run: (ctx: Context) => Promise<Outcome<ScenarioMetrics[N]>>; needs?: ScenarioName[] };
}[S];

export const scenarios: Scenario[] = [
  { name: 'ceiling', run: ceiling },
  { name: 'storage', run: storage },
  { name: 'throughput_batched', run: throughputBatched },
  { name: 'throughput_mutation', run: throughputMutation },
  { name: 'latency_10', run: latency(LATENCY_10) },
  { name: 'latency_sustainable_50', run: latency({ fraction: 0.5, of: 'sustainable' }), needs: ['throughput_mutation'] },
  { name: 'latency_sustainable_80', run: latency({ fraction: 0.8, of: 'sustainable' }), needs: ['throughput_mutation'] },
  { name: 'fanout', run: fanout() },
  { name: 'fanout_filtered', run: fanout(FANOUT_FILTER) },
  { name: 'bad_neighbours', run: badNeighbours, needs: ['latency_10'] },
  { name: 'reads', run: reads },
  { name: 'recovery', run: recovery, needs: ['latency_10'] },
  { name: 'soak', run: soak, needs: ['throughput_mutation'] },
  { name: 'throughput_single', run: throughputOfProcessSet('1') },
  { name: 'throughput_default', run: throughputOfProcessSet(undefined), needs: ['throughput_single'] },
];

export type { Context, Outcome } from './context.js';
export type { Metrics, ScenarioName, ScenarioResults } from './metrics.js';
