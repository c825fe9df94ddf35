import type { Principal } from '../auth/api-keys.js';
import type { Db } from '../db/prisma.js';
import type { DeliveryService } from '../delivery/service.js';
import type { EventPublisher } from '../events/publisher.js';
import type { LiveUpdates } from '../live/updates.js';
import type { WebhookService } from '../webhooks/service.js';

/** Everything a resolver may use; `principal` is always set because unauthenticated requests never get here. */
export type Context = {
  db: Db;
  principal: Principal;
  webhooks: WebhookService;
  events: EventPublisher;
  deliveries: DeliveryService;
  live: LiveUpdates;
  /** The transport connection (an HTTP request, or the upgrade request of a graphql-ws socket): limits count per connection. */
  connection: object;
};
