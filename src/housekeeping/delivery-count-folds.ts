// When the delivery counters are folded (`foldDeliveryCounts`, src/db/sql/delivery-counts.ts): one process at a
// time, each fold over the keys appended to since the last, and every key every few folds. `table-upkeep.ts` runs
// the folds every few seconds on each worker.
import type pg from 'pg';
import { foldDeliveryCounts, tryFoldLock, type Fold } from '../db/sql/delivery-counts.js';
import { inTransaction } from '../db/transaction.js';

/** One fold (see `foldDeliveryCounts`), unless another process is folding: then null. */
export function foldUnlessBusy(pool: pg.Pool, since: bigint | null = null): Promise<Fold | null> {
  return inTransaction(pool, async (tx) => ((await tryFoldLock(tx)) ? foldDeliveryCounts(tx, since) : null));
}

/**
 * A worker's folds: each one only over the keys appended to since its last fold, and every key every `fullEvery`
 * folds. A row appended by a transaction that commits after a fold saw a newer id is not newer than that fold's
 * `newest`, so only a full fold reaches it; until then its key just has one more row. Partial folds keep the steady
 * cost to the keys in use: a full fold reads one row per key ever counted (webhooks × statuses × event types), and
 * every worker folds.
 */
export class DeliveryCountFolds {
  private newest: bigint | null = null;
  private runs = 0;

  constructor(
    private readonly pool: pg.Pool,
    private readonly fullEvery: number,
  ) {}

  /** Runs the next fold; null when another process was folding. */
  async run(): Promise<Fold | null> {
    const full = this.runs++ % this.fullEvery === 0;
    const fold = await foldUnlessBusy(this.pool, full ? null : this.newest);
    if (fold?.newest != null) this.newest = fold.newest;
    return fold;
  }
}
