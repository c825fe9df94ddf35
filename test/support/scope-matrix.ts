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
  /** A pull webhook of the project (messages to read), and a cursor of its stream (to acknowledge up to). */
  pullWebhookId: string;
  pullCursor: string;
  /** A delivery of `webhookId`, settled (its attempt made). */
  deliveryId: string;
  /** The event of `deliveryId`. */
  eventId: string;
  /** An event no webhook subscribes to, for a row that replays one (sending it again sends nothing). */
  quietEventId: string;
  /** A recovery of `webhookId`'s deliveries in `RECOVERY_WINDOW` (which holds none). */
  recoveryId: string;
  /** A finished batch job and a finished training job (their subscriptions send the state and complete). */
  batchJobId: string;
  trainingJobId: string;
  /** A receiver URL for webhooks the rows create. */
  receiverUrl: string;
  /** A new webhook, for a row that deletes one. */
  freshWebhook: () => Promise<string>;
  /** The project the keys and fixtures live in (the platform rows list and mint its keys). */
  projectId: string;
  /** A new project, for a row that renames or deletes one. */
  freshProject: () => Promise<string>;
  /** A new key of the project, for a row that revokes one. */
  freshKey: () => Promise<string>;
  /** A LISTEN webhook (no listener connected). */
  listenWebhookId: string;
  /** A request of `listenWebhookId` claimed by a listener and waiting for its report, for a row that reports one. */
  listenerRequest: () => Promise<string>;
};

export type Variables = Record<string, unknown>;

export type GraphQLRow = {
  scope: Scope | null;
  /**
   * Further scopes the operation needs besides `scope` (a portal link's token carries several, each of which the
   * caller must hold): no single-scope key but platform holds them all, and a refusal names one of them.
   */
  alsoNeeds?: Scope[];
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
  /** As GraphQLRow's. */
  alsoNeeds?: Scope[];
  /** The path with its parameters filled in. */
  path: (fx: Fixtures) => string | Promise<string>;
  body?: (fx: Fixtures) => unknown;
  /** The status of success. */
  status: number;
};

const typed = (success: string, selection: string) =>
  `__typename ... on ${success} { ${selection} } ... on ForbiddenError { scope message } ... on Error { message }`;

const row = (scope: Scope | null, success: string | null, document: string, variables: GraphQLRow['variables']): GraphQLRow => ({
  scope,
  success,
  document,
  variables,
});

/** A root field taking one ID argument (`webhook(id: ...)`), answering a typed result; `more` adds literal arguments. */
const byId = (
  scope: Scope,
  [operation, field, arg, more = '']: ['query' | 'mutation', string, string, string?],
  [success, selection]: [string, string],
  id: (fx: Fixtures) => string | Promise<string>,
) =>
  row(scope, success, `${operation}($${arg}: ID!) { ${field}(${arg}: $${arg}${more}) { ${typed(success, selection)} } }`, async (fx) => ({
    [arg]: await id(fx),
  }));

/** A subscription taking one ID argument. */
const following = (scope: Scope, field: string, arg: string, selection: string, id: (fx: Fixtures) => string) =>
  row(scope, null, `subscription($${arg}: ID!) { ${field}(${arg}: $${arg}) { ${selection} } }`, (fx) => ({ [arg]: id(fx) }));

const batchProgress = (jobId: string) => ({
  job_id: jobId,
  total_images: 10,
  processed_images: 1,
  failed_images: 0,
  progress_percent: 10,
});

/** A window long before the fixtures: a recovery of it re-sends nothing, and asking again answers the same one. */
export const RECOVERY_WINDOW = { since: '2021-01-01T00:00:00Z', until: '2021-01-02T00:00:00Z' };

const read = (fx: Fixtures) => fx.webhookId;
const written = (fx: Fixtures) => fx.writableWebhookId;
const fresh = (fx: Fixtures) => fx.freshWebhook();
const WEBHOOK: [string, string] = ['Webhook', 'id'];

