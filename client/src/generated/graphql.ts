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
  /** HTTP unless given; fixed once created */
  kind?: WebhookKind | null | undefined;
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

export type UpdateWebhookInput = {
  description?: string | null | undefined;
  events?: Array<string> | null | undefined;
  /** An HTTP webhook only */
  url?: string | null | undefined;
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
  webhookId: string | number;
  status?: DeliveryStatus | null | undefined;
  eventType?: string | null | undefined;
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
}>;


export type JobEventsSubscription = { jobEvents: { id: string, type: string, timestamp: string, data: unknown } };

export type DeliveryUpdatesSubscriptionVariables = Exact<{
  webhookId: string | number;
}>;


export type DeliveryUpdatesSubscription = { deliveryUpdates: { id: string, eventType: string, status: DeliveryStatus, statusCode: number | null, attemptCount: number, responseTimeMs: number | null, timestamp: string, nextAttemptAt: string | null, createdAt: string, event: { id: string, type: string, timestamp: string }, webhook: { id: string, url: string | null } } };

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

export type WebhookFieldsFragment = { id: string, kind: WebhookKind, url: string | null, description: string | null, events: Array<string>, status: WebhookStatus, disabledAt: string | null, disabledReason: string | null, createdAt: string, updatedAt: string };

export type WebhooksQueryVariables = Exact<{
  first?: number | null | undefined;
  after?: string | null | undefined;
  last?: number | null | undefined;
  before?: string | null | undefined;
}>;


export type WebhooksQuery = { webhooks: { totalCount: number, pageInfo: { hasNextPage: boolean, hasPreviousPage: boolean, startCursor: string | null, endCursor: string | null }, edges: Array<{ cursor: string, node: { id: string, kind: WebhookKind, url: string | null, description: string | null, events: Array<string>, status: WebhookStatus, disabledAt: string | null, disabledReason: string | null, createdAt: string, updatedAt: string } }> } };

export type WebhookQueryVariables = Exact<{
  id: string | number;
}>;


export type WebhookQuery = { webhook:
    | { __typename: 'ForbiddenError', scope: string, message: string }
    | { __typename: 'NotFoundError', message: string }
    | { __typename: 'Webhook', id: string, kind: WebhookKind, url: string | null, description: string | null, events: Array<string>, status: WebhookStatus, disabledAt: string | null, disabledReason: string | null, createdAt: string, updatedAt: string }
   };

export type CreateWebhookMutationVariables = Exact<{
  input: CreateWebhookInput;
}>;


export type CreateWebhookMutation = { createWebhook:
    | { __typename: 'CreateWebhookPayload', secret: string, webhook: { id: string, kind: WebhookKind, url: string | null, description: string | null, events: Array<string>, status: WebhookStatus, disabledAt: string | null, disabledReason: string | null, createdAt: string, updatedAt: string } }
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
    | { __typename: 'Webhook', id: string, kind: WebhookKind, url: string | null, description: string | null, events: Array<string>, status: WebhookStatus, disabledAt: string | null, disabledReason: string | null, createdAt: string, updatedAt: string }
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
    | { __typename: 'Webhook', id: string, kind: WebhookKind, url: string | null, description: string | null, events: Array<string>, status: WebhookStatus, disabledAt: string | null, disabledReason: string | null, createdAt: string, updatedAt: string }
   };

export type DisableWebhookMutationVariables = Exact<{
  id: string | number;
}>;


export type DisableWebhookMutation = { disableWebhook:
    | { __typename: 'ForbiddenError', scope: string, message: string }
    | { __typename: 'NotFoundError', message: string }
    | { __typename: 'Webhook', id: string, kind: WebhookKind, url: string | null, description: string | null, events: Array<string>, status: WebhookStatus, disabledAt: string | null, disabledReason: string | null, createdAt: string, updatedAt: string }
   };

export type RotateWebhookSecretMutationVariables = Exact<{
  id: string | number;
  gracePeriodSeconds?: number | null | undefined;
}>;


export type RotateWebhookSecretMutation = { rotateWebhookSecret:
    | { __typename: 'ForbiddenError', scope: string, message: string }
    | { __typename: 'NotFoundError', message: string }
    | { __typename: 'RotateWebhookSecretPayload', secret: string, webhook: { id: string, kind: WebhookKind, url: string | null, description: string | null, events: Array<string>, status: WebhookStatus, disabledAt: string | null, disabledReason: string | null, createdAt: string, updatedAt: string } }
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
  status
  disabledAt
  disabledReason
  createdAt
  updatedAt
}
    `, {"fragmentName":"WebhookFields"}) as unknown as TypedDocumentString<WebhookFieldsFragment, unknown>;
export const DeliveriesDocument = new TypedDocumentString(`
    query Deliveries($webhookId: ID!, $status: DeliveryStatus, $eventType: String, $first: Int, $after: String, $last: Int, $before: String) {
  deliveries(
    webhookId: $webhookId
    status: $status
    eventType: $eventType
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
    subscription JobEvents($jobId: ID!) {
  jobEvents(jobId: $jobId) {
    ...EventFields
  }
}
    fragment EventFields on Event {
  id
  type
  timestamp
  data
}`) as unknown as TypedDocumentString<JobEventsSubscription, JobEventsSubscriptionVariables>;
export const DeliveryUpdatesDocument = new TypedDocumentString(`
    subscription DeliveryUpdates($webhookId: ID!) {
  deliveryUpdates(webhookId: $webhookId) {
    ...DeliveryFields
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
  status
  disabledAt
  disabledReason
  createdAt
  updatedAt
}`) as unknown as TypedDocumentString<WebhooksQuery, WebhooksQueryVariables>;
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
  status
  disabledAt
  disabledReason
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
  status
  disabledAt
  disabledReason
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
  status
  disabledAt
  disabledReason
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
  status
  disabledAt
  disabledReason
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
  status
  disabledAt
  disabledReason
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
  status
  disabledAt
  disabledReason
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