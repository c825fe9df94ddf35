// Event use cases for a principal: publish one, get one.
import type { Principal } from '../auth/api-keys.js';
import type { Db } from '../db/prisma.js';
import type { EventPublisher, PublishInput, PublishOutcome, Published } from '../events/publisher.js';
import type { Event } from '../generated/prisma/client.js';
import { authorize } from './authorization.js';
import { NotFoundError, ValidationError } from './errors.js';
import { eventOf } from './ownership.js';

import type { EventSelection } from './ownership.js';

/** The most events one batch publish takes. */
export const MAX_BATCH_EVENTS = 100;

export class EventService {
  constructor(private readonly deps: { db: Db; publisher: EventPublisher }) {}

  /** Stores the event and queues a delivery to every active webhook subscribed to its type, in one transaction. */
  publish(principal: Principal, input: PublishInput): Promise<Published> {
    authorize(principal, 'events:publish', 'Publishing an event');
    return this.deps.publisher.publish(principal.projectId, input);
  }

  /**
   * Up to MAX_BATCH_EVENTS events in one transaction, answered item by item in input order: the event, or why that
   * item was refused (the others are published all the same).
   */
  publishMany(principal: Principal, inputs: readonly PublishInput[]): Promise<PublishOutcome[]> {
    authorize(principal, 'events:publish', 'Publishing events');
    if (inputs.length === 0 || inputs.length > MAX_BATCH_EVENTS) {
      throw new ValidationError('events', (f) => `${f} must hold 1 to ${MAX_BATCH_EVENTS} events (it holds ${inputs.length})`);
    }
    return this.deps.publisher.publishMany(principal.projectId, inputs);
  }

  /** The principal's event with that id, with its deliveries if the selection asks for them. */
  async get(principal: Principal, id: string, selection: EventSelection = {}): Promise<Event> {
    authorize(principal, 'deliveries:read', 'Reading an event');
    const event = await eventOf(this.deps.db, principal, id, selection);
    if (!event) throw new NotFoundError(`No event with id ${id}`);
    return event;
  }
}
