// Following webhooks' health live: the operational events the delivery recorder publishes (webhook.failing,
// webhook.disabled, delivery.exhausted, webhook.recovered; src/events/catalog.ts), for a principal.
import type { Db } from '../db/prisma.js';
import type { Event } from '../generated/prisma/client.js';
import type { LiveUpdates, SLOW_CONSUMER } from '../live/updates.js';
import { authorize } from './authorization.js';
import { subscriberOf, webhookOf, type LiveCaller } from './ownership.js';

export class WebhookHealthService {
  constructor(private readonly deps: { db: Db; live: LiveUpdates }) {}

  /**
   * The project's operational events, only those about one webhook when `webhookId` is given (NotFoundError for
   * another project's): the latest at once, then each one as it is published. A token restricted to some webhooks
   * follows only theirs.
   */
  async follow(caller: LiveCaller, webhookId?: string): Promise<AsyncIterableIterator<Event | typeof SLOW_CONSUMER>> {
    const { principal } = caller;
    authorize(principal, 'webhooks:read', "Following webhooks' health");
    const webhookIds = webhookId === undefined ? (principal.webhookIds ?? null) : [(await webhookOf(this.deps.db, principal, webhookId)).id];
    return this.deps.live.webhookHealth(subscriberOf(caller), webhookIds);
  }
}
