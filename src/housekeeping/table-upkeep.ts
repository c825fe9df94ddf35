// Upkeep of the tables that churn with every delivery, every few seconds on each worker: fold the delivery counters
// (`delivery-count-folds.ts`), then vacuum the tables past their dead-row threshold (`dead-row-vacuum.ts`). Often, so
// each step is short, and one step after the other, so at most one of them uses the database at a time. Why:
// docs/performance.md ("Why the code is as it is").
import type pg from 'pg';
import type { Logger } from 'pino';
import { Periodic } from '../lib/periodic.js';
import { DeliveryCountFolds } from './delivery-count-folds.js';
import { DeadRowVacuum } from './dead-row-vacuum.js';

export const UPKEEP_INTERVAL_MS = 5_000;
/** Every this many runs, the counters' fold covers every key rather than the keys written since the last. */
const FULL_FOLD_EVERY = 12;

export function tableUpkeep(pool: pg.Pool, logger: Logger, intervalMs = UPKEEP_INTERVAL_MS): Periodic {
  const folds = new DeliveryCountFolds(pool, FULL_FOLD_EVERY);
  const vacuum = new DeadRowVacuum(pool);
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
