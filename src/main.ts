// `npm start`: the service on every core, as a process set of WORKERS processes (src/process-set/primary.ts), or
// one process with WORKERS=1. Stops cleanly on SIGINT/SIGTERM.
import cluster from 'node:cluster';
import type { Logger } from 'pino';
import { ConfigError, loadConfig, type Config } from './config.js';
import { createLogger } from './logger.js';
import { startService } from './composition-root.js';
import { answerMetricsRequests } from './metrics/metrics.js';
import { reportReady } from './process-set/member.js';
import { runProcessSet } from './process-set/primary.js';

let config;
try {
  config = loadConfig();
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  console.error(error.message);
  process.exit(2);
}

const logger = createLogger(config.logLevel);
if (cluster.isWorker) {
  answerMetricsRequests();
  await runProcess(config, logger.child({ pid: process.pid, worker: cluster.worker!.id }), { member: true });
} else if (config.workers > 1) {
  await runProcessSet(config, logger.child({ pid: process.pid }));
} else {
  await runProcess(config, logger, { member: false });
}

/**
 * One process of the service: alone, or a member of a set, whose primary says "stopping" and "stopped" for the set
 * (a member says it at debug) and whose end ends the member.
 */
async function runProcess(config: Config, logger: Logger, { member }: { member: boolean }) {
  const service = await startService(config, logger, { member }).catch((error: unknown) => {
    logger.fatal({ err: error }, 'start-up failed');
    process.exit(1);
  });
  const forTheSet = member ? 'debug' : 'info';
  logger[forTheSet]({ url: service.httpUrl, role: config.role }, 'AI Platform Webhooks is running');
  if (member) reportReady(service.httpUrl);

  // One line when stopping begins and one when it is done: what goes on between is at debug.
  let stopping = false;
  const shutdown = async (exitCode: number) => {
    if (stopping) return;
    stopping = true;
    await service.stop();
    logger[forTheSet]('stopped');
    process.exit(exitCode);
  };
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      if (!stopping) logger[forTheSet]({ signal }, 'stopping');
      void shutdown(0);
    });
  }
  // The primary is gone (killed): nothing hands this process connections or answers its shared limits any more.
  if (member) process.once('disconnect', () => void shutdown(1));
  // A supervisor restarts the process; the embedded database has had its restart attempts by then.
  void service.lost.then((error) => {
    if (stopping) return;
    logger.fatal({ err: error }, 'stopping: the database is gone');
    void shutdown(1);
  });
}
