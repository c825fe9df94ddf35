// Event use cases for a principal: publish one, get one.
import type { Principal } from '../auth/api-keys.js';
import type { Db } from '../db/prisma.js';
import type { EventPublisher, PublishInput, Published } from '../events/publisher.js';
import type { Event, Prisma } from '../generated/prisma/client.js';
import { NotFoundError } from './errors.js';
import { ofProject } from './ownership.js';

/** What a GraphQL selection adds to a read (relations); empty for the row alone. */
export type EventSelection = Pick<Prisma.EventFindFirstArgs, 'select' | 'include'>;

export class EventService {
  constructor(private readonly deps: { db: Db; publisher: EventPublisher }) {}

  /** Stores the event and queues a delivery to every active webhook subscribed to its type, in one transaction. */
  publish(principal: Principal, input: PublishInput): Promise<Published> {
    return this.deps.publisher.publish(principal.projectId, input);
  }

  /** The principal's event with that id, or null (past retention, or another project's). */
  find(principal: Principal, id: string, selection: EventSelection = {}): Promise<Event | null> {
    return this.deps.db.event.findFirst({ ...selection, where: { id, ...ofProject(principal) } });
  }

  async get(principal: Principal, id: string, selection: EventSelection = {}): Promise<Event> {
    const event = await this.find(principal, id, selection);
    if (!event) throw new NotFoundError(`No event with id ${id}`);
    return event;
  }
}
