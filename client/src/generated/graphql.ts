/* eslint-disable */
/** Internal type. DO NOT USE DIRECTLY. */
type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
/** Internal type. DO NOT USE DIRECTLY. */
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
import type { DocumentTypeDecoration } from '@graphql-typed-document-node/core';
export type CreateAccessTokenInput = {
  /** Only these jobs (their state and live progress), at most 100; every job when omitted */
  jobIds?: Array<string | number> | null | undefined;
  /** What the token may do: scopes the caller's key holds, never platform */
  scopes: Array<string>;
  /** How long the token works, 1 to 86400 seconds; 900 when omitted */
  ttlSeconds?: number | null | undefined;
  /** Only these webhooks and their deliveries, at most 100; every webhook when omitted */
  webhookIds?: Array<string | number> | null | undefined;
};

export type CreateApiKeyInput = {
  /** A label, at most 100 characters; "default" when omitted */
  name?: string | null | undefined;
  /** What the key may do; every project scope when omitted. Only scopes the caller's key holds */
  scopes?: Array<string> | null | undefined;
};

export type CreatePortalLinkInput = {
  mode: PortalMode;
  /** How long the link works, 60 to 86400 seconds; 3600 when omitted */
  ttlSeconds?: number | null | undefined;
};

export type CreateProjectInput = {
  /** Unique, at most 100 characters */
  name: string;
};

export type CreateWebhookInput = {
  description?: string | null | undefined;
  events: Array<string>;
  /** A payload filter over the event's `data`: fields (objects descend, a plain value means `$eq`) and the operators `$eq`, `$neq`, `$in`, `$nin`, `$gt`, `$gte`, `$lt`, `$lte`, `$exists`, `$startsWith`, `$endsWith`, `$and`, `$or`, `$not`, e.g. `{"problem_type": "MAXCUT", "result": {"approximation_ratio": {"$gte": 0.9}}}`; at most 10 levels deep and 4096 bytes (pass it in a variable: a GraphQL literal cannot name `$` keys). The webhook receives only the events of its types that match; every one when omitted or null */
  filter?: unknown;
  /** Custom headers, at most 20, replacing any set before (null or [] clears them) */
  headers?: Array<WebhookHeaderInput> | null | undefined;
  /** HTTP unless given; fixed once created */
  kind?: WebhookKind | null | undefined;
  /** Send the W3C traceparent to the receiver (default false) */
  propagateTraceContext?: boolean | null | undefined;
  /** Deliveries started per second at most, 1 to 1,000 (null: no limit) */
  rateLimitPerSecond?: number | null | undefined;
  /** Your own signing secret, 16 to 256 characters (a shorter one could be guessed offline); one is generated when omitted */
  secret?: string | null | undefined;
  /** Absolute http(s) URL, at most 2,048 characters: required for HTTP, left out otherwise */
  url?: string | null | undefined;
};

export type DeliveryStatus =
  /** Failed and no further attempt is scheduled; can be retried by hand. With no attempt: never sent, because its webhook was disabled before the attempt */
  | 'FAILED'
  /** Queued; no attempt made yet */
  | 'PENDING'
  /** Failed; another attempt is scheduled (see nextAttemptAt) */
  | 'RETRYING'
  /** The receiver answered 2xx */
  | 'SUCCESS';

/** Where a job stands, from its latest event's type */
export type JobStatus =
  /** *.cancelled (terminal) */
  | 'CANCELLED'
  /** *.completed (terminal) */
  | 'COMPLETED'
  /** model.deployed */
  | 'DEPLOYED'
  /** model.deprecated */
  | 'DEPRECATED'
  /** *.failed (terminal) */
  | 'FAILED'
  /** *.started or *.progress */
  | 'RUNNING'
  /** *.submitted */
  | 'SUBMITTED'
  /** model.updated */
  | 'UPDATED';

/** The kind of job, from its events' type (`batch.progress` is about a BATCH job) */
export type JobType =
  /** Batch image analysis */
  | 'BATCH'
  | 'INFERENCE'
  /** Model deployment */
  | 'MODEL'
  | 'OPTIMIZATION'
  /** Federated training */
  | 'TRAINING'
  | 'VISION';

export type ListenerErrorInput = {
  kind: ListenerErrorKind;
  /** At most 1,000 characters */
  message: string;
};

/** Why a forward got no answer from the local receiver */
export type ListenerErrorKind =
  | 'CONNECTION_REFUSED'
  | 'DNS_FAILURE'
  | 'NETWORK_ERROR'
  | 'TIMEOUT';

/** How forwarding one ListenerRequest went: the local receiver's answer (`status`…), or `error` when there was none */
export type ListenerResultInput = {
  /** The answer's body, at most 65,536 characters (cut longer ones and set bodyTruncated) */
  body?: string | null | undefined;
  bodyTruncated?: boolean | null | undefined;
  /** From sending the request to the end of the answer (or the failure) */
  durationMs: number;
  /** No answer: why; leave out with status */
  error?: ListenerErrorInput | null | undefined;
  /** The answer's headers, names to string values */
  headers?: unknown;
  /** The ListenerRequest id */
  requestId: string | number;
  /** The receiver's HTTP status; leave out with error */
  status?: number | null | undefined;
};

/** What a portal link may do */
export type PortalMode =
  /** Read, change webhooks, and retry deliveries */
  | 'MANAGE'
  /** Read webhooks, deliveries and jobs only */
  | 'READ_ONLY';

export type PublishEventInput = {
  /** The event's payload; must include job_id */
  data: unknown;
  /** Publishing again with the same key within 24 h returns the first event and sends nothing */
  idempotencyKey?: string | null | undefined;
  /** An event type from eventTypes, e.g. batch.progress */
  type: string;
};

export type RecoverDeliveriesInput = {
  /** Deliveries created from then (included) */
  since: string;
  /** With one of these statuses; FAILED when omitted */
  statuses?: Array<DeliveryStatus> | null | undefined;
  /** to then (excluded); not before since, and at most the retention after it */
  until: string;
};

export type RecoveryState =
  /** Every matching delivery was queued; each attempt shows on its delivery */
  | 'COMPLETED'
  /** Queuing the matching deliveries for another attempt, a batch a second */
  | 'RUNNING';

/** A window of stats, ending now; `since` in the stats says exactly where it starts */
export type StatsWindow =
  /** The current hour and the 24 before it */
  | 'DAY'
  /** The current minute and the 60 before it */
  | 'HOUR'
  /** The current hour and the 168 before it */
  | 'WEEK';

export type UpdateWebhookInput = {
  description?: string | null | undefined;
  events?: Array<string> | null | undefined;
  /** A payload filter over the event's `data`: fields (objects descend, a plain value means `$eq`) and the operators `$eq`, `$neq`, `$in`, `$nin`, `$gt`, `$gte`, `$lt`, `$lte`, `$exists`, `$startsWith`, `$endsWith`, `$and`, `$or`, `$not`, e.g. `{"problem_type": "MAXCUT", "result": {"approximation_ratio": {"$gte": 0.9}}}`; at most 10 levels deep and 4096 bytes (pass it in a variable: a GraphQL literal cannot name `$` keys). The webhook receives only the events of its types that match; null clears it, omitted keeps it */
  filter?: unknown;
  /** Custom headers, at most 20, replacing any set before (null or [] clears them) */
  headers?: Array<WebhookHeaderInput> | null | undefined;
  /** Send the W3C traceparent to the receiver (default false) */
  propagateTraceContext?: boolean | null | undefined;
  /** Deliveries started per second at most, 1 to 1,000 (null: no limit) */
  rateLimitPerSecond?: number | null | undefined;
  /** An HTTP webhook only */
  url?: string | null | undefined;
};

