// The scenarios in run order, each under the name its results are stored by (and `--only` takes), with the ones
// it is measured against: every figure is relative to the ceiling, bad neighbours compare with latency at 10%, and
// the soak's rate is capped by the mutation path's throughput.
import { badNeighbours } from './bad-neighbours.js';
import { ceiling } from './ceiling.js';
import type { Context, Outcome } from './context.js';
import { fanout, FANOUT_FILTER } from './fanout.js';
import { latency } from './latency.js';
import type { ScenarioMetrics, ScenarioName } from './metrics.js';
import { reads } from './reads.js';
import { recovery } from './recovery.js';
import { soak } from './soak.js';
import { throughputBatched, throughputMutation } from './throughput.js';

export type Scenario<S extends ScenarioName = ScenarioName> = {
  [N in S]: { name: N; run: (ctx: Context) => Promise<Outcome<ScenarioMetrics[N]>>; needs?: ScenarioName[] };
}[S];

export const scenarios: Scenario[] = [
  { name: 'ceiling', run: ceiling },
  { name: 'throughput_batched', run: throughputBatched },
  { name: 'throughput_mutation', run: throughputMutation },
  { name: 'latency_10', run: latency(0.1) },
  { name: 'latency_30', run: latency(0.3) },
  { name: 'fanout', run: fanout() },
  { name: 'fanout_filtered', run: fanout(FANOUT_FILTER) },
  { name: 'bad_neighbours', run: badNeighbours, needs: ['latency_10'] },
  { name: 'reads', run: reads },
  { name: 'recovery', run: recovery, needs: ['latency_10'] },
  { name: 'soak', run: soak, needs: ['throughput_mutation'] },
];

export type { Context, Outcome } from './context.js';
export type { Metrics, ScenarioName, ScenarioResults } from './metrics.js';
