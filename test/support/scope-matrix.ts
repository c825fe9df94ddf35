// The scope matrix of issue 22 ("denied means denied, everywhere"): one table, every operation of the API and the
// scope it needs (`null`: none). test/scope-matrix.test.ts runs each row with a key of every single scope, over every
// transport the operation has, and fails when the table and the API disagree: an operation missing here (a new
// GraphQL root field, a new REST route in the OpenAPI document) or listed here but gone.
import { randomUUID } from 'node:crypto';
import type { Scope } from '../../src/app/authorization.js';

/** What the rows act on, made once with a key holding every project scope (all in the same project). */
export type Fixtures = {
  /** Read, never written: its deliveries are the ones the read rows list. */
  webhookId: string;
  /** Written by the allowed write rows (update, enable, disable, rotate, test); never deleted. */
  writableWebhookId: string;
  /** A delivery of `webhookId`, settled (its attempt made). */
  deliveryId: string;
  /** The event of `deliveryId`. */
  eventId: string;
  /** A finished batch job and a finished training job (their subscriptions send the state and complete). */
  batchJobId: string;
  trainingJobId: string;
  /** A receiver URL for webhooks the rows create. */
  receiverUrl: string;
  /** A new webhook, for a row that deletes one. */
  freshWebhook: () => Promise<string>;
};

export type Variables = Record<string, unknown>;

export type GraphQLRow = {
  scope: Scope | null;
  /**
   * The member of the field's result union that means success, for a field that lists ForbiddenError (a refusal is
   * then that typed result); null for a field that does not (a list, a subscription: a refusal is a GraphQL error
   * with `extensions.code` FORBIDDEN). The test checks this against the schema.
   */
  success: string | null;
  /** The operation, with the root field unaliased. */
  document: string;
  variables: (fx: Fixtures) => Variables | Promise<Variables>;
};

export type RestRow = {
  scope: Scope | null;
  /** The path with its parameters filled in. */
  path: (fx: Fixtures) => string | Promise<string>;
  body?: (fx: Fixtures) => unknown;
  /** The status of success. */
  status: number;
};

const typed = (success: string, selection = '__typename') =>
  `__typename ... on ${success} { ${selection} } ... on ForbiddenError { scope message } ... on Error { message }`;

const batchProgress = (jobId: string) => ({
  job_id: jobId,
  total_images: 10,
  processed_images: 1,
  failed_images: 0,
  progress_percent: 10,
});

/** Every GraphQL root field, as `Type.field`. */
export const GRAPHQL_OPERATIONS: Record<string, GraphQLRow> = {
  'Query.eventTypes': { scope: null, success: null, document: '{ eventTypes { type } }', variables: () => ({}) },
  'Query.webhooks': {
    scope: 'webhooks:read',
    success: null,
    document: '{ webhooks(first: 5) { totalCount edges { node { id } } } }',
    variables: () => ({}),
  },
  'Query.webhook': {
    scope: 'webhooks:read',
    success: 'Webhook',
    document: `query($id: ID!) { webhook(id: $id) { ${typed('Webhook', 'id')} } }`,
    variables: (fx) => ({ id: fx.webhookId }),
  },
  'Query.deliveries': {
    scope: 'deliveries:read',
    success: null,
    document: 'query($webhookId: ID!) { deliveries(webhookId: $webhookId, first: 5) { totalCount edges { node { id } } } }',
    variables: (fx) => ({ webhookId: fx.webhookId }),
  },
  'Query.delivery': {
    scope: 'deliveries:read',
    success: 'Delivery',
    document: `query($id: ID!) { delivery(id: $id) { ${typed('Delivery', 'id event { id } webhook { id } attempts { number }')} } }`,
    variables: (fx) => ({ id: fx.deliveryId }),
  },
  'Query.event': {
    scope: 'deliveries:read',
    success: 'Event',
    document: `query($id: ID!) { event(id: $id) { ${typed('Event', 'id deliveries { id }')} } }`,
    variables: (fx) => ({ id: fx.eventId }),
  },
  'Query.job': {
    scope: 'jobs:read',
    success: 'Job',
    document: `query($jobId: ID!) { job(jobId: $jobId) { ${typed('Job', 'jobId lastEvent { id }')} } }`,
    variables: (fx) => ({ jobId: fx.batchJobId }),
  },
  'Mutation.createWebhook': {
    scope: 'webhooks:write',
    success: 'CreateWebhookPayload',
    document: `mutation($input: CreateWebhookInput!) { createWebhook(input: $input) { ${typed('CreateWebhookPayload', 'webhook { id }')} } }`,
    variables: (fx) => ({ input: { url: fx.receiverUrl, events: ['model.deployed'] } }),
  },
  'Mutation.updateWebhook': {
    scope: 'webhooks:write',
    success: 'Webhook',
    document: `mutation($id: ID!, $input: UpdateWebhookInput!) { updateWebhook(id: $id, input: $input) { ${typed('Webhook', 'id')} } }`,
    variables: (fx) => ({ id: fx.writableWebhookId, input: { description: 'updated by the scope matrix' } }),
  },
  'Mutation.deleteWebhook': {
    scope: 'webhooks:write',
    success: 'DeleteWebhookPayload',
    document: `mutation($id: ID!) { deleteWebhook(id: $id) { ${typed('DeleteWebhookPayload', 'deletedWebhookId')} } }`,
    variables: async (fx) => ({ id: await fx.freshWebhook() }),
  },
  'Mutation.enableWebhook': {
    scope: 'webhooks:write',
    success: 'Webhook',
    document: `mutation($id: ID!) { enableWebhook(id: $id) { ${typed('Webhook', 'id')} } }`,
    variables: (fx) => ({ id: fx.writableWebhookId }),
  },
  'Mutation.disableWebhook': {
    scope: 'webhooks:write',
    success: 'Webhook',
    document: `mutation($id: ID!) { disableWebhook(id: $id) { ${typed('Webhook', 'id')} } }`,
    variables: (fx) => ({ id: fx.writableWebhookId }),
  },
  'Mutation.rotateWebhookSecret': {
    scope: 'webhooks:write',
    success: 'RotateWebhookSecretPayload',
    document: `mutation($id: ID!) { rotateWebhookSecret(id: $id, gracePeriodSeconds: 0) { ${typed('RotateWebhookSecretPayload', 'webhook { id }')} } }`,
    variables: (fx) => ({ id: fx.writableWebhookId }),
  },
  'Mutation.testWebhook': {
    scope: 'webhooks:write',
    success: 'Delivery',
    document: `mutation($id: ID!) { testWebhook(id: $id) { ${typed('Delivery', 'id')} } }`,
    variables: (fx) => ({ id: fx.writableWebhookId }),
  },
  'Mutation.publishEvent': {
    scope: 'events:publish',
    success: 'PublishEventPayload',
    document: `mutation($input: PublishEventInput!) { publishEvent(input: $input) { ${typed('PublishEventPayload', 'event { id } deliveryCount')} } }`,
    variables: () => ({ input: { type: 'batch.progress', data: batchProgress(randomUUID()) } }),
  },
  'Mutation.retryDelivery': {
    scope: 'deliveries:write',
    success: 'Delivery',
    document: `mutation($id: ID!) { retryDelivery(id: $id) { ${typed('Delivery', 'id')} } }`,
    variables: (fx) => ({ id: fx.deliveryId }),
  },
  'Subscription.batchProgress': {
    scope: 'jobs:read',
    success: null,
    document: 'subscription($jobId: ID!) { batchProgress(jobId: $jobId) { jobId status } }',
    variables: (fx) => ({ jobId: fx.batchJobId }),
  },
  'Subscription.trainingProgress': {
    scope: 'jobs:read',
    success: null,
    document: 'subscription($jobId: ID!) { trainingProgress(jobId: $jobId) { jobId status } }',
    variables: (fx) => ({ jobId: fx.trainingJobId }),
  },
  'Subscription.jobEvents': {
    scope: 'jobs:read',
    success: null,
    document: 'subscription($jobId: ID!) { jobEvents(jobId: $jobId) { id type } }',
    variables: (fx) => ({ jobId: fx.batchJobId }),
  },
  'Subscription.deliveryUpdates': {
    scope: 'deliveries:read',
    success: null,
    document: 'subscription($webhookId: ID!) { deliveryUpdates(webhookId: $webhookId) { id status } }',
    variables: (fx) => ({ webhookId: fx.webhookId }),
  },
};