/** A custom header sent with every attempt */
export type WebhookHeaderInput = {
  /** An HTTP header name; not one the service sets itself, nor hop-by-hop */
  name: string;
  /** Printable ASCII, at most 2,048 characters; on update, null keeps this header's current value */
  value?: string | null | undefined;
};

/** Where a webhook's deliveries go */
export type WebhookKind =
  /** Signed POSTs to its url */
  | 'HTTP'
  /** Handed to a connected listener (`aiplatform-webhooks listen`), which forwards them */
  | 'LISTEN'
  /** Kept in order to be pulled (`GET /v1/webhooks/{webhook_id}/messages`) and acknowledged */
  | 'PULL';

export type WebhookStatus =
  /** Receives deliveries */
  | 'ACTIVE'
  /** Receives nothing until enabled again; see disabledReason */
  | 'DISABLED';

export type DeliveryAttemptFieldsFragment = { number: number, startedAt: string, durationMs: number, requestHeaders: unknown, requestBody: string, responseStatus: number | null, responseHeaders: unknown, responseBody: string | null, responseBodyTruncated: boolean, errorKind: string | null, errorMessage: string | null };

export type DeliveryFieldsFragment = { id: string, eventType: string, status: DeliveryStatus, statusCode: number | null, attemptCount: number, responseTimeMs: number | null, timestamp: string, nextAttemptAt: string | null, createdAt: string, event: { id: string, type: string, timestamp: string }, webhook: { id: string, url: string | null } };

export type DeliveriesQueryVariables = Exact<{
  webhookId?: string | number | null | undefined;
  status?: DeliveryStatus | null | undefined;
  eventType?: string | null | undefined;
  eventId?: string | number | null | undefined;
  since?: string | null | undefined;
  until?: string | null | undefined;
  first?: number | null | undefined;
  after?: string | null | undefined;
  last?: number | null | undefined;
  before?: string | null | undefined;
}>;


export type DeliveriesQuery = { deliveries: { totalCount: number, pageInfo: { hasNextPage: boolean, hasPreviousPage: boolean, startCursor: string | null, endCursor: string | null }, edges: Array<{ cursor: string, node: { id: string, eventType: string, status: DeliveryStatus, statusCode: number | null, attemptCount: number, responseTimeMs: number | null, timestamp: string, nextAttemptAt: string | null, createdAt: string, event: { id: string, type: string, timestamp: string }, webhook: { id: string, url: string | null } } }> } };

export type DeliveryQueryVariables = Exact<{
  id: string | number;
}>;


export type DeliveryQuery = { delivery:
    | { __typename: 'Delivery', id: string, eventType: string, status: DeliveryStatus, statusCode: number | null, attemptCount: number, responseTimeMs: number | null, timestamp: string, nextAttemptAt: string | null, createdAt: string, attempts: Array<{ number: number, startedAt: string, durationMs: number, requestHeaders: unknown, requestBody: string, responseStatus: number | null, responseHeaders: unknown, responseBody: string | null, responseBodyTruncated: boolean, errorKind: string | null, errorMessage: string | null }>, event: { id: string, type: string, timestamp: string }, webhook: { id: string, url: string | null } }
    | { __typename: 'ForbiddenError', scope: string, message: string }
    | { __typename: 'NotFoundError', message: string }
   };

export type RetryDeliveryMutationVariables = Exact<{
  id: string | number;
}>;


export type RetryDeliveryMutation = { retryDelivery:
    | { __typename: 'Delivery', id: string, eventType: string, status: DeliveryStatus, statusCode: number | null, attemptCount: number, responseTimeMs: number | null, timestamp: string, nextAttemptAt: string | null, createdAt: string, event: { id: string, type: string, timestamp: string }, webhook: { id: string, url: string | null } }
    | { __typename: 'ForbiddenError', scope: string, message: string }
    | { __typename: 'NotFoundError', message: string }
   };

export type RecoveryFieldsFragment = { id: string, since: string, until: string, statuses: Array<DeliveryStatus>, total: number, requeued: number, state: RecoveryState, createdAt: string, completedAt: string | null, webhook: { id: string } };

export type RecoverDeliveriesMutationVariables = Exact<{
  webhookId: string | number;
  input: RecoverDeliveriesInput;
}>;


export type RecoverDeliveriesMutation = { recoverDeliveries:
    | { __typename: 'ForbiddenError', scope: string, message: string }
    | { __typename: 'NotFoundError', message: string }
    | { __typename: 'Recovery', id: string, since: string, until: string, statuses: Array<DeliveryStatus>, total: number, requeued: number, state: RecoveryState, createdAt: string, completedAt: string | null, webhook: { id: string } }
    | { __typename: 'ValidationError', field: string, message: string }
   };

export type RecoveryQueryVariables = Exact<{
  id: string | number;
}>;


export type RecoveryQuery = { recovery:
    | { __typename: 'ForbiddenError', scope: string, message: string }
    | { __typename: 'NotFoundError', message: string }
    | { __typename: 'Recovery', id: string, since: string, until: string, statuses: Array<DeliveryStatus>, total: number, requeued: number, state: RecoveryState, createdAt: string, completedAt: string | null, webhook: { id: string } }
   };

export type EventFieldsFragment = { id: string, type: string, timestamp: string, data: unknown };

export type PublishEventMutationVariables = Exact<{
  input: PublishEventInput;
}>;


export type PublishEventMutation = { publishEvent:
    | { __typename: 'ConflictError', message: string }
    | { __typename: 'ForbiddenError', scope: string, message: string }
    | { __typename: 'PublishEventPayload', deliveryCount: number, event: { id: string, type: string, timestamp: string, data: unknown } }
    | { __typename: 'ValidationError', field: string, message: string }
   };

export type PublishEventsMutationVariables = Exact<{
  events: Array<PublishEventInput> | PublishEventInput;
}>;


export type PublishEventsMutation = { publishEvents:
    | { __typename: 'ForbiddenError', scope: string, message: string }
    | { __typename: 'PublishEventsPayload', results: Array<
        | { __typename: 'ConflictError', message: string }
        | { __typename: 'PublishEventPayload', deliveryCount: number, event: { id: string, type: string, timestamp: string, data: unknown } }
        | { __typename: 'ValidationError', field: string, message: string }
      > }
    | { __typename: 'ValidationError', field: string, message: string }
   };

export type EventQueryVariables = Exact<{
  id: string | number;
}>;


export type EventQuery = { event:
    | { __typename: 'Event', id: string, type: string, timestamp: string, data: unknown, deliveries: Array<{ id: string, status: DeliveryStatus, statusCode: number | null, attemptCount: number, webhook: { id: string } }> }
    | { __typename: 'ForbiddenError', scope: string, message: string }
    | { __typename: 'NotFoundError', message: string }
   };

export type EventTypesQueryVariables = Exact<{ [key: string]: never; }>;


export type EventTypesQuery = { eventTypes: Array<{ type: string, description: string, example: unknown }> };

export type EventsQueryVariables = Exact<{
  type?: string | null | undefined;
  jobId?: string | null | undefined;
  since?: string | null | undefined;
  until?: string | null | undefined;
  first?: number | null | undefined;
  after?: string | null | undefined;
  last?: number | null | undefined;
  before?: string | null | undefined;
}>;


