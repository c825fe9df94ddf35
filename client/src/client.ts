// The SDK: one typed method per operation of the API, over GraphQL (HTTP) and graphql-ws (subscriptions).
import { errorOf, unwrap, type ConflictError, type ErrorResult, type ValidationError } from './errors.js';
import type { EventDataMap, EventType, PublishEventInput } from './events.js';
import * as op from './generated/graphql.js';
import { httpTransport, type FetchLike, type TypedDocument, type VariablesArgument } from './http.js';
import { wsTransport, type Subscription } from './subscriptions.js';
import { messagesApi, restTransport } from './pull.js';

export type ClientOptions = {
  /** The GraphQL endpoint, e.g. `http://localhost:4000/graphql`; subscriptions use the same URL over ws(s). */
  url: string;
  /** The REST API's base, for pull webhooks' messages; default: `url` with `graphql` replaced by `v1`. */
  restUrl?: string;
  /** An API key, sent as `Authorization: Bearer <key>` (and in graphql-ws `connection_init`). */
  apiKey?: string;
  /** Or a short-lived access token (`POST /v1/tokens`, `createAccessToken`), sent the same way. */
  token?: string;
  /**
   * Or a function that returns a current token (minted by your backend), asked before every request and every
   * (re)connection: when a token expires, the socket is closed (4403) and reopened with a fresh one, and every open
   * subscription goes on (resumed after its last message, or from the current state for progress).
   */
  getToken?: () => string | Promise<string>;
  /**
   * With a platform key: the project to act in (the header `X-Project-Id`, and `projectId` in graphql-ws
   * `connection_init`); without it, the key's own project.
   */
  projectId?: string;
  /** Defaults to the global `fetch`. */
  fetch?: FetchLike;
  /** A WebSocket class; defaults to the global `WebSocket` (browsers, Node 22+). Pass `ws` on older runtimes. */
  webSocketImpl?: unknown;
  /** Extra HTTP headers sent with every request. */
  headers?: Record<string, string>;
  /** How often a dropped subscription socket is reconnected. Default 5. */
  retryAttempts?: number;
};

type Unwrapped<T extends { __typename: string }> = Exclude<T, ErrorResult>;
type Without<T, K extends keyof T> = Omit<T, K | '__typename'>;

export type Webhook = op.WebhookFieldsFragment;
export type WebhookStats = op.WebhookStatsFieldsFragment;
export type StatsWindow = op.StatsWindow;
export type Delivery = op.DeliveryFieldsFragment;
export type DeliveryAttempt = op.DeliveryAttemptFieldsFragment;
export type DeliveryWithAttempts = Without<Unwrapped<op.DeliveryQuery['delivery']>, never>;
export type DeliveryStatus = op.DeliveryStatus;
export type Recovery = op.RecoveryFieldsFragment;
export type WebhookStatus = op.WebhookStatus;
export type JobStatus = op.JobStatus;
export type JobType = op.JobType;
export type EventTypeInfo = op.EventTypesQuery['eventTypes'][number];
export type BatchProgress = op.BatchProgressSubscription['batchProgress'];
/** A message of a resumable subscription: `position` is what `after` takes to resume right after it. */
export type Positioned<T> = T & { position: string | null };
export type TrainingProgress = op.TrainingProgressSubscription['trainingProgress'];

/** An event as the API returns it, discriminated on `type` with each type's `data` typed. */
export type Event<K extends EventType = EventType> = {
  [T in K]: { id: string; type: T; timestamp: string; data: EventDataMap[T] };
}[K];
export type EventWithDeliveries = Event & {
  deliveries: Without<Unwrapped<op.EventQuery['event']>, 'id' | 'type' | 'timestamp' | 'data'>['deliveries'];
};
export type Job = Without<Unwrapped<op.JobQuery['job']>, 'lastEvent'> & { lastEvent: Event | null };

export type Page<T> = {
  nodes: T[];
  totalCount: number;
  pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string | null; endCursor: string | null };
};

export type PageArgs = { first?: number; after?: string; last?: number; before?: string };
/** A time window: from `since` (included) to `until` (excluded), ISO 8601. */
export type WindowArgs = { since?: string; until?: string };

export type Project = op.ProjectFieldsFragment;
export type ApiKey = op.ApiKeyFieldsFragment;

