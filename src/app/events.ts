// Event use cases for a principal: publish one or a batch, get one, list the event log, send one again (replay).
import type { Principal } from '../auth/api-keys.js';
import type { Db } from '../db/prisma.js';
import type { EventPublisher, PublishInput, PublishOutcome, Published } from '../events/publisher.js';
import type { Event, Prisma } from '../generated/prisma/client.js';
import { inSpan, SpanKind } from '../observability/tracing.js';
import type { AuditLog } from './audit.js';
import { authorize } from './authorization.js';
import { NotFoundError, ValidationError } from './errors.js';
import { eventOf, ofJobs, ofProject, reachesWebhook, reachJob } from './ownership.js';
import { olderThan, type OlderThan } from './paging.js';
import { validateWindow, within, type TimeWindow } from './time-window.js';

import type { EventSelection } from './ownership.js';

/** The most events one batch publish takes. */
export const MAX_BATCH_EVENTS = 100;

/** The event log's filter: events of a type, of a job, published in a window. */
export type EventListFilter = { type?: string | undefined; jobId?: string | undefined } & TimeWindow;

/**
 * A page of the event log: Prisma's paging (take, skip, cursor) and selection, or `olderThan`, the last event of the
 * previous page (its `timestamp` as `createdAt`).
 */
export type EventPage = Omit<Prisma.EventFindManyArgs, 'where' | 'orderBy'> & { olderThan?: OlderThan };

const NEWEST_FIRST = [{ timestamp: 'desc' }, { id: 'desc' }] satisfies Prisma.EventOrderByWithRelationInput[];

export class EventService {
  constructor(private readonly deps: { db: Db; publisher: EventPublisher; audit: AuditLog; retentionDays: number }) {}

  /**
   * Stores the event and queues a delivery to every active webhook subscribed to its type, in one transaction. Traced
   * (when tracing is on) as a span continuing the publisher's `traceparent`, if it sent one.
   */
  publish(principal: Principal, input: PublishInput, request: { traceparent?: string } = {}): Promise<Published> {
    authorize(principal, 'events:publish', 'Publishing an event');
    const attributes = { 'webhooks.project_id': principal.projectId, 'webhooks.event_type': input.type };
    return inSpan('publish event', { kind: SpanKind.SERVER, traceparent: request.traceparent, attributes }, async (span) => {
      const published = await this.deps.publisher.publish(principal.projectId, input);
      span?.setAttributes({ 'webhooks.event_id': published.event.id, 'webhooks.delivery_count': published.deliveryCount });
      return published;
    });
  }

  /**
   * Up to MAX_BATCH_EVENTS events in one transaction, answered item by item in input order: the event, or why that
   * item was refused (the others are published all the same).
   */
  publishMany(principal: Principal, inputs: readonly PublishInput[], request: { traceparent?: string } = {}): Promise<PublishOutcome[]> {
    authorize(principal, 'events:publish', 'Publishing events');
    if (inputs.length === 0 || inputs.length > MAX_BATCH_EVENTS) {
      throw new ValidationError('events', (f) => `${f} must hold 1 to ${MAX_BATCH_EVENTS} events (it holds ${inputs.length})`);
    }
    const attributes = { 'webhooks.project_id': principal.projectId, 'webhooks.event_count': inputs.length };
    return inSpan('publish events', { kind: SpanKind.SERVER, traceparent: request.traceparent, attributes }, () =>
      this.deps.publisher.publishMany(principal.projectId, inputs),
    );
  }

  /** The principal's event with that id, with its deliveries if the selection asks for them. */
  async get(principal: Principal, id: string, selection: EventSelection = {}): Promise<Event> {
    authorize(principal, 'deliveries:read', 'Reading an event');
    const event = await eventOf(this.deps.db, principal, id, selection);
    if (!event) throw new NotFoundError(`No event with id ${id}`);
    return event;
  }

  /**
   * The event log: the project's events newest first, filtered by type, job and window (needs `deliveries:read`,
   * like reading one event: the log holds what was sent). ValidationError for a window that holds nothing.
   */
  list(principal: Principal, filter: EventListFilter, page: EventPage = {}): Promise<Event[]> {
    authorize(principal, 'deliveries:read', 'Listing events');
    validateWindow(filter, this.deps.retentionDays);
    if (filter.jobId !== undefined) reachJob(principal, filter.jobId);
    const { olderThan: after, ...paging } = page;
    const where: Prisma.EventWhereInput = {
      ...ofProject(principal),
      ...ofJobs(principal),
      ...(filter.type !== undefined && { type: filter.type }),
      ...(filter.jobId !== undefined && { jobId: filter.jobId }),
      ...within(filter, 'timestamp'),
      ...olderThan(after, 'timestamp'),
    };
    return this.deps.db.event.findMany({ ...paging, where, orderBy: NEWEST_FIRST });
  }

  /**
   * Sends the event again, as a new delivery to every webhook that would receive it if it were published now (of a
   * token's webhooks, those only); its earlier deliveries stay as they are. Audited (`event.replayed`).
   */
  async replay(principal: Principal, id: string): Promise<Published> {
    authorize(principal, 'deliveries:write', 'Replaying an event');
    const event = await eventOf(this.deps.db, principal, id);
    if (!event) throw new NotFoundError(`No event with id ${id}`);
    return this.deps.publisher.replay(event, {
      reaches: (webhookId) => reachesWebhook(principal, webhookId),
      alsoWithin: (tx, deliveryCount) =>
        this.deps.audit.recordIn(tx, principal, 'event.replayed', { type: 'event', id }, { delivery_count: deliveryCount }),
    });
  }
}