export type EventsQuery = { events: { pageInfo: { hasNextPage: boolean, hasPreviousPage: boolean, startCursor: string | null, endCursor: string | null }, edges: Array<{ cursor: string, node: { id: string, type: string, timestamp: string, data: unknown } }> } };

export type ReplayEventMutationVariables = Exact<{
  id: string | number;
}>;


export type ReplayEventMutation = { replayEvent:
    | { __typename: 'ForbiddenError', scope: string, message: string }
    | { __typename: 'NotFoundError', message: string }
    | { __typename: 'PublishEventPayload', deliveryCount: number, event: { id: string, type: string, timestamp: string, data: unknown } }
   };

export type JobQueryVariables = Exact<{
  jobId: string | number;
}>;


export type JobQuery = { job:
    | { __typename: 'ForbiddenError', scope: string, message: string }
    | { __typename: 'Job', jobId: string, type: JobType, status: JobStatus, lastEventType: string, totalImages: number | null, processedImages: number | null, failedImages: number | null, progressPercent: number | null, round: number | null, totalRounds: number | null, accuracy: number | null, loss: number | null, createdAt: string, updatedAt: string, lastEvent: { id: string, type: string, timestamp: string, data: unknown } | null }
    | { __typename: 'NotFoundError', message: string }
   };

export type ListenSubscriptionVariables = Exact<{
  webhookId: string | number;
}>;


export type ListenSubscription = { listen:
    | { __typename: 'ListenerReady', webhookId: string }
    | { __typename: 'ListenerRequest', id: string, webhookId: string, deliveryId: string, eventId: string, eventType: string, headers: unknown, body: string, timeoutMs: number }
   };

export type ReportListenerResultMutationVariables = Exact<{
  input: ListenerResultInput;
}>;


export type ReportListenerResultMutation = { reportListenerResult:
    | { __typename: 'ForbiddenError', scope: string, message: string }
    | { __typename: 'NotFoundError', message: string }
    | { __typename: 'ReportListenerResultPayload', requestId: string }
    | { __typename: 'ValidationError', field: string, message: string }
   };

export type ProjectFieldsFragment = { id: string, name: string, createdAt: string };

type ProjectErrorFields_ConflictError_Fragment = { message: string };

type ProjectErrorFields_ForbiddenError_Fragment = { scope: string, message: string };

type ProjectErrorFields_NotFoundError_Fragment = { message: string };

type ProjectErrorFields_ValidationError_Fragment = { field: string, message: string };

export type ProjectErrorFieldsFragment =
  | ProjectErrorFields_ConflictError_Fragment
  | ProjectErrorFields_ForbiddenError_Fragment
  | ProjectErrorFields_NotFoundError_Fragment
  | ProjectErrorFields_ValidationError_Fragment
;

export type ApiKeyFieldsFragment = { id: string, projectId: string, name: string, prefix: string, scopes: Array<string>, createdAt: string, revokedAt: string | null };

export type ProjectsQueryVariables = Exact<{
  first?: number | null | undefined;
  after?: string | null | undefined;
  last?: number | null | undefined;
  before?: string | null | undefined;
}>;


export type ProjectsQuery = { projects: { totalCount: number, pageInfo: { hasNextPage: boolean, hasPreviousPage: boolean, startCursor: string | null, endCursor: string | null }, edges: Array<{ cursor: string, node: { id: string, name: string, createdAt: string } }> } };

export type ApiKeysQueryVariables = Exact<{
  projectId: string | number;
}>;


export type ApiKeysQuery = { apiKeys: Array<{ id: string, projectId: string, name: string, prefix: string, scopes: Array<string>, createdAt: string, revokedAt: string | null }> };

export type CreateProjectMutationVariables = Exact<{
  input: CreateProjectInput;
}>;


export type CreateProjectMutation = { createProject:
    | { __typename: 'ConflictError', message: string }
    | { __typename: 'ForbiddenError', scope: string, message: string }
    | { __typename: 'Project', id: string, name: string, createdAt: string }
    | { __typename: 'ValidationError', field: string, message: string }
   };

export type RenameProjectMutationVariables = Exact<{
  id: string | number;
  name: string;
}>;


export type RenameProjectMutation = { renameProject:
    | { __typename: 'ConflictError', message: string }
    | { __typename: 'ForbiddenError', scope: string, message: string }
    | { __typename: 'NotFoundError', message: string }
    | { __typename: 'Project', id: string, name: string, createdAt: string }
    | { __typename: 'ValidationError', field: string, message: string }
   };

export type DeleteProjectMutationVariables = Exact<{
  id: string | number;
}>;


export type DeleteProjectMutation = { deleteProject:
    | { __typename: 'ConflictError', message: string }
    | { __typename: 'DeleteProjectPayload', deletedProjectId: string }
    | { __typename: 'ForbiddenError', scope: string, message: string }
    | { __typename: 'NotFoundError', message: string }
   };

export type CreateApiKeyMutationVariables = Exact<{
  projectId: string | number;
  input?: CreateApiKeyInput | null | undefined;
}>;


export type CreateApiKeyMutation = { createApiKey:
    | { __typename: 'CreateApiKeyPayload', key: string, apiKey: { id: string, projectId: string, name: string, prefix: string, scopes: Array<string>, createdAt: string, revokedAt: string | null } }
    | { __typename: 'ForbiddenError', scope: string, message: string }
    | { __typename: 'NotFoundError', message: string }
    | { __typename: 'ValidationError', field: string, message: string }
   };

export type RevokeApiKeyMutationVariables = Exact<{
  id: string | number;
}>;


export type RevokeApiKeyMutation = { revokeApiKey:
    | { __typename: 'ApiKey', id: string, projectId: string, name: string, prefix: string, scopes: Array<string>, createdAt: string, revokedAt: string | null }
    | { __typename: 'ForbiddenError', scope: string, message: string }
    | { __typename: 'NotFoundError', message: string }
   };

export type AuditEventsQueryVariables = Exact<{
  projectId: string | number;
  first?: number | null | undefined;
  after?: string | null | undefined;
}>;


export type AuditEventsQuery = { auditEvents: { pageInfo: { hasNextPage: boolean, endCursor: string | null }, edges: Array<{ cursor: string, node: { id: string, action: string, resourceType: string, resourceId: string, apiKeyId: string, details: unknown, createdAt: string } }> } };

export type BatchProgressSubscriptionVariables = Exact<{
  jobId: string | number;
}>;


export type BatchProgressSubscription = { batchProgress: { jobId: string, status: JobStatus, totalImages: number | null, processedImages: number | null, failedImages: number | null, progressPercent: number | null, updatedAt: string } };

export type TrainingProgressSubscriptionVariables = Exact<{
  jobId: string | number;
}>;


export type TrainingProgressSubscription = { trainingProgress: { jobId: string, status: JobStatus, round: number | null, totalRounds: number | null, accuracy: number | null, loss: number | null, updatedAt: string } };

export type JobEventsSubscriptionVariables = Exact<{
  jobId: string | number;
  after?: string | null | undefined;
}>;


export type JobEventsSubscription = { jobEvents: { position: string | null, id: string, type: string, timestamp: string, data: unknown } };

export type DeliveryUpdatesSubscriptionVariables = Exact<{
  webhookId: string | number;
  after?: string | null | undefined;
}>;


export type DeliveryUpdatesSubscription = { deliveryUpdates: { position: string | null, id: string, eventType: string, status: DeliveryStatus, statusCode: number | null, attemptCount: number, responseTimeMs: number | null, timestamp: string, nextAttemptAt: string | null, createdAt: string, event: { id: string, type: string, timestamp: string }, webhook: { id: string, url: string | null } } };

