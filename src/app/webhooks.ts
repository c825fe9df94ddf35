// Webhook use cases for a principal: list, get, create, update, delete, enable, disable, rotate the secret, test.
// Every write records itself in the audit trail (src/app/audit.ts) in its own transaction.
import { isDeepStrictEqual } from 'node:util';
import type { Principal } from '../auth/api-keys.js';
import type { Db } from '../db/prisma.js';
import type { DestinationPolicy } from '../delivery/sending/destination-policy.js';
import type { EventPublisher } from '../events/publisher.js';
import { Prisma, type Delivery, type Event, type Webhook, type WebhookKind } from '../generated/prisma/client.js';
import { newId } from '../lib/ids.js';
import type { SecretBox } from '../secrets/secret-box.js';
import { eventCatalog, patternsMatching } from '../events/catalog.js';
import { matches, parseFilter } from '../webhooks/filter.js';
import { generateWebhookSecret } from '../webhooks/secrets.js';
import { openHeaders, sealHeaders, validateHeaders, validateRateLimit, type WebhookHeaderInput } from '../webhooks/endpoint-controls.js';
import {
  DEFAULT_GRACE_PERIOD_SECONDS,
  validateDescription,
  validateEvents,
  validateGracePeriod,
  validateDestination,
  validateSecret,
} from '../webhooks/validation.js';
import { CASCADING_DELETE, urlOrigin, type AuditAction, type AuditDetails, type AuditLog } from './audit.js';
import { authorize } from './authorization.js';
import { NotFoundError, ValidationError } from './errors.js';
import { ofJobs, ofProject, ofWebhooks, webhookOf, withSelection, type DeliverySelection } from './ownership.js';

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

/** `filter`: a payload filter (src/webhooks/filter.ts); null or left out, every event of the subscribed types. */
export type CreateWebhookInput = {
  /** HTTP unless given. */
  kind?: WebhookKind | null;
  /** Required for an HTTP webhook, absent for the other kinds. */
  url?: string | null;
  events: string[];
  secret?: string | null;
  description?: string | null;
  filter?: unknown;
} & EndpointControlsInput;
/** Fields left out keep their value; a null `description` or `filter` clears it. */
export type UpdateWebhookInput = {
  url?: string | null;
  events?: string[] | null;
  description?: string | null;
  filter?: unknown;
} & EndpointControlsInput;

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
  filter: 'filter',
  rateLimitPerSecond: 'rateLimitPerSecond',
  headerNames: 'headerNames',
  propagateTraceContext: 'propagateTraceContext',
} as const;

/** What a filter preview looks at: a webhook's `events` and `filter` (null: none), and how many recent events. */
export type FilterPreviewInput = { filter?: unknown; events: string[]; first?: number | null };
export const DEFAULT_PREVIEW_EVENTS = 20;
export const MAX_PREVIEW_EVENTS = 100;

