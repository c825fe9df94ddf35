// Delivery use cases for a principal: list and count a webhook's deliveries (or the project's, across webhooks), get
// one, retry one, follow a webhook's deliveries live (resumable from a position). One rule each, whatever the
// transport: a list is newest first and filtered by status, event type, event and creation window; a total comes from
// the counters (by counting the rows when it filters by event or window); a delivery's `timestamp` is
// `deliveryTimestamp`.
import type pg from 'pg';
import type { PgBoss } from 'pg-boss';
import type { Principal } from '../auth/api-keys.js';
import type { Db } from '../db/prisma.js';
import { findDeliveryInProject, markRetryQueued } from '../db/sql/deliveries.js';
import { inTransaction } from '../db/transaction.js';
import { deliveryJob, enqueueInTransaction } from '../delivery/queueing/queue.js';
import { requeuePullMessage } from '../delivery/pull/stream.js';
import { countDeliveries, type DeliveryFilter } from '../delivery/read-model/delivery-counts.js';
import type { Delivery, DeliveryStatus, Prisma } from '../generated/prisma/client.js';
import { deliveryChangeOfPosition, type LiveUpdates, type PositionedDelivery } from '../live/updates.js';
import type { AuditLog } from './audit.js';
import { authorize } from './authorization.js';
import { olderThan, type OlderThan } from './paging.js';
import { NotFoundError } from './errors.js';
import { validateWindow, within, type TimeWindow } from './time-window.js';
import {
  deliveryOf,
  ofProject,
  ofWebhooksDeliveries,
  reachesWebhook,
  reachWebhook,
  subscriberOf,
  webhookOf,
  withSelection,
  type DeliverySelection,
  type LiveCaller,
} from './ownership.js';

/**
 * A list's filter: one webhook's deliveries (every webhook's, without `webhookId`), of a status, of an event type, of
 * one event, created in a window.
 */
export type DeliveryListFilter = {
  webhookId?: string | undefined;
  status?: DeliveryStatus | undefined;
  eventType?: string | undefined;
  eventId?: string | undefined;
} & TimeWindow;

/**
 * A page: Prisma's paging (take, skip, cursor) and selection, or `olderThan`, the last delivery of the previous page
 * in list order (the key of the list's index).
 */
export type DeliveryPage = Omit<Prisma.DeliveryFindManyArgs, 'where' | 'orderBy'> & {
  olderThan?: OlderThan;
};

/** When the last attempt started; before the first attempt, when the delivery was queued. */
export const deliveryTimestamp = (delivery: Pick<Delivery, 'lastAttemptAt' | 'createdAt'>): Date =>
  delivery.lastAttemptAt ?? delivery.createdAt;

const NEWEST_FIRST = [{ createdAt: 'desc' }, { id: 'desc' }] satisfies Prisma.DeliveryOrderByWithRelationInput[];

export type DeliveryServiceDeps = {
  db: Db;
  pool: pg.Pool;
  boss: PgBoss;
  live: LiveUpdates;
  audit: AuditLog;
  /** How long deliveries are kept (RETENTION_DAYS): a list's window may not be wider, and a deliveryUpdates position
   * from a change older than that is refused. */
  retentionDays: number;
};

export class DeliveryService {
  constructor(private readonly deps: DeliveryServiceDeps) {}

  list(principal: Principal, filter: DeliveryListFilter, page: DeliveryPage = {}): Promise<Delivery[]> {
    authorize(principal, 'deliveries:read', 'Listing deliveries');
    const { olderThan: after, ...paging } = page;
    const where: Prisma.DeliveryWhereInput = {
      ...this.filter(principal, filter),
      ...olderThan(after, 'createdAt'),
    };
    return this.deps.db.delivery.findMany({ ...paging, where, orderBy: NEWEST_FIRST });
  }

  /**
   * How many deliveries match the filter: from the counters, whatever the webhook's size; by counting the rows (with
   * the list's index) when it filters by event or window, which the counters do not know.
   */
  count(principal: Principal, filter: DeliveryListFilter): Promise<number> {
    authorize(principal, 'deliveries:read', 'Listing deliveries');
    const where = this.filter(principal, filter);
    const { eventId, createdAt, ...counted } = where;
    if (eventId !== undefined || createdAt !== undefined) return this.deps.db.delivery.count({ where });
    return countDeliveries(this.deps.db, counted);
  }

