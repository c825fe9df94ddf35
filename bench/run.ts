// `npm run bench [-- --quick] [-- --only=latency_10,reads]`: starts a fresh database, the receiver and the
// service processes, runs the scenarios in order, prints one line each, and writes bench/results/.
import os from 'node:os';
import { parseArgs } from 'node:util';
import { fullPlan, quickPlan } from './plan.js';
import { root } from './processes.js';
import { markdown, ratios, writeResults, type Results } from './report.js';
import { scenarios, type Context } from './scenarios/index.js';
import { benchAdminUrl } from './scratch-database.js';
import { createWorld, serviceSettings } from './setup.js';
import { now, warmUp } from './load.js';

const { values } = parseArgs({
  options: { quick: { type: 'boolean', default: false }, only: { type: 'string' }, load: { type: 'string' } },
  allowPositionals: false,
});
const concurrency = Number(serviceSettings.DELIVERY_CONCURRENCY);
const loadScale = Number(values.load ?? 1);
if (!(loadScale > 0)) throw new Error(`--load takes a positive factor (0.5 halves the latency scenarios' loads), not "${values.load}"`);
const plan = values.quick ? quickPlan(concurrency, loadScale) : fullPlan(concurrency, loadScale);

const only = values.only?.split(',').map((n) => n.trim());
const selected = new Set<string>(only ?? scenarios.map(({ name }) => name));
// Every figure is relative to the ceiling; a scenario also runs those it is measured against.
selected.add('ceiling');
for (const { name, needs = [] } of scenarios) if (selected.has(name)) for (const dep of needs) selected.add(dep);

const started = now();
const world = await createWorld(benchAdminUrl);
let failed = false;
try {
  const pgVersion = (await world.admin.query<{ server_version: string }>('SHOW server_version')).rows[0]!.server_version;
  const main = await world.newProject('bench-main', Array.from({ length: 10 }, (_, i) => `/ok/main-${i}`), ['batch.progress']);

  await warmUp(world.http, world.receiver, main.key, main.webhooks.length);

  const results: Results = {
    machine: {
      date: new Date().toISOString(),
      quick: plan.quick,
      cpu: os.cpus()[0]?.model ?? 'unknown',
      cores: os.cpus().length,
      memory_gb: Math.round(os.totalmem() / 2 ** 30),
      os: `${os.type()} ${os.release()}`,
      node: process.versions.node,
      postgres: `PostgreSQL ${pgVersion}`,
      loadavg_at_start: os.loadavg().map((l) => l.toFixed(2)).join(' '),
      delivery_concurrency: concurrency,
      load_scale: loadScale,
      webhook_max_in_flight: Number(serviceSettings.WEBHOOK_MAX_IN_FLIGHT),
      processes:
        'receiver, API (ROLE=api WORKERS=1), worker (ROLE=worker WORKERS=1), load generator, Postgres: all on this machine; ' +
        'throughput_single and throughput_default stop the API and worker and start ROLE=all with WORKERS=1 and unset',
    },
    scenarios: {},
    ratios: {},
  };
  const ctx: Context = { world, plan, main, results: results.scenarios };
  for (const { name, run } of scenarios) {
    if (!selected.has(name)) continue;
    const outcome = await run(ctx);
    const purged = await world.settle(plan.quick ? 15_000 : 60_000);
    // Jobs the service had not reached when the scenario ended: deleted, and counted against the scenario.
    if (purged) outcome.metrics.backlog_deleted_after = purged;
    results.scenarios[name] = outcome.metrics;
    console.log(outcome.line + (purged ? ` (backlog of ${purged} jobs deleted after the scenario)` : ''));
  }
  results.ratios = ratios(results.scenarios);
  results.machine.loadavg_at_end = os.loadavg().map((l) => l.toFixed(2)).join(' ');
  results.machine.run_seconds = Math.round((now() - started) / 1000);
  // Only a full run at the targets' loads is the record.
  const base = plan.quick ? 'quick' : only || loadScale !== 1 ? 'partial' : 'latest';
  await writeResults(`${root}bench/results`, base, results);
  console.log(`\n${markdown(results).split('\n\n| scenario')[0]}`);
  console.log(`wrote bench/results/${base}.json and ${base}.md (${results.machine.run_seconds} s)`);
} catch (error) {
  failed = true;
  console.error(error);
} finally {
  await world.close();
}
process.exit(failed || process.exitCode ? 1 : 0);
