// Reading and retrying deliveries, scoped to one project.
import type pg from 'pg';
import type { PgBoss } from 'pg-boss';
import type { Db } from '../db/prisma.js';
import { findDeliveryInProject, markRetryQueued } from '../db/sql/deliveries.js';
import { inTransaction } from '../db/transaction.js';
import type { Delivery } from '../generated/prisma/client.js';
import { NotFoundError } from '../lib/errors.js';
import { deliveryJob, enqueueInTransaction } from './queueing/queue.js';

export class DeliveryService {
  constructor(
    private readonly db: Db,
    private readonly pool: pg.Pool,
    private readonly boss: PgBoss,
  ) {}

  async get(projectId: string, id: string): Promise<Delivery> {
    const delivery = await this.db.delivery.findFirst({ where: { id, projectId } });
    if (!delivery) throw new NotFoundError(`No delivery with id ${id}`);
    return delivery;
  }

  /** Queues one more attempt now, whatever the delivery's state; the attempt is recorded like any other. */
  async retry(projectId: string, id: string): Promise<Delivery> {
    return inTransaction(this.pool, async (tx) => {
      const delivery = await findDeliveryInProject(tx, projectId, id);
      if (!delivery) throw new NotFoundError(`No delivery with id ${id}`);
      await enqueueInTransaction(this.boss, tx, [deliveryJob(delivery.webhookId, { deliveryId: id, manual: true })]);
      return markRetryQueued(tx, id);
    });
  }
}
