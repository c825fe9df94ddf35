// Webhook use cases for a principal: list, get, create, update, delete, enable, disable, rotate the secret, test.
import type { Principal } from '../auth/api-keys.js';
import type { Db } from '../db/prisma.js';
import type { DestinationPolicy } from '../delivery/sending/destination-policy.js';
import type { EventPublisher } from '../events/publisher.js';
import type { Delivery, Prisma, Webhook } from '../generated/prisma/client.js';
import { newId } from '../lib/ids.js';
import type { SecretBox } from '../secrets/secret-box.js';
import { generateWebhookSecret } from '../webhooks/secrets.js';
import {
  DEFAULT_GRACE_PERIOD_SECONDS,
  validateDescription,
  validateEvents,
  validateGracePeriod,
  validateSecret,
  validateUrl,
} from '../webhooks/validation.js';
import { authorize } from './authorization.js';
import { NotFoundError } from './errors.js';
import { ofProject, ofWebhooks, webhookOf, withSelection, type DeliverySelection } from './ownership.js';

export type WebhookPolicy = { allowHttp: boolean; destinations: DestinationPolicy };

export type CreateWebhookInput = { url: string; events: string[]; secret?: string | null; description?: string | null };
export type UpdateWebhookInput = { url?: string | null; events?: string[] | null; description?: string | null };

/** A page of a list: Prisma's paging (take, skip, cursor) and, from GraphQL, the selection it asks for. */
export type WebhookPage = Omit<Prisma.WebhookFindManyArgs, 'where' | 'orderBy'>;

/** Lists show the newest first. */
const NEWEST_FIRST = [{ createdAt: 'desc' }, { id: 'desc' }] satisfies Prisma.WebhookOrderByWithRelationInput[];

export type WebhookServiceDeps = {
  db: Db;
  policy: WebhookPolicy;
  /** Secrets are stored sealed; the plaintext leaves only through create and rotate. */
  secrets: SecretBox;
  publisher: EventPublisher;
};

export class WebhookService {
  constructor(private readonly deps: WebhookServiceDeps) {}

  list(principal: Principal, page: WebhookPage = {}): Promise<Webhook[]> {
    authorize(principal, 'webhooks:read', 'Listing webhooks');
    return this.deps.db.webhook.findMany({ ...page, where: { ...ofProject(principal), ...ofWebhooks(principal) }, orderBy: NEWEST_FIRST });
  }

  count(principal: Principal): Promise<number> {
    authorize(principal, 'webhooks:read', 'Listing webhooks');
    return this.deps.db.webhook.count({ where: { ...ofProject(principal), ...ofWebhooks(principal) } });
  }

  get(principal: Principal, id: string): Promise<Webhook> {
    authorize(principal, 'webhooks:read', 'Reading a webhook');
    return webhookOf(this.deps.db, principal, id);
  }

  async create(principal: Principal, input: CreateWebhookInput): Promise<{ webhook: Webhook; secret: string }> {
    authorize(principal, 'webhooks:write', 'Creating a webhook');
    const { db, policy, secrets } = this.deps;
    const secret = input.secret == null ? generateWebhookSecret() : validateSecret(input.secret);
    const webhook = await db.webhook.create({
      data: {
        id: newId('wh'),
        ...ofProject(principal),
        url: validateUrl(input.url, policy),
        events: validateEvents(input.events),
        description: input.description == null ? null : validateDescription(input.description),
        secret: secrets.seal(secret),
      },
    });
    return { webhook, secret };
  }

  update(principal: Principal, id: string, input: UpdateWebhookInput): Promise<Webhook> {
    authorize(principal, 'webhooks:write', 'Updating a webhook');
    return this.updateScoped(principal, id, {
      ...(input.url != null && { url: validateUrl(input.url, this.deps.policy) }),
      ...(input.events != null && { events: validateEvents(input.events) }),
      ...(input.description !== undefined && {
        description: input.description === null ? null : validateDescription(input.description),
      }),
    });
  }

  /** Deletes the webhook with its deliveries and their attempts; returns it as it was. */
  async delete(principal: Principal, id: string): Promise<Webhook> {
    authorize(principal, 'webhooks:write', 'Deleting a webhook');
    const webhook = await webhookOf(this.deps.db, principal, id);
    await this.deps.db.webhook.deleteMany({ where: { id, ...ofProject(principal) } });
    return webhook;
  }

  enable(principal: Principal, id: string): Promise<Webhook> {
    authorize(principal, 'webhooks:write', 'Enabling a webhook');
    return this.updateScoped(principal, id, { status: 'ACTIVE', disabledReason: null, disabledAt: null });
  }

  disable(principal: Principal, id: string, reason = 'Disabled by hand'): Promise<Webhook> {
    authorize(principal, 'webhooks:write', 'Disabling a webhook');
    return this.updateScoped(principal, id, { status: 'DISABLED', disabledReason: reason, disabledAt: new Date() });
  }

  /** A new secret; the old one stays valid (signed alongside) until `gracePeriodSeconds` have passed (24 h unless given). */
  async rotateSecret(
    principal: Principal,
    id: string,
    gracePeriodSeconds: number = DEFAULT_GRACE_PERIOD_SECONDS,
  ): Promise<{ webhook: Webhook; secret: string }> {
    authorize(principal, 'webhooks:write', "Rotating a webhook's secret");
    validateGracePeriod(gracePeriodSeconds);
    const current = await webhookOf(this.deps.db, principal, id);
    const secret = generateWebhookSecret();
    const webhook = await this.updateScoped(principal, id, {
      secret: this.deps.secrets.seal(secret),
      previousSecret: gracePeriodSeconds > 0 ? current.secret : null,
      previousSecretExpiresAt: gracePeriodSeconds > 0 ? new Date(Date.now() + gracePeriodSeconds * 1000) : null,
    });
    return { webhook, secret };
  }

  /**
   * Sends a `webhook.test` event to this webhook alone, whatever its subscriptions or status (to a disabled webhook as
   * a single attempt); returns the queued delivery.
   */
  async test(principal: Principal, id: string, selection: DeliverySelection = {}): Promise<Delivery> {
    authorize(principal, 'webhooks:write', 'Sending a test event');
    const webhook = await webhookOf(this.deps.db, principal, id);
    const queued = await this.deps.publisher.sendTest(principal.projectId, webhook.id);
    return withSelection(this.deps.db, principal, queued, selection);
  }

  private async updateScoped(principal: Principal, id: string, data: Prisma.WebhookUpdateManyMutationInput) {
    const { count } = await this.deps.db.webhook.updateMany({ where: { id, ...ofProject(principal), ...ofWebhooks(principal) }, data });
    if (count === 0) throw new NotFoundError(`No webhook with id ${id}`);
    return webhookOf(this.deps.db, principal, id);
  }
}
