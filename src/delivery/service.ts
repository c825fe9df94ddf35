// Reading and retrying deliveries, scoped to one project.
import { fromPrisma, type PgBoss } from 'pg-boss';
import type { Db } from '../db/prisma.js';
import type { Delivery } from '../generated/prisma/client.js';
import { NotFoundError } from '../lib/errors.js';
import { deliveryJob, enqueueInTransaction } from './queueing/queue.js';

export class DeliveryService {
  constructor(
    private readonly db: Db,
    private readonly boss: PgBoss,
  ) {}

  async get(projectId: string, id: string): Promise<Delivery> {
    const delivery = await this.db.delivery.findFirst({ where: { id, projectId } });
    if (!delivery) throw new NotFoundError(`No delivery with id ${id}`);
    return delivery;
  }

  /** Queues one more attempt now, whatever the delivery's state; the attempt is recorded like any other. */
  async retry(projectId: string, id: string): Promise<Delivery> {
    return this.db.$transaction(async (tx) => {
      const delivery = await tx.delivery.findFirst({ where: { id, projectId } });
      if (!delivery) throw new NotFoundError(`No delivery with id ${id}`);
      await enqueueInTransaction(this.boss, fromPrisma(tx), [deliveryJob(delivery.webhookId, { deliveryId: id, manual: true })]);
      return tx.delivery.update({ where: { id }, data: { nextAttemptAt: new Date() } });
    });
  }
}
