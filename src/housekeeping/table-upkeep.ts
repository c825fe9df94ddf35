// Upkeep of the tables that churn with every delivery, every few seconds on each worker: fold the delivery counters
// (`delivery/read-model/delivery-counts.ts`), then vacuum the tables past their dead-row threshold
// (`dead-row-vacuum.ts`). Often, so each step is
// short: the counters folded once a minute took 190 ms of one core at a light load, a stall every delivery in flight
// waited through. And one step after the other: on timers of their own, the fold and two vacuums landed on the
// database together every few seconds, and the deliveries of that moment waited up to 100 ms (docs/performance.md).
import type pg from 'pg';
import type { Logger } from 'pino';
import type { Db } from '../db/prisma.js';
import { Periodic } from '../lib/periodic.js';
import { DeliveryCountFolds } from '../delivery/read-model/delivery-counts.js';
import { QueueVacuum } from './dead-row-vacuum.js';

export const UPKEEP_INTERVAL_MS = 5_000;
/** Every this many runs, the counters' fold covers every key rather than the keys appended to since the last. */
const FULL_FOLD_EVERY = 12;

export function tableUpkeep(db: Db, pool: pg.Pool, logger: Logger, intervalMs = UPKEEP_INTERVAL_MS): Periodic {
  const folds = new DeliveryCountFolds(db, FULL_FOLD_EVERY);
  const vacuum = new QueueVacuum(pool);
  return new Periodic(
    intervalMs,
    async () => {
      // A failed fold must not keep the vacuum from running: its rows are folded next time.
      await folds.run().catch((error) => logger.warn({ err: error }, 'could not fold the delivery counters'));
      await vacuum.vacuumDeadTables();
    },
    (error) => logger.warn({ err: error }, 'could not vacuum the delivery tables'),
  );
}
