// Following webhooks' health live: the operational events the delivery recorder publishes (webhook.failing,
// webhook.disabled, delivery.exhausted, webhook.recovered; src/events/catalog.ts), for a principal.
import type { Db } from '../db/prisma.js';
import { changeAfterPosition, webhookHealthStream, type LiveUpdates, type PositionedEvent } from '../live/updates.js';
import { authorize } from './authorization.js';
import { subscriberOf, webhookOf, type LiveCaller } from './ownership.js';

export class WebhookHealthService {
  constructor(
    private readonly deps: {
      db: Db;
      live: LiveUpdates;
      /** How long events are kept (RETENTION_DAYS): a position of an older event is refused. */
      retentionDays: number;
    },
  ) {}

  /**
   * The project's operational events, only those about one webhook when `webhookId` is given (NotFoundError for
   * another project's), in commit order, each with its position: the latest at once, then each one as it is
   * published; with `after` (a message's position), every one after it, then on. A token restricted to some
   * webhooks follows only theirs. A position of another project, of another stream (another `webhookId` filter, or
   * another subscription), or of an event older than retention (what came after it may be purged) is refused
   * (ValidationError on `after`), never read as "from now".
   */
  async follow(caller: LiveCaller, webhookId?: string, after?: string): Promise<AsyncIterableIterator<PositionedEvent>> {
    const { principal } = caller;
    authorize(principal, 'webhooks:read', "Following webhooks' health");
    const webhook = webhookId === undefined ? undefined : await webhookOf(this.deps.db, principal, webhookId);
    const webhookIds = webhook ? [webhook.id] : (principal.webhookIds ?? null);
    const sub = subscriberOf(caller);
    const stream = webhookHealthStream(sub.projectId, webhook?.id);
    const from = after === undefined ? undefined : changeAfterPosition(stream, after, this.deps.retentionDays);
    return this.deps.live.webhookHealth(sub, stream, webhookIds, from);
  }
}
