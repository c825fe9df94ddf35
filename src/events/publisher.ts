// Publishing: in one transaction, the event, one delivery per matching active webhook, and one queued job per
// delivery. Nothing accepted is lost; nothing rolled back is ever sent.
import type { PgBoss } from 'pg-boss';
import type { Db } from '../db/prisma.js';
import type { Delivery, Event } from '../generated/prisma/client.js';
import { Prisma } from '../generated/prisma/client.js';
import { newId } from '../lib/ids.js';
import { deliveryJob, enqueueInTransaction } from '../delivery/queue.js';
import { patternsMatching } from './catalog.js';
import { validateEvent } from './validate.js';

export type PublishInput = { type: string; data?: unknown; idempotencyKey?: string | null };
export type Published = { event: Event; deliveryCount: number };

const IDEMPOTENCY_WINDOW_MS = 24 * 3_600_000;
export type Tx = Parameters<Parameters<Db['$transaction']>[0]>[0];

export class EventPublisher {
  constructor(
    private readonly db: Db,
    private readonly boss: PgBoss,
  ) {}

  async publish(projectId: string, input: PublishInput): Promise<Published> {
    const data = validateEvent(input.type, input.data);
    const key = input.idempotencyKey ?? null;
    if (key !== null) {
      const earlier = await this.recentEventWithKey(projectId, key);
      if (earlier) return earlier;
    }
    try {
      return await this.db.$transaction((tx) => this.publishWithin(tx, projectId, input.type, data, key));
    } catch (error) {
      // Two publishers raced with the same key: the first one's event is the answer.
      if (key !== null && error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002') {
        const earlier = await this.recentEventWithKey(projectId, key);
        if (earlier) return earlier;
      }
      throw error;
    }
  }

  /**
   * The transactional core, for callers that publish as part of their own transaction: the event, its
   * deliveries and their jobs commit or roll back with it.
   */
  async publishWithin(
    tx: Tx,
    projectId: string,
    type: string,
    data: Record<string, unknown>,
    key: string | null,
  ): Promise<Published> {
    if (key !== null) {
      // A key older than the window may be used again: release it from the old event.
      await tx.event.updateMany({
        where: { projectId, idempotencyKey: key, timestamp: { lte: new Date(Date.now() - IDEMPOTENCY_WINDOW_MS) } },
        data: { idempotencyKey: null },
      });
    }
    const event = await this.createEvent(tx, projectId, type, data, key);
    const webhooks = await tx.webhook.findMany({
      where: { projectId, status: 'ACTIVE', events: { hasSome: patternsMatching(type) } },
      select: { id: true },
    });
    await this.createDeliveries(tx, event, webhooks.map((w) => w.id));
    return { event, deliveryCount: webhooks.length };
  }

  /** A `webhook.test` event delivered to one webhook only, whatever its subscriptions or status. */
  async sendTest(projectId: string, webhookId: string): Promise<Delivery> {
    const data = validateEvent('webhook.test', { job_id: `test_${newId('evt').slice(4)}`, status: 'test' });
    return this.db.$transaction(async (tx) => {
      const event = await this.createEvent(tx, projectId, 'webhook.test', data, null);
      const [delivery] = await this.createDeliveries(tx, event, [webhookId]);
      return delivery!;
    });
  }

  private createEvent(tx: Tx, projectId: string, type: string, data: Record<string, unknown>, key: string | null) {
    return tx.event.create({
      data: {
        id: newId('evt'),
        projectId,
        type,
        data: data as Prisma.InputJsonObject,
        jobId: typeof data.job_id === 'string' ? data.job_id : null,
        idempotencyKey: key,
      },
    });
  }

  private async createDeliveries(tx: Tx, event: Event, webhookIds: string[]): Promise<Delivery[]> {
    if (webhookIds.length === 0) return [];
    const deliveries = await tx.delivery.createManyAndReturn({
      data: webhookIds.map((webhookId) => ({
        id: newId('del'),
        projectId: event.projectId,
        webhookId,
        eventId: event.id,
        eventType: event.type,
        nextAttemptAt: event.timestamp,
      })),
    });
    await enqueueInTransaction(
      this.boss,
      tx,
      deliveries.map((d) => deliveryJob(d.webhookId, { deliveryId: d.id, attempt: 1 })),
    );
    return deliveries;
  }

  private async recentEventWithKey(projectId: string, key: string): Promise<Published | null> {
    const event = await this.db.event.findFirst({
      where: { projectId, idempotencyKey: key, timestamp: { gt: new Date(Date.now() - IDEMPOTENCY_WINDOW_MS) } },
    });
    if (!event) return null;
    return { event, deliveryCount: await this.db.delivery.count({ where: { eventId: event.id } }) };
  }
}
