// Webhook use cases for a principal: list, get, create, update, delete, enable, disable, rotate the secret, test.
// Every write records itself in the audit trail (src/app/audit.ts) in its own transaction.
import { isDeepStrictEqual } from 'node:util';
import type { Principal } from '../auth/api-keys.js';
import type { Db } from '../db/prisma.js';
import type { DestinationPolicy } from '../delivery/sending/destination-policy.js';
import type { EventPublisher } from '../events/publisher.js';
import type { Delivery, Prisma, Webhook } from '../generated/prisma/client.js';
import { newId } from '../lib/ids.js';
import type { SecretBox } from '../secrets/secret-box.js';
import { generateWebhookSecret } from '../webhooks/secrets.js';
import { openHeaders, sealHeaders, validateHeaders, validateRateLimit, type WebhookHeaderInput } from '../webhooks/endpoint-controls.js';
import {
  DEFAULT_GRACE_PERIOD_SECONDS,
  validateDescription,
  validateEvents,
  validateGracePeriod,
  validateSecret,
  validateUrl,
} from '../webhooks/validation.js';
import { CASCADING_DELETE, urlOrigin, type AuditAction, type AuditDetails, type AuditLog } from './audit.js';
import { authorize } from './authorization.js';
import { NotFoundError } from './errors.js';
import { ofProject, ofWebhooks, webhookOf, withSelection, type DeliverySelection } from './ownership.js';

export type WebhookPolicy = { allowHttp: boolean; destinations: DestinationPolicy };

/**
 * Endpoint controls, on create and update: `rateLimitPerSecond` (null: no limit), `headers` sent with every attempt
 * (the whole set; null or empty clears it; on update a null value keeps that header's current value; values are
 * sealed and never shown again, only `headerNames`), `propagateTraceContext` (send `traceparent` to the receiver).
 */
export type EndpointControlsInput = {
  rateLimitPerSecond?: number | null;
  headers?: WebhookHeaderInput[] | null;
  propagateTraceContext?: boolean | null;
};

export type CreateWebhookInput = {
  url: string;
  events: string[];
  secret?: string | null;
  description?: string | null;
} & EndpointControlsInput;
export type UpdateWebhookInput = { url?: string | null; events?: string[] | null; description?: string | null } & EndpointControlsInput;

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
  audit: AuditLog;
};

