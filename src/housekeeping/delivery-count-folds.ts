// When the delivery counters are folded (`foldDeliveryCounts`, src/db/sql/delivery-counts.ts): one process at a
// time, each fold over the keys written since the last, and every key every few folds. `table-upkeep.ts` runs the
// folds every few seconds on each worker.
import type pg from 'pg';
import { foldDeliveryCounts, tryFoldLock, type Fold, type FoldedKeys } from '../db/sql/delivery-counts.js';
import { inTransaction } from '../db/transaction.js';

/** One fold (see `foldDeliveryCounts`), unless another process is folding: then null. */
export function foldUnlessBusy(pool: pg.Pool, keys: FoldedKeys = 'every'): Promise<Fold | null> {
  return inTransaction(pool, async (tx) => ((await tryFoldLock(tx)) ? foldDeliveryCounts(tx, keys) : null));
}

/**
 * A worker's folds: each one only over the keys written since the last fold (a row in a writer's slot), and every
 * key every `fullEvery` folds, which also folds rows added to slot 0 directly (a bulk load). Folding only the keys
 * written keeps the steady cost to the keys in use: a full fold reads one row per key ever counted (webhooks ×
 * statuses × event types), and every worker folds.
 */
export class DeliveryCountFolds {
  private runs = 0;

  constructor(
    private readonly pool: pg.Pool,
    private readonly fullEvery: number,
  ) {}

  /** Runs the next fold; null when another process was folding. */
  async run(): Promise<Fold | null> {
    return foldUnlessBusy(this.pool, this.runs++ % this.fullEvery === 0 ? 'every' : 'written');
  }
}
