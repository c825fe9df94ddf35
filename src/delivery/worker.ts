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
  await boss.work<DeliveryJob>(
    DELIVERY_QUEUE,
    {
      batchSize: 1,
      localConcurrency: settings.concurrency,
      groupConcurrency: settings.webhookMaxInFlight,
      burstWhenBatchFull: true,
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
      }
    },
  );
  // Stops fetching and waits for the attempts in hand to finish and be recorded.
  return () => boss.offWork(DELIVERY_QUEUE, { wait: true });
}
