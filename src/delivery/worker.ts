// The delivery worker: pulls jobs from the queue and runs one attempt per job. Concurrency is bounded per
// process (DELIVERY_CONCURRENCY) and per webhook across all processes (WEBHOOK_MAX_IN_FLIGHT, a pg-boss group
// limit), so one slow receiver cannot hold every slot.
import type { PgBoss } from 'pg-boss';
import type { Logger } from 'pino';
import type { DeliveryAttempter } from './attempt.js';
import { DELIVERY_QUEUE, type DeliveryJob } from './queue.js';

export type WorkerSettings = { concurrency: number; webhookMaxInFlight: number; pollIntervalMs: number };

export async function startDeliveryWorker(
  boss: PgBoss,
  attempter: DeliveryAttempter,
  settings: WorkerSettings,
  logger: Logger,
): Promise<() => Promise<void>> {
  // One pg-boss worker per slot, each fetching one job at a time, so a slow receiver holds only its own slot.
  // pg-boss sleeps a worker after every job unless NOTIFY arrives (it bursts only for batches larger than 1),
  // which would drain a backlog at one job per slot per poll interval; so a worker that has just finished a job
  // wakes itself and fetches again at once, and sleeps only when a fetch comes back empty.
  const work = async () => {
    let workerId: string | undefined;
    workerId = await boss.work<DeliveryJob>(
      DELIVERY_QUEUE,
      {
        batchSize: 1,
        groupConcurrency: settings.webhookMaxInFlight,
        // NOTIFY wakes workers for new jobs, but not when a scheduled retry falls due: polling finds those.
        notifyPollingIntervalSeconds: settings.pollIntervalMs / 1000,
        pollingIntervalSeconds: settings.pollIntervalMs / 1000,
      },
      async ([job]) => {
        if (!job) return;
        try {
          await attempter.run(job.data);
        } catch (error) {
          // Database trouble while recording: fail the job so pg-boss runs it again.
          logger.error({ err: error, deliveryId: job.data.deliveryId }, 'delivery attempt could not be recorded');
          throw error;
        } finally {
          if (workerId) boss.notifyWorker(workerId);
        }
      },
    );
  };
  for (let i = 0; i < settings.concurrency; i++) await work();
  // Stops fetching and waits for the attempts in hand to finish and be recorded.
  return () => boss.offWork(DELIVERY_QUEUE, { wait: true });
}