/**
 * A webhook's endpoint controls: `rateLimitPerSecond` (null: none), custom `headers` (the whole set; values are
 * write-only: a webhook shows `headerNames`; on update a header without `value` keeps its current one; null clears
 * them), `propagateTraceContext` (send the W3C traceparent to the receiver). `filter`: a payload filter over each
 * event's `data` (see the schema's `Webhook.filter`); the webhook then receives only the events of its types that
 * match. On update, null clears it.
 */
export type EndpointControls = {
  rateLimitPerSecond?: number | null;
  headers?: { name: string; value?: string | null }[] | null;
  propagateTraceContext?: boolean;
};
export type CreateWebhookInput = {
  url: string;
  events: string[];
  description?: string;
  secret?: string;
  filter?: PayloadFilter;
} & EndpointControls;
export type UpdateWebhookInput = {
  url?: string;
  events?: string[];
  description?: string | null;
  filter?: PayloadFilter | null;
} & EndpointControls;
/** A payload filter: fields and operators such as `{ "result": { "approximation_ratio": { "$gte": 0.9 } } }`. */
export type PayloadFilter = Record<string, unknown>;
/** A recent event, and whether a filter matches it (`webhooks.previewFilter`). */
export type FilterPreviewEvent = { matched: boolean; event: Event };

const page = <T>(connection: { totalCount: number; pageInfo: Page<T>['pageInfo']; edges: { node: T }[] }): Page<T> => ({
  nodes: connection.edges.map((edge) => edge.node),
  totalCount: connection.totalCount,
  pageInfo: connection.pageInfo,
});

/** Union members carry the `__typename` they were selected by; results are returned without it. */
const strip = <T extends object>(value: T): Omit<T, '__typename'> => {
  const { __typename: _, ...rest } = value as T & { __typename?: string };
  return rest as Omit<T, '__typename'>;
};