export type WebhookHealthSubscriptionVariables = Exact<{
  webhookId?: string | number | null | undefined;
  after?: string | null | undefined;
}>;


export type WebhookHealthSubscription = { webhookHealth: { position: string | null, id: string, type: string, timestamp: string, data: unknown } };

export type CreateAccessTokenMutationVariables = Exact<{
  input: CreateAccessTokenInput;
}>;


export type CreateAccessTokenMutation = { createAccessToken:
    | { __typename: 'AccessTokenPayload', token: string, expiresAt: string }
    | { __typename: 'ForbiddenError', scope: string, message: string }
    | { __typename: 'ValidationError', field: string, message: string }
   };

export type CreatePortalLinkMutationVariables = Exact<{
  input: CreatePortalLinkInput;
}>;


export type CreatePortalLinkMutation = { createPortalLink:
    | { __typename: 'ForbiddenError', scope: string, message: string }
    | { __typename: 'PortalLinkPayload', url: string, expiresAt: string }
    | { __typename: 'ValidationError', field: string, message: string }
   };

export type WebhookFieldsFragment = { id: string, kind: WebhookKind, url: string | null, description: string | null, events: Array<string>, filter: unknown, status: WebhookStatus, disabledAt: string | null, disabledReason: string | null, rateLimitPerSecond: number | null, headerNames: Array<string>, propagateTraceContext: boolean, createdAt: string, updatedAt: string };

export type WebhooksQueryVariables = Exact<{
  first?: number | null | undefined;
  after?: string | null | undefined;
  last?: number | null | undefined;
  before?: string | null | undefined;
}>;


export type WebhooksQuery = { webhooks: { totalCount: number, pageInfo: { hasNextPage: boolean, hasPreviousPage: boolean, startCursor: string | null, endCursor: string | null }, edges: Array<{ cursor: string, node: { id: string, kind: WebhookKind, url: string | null, description: string | null, events: Array<string>, filter: unknown, status: WebhookStatus, disabledAt: string | null, disabledReason: string | null, rateLimitPerSecond: number | null, headerNames: Array<string>, propagateTraceContext: boolean, createdAt: string, updatedAt: string } }> } };

export type WebhookStatsFieldsFragment = { window: StatsWindow, since: string, attempts: number, successes: number, failures: number, successRate: number | null, p50ResponseTimeMs: number | null, p95ResponseTimeMs: number | null, consecutiveFailures: number, lastSuccessAt: string | null, lastFailureAt: string | null };

export type WebhookStatsQueryVariables = Exact<{
  id: string | number;
  window: StatsWindow;
}>;


export type WebhookStatsQuery = { webhook:
    | { __typename: 'ForbiddenError', scope: string, message: string }
    | { __typename: 'NotFoundError', message: string }
    | { __typename: 'Webhook', stats: { window: StatsWindow, since: string, attempts: number, successes: number, failures: number, successRate: number | null, p50ResponseTimeMs: number | null, p95ResponseTimeMs: number | null, consecutiveFailures: number, lastSuccessAt: string | null, lastFailureAt: string | null } }
   };

export type WebhookQueryVariables = Exact<{
  id: string | number;
}>;


export type WebhookQuery = { webhook:
    | { __typename: 'ForbiddenError', scope: string, message: string }
    | { __typename: 'NotFoundError', message: string }
    | { __typename: 'Webhook', id: string, kind: WebhookKind, url: string | null, description: string | null, events: Array<string>, filter: unknown, status: WebhookStatus, disabledAt: string | null, disabledReason: string | null, rateLimitPerSecond: number | null, headerNames: Array<string>, propagateTraceContext: boolean, createdAt: string, updatedAt: string }
   };

export type CreateWebhookMutationVariables = Exact<{
  input: CreateWebhookInput;
}>;


export type CreateWebhookMutation = { createWebhook:
    | { __typename: 'CreateWebhookPayload', secret: string, webhook: { id: string, kind: WebhookKind, url: string | null, description: string | null, events: Array<string>, filter: unknown, status: WebhookStatus, disabledAt: string | null, disabledReason: string | null, rateLimitPerSecond: number | null, headerNames: Array<string>, propagateTraceContext: boolean, createdAt: string, updatedAt: string } }
    | { __typename: 'ForbiddenError', scope: string, message: string }
    | { __typename: 'ValidationError', field: string, message: string }
   };

export type UpdateWebhookMutationVariables = Exact<{
  id: string | number;
  input: UpdateWebhookInput;
}>;


export type UpdateWebhookMutation = { updateWebhook:
    | { __typename: 'ForbiddenError', scope: string, message: string }
    | { __typename: 'NotFoundError', message: string }
    | { __typename: 'ValidationError', field: string, message: string }
    | { __typename: 'Webhook', id: string, kind: WebhookKind, url: string | null, description: string | null, events: Array<string>, filter: unknown, status: WebhookStatus, disabledAt: string | null, disabledReason: string | null, rateLimitPerSecond: number | null, headerNames: Array<string>, propagateTraceContext: boolean, createdAt: string, updatedAt: string }
   };

export type DeleteWebhookMutationVariables = Exact<{
  id: string | number;
}>;


export type DeleteWebhookMutation = { deleteWebhook:
    | { __typename: 'DeleteWebhookPayload', deletedWebhookId: string }
    | { __typename: 'ForbiddenError', scope: string, message: string }
    | { __typename: 'NotFoundError', message: string }
   };

export type EnableWebhookMutationVariables = Exact<{
  id: string | number;
}>;


export type EnableWebhookMutation = { enableWebhook:
    | { __typename: 'ForbiddenError', scope: string, message: string }
    | { __typename: 'NotFoundError', message: string }
    | { __typename: 'Webhook', id: string, kind: WebhookKind, url: string | null, description: string | null, events: Array<string>, filter: unknown, status: WebhookStatus, disabledAt: string | null, disabledReason: string | null, rateLimitPerSecond: number | null, headerNames: Array<string>, propagateTraceContext: boolean, createdAt: string, updatedAt: string }
   };

export type DisableWebhookMutationVariables = Exact<{
  id: string | number;
}>;


export type DisableWebhookMutation = { disableWebhook:
    | { __typename: 'ForbiddenError', scope: string, message: string }
    | { __typename: 'NotFoundError', message: string }
    | { __typename: 'Webhook', id: string, kind: WebhookKind, url: string | null, description: string | null, events: Array<string>, filter: unknown, status: WebhookStatus, disabledAt: string | null, disabledReason: string | null, rateLimitPerSecond: number | null, headerNames: Array<string>, propagateTraceContext: boolean, createdAt: string, updatedAt: string }
   };

export type RotateWebhookSecretMutationVariables = Exact<{
  id: string | number;
  gracePeriodSeconds?: number | null | undefined;
}>;


export type RotateWebhookSecretMutation = { rotateWebhookSecret:
    | { __typename: 'ForbiddenError', scope: string, message: string }
    | { __typename: 'NotFoundError', message: string }
    | { __typename: 'RotateWebhookSecretPayload', secret: string, webhook: { id: string, kind: WebhookKind, url: string | null, description: string | null, events: Array<string>, filter: unknown, status: WebhookStatus, disabledAt: string | null, disabledReason: string | null, rateLimitPerSecond: number | null, headerNames: Array<string>, propagateTraceContext: boolean, createdAt: string, updatedAt: string } }
    | { __typename: 'ValidationError', field: string, message: string }
   };