/** Every GraphQL root field, as `Type.field`. */
export const GRAPHQL_OPERATIONS: Record<string, GraphQLRow> = {
  'Query.eventTypes': row(null, null, '{ eventTypes { type } }', () => ({})),
  'Query.webhooks': row('webhooks:read', null, '{ webhooks(first: 5) { totalCount edges { node { id } } } }', () => ({})),
  'Query.webhook': byId('webhooks:read', ['query', 'webhook', 'id'], WEBHOOK, read),
  'Query.deliveries': row(
    'deliveries:read',
    null,
    'query($webhookId: ID!) { deliveries(webhookId: $webhookId, first: 5) { totalCount edges { node { id } } } }',
    (fx) => ({ webhookId: fx.webhookId }),
  ),
  'Query.delivery': byId(
    'deliveries:read',
    ['query', 'delivery', 'id'],
    ['Delivery', 'id event { id } webhook { id } attempts { number }'],
    (fx) => fx.deliveryId,
  ),
  'Query.previewWebhookFilter': row(
    'deliveries:read',
    'WebhookFilterPreview',
    `query($events: [String!]!, $filter: JSON) { previewWebhookFilter(events: $events, filter: $filter, first: 5) { ${typed('WebhookFilterPreview', 'events { matched event { id } }')} } }`,
    () => ({ events: ['batch.*'], filter: { progress_percent: { $gte: 10 } } }),
  ),
  'Query.event': byId('deliveries:read', ['query', 'event', 'id'], ['Event', 'id deliveries { id }'], (fx) => fx.eventId),
  'Query.events': row('deliveries:read', null, '{ events(first: 5) { edges { node { id } } } }', () => ({})),
  'Query.recovery': byId('deliveries:read', ['query', 'recovery', 'id'], ['Recovery', 'id requeued'], (fx) => fx.recoveryId),
  'Query.job': byId('jobs:read', ['query', 'job', 'jobId'], ['Job', 'jobId lastEvent { id }'], (fx) => fx.batchJobId),
  'Mutation.createWebhook': row(
    'webhooks:write',
    'CreateWebhookPayload',
    `mutation($input: CreateWebhookInput!) { createWebhook(input: $input) { ${typed('CreateWebhookPayload', 'webhook { id }')} } }`,
    (fx) => ({ input: { url: fx.receiverUrl, events: ['model.deployed'] } }),
  ),
  'Mutation.updateWebhook': row(
    'webhooks:write',
    'Webhook',
    `mutation($id: ID!, $input: UpdateWebhookInput!) { updateWebhook(id: $id, input: $input) { ${typed('Webhook', 'id')} } }`,
    (fx) => ({ id: fx.writableWebhookId, input: { description: 'updated by the scope matrix' } }),
  ),
  'Mutation.deleteWebhook': byId('webhooks:write', ['mutation', 'deleteWebhook', 'id'], ['DeleteWebhookPayload', 'deletedWebhookId'], fresh),
  'Mutation.enableWebhook': byId('webhooks:write', ['mutation', 'enableWebhook', 'id'], WEBHOOK, written),
  'Mutation.disableWebhook': byId('webhooks:write', ['mutation', 'disableWebhook', 'id'], WEBHOOK, written),
  'Mutation.rotateWebhookSecret': byId(
    'webhooks:write',
    ['mutation', 'rotateWebhookSecret', 'id', ', gracePeriodSeconds: 0'],
    ['RotateWebhookSecretPayload', 'webhook { id }'],
    written,
  ),
  'Mutation.testWebhook': byId('webhooks:write', ['mutation', 'testWebhook', 'id'], ['Delivery', 'id'], written),
  'Mutation.publishEvent': row(
    'events:publish',
    'PublishEventPayload',
    `mutation($input: PublishEventInput!) { publishEvent(input: $input) { ${typed('PublishEventPayload', 'event { id } deliveryCount')} } }`,
    () => ({ input: { type: 'batch.progress', data: batchProgress(randomUUID()) } }),
  ),
  'Mutation.publishEvents': row(
    'events:publish',
    'PublishEventsPayload',
    `mutation($events: [PublishEventInput!]!) { publishEvents(events: $events) { ${typed('PublishEventsPayload', 'results { __typename }')} } }`,
    () => ({ events: [{ type: 'batch.progress', data: batchProgress(randomUUID()) }] }),
  ),
  'Mutation.retryDelivery': byId('deliveries:write', ['mutation', 'retryDelivery', 'id'], ['Delivery', 'id'], (fx) => fx.deliveryId),
  'Mutation.recoverDeliveries': row(
    'deliveries:write',
    'Recovery',
    `mutation($webhookId: ID!, $input: RecoverDeliveriesInput!) { recoverDeliveries(webhookId: $webhookId, input: $input) { ${typed('Recovery', 'id')} } }`,
    (fx) => ({ webhookId: fx.webhookId, input: RECOVERY_WINDOW }),
  ),
  'Mutation.replayEvent': byId(
    'deliveries:write',
    ['mutation', 'replayEvent', 'id'],
    ['PublishEventPayload', 'deliveryCount'],
    (fx) => fx.quietEventId,
  ),
  'Query.projects': row('platform', null, '{ projects(first: 5) { totalCount edges { node { id } } } }', () => ({})),
  'Query.apiKeys': row('platform', null, 'query($projectId: ID!) { apiKeys(projectId: $projectId) { id scopes } }', (fx) => ({
    projectId: fx.projectId,
  })),
  'Mutation.createProject': row(
    'platform',
    'Project',
    `mutation($input: CreateProjectInput!) { createProject(input: $input) { ${typed('Project', 'id')} } }`,
    () => ({ input: { name: `matrix-${randomUUID()}` } }),
  ),
  'Mutation.renameProject': row(
    'platform',
    'Project',
    `mutation($id: ID!, $name: String!) { renameProject(id: $id, name: $name) { ${typed('Project', 'id')} } }`,
    async (fx) => ({ id: await fx.freshProject(), name: `renamed-${randomUUID()}` }),
  ),
  'Mutation.deleteProject': byId(
    'platform',
    ['mutation', 'deleteProject', 'id'],
    ['DeleteProjectPayload', 'deletedProjectId'],
    (fx) => fx.freshProject(),
  ),
  'Mutation.createApiKey': row(
    'platform',
    'CreateApiKeyPayload',
    `mutation($projectId: ID!, $input: CreateApiKeyInput) { createApiKey(projectId: $projectId, input: $input) { ${typed('CreateApiKeyPayload', 'apiKey { id }')} } }`,
    (fx) => ({ projectId: fx.projectId, input: { name: 'minted by the scope matrix', scopes: ['jobs:read'] } }),
  ),
  'Query.auditEvents': row(
    'platform',
    null,
    'query($projectId: ID!) { auditEvents(projectId: $projectId, first: 5) { edges { node { id action apiKeyId } } } }',
    (fx) => ({ projectId: fx.projectId }),
  ),
  'Mutation.revokeApiKey': byId('platform', ['mutation', 'revokeApiKey', 'id'], ['ApiKey', 'id'], (fx) => fx.freshKey()),
  // Minting a token needs no scope of its own: any key may mint one with a subset of its scopes. In this table's
  // terms (a single-scope key is allowed exactly when it holds the row's scope), the scope a row needs is the one it
  // puts in the token: the row asks for jobs:read, so only a jobs:read (or platform) key may mint it.
  'Mutation.createAccessToken': row(
    'jobs:read',
    'AccessTokenPayload',
    `mutation($input: CreateAccessTokenInput!) { createAccessToken(input: $input) { ${typed('AccessTokenPayload', 'token expiresAt')} } }`,
    (fx) => ({ input: { scopes: ['jobs:read'], jobIds: [fx.batchJobId], ttlSeconds: 60 } }),
  ),
  // A portal link puts every scope of its mode in its token, each of which the caller must hold (the grant rule):
  // the row's scope is the narrowest the read-only mode needs, and the others follow.
  'Mutation.createPortalLink': {
    ...row(
      'webhooks:read',
      'PortalLinkPayload',
      `mutation($input: CreatePortalLinkInput!) { createPortalLink(input: $input) { ${typed('PortalLinkPayload', 'url expiresAt')} } }`,
      () => ({ input: { mode: 'READ_ONLY', ttlSeconds: 60 } }),
    ),
    alsoNeeds: ['deliveries:read', 'jobs:read'],
  },
  'Subscription.batchProgress': following('jobs:read', 'batchProgress', 'jobId', 'jobId status', (fx) => fx.batchJobId),
  'Subscription.trainingProgress': following('jobs:read', 'trainingProgress', 'jobId', 'jobId status', (fx) => fx.trainingJobId),
  'Subscription.jobEvents': following('jobs:read', 'jobEvents', 'jobId', 'id type', (fx) => fx.batchJobId),
  'Subscription.deliveryUpdates': following('deliveries:read', 'deliveryUpdates', 'webhookId', 'id status', read),
  'Subscription.webhookHealth': row('webhooks:read', null, 'subscription { webhookHealth { id type } }', () => ({})),
  // Receiving a LISTEN webhook's deliveries reveals their events; the first message says the listener is ready.
  'Subscription.listen': following('deliveries:read', 'listen', 'webhookId', '__typename', (fx) => fx.listenWebhookId),
  // A listener's report is recorded as the delivery's attempt.
  'Mutation.reportListenerResult': row(
    'deliveries:write',
    'ReportListenerResultPayload',
    `mutation($input: ListenerResultInput!) { reportListenerResult(input: $input) { ${typed('ReportListenerResultPayload', 'requestId')} } }`,
    async (fx) => ({ input: { requestId: await fx.listenerRequest(), durationMs: 3, status: 200, body: 'ok' } }),
  ),
};