export function createClient(options: ClientOptions) {
  const fetchImpl: FetchLike = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
  const credential = credentialOf(options);
  const headers = { ...options.headers, ...(options.projectId !== undefined && { 'x-project-id': options.projectId }) };
  const http = httpTransport({ url: options.url, credential, fetch: fetchImpl, headers });
  // Worked out at the first REST call, so a client of GraphQL alone never needs a REST base.
  const restBase = () => options.restUrl ?? new URL('v1', options.url).href;
  const rest = restTransport({ baseUrl: restBase, credential, fetch: fetchImpl, headers });
  const messages = messagesApi(rest);
  const ws = wsTransport({
    url: options.url,
    credential,
    refreshable: options.getToken !== undefined,
    ...(options.projectId !== undefined ? { projectId: options.projectId } : {}),
    ...(options.webSocketImpl ? { webSocketImpl: options.webSocketImpl } : {}),
    ...(options.retryAttempts !== undefined ? { retryAttempts: options.retryAttempts } : {}),
  });

  /** Runs any typed document (e.g. one exported from `operations`) and returns its data. */
  function request<TResult, TVariables>(
    document: TypedDocument<TResult, TVariables>,
    ...[variables]: VariablesArgument<TVariables>
  ): Promise<TResult> {
    return http(document, variables);
  }

  const webhooks = {
    /** Registers a webhook; resolves to it and its signing secret (shown only now). */
    create: async (input: CreateWebhookInput): Promise<{ webhook: Webhook; secret: string }> => {
      const { createWebhook } = await request(op.CreateWebhookDocument, { input });
      const { webhook, secret } = unwrap(createWebhook);
      return { webhook, secret };
    },
    /** Your webhooks, newest first. */
    list: async (args: PageArgs = {}): Promise<Page<Webhook>> =>
      page((await request(op.WebhooksDocument, args)).webhooks),
    get: async (id: string): Promise<Webhook> => strip(unwrap((await request(op.WebhookDocument, { id })).webhook)),
    /** Attempts, success rate, p50/p95 response times over the last HOUR, DAY or WEEK, and the failure streak now. */
    stats: async (id: string, window: StatsWindow): Promise<WebhookStats> =>
      unwrap((await request(op.WebhookStatsDocument, { id, window })).webhook).stats,
    update: async (id: string, input: UpdateWebhookInput): Promise<Webhook> =>
      strip(unwrap((await request(op.UpdateWebhookDocument, { id, input })).updateWebhook)),
    delete: async (id: string): Promise<void> => {
      unwrap((await request(op.DeleteWebhookDocument, { id })).deleteWebhook);
    },
    /** Receives deliveries again (e.g. after it was disabled for failing). */
    enable: async (id: string): Promise<Webhook> =>
      strip(unwrap((await request(op.EnableWebhookDocument, { id })).enableWebhook)),
    disable: async (id: string): Promise<Webhook> =>
      strip(unwrap((await request(op.DisableWebhookDocument, { id })).disableWebhook)),
    /** A new signing secret; deliveries carry signatures for the old one too for `gracePeriodSeconds` (default 1 day). */
    rotateSecret: async (id: string, opts: { gracePeriodSeconds?: number } = {}): Promise<{ webhook: Webhook; secret: string }> => {
      const result = unwrap((await request(op.RotateWebhookSecretDocument, { id, ...opts })).rotateWebhookSecret);
      return { webhook: result.webhook, secret: result.secret };
    },
    /**
     * Which recent events a webhook with these `events` and `filter` would have received: the project's newest events
     * of those types (`first`, default 20), each with whether the filter matches. Needs `deliveries:read`.
     */
    previewFilter: async (args: { events: string[]; filter?: PayloadFilter | null; first?: number }): Promise<FilterPreviewEvent[]> =>
      unwrap((await request(op.PreviewWebhookFilterDocument, args)).previewWebhookFilter).events as FilterPreviewEvent[],
    /** Sends a `webhook.test` event to this webhook alone. */
    test: async (id: string): Promise<Delivery> => strip(unwrap((await request(op.TestWebhookDocument, { id })).testWebhook)),
  };

  const deliveries = {
    /** A webhook's deliveries, newest first. */
    list: async (
      webhookId: string,
      args: PageArgs & { status?: DeliveryStatus; eventType?: string } = {},
    ): Promise<Page<Delivery>> => page((await request(op.DeliveriesDocument, { webhookId, ...args })).deliveries),
    /** The project's deliveries across webhooks, newest first: by webhook, event, status, event type, creation window. */
    listAll: async (
      args: PageArgs & WindowArgs & { webhookId?: string; eventId?: string; status?: DeliveryStatus; eventType?: string } = {},
    ): Promise<Page<Delivery>> => page((await request(op.DeliveriesDocument, args)).deliveries),
    /**
     * Attempts again every delivery of the webhook created in the window with one of `statuses` (FAILED by default),
     * in the background; the same window again answers the same recovery. Follow it with `recovery`.
     */
    recover: async (webhookId: string, input: op.RecoverDeliveriesInput): Promise<Recovery> =>
      strip(unwrap((await request(op.RecoverDeliveriesDocument, { webhookId, input })).recoverDeliveries)),
    /** A recovery's progress: `requeued` of `total`, and its `state`. */
    recovery: async (id: string): Promise<Recovery> => strip(unwrap((await request(op.RecoveryDocument, { id })).recovery)),
    /** A delivery with every attempt made. */
    get: async (id: string): Promise<DeliveryWithAttempts> =>
      strip(unwrap((await request(op.DeliveryDocument, { id })).delivery)),
    /** Attempts the delivery again now, whatever its state. */
    retry: async (id: string): Promise<Delivery> =>
      strip(unwrap((await request(op.RetryDeliveryDocument, { id })).retryDelivery)),
  };

  const events = {
    /** Stores the event and queues one delivery per matching active webhook; `data` must be `type`'s data. */
    publish: async <I extends PublishEventInput>(input: I): Promise<{ event: Event<I['type']>; deliveryCount: number }> => {
      const { publishEvent } = await request(op.PublishEventDocument, { input });
      const { event, deliveryCount } = unwrap(publishEvent);
      return { event: strip(event) as Event<I['type']>, deliveryCount };
    },
    /**
     * Up to 100 events in one transaction, answered one by one in the same order: `{ event, deliveryCount }`, or
     * the ValidationError or ConflictError that refused that item (returned, not thrown: the others are published).
     * Throws only when the batch as a whole is refused (empty, too long, or a missing scope).
     */
    publishMany: async <const I extends readonly PublishEventInput[]>(
      inputs: I,
    ): Promise<{ [K in keyof I]: { event: Event<I[K]['type']>; deliveryCount: number } | ValidationError | ConflictError }> => {
      const { publishEvents } = await request(op.PublishEventsDocument, { events: [...inputs] });
      return unwrap(publishEvents).results.map((result) => {
        const error = errorOf(result);
        if (error) return error;
        const { event, deliveryCount } = result as Extract<typeof result, { __typename: 'PublishEventPayload' }>;
        return { event: strip(event), deliveryCount };
      }) as never;
    },
    get: async (id: string): Promise<EventWithDeliveries> =>
      strip(unwrap((await request(op.EventDocument, { id })).event)) as EventWithDeliveries,
    /** The event log: the project's events newest first, by type, job and publish window. */
    list: async (args: PageArgs & WindowArgs & { type?: string; jobId?: string } = {}): Promise<Omit<Page<Event>, 'totalCount'>> => {
      const { edges, pageInfo } = (await request(op.EventsDocument, args)).events;
      return { nodes: edges.map((edge) => edge.node as Event), pageInfo };
    },
    /** Sends the event again to every active webhook subscribed to its type now; resolves to how many. */
    replay: async (id: string): Promise<{ event: Event; deliveryCount: number }> => {
      const { event, deliveryCount } = unwrap((await request(op.ReplayEventDocument, { id })).replayEvent);
      return { event: strip(event) as Event, deliveryCount };
    },
  };

  const jobs = {
    /** A job's latest known state, kept from the events published with its `job_id`. */
    get: async (jobId: string): Promise<Job> => {
      const { lastEvent, ...job } = strip(unwrap((await request(op.JobDocument, { jobId })).job));
      return { ...job, lastEvent: lastEvent ? (strip(lastEvent) as Event) : null };
    },
  };

  /** Projects and their keys: every call needs a platform key. */
  const projects = {
    /** Every project, oldest first. */
    list: async (args: PageArgs = {}): Promise<Page<Project>> => page((await request(op.ProjectsDocument, args)).projects),
    create: async (name: string): Promise<Project> =>
      strip(unwrap((await request(op.CreateProjectDocument, { input: { name } })).createProject)),
    rename: async (id: string, name: string): Promise<Project> =>
      strip(unwrap((await request(op.RenameProjectDocument, { id, name })).renameProject)),
    /** Deletes the project with its webhooks, events, deliveries and keys. */
    delete: async (id: string): Promise<void> => {
      unwrap((await request(op.DeleteProjectDocument, { id })).deleteProject);
    },
    keys: {
      /** A project's keys (never the keys themselves). */
      list: async (projectId: string): Promise<ApiKey[]> => (await request(op.ApiKeysDocument, { projectId })).apiKeys,
      /** A new key with the given scopes (every project scope when omitted); `key` is shown only now. */
      create: async (projectId: string, input: { name?: string; scopes?: string[] } = {}): Promise<{ apiKey: ApiKey; key: string }> => {
        const { apiKey, key } = unwrap((await request(op.CreateApiKeyDocument, { projectId, input })).createApiKey);
        return { apiKey, key };
      },
      /** Revokes a key at once, ending its open sockets and streams. */
      revoke: async (id: string): Promise<ApiKey> => strip(unwrap((await request(op.RevokeApiKeyDocument, { id })).revokeApiKey)),
    },
  };

  const tokens = {
    /**
     * A short-lived token for a browser, with scopes this client's key holds (never `platform`), restricted to
     * `jobIds` / `webhookIds` when given; `ttlSeconds` 1 to 86400 (900 by default).
     */
    create: async (input: op.CreateAccessTokenInput): Promise<{ token: string; expiresAt: string }> => {
      const { token, expiresAt } = unwrap((await request(op.CreateAccessTokenDocument, { input })).createAccessToken);
      return { token, expiresAt };
    },
  };

  const portalLinks = {
    /**
     * A customer portal link: the dashboard for the caller's project, signed in by a token in the URL fragment;
     * `read_only` reads, `manage` also changes webhooks and retries deliveries (the caller must hold each scope).
     * `ttlSeconds` 60 to 86400 (3600 when omitted).
     */
    create: async (input: { mode: 'manage' | 'read_only'; ttlSeconds?: number }): Promise<{ url: string; expiresAt: string }> => {
      const mode: op.PortalMode = input.mode === 'manage' ? 'MANAGE' : 'READ_ONLY';
      const created = unwrap(
        (await request(op.CreatePortalLinkDocument, { input: { mode, ...(input.ttlSeconds !== undefined && { ttlSeconds: input.ttlSeconds }) } }))
          .createPortalLink,
      );
      return { url: created.url, expiresAt: created.expiresAt };
    },
  };

  const subscribe = {
    /** A batch job's progress: its current state at once, then each change; ends after its terminal event. */
    batchProgress: (jobId: string): Subscription<BatchProgress> =>
      pick(ws.subscribe(op.BatchProgressDocument, { jobId }), (data) => data.batchProgress),
    /** A training job, round by round; ends after its terminal event. */
    trainingProgress: (jobId: string): Subscription<TrainingProgress> =>
      pick(ws.subscribe(op.TrainingProgressDocument, { jobId }), (data) => data.trainingProgress),
    /**
     * A job's events in publish order; ends after its terminal event. Each carries its `position`: after a dropped
     * socket the client resumes after the last one by itself; to resume later (another process, a restart), pass a
     * stored position as `after` and get every event after it.
     */
    jobEvents: (jobId: string, options: { after?: string } = {}): Subscription<Positioned<Event>> =>
      pick(ws.subscribe(op.JobEventsDocument, { jobId, ...options }), (data) => strip(data.jobEvents) as Positioned<Event>),
    /**
     * A webhook's deliveries as they change, each with its `position`: its latest change at once, then each change
     * (with `after`, each delivery changed since, as it is now); resumed by itself after a dropped socket.
     */
    deliveryUpdates: (webhookId: string, options: { after?: string } = {}): Subscription<Positioned<Delivery>> =>
      pick(ws.subscribe(op.DeliveryUpdatesDocument, { webhookId, ...options }), (data) => data.deliveryUpdates as Positioned<Delivery>),
    /**
     * The project's operational events (webhook.failing, webhook.disabled, delivery.exhausted, webhook.recovered), or
     * one webhook's, in commit order, each with its `position`: the latest at once, then each one as it is published
     * (with `after`, every one after that position); resumed by itself after a dropped socket. A position resumes
     * only a subscription with the same `webhookId`.
     */
    webhookHealth: (webhookId?: string, options: { after?: string } = {}): Subscription<Positioned<Event>> =>
      pick(
        ws.subscribe(op.WebhookHealthDocument, { webhookId: webhookId ?? null, ...options }),
        (data) => strip(data.webhookHealth) as Positioned<Event>,
      ),
    /** Any typed subscription document. */
    request: ws.subscribe,
  };

  return {
    webhooks,
    deliveries,
    events,
    /** Every event type with its description and an example `data`, in catalog order. */
    eventTypes: async (): Promise<EventTypeInfo[]> => (await request(op.EventTypesDocument)).eventTypes,
    jobs,
    projects,
    tokens,
    portalLinks,
    subscribe,
    request,
    /** A pull webhook's messages, one REST call each: `read` (long polling with `wait`) and `ack` up to a cursor. */
    messages: { read: messages.read, ack: messages.ack },
    /**
     * A pull webhook's messages as they come, verified with `secret` when given, each with `ack()`:
     * `for await (const message of client.pull(webhookId, { secret })) { …; await message.ack(); }`.
     */
    pull: messages.pull,
    /** Closes the subscription socket (HTTP needs no cleanup). */
    close: ws.dispose,
  };
}

export type WebhooksClient = ReturnType<typeof createClient>;

/** The one credential the options give: `apiKey`, `token` or `getToken`. */
function credentialOf({ apiKey, token, getToken }: ClientOptions): () => string | Promise<string> {
  const given = [apiKey, token, getToken].filter((c) => c !== undefined);
  if (given.length !== 1) throw new TypeError('createClient needs exactly one of apiKey, token and getToken');
  if (getToken) return getToken;
  const fixed = (apiKey ?? token)!;
  return () => fixed;
}

/** Maps each result; `return()` reaches the source at once, even while a `next()` is pending. */
function pick<T, U>(source: Subscription<T>, map: (value: T) => U): Subscription<U> {
  const iterator: Subscription<U> = {
    [Symbol.asyncIterator]: () => iterator,
    next: async () => {
      const step = await source.next();
      return step.done ? { done: true, value: undefined } : { done: false, value: map(step.value) };
    },
    return: async () => {
      await source.return();
      return { done: true, value: undefined };
    },
  };
  return iterator;
}
