// @aiplatform/webhooks-client: a typed client for publishers and frontends, and a verifier for receivers.
export {
  createClient,
  type ApiKey,
  type BatchProgress,
  type ClientOptions,
  type CreateWebhookInput,
  type Delivery,
  type DeliveryAttempt,
  type DeliveryStatus,
  type DeliveryWithAttempts,
  type Event,
  type EventTypeInfo,
  type EventWithDeliveries,
  type Job,
  type JobStatus,
  type JobType,
  type Page,
  type PageArgs,
  type Positioned,
  type Project,
  type TrainingProgress,
  type UpdateWebhookInput,
  type Webhook,
  type WebhooksClient,
  type WebhookStatus,
} from './client.js';
export {
  ApiError,
  AuthenticationError,
  ConflictError,
  ForbiddenError,
  NetworkError,
  NotFoundError,
  ValidationError,
  WebhooksClientError,
  type GraphQLErrorLike,
} from './errors.js';
export {
  EVENT_TYPES,
  type BatchProgressData,
  type BoundingBox,
  type Detection,
  type EventDataMap,
  type EventType,
  type JobEventData,
  type JobFailedData,
  type OptimizationCompletedData,
  type PublishEventInput,
  type TrainingProgressData,
  type VisionCompletedData,
  type WebhookEvent,
  type WebhookEventOf,
} from './events.js';
export type { FetchLike, TypedDocument } from './http.js';
export { webSocketUrl, type Subscription } from './subscriptions.js';
export {
  verifyWebhook,
  WebhookVerificationError,
  type HeadersLike,
  type RawBody,
  type VerificationFailure,
  type VerifyOptions,
} from './verify.js';
export {
  verifyWebhookRequest,
  webhookMiddleware,
  type MiddlewareOptions,
  type NodeRequestLike,
  type NodeResponseLike,
} from './receivers.js';
/** Every generated document (e.g. `operations.WebhooksDocument`) and its result and variables types, for `request`. */
export * as operations from './generated/graphql.js';
