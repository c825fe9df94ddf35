// Event use cases for a principal: publish one or a batch, get one.
import type { Principal } from '../auth/api-keys.js';
import type { Db } from '../db/prisma.js';
import type { EventPublisher, PublishInput, PublishOutcome, Published } from '../events/publisher.js';
import type { Event } from '../generated/prisma/client.js';
import { inSpan, SpanKind } from '../observability/tracing.js';
import { authorize } from './authorization.js';
import { NotFoundError, ValidationError } from './errors.js';
import { eventOf } from './ownership.js';

import type { EventSelection } from './ownership.js';

/** The most events one batch publish takes. */
export const MAX_BATCH_EVENTS = 100;

export class EventService {
  constructor(private readonly deps: { db: Db; publisher: EventPublisher }) {}

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
}