const route = (scope: Scope | null, status: number, path: RestRow['path'], body?: RestRow['body']): RestRow => ({
  scope,
  status,
  path,
  ...(body && { body }),
});

/** Every REST route, as `METHOD /v1/path` with the OpenAPI document's `{parameter}` names. */
export const REST_OPERATIONS: Record<string, RestRow> = {
  'GET /v1/openapi.json': route(null, 200, () => '/v1/openapi.json'),
  'GET /v1/webhooks': route('webhooks:read', 200, () => '/v1/webhooks'),
  'GET /v1/webhooks/{id}': route('webhooks:read', 200, (fx) => `/v1/webhooks/${read(fx)}`),
  'GET /v1/webhooks/{id}/stats': route('webhooks:read', 200, (fx) => `/v1/webhooks/${read(fx)}/stats?window=1h`),
  'POST /v1/webhooks': route('webhooks:write', 201, () => '/v1/webhooks', (fx) => ({ url: fx.receiverUrl, events: ['model.deployed'] })),
  'PUT /v1/webhooks/{id}': route('webhooks:write', 200, (fx) => `/v1/webhooks/${written(fx)}`, () => ({
    description: 'updated by the scope matrix',
  })),
  'DELETE /v1/webhooks/{id}': route('webhooks:write', 204, async (fx) => `/v1/webhooks/${await fresh(fx)}`),
  'POST /v1/webhooks/{id}/test': route('webhooks:write', 202, (fx) => `/v1/webhooks/${written(fx)}/test`),
  'POST /v1/webhooks/{id}/enable': route('webhooks:write', 200, (fx) => `/v1/webhooks/${written(fx)}/enable`),
  'POST /v1/webhooks/{id}/disable': route('webhooks:write', 200, (fx) => `/v1/webhooks/${written(fx)}/disable`),
  'POST /v1/webhooks/{id}/rotate-secret': route('webhooks:write', 200, (fx) => `/v1/webhooks/${written(fx)}/rotate-secret`, () => ({
    grace_period_seconds: 0,
  })),
  'GET /v1/webhooks/{id}/deliveries': route('deliveries:read', 200, (fx) => `/v1/webhooks/${read(fx)}/deliveries`),
  'POST /v1/webhooks/{id}/deliveries/{delivery_id}/retry': route(
    'deliveries:write',
    202,
    (fx) => `/v1/webhooks/${read(fx)}/deliveries/${fx.deliveryId}/retry`,
  ),
  'GET /v1/webhooks/{id}/messages': route('deliveries:read', 200, (fx) => `/v1/webhooks/${fx.pullWebhookId}/messages`),
  'POST /v1/webhooks/{id}/messages/ack': route(
    'deliveries:write',
    200,
    (fx) => `/v1/webhooks/${fx.pullWebhookId}/messages/ack`,
    (fx) => ({ cursor: fx.pullCursor }),
  ),
  'GET /v1/events': route('deliveries:read', 200, () => '/v1/events?limit=5'),
  'POST /v1/events/{event_id}/replay': route('deliveries:write', 202, (fx) => `/v1/events/${fx.quietEventId}/replay`),
  'GET /v1/deliveries': route('deliveries:read', 200, () => '/v1/deliveries?limit=5'),
  'POST /v1/webhooks/{id}/recover': route('deliveries:write', 202, (fx) => `/v1/webhooks/${read(fx)}/recover`, () => RECOVERY_WINDOW),
  'GET /v1/recoveries/{recovery_id}': route('deliveries:read', 200, (fx) => `/v1/recoveries/${fx.recoveryId}`),
  'POST /v1/events': route('events:publish', 202, () => '/v1/events', () => ({
    event_type: 'batch.progress',
    data: batchProgress(randomUUID()),
  })),
  'POST /v1/events/batch': route('events:publish', 200, () => '/v1/events/batch', () => ({
    events: [{ event_type: 'batch.progress', data: batchProgress(randomUUID()) }],
  })),
  'GET /v1/projects': route('platform', 200, () => '/v1/projects'),
  'POST /v1/projects': route('platform', 201, () => '/v1/projects', () => ({ name: `matrix-${randomUUID()}` })),
  'PATCH /v1/projects/{project_id}': route('platform', 200, async (fx) => `/v1/projects/${await fx.freshProject()}`, () => ({
    name: `renamed-${randomUUID()}`,
  })),
  'DELETE /v1/projects/{project_id}': route('platform', 204, async (fx) => `/v1/projects/${await fx.freshProject()}`),
  'GET /v1/projects/{project_id}/api-keys': route('platform', 200, (fx) => `/v1/projects/${fx.projectId}/api-keys`),
  'POST /v1/projects/{project_id}/api-keys': route('platform', 201, (fx) => `/v1/projects/${fx.projectId}/api-keys`, () => ({
    name: 'minted by the scope matrix',
    scopes: ['jobs:read'],
  })),
  'GET /v1/projects/{project_id}/audit-events': route('platform', 200, (fx) => `/v1/projects/${fx.projectId}/audit-events?limit=5`),
  // As Mutation.createAccessToken: the scope the row needs is the one it puts in the token.
  'POST /v1/tokens': route('jobs:read', 201, () => '/v1/tokens', (fx) => ({
    scopes: ['jobs:read'],
    job_ids: [fx.batchJobId],
    ttl_seconds: 60,
  })),
  // As Mutation.createPortalLink.
  'POST /v1/portal-links': {
    ...route('webhooks:read', 201, () => '/v1/portal-links', () => ({ mode: 'read_only', ttl_seconds: 60 })),
    alsoNeeds: ['deliveries:read', 'jobs:read'],
  },
  'DELETE /v1/projects/{project_id}/api-keys/{api_key_id}': route(
    'platform',
    204,
    async (fx) => `/v1/projects/${fx.projectId}/api-keys/${await fx.freshKey()}`,
  ),
};

/** The method of a REST row's key. */
export const methodOf = (operation: string) => operation.split(' ')[0]!;