export type TestWebhookMutationVariables = Exact<{
  id: string | number;
}>;


export type TestWebhookMutation = { testWebhook:
    | { __typename: 'Delivery', id: string, eventType: string, status: DeliveryStatus, statusCode: number | null, attemptCount: number, responseTimeMs: number | null, timestamp: string, nextAttemptAt: string | null, createdAt: string, event: { id: string, type: string, timestamp: string }, webhook: { id: string, url: string | null } }
    | { __typename: 'ForbiddenError', scope: string, message: string }
    | { __typename: 'NotFoundError', message: string }
   };

export type PreviewWebhookFilterQueryVariables = Exact<{
  events: Array<string> | string;
  filter?: unknown;
  first?: number | null | undefined;
}>;


export type PreviewWebhookFilterQuery = { previewWebhookFilter:
    | { __typename: 'ForbiddenError', scope: string, message: string }
    | { __typename: 'ValidationError', field: string, message: string }
    | { __typename: 'WebhookFilterPreview', events: Array<{ matched: boolean, event: { id: string, type: string, timestamp: string, data: unknown } }> }
   };

export class TypedDocumentString<TResult, TVariables>
  extends String
  implements DocumentTypeDecoration<TResult, TVariables>
{
  __apiType?: NonNullable<DocumentTypeDecoration<TResult, TVariables>['__apiType']>;
  private value: string;
  public __meta__?: Record<string, any> | undefined;

  constructor(value: string, __meta__?: Record<string, any> | undefined) {
    super(value);
    this.value = value;
    this.__meta__ = __meta__;
  }

  override toString(): string & DocumentTypeDecoration<TResult, TVariables> {
    return this.value;
  }
}
export const DeliveryAttemptFieldsFragmentDoc = new TypedDocumentString(`
    fragment DeliveryAttemptFields on DeliveryAttempt {
  number
  startedAt
  durationMs
  requestHeaders
  requestBody
  responseStatus
  responseHeaders
  responseBody
  responseBodyTruncated
  errorKind
  errorMessage
}
    `, {"fragmentName":"DeliveryAttemptFields"}) as unknown as TypedDocumentString<DeliveryAttemptFieldsFragment, unknown>;
export const DeliveryFieldsFragmentDoc = new TypedDocumentString(`
    fragment DeliveryFields on Delivery {
  id
  eventType
  status
  statusCode
  attemptCount
  responseTimeMs
  timestamp
  nextAttemptAt
  createdAt
  event {
    id
    type
    timestamp
  }
  webhook {
    id
    url
  }
}
    `, {"fragmentName":"DeliveryFields"}) as unknown as TypedDocumentString<DeliveryFieldsFragment, unknown>;
export const RecoveryFieldsFragmentDoc = new TypedDocumentString(`
    fragment RecoveryFields on Recovery {
  id
  webhook {
    id
  }
  since
  until
  statuses
  total
  requeued
  state
  createdAt
  completedAt
}
    `, {"fragmentName":"RecoveryFields"}) as unknown as TypedDocumentString<RecoveryFieldsFragment, unknown>;
export const EventFieldsFragmentDoc = new TypedDocumentString(`
    fragment EventFields on Event {
  id
  type
  timestamp
  data
}
    `, {"fragmentName":"EventFields"}) as unknown as TypedDocumentString<EventFieldsFragment, unknown>;
export const ProjectFieldsFragmentDoc = new TypedDocumentString(`
    fragment ProjectFields on Project {
  id
  name
  createdAt
}
    `, {"fragmentName":"ProjectFields"}) as unknown as TypedDocumentString<ProjectFieldsFragment, unknown>;
export const ProjectErrorFieldsFragmentDoc = new TypedDocumentString(`
    fragment ProjectErrorFields on Error {
  message
  ... on ValidationError {
    field
  }
  ... on ForbiddenError {
    scope
  }
}
    `, {"fragmentName":"ProjectErrorFields"}) as unknown as TypedDocumentString<ProjectErrorFieldsFragment, unknown>;
export const ApiKeyFieldsFragmentDoc = new TypedDocumentString(`
    fragment ApiKeyFields on ApiKey {
  id
  projectId
  name
  prefix
  scopes
  createdAt
  revokedAt
}
    `, {"fragmentName":"ApiKeyFields"}) as unknown as TypedDocumentString<ApiKeyFieldsFragment, unknown>;
export const WebhookFieldsFragmentDoc = new TypedDocumentString(`
    fragment WebhookFields on Webhook {
  id
  kind
  url
  description
  events
  filter
  status
  disabledAt
  disabledReason
  rateLimitPerSecond
  headerNames
  propagateTraceContext
  createdAt
  updatedAt
}
    `, {"fragmentName":"WebhookFields"}) as unknown as TypedDocumentString<WebhookFieldsFragment, unknown>;
export const WebhookStatsFieldsFragmentDoc = new TypedDocumentString(`
    fragment WebhookStatsFields on WebhookStats {
  window
  since
  attempts
  successes
  failures
  successRate
  p50ResponseTimeMs
  p95ResponseTimeMs
  consecutiveFailures
  lastSuccessAt
  lastFailureAt
}
    `, {"fragmentName":"WebhookStatsFields"}) as unknown as TypedDocumentString<WebhookStatsFieldsFragment, unknown>;