/** Every REST route, as `METHOD /v1/path` with the OpenAPI document's `{parameter}` names. */
export const REST_OPERATIONS: Record<string, RestRow> = {
  'GET /v1/openapi.json': { scope: null, path: () => '/v1/openapi.json', status: 200 },
  'GET /v1/webhooks': { scope: 'webhooks:read', path: () => '/v1/webhooks', status: 200 },
  'GET /v1/webhooks/{id}': { scope: 'webhooks:read', path: (fx) => `/v1/webhooks/${fx.webhookId}`, status: 200 },
  'POST /v1/webhooks': {
    scope: 'webhooks:write',
    path: () => '/v1/webhooks',
    body: (fx) => ({ url: fx.receiverUrl, events: ['model.deployed'] }),
    status: 201,
  },
  'PUT /v1/webhooks/{id}': {
    scope: 'webhooks:write',
    path: (fx) => `/v1/webhooks/${fx.writableWebhookId}`,
    body: () => ({ description: 'updated by the scope matrix' }),
    status: 200,
  },
  'DELETE /v1/webhooks/{id}': {
    scope: 'webhooks:write',
    path: async (fx) => `/v1/webhooks/${await fx.freshWebhook()}`,
    status: 204,
  },
  'POST /v1/webhooks/{id}/test': {
    scope: 'webhooks:write',
    path: (fx) => `/v1/webhooks/${fx.writableWebhookId}/test`,
    status: 202,
  },
  'POST /v1/webhooks/{id}/enable': {
    scope: 'webhooks:write',
    path: (fx) => `/v1/webhooks/${fx.writableWebhookId}/enable`,
    status: 200,
  },
  'POST /v1/webhooks/{id}/disable': {
    scope: 'webhooks:write',
    path: (fx) => `/v1/webhooks/${fx.writableWebhookId}/disable`,
    status: 200,
  },
  'POST /v1/webhooks/{id}/rotate-secret': {
    scope: 'webhooks:write',
    path: (fx) => `/v1/webhooks/${fx.writableWebhookId}/rotate-secret`,
    body: () => ({ grace_period_seconds: 0 }),
    status: 200,
  },
  'GET /v1/webhooks/{id}/deliveries': {
    scope: 'deliveries:read',
    path: (fx) => `/v1/webhooks/${fx.webhookId}/deliveries`,
    status: 200,
  },
  'POST /v1/webhooks/{id}/deliveries/{delivery_id}/retry': {
    scope: 'deliveries:write',
    path: (fx) => `/v1/webhooks/${fx.webhookId}/deliveries/${fx.deliveryId}/retry`,
    status: 202,
  },
  'POST /v1/events': {
    scope: 'events:publish',
    path: () => '/v1/events',
    body: () => ({ event_type: 'batch.progress', data: batchProgress(randomUUID()) }),
    status: 202,
  },
};

/** The method of a REST row's key. */
export const methodOf = (operation: string) => operation.split(' ')[0]!;
