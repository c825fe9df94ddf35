// Exact totals for deliveries listings without counting their rows: triggers on `deliveries` append each
// statement's change per key (project, webhook, status, event type) to `delivery_counts` (see the migration of
// that name), so a total is the sum of a few rows, whatever the webhook's size. Workers fold each key's rows into
// one every few seconds (`upkeep.ts`).
import type { Db } from '../db/prisma.js';
import type { DeliveryStatus } from '../generated/prisma/client.js';

/** Every filter a deliveries listing has; each is a column of the counters' key. */
export type DeliveryFilter = { projectId: string; webhookId: string; status?: DeliveryStatus; eventType?: string };

/** How many deliveries match `filter`: what `count(*)` over them would answer in the same snapshot. */
export async function countDeliveries(db: Db, filter: DeliveryFilter): Promise<number> {
  const { _sum } = await db.deliveryCount.aggregate({ where: filter, _sum: { delta: true } });
  return Number(_sum.delta ?? 0);
}

/**
 * Replaces the rows of each key that has several with one row of their sum (none when it is 0); returns how many
 * rows were folded. One statement, which deletes exactly the rows it sums: rows appended meanwhile stay for the
 * next run, and readers see the rows before or after, never in between. Webhooks are locked against deletion while
 * their rows are folded, and a webhook already being deleted is skipped, so a sum is never written back for a
 * webhook whose rows its deletion has just dropped. The rows are deleted by id: joined on the key instead, the
 * planner (which cannot estimate a four-column match) chose a nested loop that took 16 s for 49,000 rows of 2,000
 * keys after a fan-out to 1,000 webhooks, a long transaction that stalled every delivery (docs/performance.md).
 */
export async function compactDeliveryCounts(db: Pick<Db, '$queryRaw'>): Promise<number> {
  const [row] = await db.$queryRaw<{ folded: bigint }[]>`
    WITH scattered AS (
      SELECT webhook_id, array_agg(id) AS ids FROM delivery_counts
      GROUP BY webhook_id, project_id, status, event_type
      HAVING count(*) > 1
    ), live AS (
      SELECT id FROM webhooks WHERE id IN (SELECT webhook_id FROM scattered) FOR KEY SHARE SKIP LOCKED
    ), doomed AS (
      SELECT unnest(ids) AS id FROM scattered WHERE webhook_id IN (SELECT id FROM live)
    ), folded AS (
      DELETE FROM delivery_counts c USING doomed d WHERE c.id = d.id
      RETURNING c.webhook_id, c.project_id, c.status, c.event_type, c.delta
    ), summed AS (
      INSERT INTO delivery_counts (webhook_id, project_id, status, event_type, delta)
      SELECT webhook_id, project_id, status, event_type, sum(delta) FROM folded
      GROUP BY webhook_id, project_id, status, event_type
      HAVING sum(delta) <> 0
    )
    SELECT count(*) AS folded FROM folded`;
  return Number(row!.folded);
}

/** The advisory lock that lets one process fold at a time: folds running together only wait on each other's rows. */
export const COMPACTION_LOCK = 0x64656c63; // 'delc'

/** One fold, unless another process is folding; returns how many rows were folded, or null when it was skipped. */
export function compactUnlessBusy(db: Pick<Db, '$transaction'>): Promise<number | null> {
  return db.$transaction(async (tx) => {
    const [lock] = await tx.$queryRaw<{ taken: boolean }[]>`SELECT pg_try_advisory_xact_lock(${COMPACTION_LOCK}::bigint) AS taken`;
    return lock!.taken ? compactDeliveryCounts(tx) : null;
  });
}
