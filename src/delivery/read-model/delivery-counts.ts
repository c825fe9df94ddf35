// Exact totals for deliveries listings without counting their rows: triggers on `deliveries` append each
// statement's change per key (project, webhook, status, event type) to `delivery_counts` (see the migration of
// that name), so a total is the sum of a few rows, whatever the webhook's size. Workers fold each key's rows into
// one every few seconds (`housekeeping/table-upkeep.ts`).
import type { Db } from '../../db/prisma.js';
import { Prisma, type DeliveryStatus } from '../../generated/prisma/client.js';

/** Every filter a deliveries listing has; each is a column of the counters' key. */
export type DeliveryFilter = { projectId: string; webhookId: string; status?: DeliveryStatus; eventType?: string };

/** How many deliveries match `filter`: what `count(*)` over them would answer in the same snapshot. */
export async function countDeliveries(db: Db, filter: DeliveryFilter): Promise<number> {
  const { _sum } = await db.deliveryCount.aggregate({ where: filter, _sum: { delta: true } });
  return Number(_sum.delta ?? 0);
}

/** What a fold did: how many rows it folded, and the newest row id it saw (where the next partial fold starts). */
export type Fold = { folded: number; newest: bigint | null };

/**
 * Replaces the rows of each key that has several with one row of their sum (none when it is 0): every key, or with
 * `since`, only the keys that have a row newer than that id (the next fold's `since` is this one's `newest`). One
 * statement, which deletes exactly the rows it sums: rows appended meanwhile stay for the next run, and readers see
 * the rows before or after, never in between. Webhooks are locked against deletion while their rows are folded, and
 * a webhook already being deleted is skipped, so a sum is never written back for a webhook whose rows its deletion
 * has just dropped. The rows are deleted by id: joined on the key instead, the planner (which cannot estimate a
 * four-column match) chose a nested loop that took 16 s for 49,000 rows of 2,000 keys after a fan-out to 1,000
 * webhooks, a long transaction that stalled every delivery (docs/performance.md). And the ids are joined as an array
 * (`unnest(ARRAY(…))`, which the planner sizes at a fixed guess) rather than as the CTE: sized from its misestimated
 * groups, a partial fold of 20 keys among 100,000 hash-joined a scan of the whole table (70 of its 76 ms;
 * bench/fold-cost.ts), where it now looks the rows up by primary key. A join, not `id = ANY(…)`: a filter by an
 * array costs a comparison per element for every row it scans.
 */
export async function foldDeliveryCounts(db: Pick<Db, '$queryRaw'>, since: bigint | null = null): Promise<Fold> {
  // A partial fold reads the keys appended to since `since` (a range of the primary key) and those keys' rows (by
  // the key's index), instead of the whole table.
  const keys =
    since === null
      ? Prisma.sql`delivery_counts`
      : Prisma.sql`(SELECT c.* FROM delivery_counts c WHERE (c.webhook_id, c.project_id, c.status, c.event_type) IN (
          SELECT webhook_id, project_id, status, event_type FROM delivery_counts WHERE id > ${since}
        )) AS recent`;
  const [row] = await db.$queryRaw<{ folded: bigint; newest: bigint | null }[]>`
    WITH scattered AS (
      SELECT webhook_id, array_agg(id) AS ids FROM ${keys}
      GROUP BY webhook_id, project_id, status, event_type
      HAVING count(*) > 1
    ), live AS (
      SELECT id FROM webhooks WHERE id IN (SELECT webhook_id FROM scattered) FOR KEY SHARE SKIP LOCKED
    ), doomed AS (
      SELECT unnest(ids) AS id FROM scattered WHERE webhook_id IN (SELECT id FROM live)
    ), folded AS (
      DELETE FROM delivery_counts c USING unnest(ARRAY(SELECT id FROM doomed)) AS d(id) WHERE c.id = d.id
      RETURNING c.webhook_id, c.project_id, c.status, c.event_type, c.delta
    ), summed AS (
      INSERT INTO delivery_counts (webhook_id, project_id, status, event_type, delta)
      SELECT webhook_id, project_id, status, event_type, sum(delta) FROM folded
      GROUP BY webhook_id, project_id, status, event_type
      HAVING sum(delta) <> 0
      RETURNING id
    )
    -- The sums just written count as seen: the next partial fold need not look at their keys again.
    SELECT (SELECT count(*) FROM folded) AS folded,
      GREATEST((SELECT max(id) FROM delivery_counts), (SELECT max(id) FROM summed)) AS newest`;
  return { folded: Number(row!.folded), newest: row!.newest };
}

/** The advisory lock that lets one process fold at a time: folds running together only wait on each other's rows. */
export const COMPACTION_LOCK = 0x64656c63; // 'delc'

/**
 * How long a fold's transaction may take. Under a bulk load (the bench's million-row insert) folds took over Prisma's
 * default of 5 s; cut off there, each rolled back and the next started the same work over.
 */
const FOLD_TIMEOUT_MS = 120_000;

/** One fold (see `foldDeliveryCounts`), unless another process is folding: then null. */
export function compactUnlessBusy(db: Pick<Db, '$transaction'>, since: bigint | null = null): Promise<Fold | null> {
  return db.$transaction(
    async (tx) => {
      const [lock] = await tx.$queryRaw<{ taken: boolean }[]>`SELECT pg_try_advisory_xact_lock(${COMPACTION_LOCK}::bigint) AS taken`;
      return lock!.taken ? foldDeliveryCounts(tx, since) : null;
    },
    { timeout: FOLD_TIMEOUT_MS },
  );
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
    private readonly db: Pick<Db, '$transaction'>,
    private readonly fullEvery: number,
  ) {}

  /** Runs the next fold; null when another process was folding. */
  async run(): Promise<Fold | null> {
    const full = this.runs++ % this.fullEvery === 0;
    const fold = await compactUnlessBusy(this.db, full ? null : this.newest);
    if (fold?.newest != null) this.newest = fold.newest;
    return fold;
  }
}
