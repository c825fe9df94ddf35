// Exact totals for deliveries listings without counting their rows: triggers on `deliveries` add each statement's
// change per key (project, webhook, status, event type) to the writing backend's row of that key in
// `delivery_counts` (see the migrations `delivery_counts` and `delivery_count_slots`), so a total is the sum of a few
// rows, whatever the webhook's size. Workers fold each key's rows into one every few seconds
// (`src/housekeeping/delivery-count-folds.ts`).
import type { Db } from '../../db/prisma.js';
import type { DeliveryStatus } from '../../generated/prisma/client.js';

/**
 * The filters of a deliveries listing the counters can answer; each is a column of the counters' key. Without
 * `webhookId`, the project's every webhook; `{ in }`, those of an access token's restriction.
 */
export type DeliveryFilter = {
  projectId: string;
  webhookId?: string | { in: string[] };
  status?: DeliveryStatus;
  eventType?: string;
};

/** How many deliveries match `filter`: what `count(*)` over them would answer in the same snapshot. */
export async function countDeliveries(db: Db, filter: DeliveryFilter): Promise<number> {
  const { _sum } = await db.deliveryCount.aggregate({ where: filter, _sum: { delta: true } });
  return Number(_sum.delta ?? 0);
}
