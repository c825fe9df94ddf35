// `npm start`: one process of the service. Stops cleanly on SIGINT/SIGTERM.
import { ConfigError, loadConfig } from './config.js';
import { createLogger } from './logger.js';
import { startService } from './composition-root.js';

let config;
try {
  config = loadConfig();
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  console.error(error.message);
  process.exit(2);
}

const logger = createLogger(config.logLevel);
const service = await startService(config, logger).catch((error: unknown) => {
  logger.fatal({ err: error }, 'start-up failed');
  process.exit(1);
});
logger.info({ url: service.httpUrl, role: config.role }, 'AI Platform Webhooks is running');

// One line when stopping begins and one when it is done: what goes on between is at debug.
let stopping = false;
const shutdown = async (exitCode: number) => {
  if (stopping) return;
  stopping = true;
  await service.stop();
  logger.info('stopped');
  process.exit(exitCode);
};
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (!stopping) logger.info({ signal }, 'stopping');
    void shutdown(0);
  });
}
// A supervisor restarts the process; the embedded database has had its restart attempts by then.
void service.lost.then((error) => {
  if (stopping) return;
  logger.fatal({ err: error }, 'stopping: the database is gone');
  void shutdown(1);
});