export const DeliveriesDocument = new TypedDocumentString(`
    query Deliveries($webhookId: ID, $status: DeliveryStatus, $eventType: String, $eventId: ID, $since: DateTime, $until: DateTime, $first: Int, $after: String, $last: Int, $before: String) {
  deliveries(
    webhookId: $webhookId
    status: $status
    eventType: $eventType
    eventId: $eventId
    since: $since
    until: $until
    first: $first
    after: $after
    last: $last
    before: $before
  ) {
    totalCount
    pageInfo {
      hasNextPage
      hasPreviousPage
      startCursor
      endCursor
    }
    edges {
      cursor
      node {
        ...DeliveryFields
      }
    }
  }
}
    fragment DeliveryFields on Delivery {
  id
  eventType
  status
  statusCode
  attemptCount
  responseTimeMs
  timestamp
  nextAttemptAt
  createdAt
  event {
    id
    type
    timestamp
  }
  webhook {
    id
    url
  }
}`) as unknown as TypedDocumentString<DeliveriesQuery, DeliveriesQueryVariables>;
export const DeliveryDocument = new TypedDocumentString(`
    query Delivery($id: ID!) {
  delivery(id: $id) {
    __typename
    ... on Delivery {
      ...DeliveryFields
      attempts {
        ...DeliveryAttemptFields
      }
    }
    ... on ForbiddenError {
      scope
    }
    ... on Error {
      message
    }
  }
}
    fragment DeliveryAttemptFields on DeliveryAttempt {
  number
  startedAt
  durationMs
  requestHeaders
  requestBody
  responseStatus
  responseHeaders
  responseBody
  responseBodyTruncated
  errorKind
  errorMessage
}
fragment DeliveryFields on Delivery {
  id
  eventType
  status
  statusCode
  attemptCount
  responseTimeMs
  timestamp
  nextAttemptAt
  createdAt
  event {
    id
    type
    timestamp
  }
  webhook {
    id
    url
  }
}`) as unknown as TypedDocumentString<DeliveryQuery, DeliveryQueryVariables>;
export const RetryDeliveryDocument = new TypedDocumentString(`
    mutation RetryDelivery($id: ID!) {
  retryDelivery(id: $id) {
    __typename
    ... on Delivery {
      ...DeliveryFields
    }
    ... on ForbiddenError {
      scope
    }
    ... on Error {
      message
    }
  }
}
    fragment DeliveryFields on Delivery {
  id
  eventType
  status
  statusCode
  attemptCount
  responseTimeMs
  timestamp
  nextAttemptAt
  createdAt
  event {
    id
    type
    timestamp
  }
  webhook {
    id
    url
  }
}`) as unknown as TypedDocumentString<RetryDeliveryMutation, RetryDeliveryMutationVariables>;
export const RecoverDeliveriesDocument = new TypedDocumentString(`
    mutation RecoverDeliveries($webhookId: ID!, $input: RecoverDeliveriesInput!) {
  recoverDeliveries(webhookId: $webhookId, input: $input) {
    __typename
    ... on Recovery {
      ...RecoveryFields
    }
    ... on ValidationError {
      field
    }
    ... on ForbiddenError {
      scope
    }
    ... on Error {
      message
    }
  }
}
    fragment RecoveryFields on Recovery {
  id
  webhook {
    id
  }
  since
  until
  statuses
  total
  requeued
  state
  createdAt
  completedAt
}`) as unknown as TypedDocumentString<RecoverDeliveriesMutation, RecoverDeliveriesMutationVariables>;
export const RecoveryDocument = new TypedDocumentString(`
    query Recovery($id: ID!) {
  recovery(id: $id) {
    __typename
    ... on Recovery {
      ...RecoveryFields
    }
    ... on ForbiddenError {
      scope
    }
    ... on Error {
      message
    }
  }
}
    fragment RecoveryFields on Recovery {
  id
  webhook {
    id
  }
  since
  until
  statuses
  total
  requeued
  state
  createdAt
  completedAt
}`) as unknown as TypedDocumentString<RecoveryQuery, RecoveryQueryVariables>;
export const PublishEventDocument = new TypedDocumentString(`
    mutation PublishEvent($input: PublishEventInput!) {
  publishEvent(input: $input) {
    __typename
    ... on PublishEventPayload {
      deliveryCount
      event {
        ...EventFields
      }
    }
    ... on ValidationError {
      field
    }
    ... on ForbiddenError {
      scope
    }
    ... on Error {
      message
    }
  }
}
    fragment EventFields on Event {
  id
  type
  timestamp
  data
}`) as unknown as TypedDocumentString<PublishEventMutation, PublishEventMutationVariables>;
export const PublishEventsDocument = new TypedDocumentString(`
    mutation PublishEvents($events: [PublishEventInput!]!) {
  publishEvents(events: $events) {
    __typename
    ... on PublishEventsPayload {
      results {
        __typename
        ... on PublishEventPayload {
          deliveryCount
          event {
            ...EventFields
          }
        }
        ... on ValidationError {
          field
        }
        ... on Error {
          message
        }
      }
    }
    ... on ValidationError {
      field
    }
    ... on ForbiddenError {
      scope
    }
    ... on Error {
      message
    }
  }
}
    fragment EventFields on Event {
  id
  type
  timestamp
  data
}`) as unknown as TypedDocumentString<PublishEventsMutation, PublishEventsMutationVariables>;
export const EventDocument = new TypedDocumentString(`
    query Event($id: ID!) {
  event(id: $id) {
    __typename
    ... on Event {
      ...EventFields
      deliveries {
        id
        status
        statusCode
        attemptCount
        webhook {
          id
        }
      }
    }
    ... on ForbiddenError {
      scope
    }
    ... on Error {
      message
    }
  }
}
    fragment EventFields on Event {
  id
  type
  timestamp
  data
}`) as unknown as TypedDocumentString<EventQuery, EventQueryVariables>;
export const EventTypesDocument = new TypedDocumentString(`
    query EventTypes {
  eventTypes {
    type
    description
    example
  }
}
    `) as unknown as TypedDocumentString<EventTypesQuery, EventTypesQueryVariables>;
export const EventsDocument = new TypedDocumentString(`
    query Events($type: String, $jobId: String, $since: DateTime, $until: DateTime, $first: Int, $after: String, $last: Int, $before: String) {
  events(
    type: $type
    jobId: $jobId
    since: $since
    until: $until
    first: $first
    after: $after
    last: $last
    before: $before
  ) {
    pageInfo {
      hasNextPage
      hasPreviousPage
      startCursor
      endCursor
    }
    edges {
      cursor
      node {
        ...EventFields
      }
    }
  }
}
    fragment EventFields on Event {
  id
  type
  timestamp
  data
}`) as unknown as TypedDocumentString<EventsQuery, EventsQueryVariables>;
export const ReplayEventDocument = new TypedDocumentString(`
    mutation ReplayEvent($id: ID!) {
  replayEvent(id: $id) {
    __typename
    ... on PublishEventPayload {
      deliveryCount
      event {
        ...EventFields
      }
    }
    ... on ForbiddenError {
      scope
    }
    ... on Error {
      message
    }
  }
}
    fragment EventFields on Event {
  id
  type
  timestamp
  data
}`) as unknown as TypedDocumentString<ReplayEventMutation, ReplayEventMutationVariables>;
export const JobDocument = new TypedDocumentString(`
    query Job($jobId: ID!) {
  job(jobId: $jobId) {
    __typename
    ... on Job {
      jobId
      type
      status
      lastEventType
      lastEvent {
        ...EventFields
      }
      totalImages
      processedImages
      failedImages
      progressPercent
      round
      totalRounds
      accuracy
      loss
      createdAt
      updatedAt
    }
    ... on ForbiddenError {
      scope
    }
    ... on Error {
      message
    }
  }
}
    fragment EventFields on Event {
  id
  type
  timestamp
  data
}`) as unknown as TypedDocumentString<JobQuery, JobQueryVariables>;
export const ListenDocument = new TypedDocumentString(`
    subscription Listen($webhookId: ID!) {
  listen(webhookId: $webhookId) {
    __typename
    ... on ListenerReady {
      webhookId
    }
    ... on ListenerRequest {
      id
      webhookId
      deliveryId
      eventId
      eventType
      headers
      body
      timeoutMs
    }
  }
}
    `) as unknown as TypedDocumentString<ListenSubscription, ListenSubscriptionVariables>;
export const ReportListenerResultDocument = new TypedDocumentString(`
    mutation ReportListenerResult($input: ListenerResultInput!) {
  reportListenerResult(input: $input) {
    __typename
    ... on ReportListenerResultPayload {
      requestId
    }
    ... on ValidationError {
      field
    }
    ... on ForbiddenError {
      scope
    }
    ... on Error {
      message
    }
  }
}
    `) as unknown as TypedDocumentString<ReportListenerResultMutation, ReportListenerResultMutationVariables>;