  /** A page of one webhook's deliveries and the total matching the filter; NotFoundError for no such webhook. */
  async pageOfWebhook(
    principal: Principal,
    filter: DeliveryListFilter & { webhookId: string },
    page: DeliveryPage,
  ): Promise<{ deliveries: Delivery[]; total: number }> {
    authorize(principal, 'deliveries:read', 'Listing deliveries');
    await webhookOf(this.deps.db, principal, filter.webhookId);
    const [deliveries, total] = await Promise.all([this.list(principal, filter, page), this.count(principal, filter)]);
    return { deliveries, total };
  }

  /** The delivery with what the selection asks for, all read from one snapshot. */
  get(principal: Principal, id: string, selection: DeliverySelection = {}): Promise<Delivery> {
    authorize(principal, 'deliveries:read', 'Reading a delivery');
    return deliveryOf(this.deps.db, principal, id, selection);
  }

  /**
   * Queues one more attempt now, whatever the delivery's state; the attempt is recorded like any other (a PULL
   * webhook's delivery: its message is stored again, at the end of its stream, PENDING until acknowledged). With
   * `webhookId`, the delivery must be that webhook's. Returns the delivery as the retry left it. Audited
   * (`delivery.retried`) in the retry's transaction.
   */
  async retry(
    principal: Principal,
    id: string,
    { webhookId, selection = {} }: { webhookId?: string; selection?: DeliverySelection } = {},
  ): Promise<Delivery> {
    authorize(principal, 'deliveries:write', 'Retrying a delivery');
    const { pool, boss } = this.deps;
    const queued = await inTransaction(pool, async (tx) => {
      const delivery = await findDeliveryInProject(tx, principal.projectId, id);
      if (!delivery || !reachesWebhook(principal, delivery.webhookId)) throw new NotFoundError(`No delivery with id ${id}`);
      if (webhookId !== undefined && delivery.webhookId !== webhookId) {
        throw new NotFoundError(`No delivery with id ${id} for webhook ${webhookId}`);
      }
      // A PULL webhook's delivery is made readable again instead (at the end of its stream).
      if (!(await requeuePullMessage(tx, delivery))) {
        await enqueueInTransaction(boss, tx, [deliveryJob(delivery.webhookId, { deliveryId: id, manual: true })]);
      }
      await this.deps.audit.recordIn(tx, principal, 'delivery.retried', { type: 'delivery', id }, { webhook_id: delivery.webhookId });
      return markRetryQueued(tx, id);
    });
    return withSelection(this.deps.db, principal, queued, selection);
  }

  /**
   * A webhook's latest change, then each delivery of it as it changes; with `after` (a message's position), each
   * delivery changed after it, as it is now, then on. NotFoundError for no such webhook; a position of another
   * webhook or project, or from a change older than retention (deliveries changed since may have been purged), is
   * refused (ValidationError on `after`), never read as "from now".
   */
  async updates(caller: LiveCaller, webhookId: string, after?: string): Promise<AsyncIterableIterator<PositionedDelivery>> {
    authorize(caller.principal, 'deliveries:read', "Following a webhook's deliveries");
    const webhook = await webhookOf(this.deps.db, caller.principal, webhookId);
    const from = after === undefined ? undefined : deliveryChangeOfPosition(webhook.projectId, webhook.id, after, this.deps.retentionDays);
    return this.deps.live.deliveries(subscriberOf(caller), webhook.id, from);
  }

  /**
   * The filter of a list or a total: one webhook's deliveries, or every webhook's the principal may reach.
   * NotFoundError for a webhook out of a token's reach, ValidationError for a window that holds nothing.
   */
  private filter(principal: Principal, filter: DeliveryListFilter): DeliveryFilter & Prisma.DeliveryWhereInput {
    validateWindow(filter, this.deps.retentionDays);
    if (filter.webhookId !== undefined) reachWebhook(principal, filter.webhookId);
    return {
      ...ofProject(principal),
      ...(filter.webhookId !== undefined ? { webhookId: filter.webhookId } : ofWebhooksDeliveries(principal)),
      ...(filter.status && { status: filter.status }),
      ...(filter.eventType && { eventType: filter.eventType }),
      ...(filter.eventId !== undefined && { eventId: filter.eventId }),
      ...within(filter, 'createdAt'),
    };
  }
}
