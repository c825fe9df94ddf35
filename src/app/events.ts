// Event use cases for a principal: publish one, get one.
import type { Principal } from '../auth/api-keys.js';
import type { Db } from '../db/prisma.js';
import type { EventPublisher, PublishInput, Published } from '../events/publisher.js';
import type { Event } from '../generated/prisma/client.js';
import { inSpan, SpanKind } from '../observability/tracing.js';
import { authorize } from './authorization.js';
import { NotFoundError } from './errors.js';
import { eventOf } from './ownership.js';

import type { EventSelection } from './ownership.js';

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

  /** The principal's event with that id, with its deliveries if the selection asks for them. */
  async get(principal: Principal, id: string, selection: EventSelection = {}): Promise<Event> {
    authorize(principal, 'deliveries:read', 'Reading an event');
    const event = await eventOf(this.deps.db, principal, id, selection);
    if (!event) throw new NotFoundError(`No event with id ${id}`);
    return event;
  }
}