/** The fields an update may change, as the trail names them. */
const UPDATABLE = {
  url: 'url',
  events: 'events',
  description: 'description',
  rateLimitPerSecond: 'rateLimitPerSecond',
  headerNames: 'headerNames',
  propagateTraceContext: 'propagateTraceContext',
} as const;

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
    const headers = validateHeaders(input.headers ?? []);
    const data = {
      id: newId('wh'),
      ...ofProject(principal),
      url: validateUrl(input.url, policy),
      events: validateEvents(input.events),
      description: input.description == null ? null : validateDescription(input.description),
      secret: secrets.seal(secret),
      rateLimitPerSecond: validateRateLimit(input.rateLimitPerSecond ?? null),
      headerNames: headers.map((header) => header.name),
      sealedHeaders: sealHeaders(secrets, headers),
      propagateTraceContext: input.propagateTraceContext ?? false,
    };
    const webhook = await db.$transaction(async (tx) => {
      const created = await tx.webhook.create({ data });
      const details = { url_origin: urlOrigin(created.url), events: created.events };
      await this.deps.audit.record(principal, 'webhook.created', { type: 'webhook', id: created.id }, details, tx);
      return created;
    });
    return { webhook, secret };
  }

  update(principal: Principal, id: string, input: UpdateWebhookInput): Promise<Webhook> {
    authorize(principal, 'webhooks:write', 'Updating a webhook');
    const data = {
      ...(input.url != null && { url: validateUrl(input.url, this.deps.policy) }),
      ...(input.events != null && { events: validateEvents(input.events) }),
      ...(input.description !== undefined && {
        description: input.description === null ? null : validateDescription(input.description),
      }),
      ...(input.rateLimitPerSecond !== undefined && { rateLimitPerSecond: validateRateLimit(input.rateLimitPerSecond) }),
      ...(input.propagateTraceContext != null && { propagateTraceContext: input.propagateTraceContext }),
    };
    // Checked now, so a bad name writes nothing; a kept value (null) is looked up in the webhook as it is.
    if (input.headers) validateHeaders(input.headers.map((header) => ({ ...header, value: header.value ?? '' })));
    const withHeaders = (before: Webhook) => {
      if (input.headers === undefined) return data;
      const headers = validateHeaders(input.headers ?? [], openHeaders(this.deps.secrets, before.sealedHeaders));
      return { ...data, headerNames: headers.map((header) => header.name), sealedHeaders: sealHeaders(this.deps.secrets, headers) };
    };
    return this.updateScoped(principal, id, withHeaders, 'webhook.updated', (before, after) => {
      const changed = Object.values(UPDATABLE).filter((field) => !isDeepStrictEqual(before[field], after[field]));
      return {
        changed,
        ...(changed.includes('url') && { url_origin: { from: urlOrigin(before.url), to: urlOrigin(after.url) } }),
        ...(changed.includes('events') && { events: { from: before.events, to: after.events } }),
      };
    });
  }

  /** Deletes the webhook with its deliveries and their attempts; returns it as it was. */
  async delete(principal: Principal, id: string): Promise<Webhook> {
    authorize(principal, 'webhooks:write', 'Deleting a webhook');
    return this.deps.db.$transaction(async (tx) => {
      const webhook = await webhookOf(tx, principal, id);
      await tx.webhook.deleteMany({ where: { id, ...ofProject(principal) } });
      const details = { url_origin: urlOrigin(webhook.url), events: webhook.events };
      await this.deps.audit.record(principal, 'webhook.deleted', { type: 'webhook', id }, details, tx);
      return webhook;
    }, CASCADING_DELETE);
  }

  enable(principal: Principal, id: string): Promise<Webhook> {
    authorize(principal, 'webhooks:write', 'Enabling a webhook');
    const data = { status: 'ACTIVE', disabledReason: null, disabledAt: null } as const;
    return this.updateScoped(principal, id, () => data, 'webhook.enabled', (before) => ({ was: before.status.toLowerCase() }));
  }

  disable(principal: Principal, id: string, reason = 'Disabled by hand'): Promise<Webhook> {
    authorize(principal, 'webhooks:write', 'Disabling a webhook');
    const data = { status: 'DISABLED', disabledReason: reason, disabledAt: new Date() } as const;
    return this.updateScoped(principal, id, () => data, 'webhook.disabled', (before) => ({
      was: before.status.toLowerCase(),
      reason,
    }));
  }

  /** A new secret; the old one stays valid (signed alongside) until `gracePeriodSeconds` have passed (24 h unless given). */
  async rotateSecret(
    principal: Principal,
    id: string,
    gracePeriodSeconds: number = DEFAULT_GRACE_PERIOD_SECONDS,
  ): Promise<{ webhook: Webhook; secret: string }> {
    authorize(principal, 'webhooks:write', "Rotating a webhook's secret");
    validateGracePeriod(gracePeriodSeconds);
    const secret = generateWebhookSecret();
    const sealed = this.deps.secrets.seal(secret);
    const webhook = await this.updateScoped(
      principal,
      id,
      (current) => ({
        secret: sealed,
        previousSecret: gracePeriodSeconds > 0 ? current.secret : null,
        previousSecretExpiresAt: gracePeriodSeconds > 0 ? new Date(Date.now() + gracePeriodSeconds * 1000) : null,
      }),
      'webhook.secret_rotated',
      () => ({ grace_period_seconds: gracePeriodSeconds }),
    );
    return { webhook, secret };
  }

  /**
   * Sends a `webhook.test` event to this webhook alone, whatever its subscriptions or status (to a disabled webhook as
   * a single attempt); returns the queued delivery.
   */
  async test(principal: Principal, id: string, selection: DeliverySelection = {}): Promise<Delivery> {
    authorize(principal, 'webhooks:write', 'Sending a test event');
    const webhook = await webhookOf(this.deps.db, principal, id);
    const queued = await this.deps.publisher.sendTest(principal.projectId, webhook.id, (tx, delivery) =>
      this.deps.audit.recordIn(tx, principal, 'webhook.tested', { type: 'webhook', id: webhook.id }, {
        delivery_id: delivery.id,
        event_id: delivery.eventId,
      }),
    );
    return withSelection(this.deps.db, principal, queued, selection);
  }

  /** Updates the principal's webhook (`data` from the row before) and records `action`, in one transaction. */
  private updateScoped(
    principal: Principal,
    id: string,
    data: (before: Webhook) => Prisma.WebhookUpdateManyMutationInput,
    action: AuditAction,
    details: (before: Webhook, after: Webhook) => AuditDetails,
  ): Promise<Webhook> {
    return this.deps.db.$transaction(async (tx) => {
      const before = await webhookOf(tx, principal, id);
      const { count } = await tx.webhook.updateMany({
        where: { id, ...ofProject(principal), ...ofWebhooks(principal) },
        data: data(before),
      });
      if (count === 0) throw new NotFoundError(`No webhook with id ${id}`);
      const after = await webhookOf(tx, principal, id);
      await this.deps.audit.record(principal, action, { type: 'webhook', id }, details(before, after), tx);
      return after;
    });
  }
}
