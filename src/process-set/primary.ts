// The process set `npm start` runs by default (WORKERS processes, the machine's cores unless told): a primary that
// opens the database once (starts the embedded PostgreSQL when DATABASE_URL is unset, applies the migrations), then
// forks the processes of the service (node:cluster), each in ROLE and sharing the HTTP port (the primary accepts
// connections and hands them round). The primary serves no request itself; it keeps what the set shares: the
// per-key request limits, the per-project subscription caps and the one /metrics.
//
// The first process starts alone (it seals secrets and installs the first API key, once), the others after it.
// A process that exits unexpectedly is replaced after a back-off that doubles while replacements die young. On
// SIGINT/SIGTERM the primary stops every process (each drains as a lone process does), then the embedded
// PostgreSQL, and exits 0; it says "stopping" and "stopped" once for the whole set.
import cluster, { type Worker } from 'node:cluster';
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import { openDatabase, type OpenDatabase } from '../composition-root.js';
import { keepSharedRequestLimits } from '../http/rate-limit.js';
import { keepSharedProjectSlots } from '../live/subscription-limits.js';
import { aggregateSharedMetrics } from '../metrics/metrics.js';
import { onReady } from './member.js';

/** The wait before replacing a process that exited: the first, doubled per young death in a row, up to the last. */
const REPLACE_DELAY_MS = { first: 500, max: 30_000 };
/** A process that ran this long died of something new: its replacement waits the first delay again. */
const RAN_LONG_ENOUGH_MS = 60_000;

export async function runProcessSet(config: Config, logger: Logger): Promise<void> {
  keepSharedRequestLimits();
  keepSharedProjectSlots();
  aggregateSharedMetrics();

  let database: OpenDatabase;
  try {
    database = await openDatabase(config, logger);
  } catch (error) {
    logger.fatal({ err: error }, 'start-up failed');
    process.exit(1);
  }

  const readiness = new Map<number, (httpUrl: string | undefined) => void>();
  onReady((workerId, httpUrl) => readiness.get(workerId)?.(httpUrl));
  const startedAt = new Map<number, number>();
  /** Forks a process of the service and resolves with its URL once it serves; rejects if it exits first. */
  const start = (): Promise<string | undefined> => {
    const worker = cluster.fork({ DATABASE_URL: database.url });
    startedAt.set(worker.id, Date.now());
    return new Promise((resolve, reject) => {
      readiness.set(worker.id, (httpUrl) => {
        readiness.delete(worker.id);
        resolve(httpUrl);
      });
      worker.once('exit', (code, signal) => {
        if (!readiness.delete(worker.id)) return;
        reject(new Error(`process ${worker.process.pid} exited (${signal ?? `code ${code}`}) before it was ready`));
      });
    });
  };

  let stopping = false;
  const replacements = new Set<NodeJS.Timeout>();
  const stop = async (exitCode: number) => {
    if (stopping) return;
    stopping = true;
    for (const timer of replacements) clearTimeout(timer);
    const workers = Object.values(cluster.workers ?? {}).filter((worker): worker is Worker => !!worker && !worker.isDead());
    await Promise.all(
      workers.map((worker) => {
        const exited = new Promise((resolve) => worker.once('exit', resolve));
        worker.process.kill('SIGTERM');
        return exited;
      }),
    );
    await database.stop();
    logger.info('stopped');
    process.exit(exitCode);
  };
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      if (!stopping) logger.info({ signal }, 'stopping');
      void stop(0);
    });
  }
  void database.lost.then((error) => {
    if (stopping) return;
    logger.fatal({ err: error }, 'stopping: the database is gone');
    void stop(1);
  });

  let httpUrl: string | undefined;
  try {
    httpUrl = await start();
    await Promise.all(Array.from({ length: config.workers - 1 }, start));
  } catch (error) {
    if (stopping) return;
    logger.fatal({ err: error }, 'start-up failed');
    await stop(1);
    return;
  }

  let youngDeaths = 0;
  cluster.on('exit', (worker, code, signal) => {
    if (stopping) return;
    const ranMs = Date.now() - (startedAt.get(worker.id) ?? 0);
    startedAt.delete(worker.id);
    youngDeaths = ranMs >= RAN_LONG_ENOUGH_MS ? 0 : youngDeaths + 1;
    const delayMs = Math.min(REPLACE_DELAY_MS.max, REPLACE_DELAY_MS.first * 2 ** (youngDeaths - 1));
    logger.error(
      { exited: { pid: worker.process.pid, worker: worker.id, code, signal }, replaceInMs: delayMs },
      'a process of the set exited unexpectedly; replacing it',
    );
    const timer = setTimeout(() => {
      replacements.delete(timer);
      start().then(
        () => logger.info('the replacement process is running'),
        () => {}, // its exit is reported, and replaced, as any other
      );
    }, delayMs);
    replacements.add(timer);
  });
  logger.info({ url: httpUrl, role: config.role, workers: config.workers }, 'AI Platform Webhooks is running');
}