export const ProjectsDocument = new TypedDocumentString(`
    query Projects($first: Int, $after: String, $last: Int, $before: String) {
  projects(first: $first, after: $after, last: $last, before: $before) {
    totalCount
    pageInfo {
      hasNextPage
      hasPreviousPage
      startCursor
      endCursor
    }
    edges {
      cursor
      node {
        ...ProjectFields
      }
    }
  }
}
    fragment ProjectFields on Project {
  id
  name
  createdAt
}`) as unknown as TypedDocumentString<ProjectsQuery, ProjectsQueryVariables>;
export const ApiKeysDocument = new TypedDocumentString(`
    query ApiKeys($projectId: ID!) {
  apiKeys(projectId: $projectId) {
    ...ApiKeyFields
  }
}
    fragment ApiKeyFields on ApiKey {
  id
  projectId
  name
  prefix
  scopes
  createdAt
  revokedAt
}`) as unknown as TypedDocumentString<ApiKeysQuery, ApiKeysQueryVariables>;
export const CreateProjectDocument = new TypedDocumentString(`
    mutation CreateProject($input: CreateProjectInput!) {
  createProject(input: $input) {
    __typename
    ... on Project {
      ...ProjectFields
    }
    ...ProjectErrorFields
  }
}
    fragment ProjectFields on Project {
  id
  name
  createdAt
}
fragment ProjectErrorFields on Error {
  message
  ... on ValidationError {
    field
  }
  ... on ForbiddenError {
    scope
  }
}`) as unknown as TypedDocumentString<CreateProjectMutation, CreateProjectMutationVariables>;
export const RenameProjectDocument = new TypedDocumentString(`
    mutation RenameProject($id: ID!, $name: String!) {
  renameProject(id: $id, name: $name) {
    __typename
    ... on Project {
      ...ProjectFields
    }
    ...ProjectErrorFields
  }
}
    fragment ProjectFields on Project {
  id
  name
  createdAt
}
fragment ProjectErrorFields on Error {
  message
  ... on ValidationError {
    field
  }
  ... on ForbiddenError {
    scope
  }
}`) as unknown as TypedDocumentString<RenameProjectMutation, RenameProjectMutationVariables>;
export const DeleteProjectDocument = new TypedDocumentString(`
    mutation DeleteProject($id: ID!) {
  deleteProject(id: $id) {
    __typename
    ... on DeleteProjectPayload {
      deletedProjectId
    }
    ...ProjectErrorFields
  }
}
    fragment ProjectErrorFields on Error {
  message
  ... on ValidationError {
    field
  }
  ... on ForbiddenError {
    scope
  }
}`) as unknown as TypedDocumentString<DeleteProjectMutation, DeleteProjectMutationVariables>;
export const CreateApiKeyDocument = new TypedDocumentString(`
    mutation CreateApiKey($projectId: ID!, $input: CreateApiKeyInput) {
  createApiKey(projectId: $projectId, input: $input) {
    __typename
    ... on CreateApiKeyPayload {
      key
      apiKey {
        ...ApiKeyFields
      }
    }
    ...ProjectErrorFields
  }
}
    fragment ProjectErrorFields on Error {
  message
  ... on ValidationError {
    field
  }
  ... on ForbiddenError {
    scope
  }
}
fragment ApiKeyFields on ApiKey {
  id
  projectId
  name
  prefix
  scopes
  createdAt
  revokedAt
}`) as unknown as TypedDocumentString<CreateApiKeyMutation, CreateApiKeyMutationVariables>;
export const RevokeApiKeyDocument = new TypedDocumentString(`
    mutation RevokeApiKey($id: ID!) {
  revokeApiKey(id: $id) {
    __typename
    ... on ApiKey {
      ...ApiKeyFields
    }
    ...ProjectErrorFields
  }
}
    fragment ProjectErrorFields on Error {
  message
  ... on ValidationError {
    field
  }
  ... on ForbiddenError {
    scope
  }
}
fragment ApiKeyFields on ApiKey {
  id
  projectId
  name
  prefix
  scopes
  createdAt
  revokedAt
}`) as unknown as TypedDocumentString<RevokeApiKeyMutation, RevokeApiKeyMutationVariables>;
export const AuditEventsDocument = new TypedDocumentString(`
    query AuditEvents($projectId: ID!, $first: Int, $after: String) {
  auditEvents(projectId: $projectId, first: $first, after: $after) {
    pageInfo {
      hasNextPage
      endCursor
    }
    edges {
      cursor
      node {
        id
        action
        resourceType
        resourceId
        apiKeyId
        details
        createdAt
      }
    }
  }
}
    `) as unknown as TypedDocumentString<AuditEventsQuery, AuditEventsQueryVariables>;
export const BatchProgressDocument = new TypedDocumentString(`
    subscription BatchProgress($jobId: ID!) {
  batchProgress(jobId: $jobId) {
    jobId
    status
    totalImages
    processedImages
    failedImages
    progressPercent
    updatedAt
  }
}
    `) as unknown as TypedDocumentString<BatchProgressSubscription, BatchProgressSubscriptionVariables>;
export const TrainingProgressDocument = new TypedDocumentString(`
    subscription TrainingProgress($jobId: ID!) {
  trainingProgress(jobId: $jobId) {
    jobId
    status
    round
    totalRounds
    accuracy
    loss
    updatedAt
  }
}
    `) as unknown as TypedDocumentString<TrainingProgressSubscription, TrainingProgressSubscriptionVariables>;