/** A filter as stored: validated JSON, or SQL NULL for none. */
const storedFilter = (filter: unknown) => (filter == null ? Prisma.DbNull : (parseFilter(filter) as Prisma.InputJsonObject));

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
    const kind = input.kind ?? 'HTTP';
    const headers = validateHeaders(input.headers ?? []);
    const data = {
      id: newId('wh'),
      ...ofProject(principal),
      kind,
      url: validateDestination(kind, input.url, policy),
      events: validateEvents(input.events),
      description: input.description == null ? null : validateDescription(input.description),
      filter: storedFilter(input.filter),
      secret: secrets.seal(secret),
      rateLimitPerSecond: validateRateLimit(input.rateLimitPerSecond ?? null),
      headerNames: headers.map((header) => header.name),
      sealedHeaders: sealHeaders(secrets, headers),
      propagateTraceContext: input.propagateTraceContext ?? false,
    };
    const webhook = await db.$transaction(async (tx) => {
      const created = await tx.webhook.create({ data });
      const details = {
        kind: created.kind,
        url_origin: urlOrigin(created.url),
        events: created.events,
        ...(created.filter !== null && { filter: created.filter }),
      };
      await this.deps.audit.record(principal, 'webhook.created', { type: 'webhook', id: created.id }, details, tx);
      return created;
    });
    return { webhook, secret };
  }

  update(principal: Principal, id: string, input: UpdateWebhookInput): Promise<Webhook> {
    authorize(principal, 'webhooks:write', 'Updating a webhook');
    const data = {
      ...(input.events != null && { events: validateEvents(input.events) }),
      ...(input.description !== undefined && {
        description: input.description === null ? null : validateDescription(input.description),
      }),
      ...(input.filter !== undefined && { filter: storedFilter(input.filter) }),
      ...(input.rateLimitPerSecond !== undefined && { rateLimitPerSecond: validateRateLimit(input.rateLimitPerSecond) }),
      ...(input.propagateTraceContext != null && { propagateTraceContext: input.propagateTraceContext }),
    };
    // Checked now, so a bad name writes nothing; a kept value (null) is looked up in the webhook as it is.
    if (input.headers) validateHeaders(input.headers.map((header) => ({ ...header, value: header.value ?? '' })));
    // What changes depends on the webhook as it is: its kind (fixed at creation: only an HTTP webhook has a URL to
    // change), and its headers (a null value keeps the current one).
    const changes = (before: Webhook) => ({
      ...data,
      ...(input.url != null && { url: validateDestination(before.kind, input.url, this.deps.policy) }),
      ...(input.headers !== undefined && this.headersChange(before, input.headers)),
    });
    return this.updateScoped(principal, id, changes, 'webhook.updated', (before, after) => {
      const changed = Object.values(UPDATABLE).filter((field) => !isDeepStrictEqual(before[field], after[field]));
      return {
        changed,
        ...(changed.includes('url') && { url_origin: { from: urlOrigin(before.url), to: urlOrigin(after.url) } }),
        ...(changed.includes('events') && { events: { from: before.events, to: after.events } }),
        ...(changed.includes('filter') && { filter: { from: before.filter, to: after.filter } }),
      };
    });
  }

  /** The columns that store `headers` (the whole set) for a webhook whose headers are `before`'s. */
  private headersChange(before: Webhook, input: WebhookHeaderInput[] | null) {
    const headers = validateHeaders(input ?? [], openHeaders(this.deps.secrets, before.sealedHeaders));
    return { headerNames: headers.map((header) => header.name), sealedHeaders: sealHeaders(this.deps.secrets, headers) };
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
   * a single attempt; to a PULL webhook as a message to read); returns the queued delivery.
   */
  async test(principal: Principal, id: string, selection: DeliverySelection = {}): Promise<Delivery> {
    authorize(principal, 'webhooks:write', 'Sending a test event');
    const webhook = await webhookOf(this.deps.db, principal, id);
    const queued = await this.deps.publisher.sendTest(principal.projectId, { id: webhook.id, pull: webhook.kind === 'PULL' }, (tx, delivery) =>
      this.deps.audit.recordIn(tx, principal, 'webhook.tested', { type: 'webhook', id: webhook.id }, {
        delivery_id: delivery.id,
        event_id: delivery.eventId,
      }),
    );
    return withSelection(this.deps.db, principal, queued, selection);
  }

  /**
   * What a webhook with these `events` and `filter` would have received: the project's newest events of those types
   * (at most `first`), newest first, each with whether the filter matches its data (src/webhooks/filter.ts, as at
   * fan-out). Shows events' data, so it needs the scope that reads them.
   */
  async previewFilter(principal: Principal, input: FilterPreviewInput): Promise<{ event: Event; matched: boolean }[]> {
    authorize(principal, 'deliveries:read', 'Previewing a filter on recent events');
    const first = input.first ?? DEFAULT_PREVIEW_EVENTS;
    if (!Number.isInteger(first) || first < 1 || first > MAX_PREVIEW_EVENTS) {
      throw new ValidationError('first', (f) => `${f} must be a whole number from 1 to ${MAX_PREVIEW_EVENTS}`);
    }
    const patterns = validateEvents(input.events);
    const filter = input.filter == null ? null : parseFilter(input.filter);
    const types = eventCatalog.map((e) => e.type).filter((type) => patternsMatching(type).some((p) => patterns.includes(p)));
    const events = await this.deps.db.event.findMany({
      where: { ...ofProject(principal), ...ofJobs(principal), type: { in: types } },
      orderBy: [{ timestamp: 'desc' }, { id: 'desc' }],
      take: first,
    });
    return events.map((event) => ({ event, matched: filter === null || matches(filter, event.data) }));
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