export const JobEventsDocument = new TypedDocumentString(`
    subscription JobEvents($jobId: ID!, $after: String) {
  jobEvents(jobId: $jobId, after: $after) {
    ...EventFields
    position
  }
}
    fragment EventFields on Event {
  id
  type
  timestamp
  data
}`) as unknown as TypedDocumentString<JobEventsSubscription, JobEventsSubscriptionVariables>;
export const DeliveryUpdatesDocument = new TypedDocumentString(`
    subscription DeliveryUpdates($webhookId: ID!, $after: String) {
  deliveryUpdates(webhookId: $webhookId, after: $after) {
    ...DeliveryFields
    position
  }
}
    fragment DeliveryFields on Delivery {
  id
  eventType
  status
  statusCode
  attemptCount
  responseTimeMs
  timestamp
  nextAttemptAt
  createdAt
  event {
    id
    type
    timestamp
  }
  webhook {
    id
    url
  }
}`) as unknown as TypedDocumentString<DeliveryUpdatesSubscription, DeliveryUpdatesSubscriptionVariables>;
export const WebhookHealthDocument = new TypedDocumentString(`
    subscription WebhookHealth($webhookId: ID, $after: String) {
  webhookHealth(webhookId: $webhookId, after: $after) {
    ...EventFields
    position
  }
}
    fragment EventFields on Event {
  id
  type
  timestamp
  data
}`) as unknown as TypedDocumentString<WebhookHealthSubscription, WebhookHealthSubscriptionVariables>;
export const CreateAccessTokenDocument = new TypedDocumentString(`
    mutation CreateAccessToken($input: CreateAccessTokenInput!) {
  createAccessToken(input: $input) {
    __typename
    ... on AccessTokenPayload {
      token
      expiresAt
    }
    ...ProjectErrorFields
  }
}
    fragment ProjectErrorFields on Error {
  message
  ... on ValidationError {
    field
  }
  ... on ForbiddenError {
    scope
  }
}`) as unknown as TypedDocumentString<CreateAccessTokenMutation, CreateAccessTokenMutationVariables>;
export const CreatePortalLinkDocument = new TypedDocumentString(`
    mutation CreatePortalLink($input: CreatePortalLinkInput!) {
  createPortalLink(input: $input) {
    __typename
    ... on PortalLinkPayload {
      url
      expiresAt
    }
    ...ProjectErrorFields
  }
}
    fragment ProjectErrorFields on Error {
  message
  ... on ValidationError {
    field
  }
  ... on ForbiddenError {
    scope
  }
}`) as unknown as TypedDocumentString<CreatePortalLinkMutation, CreatePortalLinkMutationVariables>;
export const WebhooksDocument = new TypedDocumentString(`
    query Webhooks($first: Int, $after: String, $last: Int, $before: String) {
  webhooks(first: $first, after: $after, last: $last, before: $before) {
    totalCount
    pageInfo {
      hasNextPage
      hasPreviousPage
      startCursor
      endCursor
    }
    edges {
      cursor
      node {
        ...WebhookFields
      }
    }
  }
}
    fragment WebhookFields on Webhook {
  id
  kind
  url
  description
  events
  filter
  status
  disabledAt
  disabledReason
  rateLimitPerSecond
  headerNames
  propagateTraceContext
  createdAt
  updatedAt
}`) as unknown as TypedDocumentString<WebhooksQuery, WebhooksQueryVariables>;
export const WebhookStatsDocument = new TypedDocumentString(`
    query WebhookStats($id: ID!, $window: StatsWindow!) {
  webhook(id: $id) {
    __typename
    ... on Webhook {
      stats(window: $window) {
        ...WebhookStatsFields
      }
    }
    ... on ForbiddenError {
      scope
    }
    ... on Error {
      message
    }
  }
}
    fragment WebhookStatsFields on WebhookStats {
  window
  since
  attempts
  successes
  failures
  successRate
  p50ResponseTimeMs
  p95ResponseTimeMs
  consecutiveFailures
  lastSuccessAt
  lastFailureAt
}`) as unknown as TypedDocumentString<WebhookStatsQuery, WebhookStatsQueryVariables>;
export const WebhookDocument = new TypedDocumentString(`
    query Webhook($id: ID!) {
  webhook(id: $id) {
    __typename
    ... on Webhook {
      ...WebhookFields
    }
    ... on ForbiddenError {
      scope
    }
    ... on Error {
      message
    }
  }
}
    fragment WebhookFields on Webhook {
  id
  kind
  url
  description
  events
  filter
  status
  disabledAt
  disabledReason
  rateLimitPerSecond
  headerNames
  propagateTraceContext
  createdAt
  updatedAt
}`) as unknown as TypedDocumentString<WebhookQuery, WebhookQueryVariables>;
export const CreateWebhookDocument = new TypedDocumentString(`
    mutation CreateWebhook($input: CreateWebhookInput!) {
  createWebhook(input: $input) {
    __typename
    ... on CreateWebhookPayload {
      secret
      webhook {
        ...WebhookFields
      }
    }
    ... on ValidationError {
      field
    }
    ... on ForbiddenError {
      scope
    }
    ... on Error {
      message
    }
  }
}
    fragment WebhookFields on Webhook {
  id
  kind
  url
  description
  events
  filter
  status
  disabledAt
  disabledReason
  rateLimitPerSecond
  headerNames
  propagateTraceContext
  createdAt
  updatedAt
}`) as unknown as TypedDocumentString<CreateWebhookMutation, CreateWebhookMutationVariables>;
export const UpdateWebhookDocument = new TypedDocumentString(`
    mutation UpdateWebhook($id: ID!, $input: UpdateWebhookInput!) {
  updateWebhook(id: $id, input: $input) {
    __typename
    ... on Webhook {
      ...WebhookFields
    }
    ... on ValidationError {
      field
    }
    ... on ForbiddenError {
      scope
    }
    ... on Error {
      message
    }
  }
}
    fragment WebhookFields on Webhook {
  id
  kind
  url
  description
  events
  filter
  status
  disabledAt
  disabledReason
  rateLimitPerSecond
  headerNames
  propagateTraceContext
  createdAt
  updatedAt
}`) as unknown as TypedDocumentString<UpdateWebhookMutation, UpdateWebhookMutationVariables>;
export const DeleteWebhookDocument = new TypedDocumentString(`
    mutation DeleteWebhook($id: ID!) {
  deleteWebhook(id: $id) {
    __typename
    ... on DeleteWebhookPayload {
      deletedWebhookId
    }
    ... on ForbiddenError {
      scope
    }
    ... on Error {
      message
    }
  }
}
    `) as unknown as TypedDocumentString<DeleteWebhookMutation, DeleteWebhookMutationVariables>;
export const EnableWebhookDocument = new TypedDocumentString(`
    mutation EnableWebhook($id: ID!) {
  enableWebhook(id: $id) {
    __typename
    ... on Webhook {
      ...WebhookFields
    }
    ... on ForbiddenError {
      scope
    }
    ... on Error {
      message
    }
  }
}
    fragment WebhookFields on Webhook {
  id
  kind
  url
  description
  events
  filter
  status
  disabledAt
  disabledReason
  rateLimitPerSecond
  headerNames
  propagateTraceContext
  createdAt
  updatedAt
}`) as unknown as TypedDocumentString<EnableWebhookMutation, EnableWebhookMutationVariables>;
export const DisableWebhookDocument = new TypedDocumentString(`
    mutation DisableWebhook($id: ID!) {
  disableWebhook(id: $id) {
    __typename
    ... on Webhook {
      ...WebhookFields
    }
    ... on ForbiddenError {
      scope
    }
    ... on Error {
      message
    }
  }
}
    fragment WebhookFields on Webhook {
  id
  kind
  url
  description
  events
  filter
  status
  disabledAt
  disabledReason
  rateLimitPerSecond
  headerNames
  propagateTraceContext
  createdAt
  updatedAt
}`) as unknown as TypedDocumentString<DisableWebhookMutation, DisableWebhookMutationVariables>;
export const RotateWebhookSecretDocument = new TypedDocumentString(`
    mutation RotateWebhookSecret($id: ID!, $gracePeriodSeconds: Int) {
  rotateWebhookSecret(id: $id, gracePeriodSeconds: $gracePeriodSeconds) {
    __typename
    ... on RotateWebhookSecretPayload {
      secret
      webhook {
        ...WebhookFields
      }
    }
    ... on ValidationError {
      field
    }
    ... on ForbiddenError {
      scope
    }
    ... on Error {
      message
    }
  }
}
    fragment WebhookFields on Webhook {
  id
  kind
  url
  description
  events
  filter
  status
  disabledAt
  disabledReason
  rateLimitPerSecond
  headerNames
  propagateTraceContext
  createdAt
  updatedAt
}`) as unknown as TypedDocumentString<RotateWebhookSecretMutation, RotateWebhookSecretMutationVariables>;
export const TestWebhookDocument = new TypedDocumentString(`
    mutation TestWebhook($id: ID!) {
  testWebhook(id: $id) {
    __typename
    ... on Delivery {
      ...DeliveryFields
    }
    ... on ForbiddenError {
      scope
    }
    ... on Error {
      message
    }
  }
}
    fragment DeliveryFields on Delivery {
  id
  eventType
  status
  statusCode
  attemptCount
  responseTimeMs
  timestamp
  nextAttemptAt
  createdAt
  event {
    id
    type
    timestamp
  }
  webhook {
    id
    url
  }
}`) as unknown as TypedDocumentString<TestWebhookMutation, TestWebhookMutationVariables>;
export const PreviewWebhookFilterDocument = new TypedDocumentString(`
    query PreviewWebhookFilter($events: [String!]!, $filter: JSON, $first: Int) {
  previewWebhookFilter(events: $events, filter: $filter, first: $first) {
    __typename
    ... on WebhookFilterPreview {
      events {
        matched
        event {
          id
          type
          timestamp
          data
        }
      }
    }
    ... on ValidationError {
      field
    }
    ... on ForbiddenError {
      scope
    }
    ... on Error {
      message
    }
  }
}
    `) as unknown as TypedDocumentString<PreviewWebhookFilterQuery, PreviewWebhookFilterQueryVariables>;