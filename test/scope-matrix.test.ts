// Issue 22, item 4: denied means denied, everywhere. Every operation of the table in test/support/scope-matrix.ts,
// with a key of every single scope and a token of every project scope, over GraphQL over HTTP, graphql-ws (queries,
// mutations and subscriptions), SSE (subscriptions) and REST: allowed exactly when the caller holds the operation's
// scope (a platform key, acting in its own project, holds them all); otherwise refused as FORBIDDEN naming that
// scope, with nothing written. The table must list exactly the API's operations.
import { randomUUID } from 'node:crypto';
import { getNamedType, isUnionType, type GraphQLField } from 'graphql';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_SCOPES, SCOPES, type Scope } from '../src/app/authorization.js';
import { ApiKeyStore } from '../src/auth/api-keys.js';
import { countJobs } from '../src/db/sql/job-queue.js';
import { DELIVERY_QUEUE } from '../src/delivery/queueing/queue.js';
import { schema } from '../src/graphql/schema/index.js';
import { testApi, type TestApi } from './support/api.js';
import { onCleanup } from './support/cleanup.js';
import { claimedListenerRequest } from './support/listener.js';
import { subscribeSse } from './support/live.js';
import { behaviours, eventually, startReceiver, type Receiver } from './support/receiver.js';
import { restClient } from './support/rest.js';
import {
  GRAPHQL_OPERATIONS,
  methodOf,
  REST_OPERATIONS,
  RECOVERY_WINDOW,
  type Fixtures,
  type GraphQLRow,
  type RestRow,
} from './support/scope-matrix.js';
import { startTestService, type TestService } from './support/service.js';

type Transport = 'http' | 'graphql-ws' | 'sse' | 'rest';
/** What a call came to: allowed, refused for a scope (with the message saying so), or anything else, as it came. */
type Outcome = 'allowed' | { forbidden: string; message: string } | { unexpected: unknown };
/**
 * Who calls: a key of one scope, or an access token of one project scope (`token:jobs:read`, minted over REST by
 * the key of that scope; a token never holds platform).
 */
type Holder = Scope | `token:${(typeof PROJECT_SCOPES)[number]}`;
type Call = { operation: string; key: Holder; transport: Transport };
const HOLDERS: Holder[] = [...SCOPES, ...PROJECT_SCOPES.map((scope) => `token:${scope}` as const)];
/** The scope a holder holds. */
const heldScope = (holder: Holder) => holder.replace(/^token:/, '') as Scope;

let service: TestService;
let receiver: Receiver;
let api: TestApi;
let fx: Fixtures;
const keys = {} as Record<Holder, string>;
const sockets = {} as Record<Holder, Client>;

const kindOf = (operation: string) => operation.split('.')[0] as 'Query' | 'Mutation' | 'Subscription';
const fieldOf = (operation: string) => operation.split('.')[1]!;

beforeAll(async () => {
  receiver = await startReceiver();
  service = await startTestService();
  const project = `scope-matrix-${process.pid}`;
  const store = new ApiKeyStore(service.pool);
  const full = await store.create(project, 'full');
  api = testApi(service, full.key);
  for (const scope of SCOPES) keys[scope] = (await store.create(project, scope, [scope])).key;
  for (const scope of PROJECT_SCOPES) {
    const minted = await restClient(service.httpUrl)(keys[scope], 'POST', '/v1/tokens', { scopes: [scope], ttl_seconds: 3600 });
    expect(minted.status).toBe(201);
    keys[`token:${scope}`] = minted.body.token;
  }
  for (const holder of HOLDERS) {
    sockets[holder] = createClient({
      url: `${service.httpUrl.replace(/^http/, 'ws')}/graphql`,
      webSocketImpl: WebSocket,
      connectionParams: { authorization: `Bearer ${keys[holder]}` },
      retryAttempts: 0,
    });
    onCleanup(() => sockets[holder].dispose());
  }

  const { id: webhookId } = await api.createWebhook(receiver.url('/read'), ['batch.*', 'training.*']);
  // Gone at once: its disabling is the operational event webhookHealth sends first.
  receiver.on('/gone', behaviours.status(410));
  await api.createWebhook(receiver.url('/gone'), ['training.completed']);
  const { id: writableWebhookId } = await api.createWebhook(receiver.url('/written'), ['model.deployed']);
  const listen = await api.createWebhookResult({ kind: 'LISTEN', events: ['model.deployed'] });
  if (listen.__typename !== 'CreateWebhookPayload') throw new Error(listen.message);
  const listenWebhookId = listen.webhook.id;
  const batchJobId = randomUUID();
  const trainingJobId = randomUUID();
  await api.publish('batch.progress', { job_id: batchJobId, total_images: 10, processed_images: 5, failed_images: 0, progress_percent: 50 });
  const { event } = await api.publish('batch.completed', { job_id: batchJobId, status: 'completed' });
  await api.publish('training.completed', { job_id: trainingJobId, status: 'completed' });
  const { event: quiet } = await api.publish('inference.completed', { job_id: randomUUID(), status: 'completed' });
  const recovery = await api.client.deliveries.recover(webhookId, RECOVERY_WINDOW);
  // Settled: every delivery of the fixtures attempted, so nothing changes until a row writes.
  const settled = await eventually(async () => {
    const rows = await service.db.delivery.findMany({ where: { webhookId } });
    return rows.length === 3 && rows.every((d) => d.status === 'SUCCESS') ? rows : undefined;
  }, 'the fixtures delivered');
  const rest = restClient(service.httpUrl);
  const pull = await rest(full.key, 'POST', '/v1/webhooks', { kind: 'pull', events: ['model.deployed'] });
  const pullWebhookId = pull.body.webhook_id;
  const pullCursor = (await rest(full.key, 'GET', `/v1/webhooks/${pullWebhookId}/messages`)).body.next_cursor;
  await eventually(
    async () => (await service.db.event.findFirst({ where: { type: 'delivery.exhausted' } })) ?? undefined,
    'the gone webhook disabled',
  );
  fx = {
    pullWebhookId,
    pullCursor,
    webhookId,
    writableWebhookId,
    deliveryId: settled.find((d) => d.eventId === event.id)!.id,
    eventId: event.id,
    quietEventId: quiet.id,
    recoveryId: recovery.id,
    batchJobId,
    trainingJobId,
    receiverUrl: receiver.url('/created'),
    freshWebhook: async () => (await api.createWebhook(receiver.url('/to-delete'), ['model.deployed'])).id,
    projectId: full.apiKey.projectId,
    freshProject: async () => (await store.create(`matrix-spare-${randomUUID()}`, 'spare')).apiKey.projectId,
    freshKey: async () => (await store.create(project, 'to-revoke', ['jobs:read'])).apiKey.id,
    listenWebhookId,
    listenerRequest: () => claimedListenerRequest(service.pool, { projectId: full.apiKey.projectId, webhookId: listenWebhookId }),
  };
});

/** Everything a row could write (in the project, the projects and keys, the audit trail), read back whole. */
async function projectState() {
  const [projects, apiKeys, webhooks, events, deliveries, queued, audited, recoveries, listenerReports] = await Promise.all([
    service.db.project.findMany({ orderBy: { id: 'asc' } }),
    service.db.apiKey.findMany({ orderBy: { id: 'asc' }, select: { id: true, name: true, scopes: true, revokedAt: true } }),
    service.db.webhook.findMany({ orderBy: { id: 'asc' } }),
    service.db.event.count(),
    service.db.delivery.findMany({
      orderBy: { id: 'asc' },
      select: { id: true, status: true, attemptCount: true, nextAttemptAt: true, updatedAt: true },
    }),
    // Delivery jobs ever queued for the fixtures' webhooks (a retry or a test queues one), in any state.
    Promise.all([fx.webhookId, fx.writableWebhookId].map((groupId) => countJobs(service.pool, DELIVERY_QUEUE, { groupId }))),
    service.db.auditEvent.count(),
    service.db.recovery.count(),
    service.db.listenerExchange.findMany({ orderBy: { id: 'asc' }, select: { id: true, report: true } }),
  ]);
  return { projects, apiKeys, webhooks, events, deliveries, queued, audited, recoveries, listenerReports };
}

type Result = { data?: any; errors?: any[] };

/** The outcome of a GraphQL result, as the row's field answers it. */
function graphqlOutcome(row: GraphQLRow, field: string, result: Result): Outcome {
  const errors = result.errors ?? [];
  if (row.success === null) {
    if (errors.length === 1 && errors[0].extensions?.code === 'FORBIDDEN' && result.data == null) {
      return { forbidden: errors[0].extensions.scope, message: errors[0].message };
    }
    return errors.length === 0 && result.data?.[field] != null ? 'allowed' : { unexpected: result };
  }
  const answer = result.data?.[field];
  if (errors.length === 0 && answer?.__typename === 'ForbiddenError') return { forbidden: answer.scope, message: answer.message };
  return errors.length === 0 && answer?.__typename === row.success ? 'allowed' : { unexpected: result };
}

/** Over graphql-ws: the first result (a subscription is then ended), or the error it ended with. */
function overWs(key: Holder, query: string, variables: Record<string, unknown>): Promise<Result> {
  return new Promise((resolve) => {
    let first: Result | undefined;
    const unsubscribe = sockets[key].subscribe(
      { query, variables },
      {
        next: (message) => {
          if (first) return;
          first = message as Result;
          resolve(first);
          queueMicrotask(() => unsubscribe());
        },
        error: (error) => resolve(Array.isArray(error) ? { errors: error } : { errors: [{ message: String(error) }] }),
        complete: () => resolve(first ?? { errors: [{ message: 'completed without a result' }] }),
      },
    );
  });
}

/** Over SSE: the first result, or how the stream ended without one. */
async function overSse(key: Holder, query: string, variables: Record<string, unknown>): Promise<Result> {
  const stream = subscribeSse(service.httpUrl, keys[key], query, variables);
  await stream.until((r) => r.messages.length > 0 || r.completed || r.error !== null, 'a first message or the end');
  stream.abort();
  return stream.messages[0] ?? { errors: [{ message: `ended without a message: ${String(stream.error)}` }] };
}

/** A call ready to go: its inputs made first (a row that deletes a webhook gets one of its own), then the call. */
type Ready = () => Promise<Outcome>;

async function prepareGraphql(operation: string, row: GraphQLRow, key: Holder, transport: Transport): Promise<Ready> {
  const variables = await row.variables(fx);
  const field = fieldOf(operation);
  if (transport === 'http') return async () => graphqlOutcome(row, field, (await service.gql(keys[key], row.document, variables)).body);
  if (transport === 'graphql-ws') return async () => graphqlOutcome(row, field, await overWs(key, row.document, variables));
  return async () => graphqlOutcome(row, field, await overSse(key, row.document, variables));
}

const rest = () => restClient(service.httpUrl);

async function prepareRest(operation: string, row: RestRow, key: Holder): Promise<Ready> {
  const path = await row.path(fx);
  const body = row.body?.(fx);
  return async () => {
    const response = await rest()(keys[key], methodOf(operation), path, body);
    if (response.status === row.status) return 'allowed';
    const error = response.body?.error;
    if (response.status === 403 && error?.code === 'forbidden' && Object.keys(error).join() === 'code,message') {
      return { forbidden: /needs the scope (\S+)$/.exec(error.message)?.[1] ?? '(none named)', message: error.message };
    }
    return { unexpected: { status: response.status, body: response.body } };
  };
}

/** Every call of the matrix: each operation, with each single-scope key and token, on each of its transports. */
function calls(): Call[] {
  const all: Call[] = [];
  for (const key of HOLDERS) {
    for (const operation of Object.keys(GRAPHQL_OPERATIONS)) {
      const transports: Transport[] = kindOf(operation) === 'Subscription' ? ['graphql-ws', 'sse'] : ['http', 'graphql-ws'];
      for (const transport of transports) all.push({ operation, key, transport });
    }
    for (const operation of Object.keys(REST_OPERATIONS)) all.push({ operation, key, transport: 'rest' });
  }
  return all;
}

const rowOf = ({ operation, transport }: Call): GraphQLRow | RestRow =>
  transport === 'rest' ? REST_OPERATIONS[operation]! : GRAPHQL_OPERATIONS[operation]!;
const scopeOf = (call: Call) => rowOf(call).scope;
/**
 * Allowed: the operation needs no scope, or the caller holds the one it needs (and every one it also needs); a
 * platform key may do everything.
 */
const allowed = (call: Call) =>
  call.key === 'platform' ||
  ((scopeOf(call) === null || scopeOf(call) === heldScope(call.key)) && (rowOf(call).alsoNeeds ?? []).length === 0);
/** The scopes a refusal of the call may name: the row's scope, or (when the caller holds that) one it also needs. */
const refusedScopes = (call: Call): string[] =>
  [scopeOf(call), ...(rowOf(call).alsoNeeds ?? [])].filter((scope): scope is Scope => scope !== null && scope !== heldScope(call.key));

const prepare = (call: Call): Promise<Ready> =>
  call.transport === 'rest'
    ? prepareRest(call.operation, REST_OPERATIONS[call.operation]!, call.key)
    : prepareGraphql(call.operation, GRAPHQL_OPERATIONS[call.operation]!, call.key, call.transport);

/**
 * Prepares the calls, then runs them all at once and answers each with its outcome beside it (a failure shows every
 * call's); `around` sees the project's state after the preparation and after the calls.
 */
async function outcomes(selected: Call[], around?: (state: 'before' | 'after') => Promise<void>) {
  const ready = await Promise.all(selected.map(prepare));
  await around?.('before');
  const results = await Promise.all(ready.map((go) => go()));
  await around?.('after');
  return selected.map((call, i) => ({ ...call, outcome: results[i] }));
}

describe('the table', () => {
  it('lists every GraphQL root field, and says which answer ForbiddenError as a typed result', () => {
    const rootFields = (['Query', 'Mutation', 'Subscription'] as const).flatMap((kind) => {
      const type = kind === 'Query' ? schema.getQueryType() : kind === 'Mutation' ? schema.getMutationType() : schema.getSubscriptionType();
      return Object.values(type?.getFields() ?? {}).map((field) => ({ operation: `${kind}.${field.name}`, field }));
    });
    expect(Object.keys(GRAPHQL_OPERATIONS).sort()).toEqual(rootFields.map((f) => f.operation).sort());

    /** The success member of a result union that lists ForbiddenError, else null. */
    const typedSuccess = (field: GraphQLField<unknown, unknown>) => {
      const type = getNamedType(field.type);
      if (!isUnionType(type) || !type.getTypes().some((t) => t.name === 'ForbiddenError')) return null;
      return type.getTypes().map((t) => t.name);
    };
    for (const { operation, field } of rootFields) {
      const members = typedSuccess(field);
      const { success } = GRAPHQL_OPERATIONS[operation]!;
      if (members === null) expect({ operation, success }).toEqual({ operation, success: null });
      else expect({ operation, member: members.includes(success ?? '') && !/Error$/.test(success ?? '') }).toEqual({ operation, member: true });
    }
  });

  it('lists every REST route of the OpenAPI document the service serves', async () => {
    const response = await rest()(null, 'GET', '/v1/openapi.json');
    expect(response.status).toBe(200);
    const served = Object.entries(response.body.paths as Record<string, Record<string, unknown>>).flatMap(([path, item]) =>
      Object.keys(item)
        .filter((method) => ['get', 'post', 'put', 'patch', 'delete'].includes(method))
        .map((method) => `${method.toUpperCase()} /v1${path.replace(/^\/v1/, '')}`),
    );
    expect(Object.keys(REST_OPERATIONS).sort()).toEqual(served.sort());
  });

  it('names only scopes that exist', () => {
    const scopes = [...Object.values(GRAPHQL_OPERATIONS), ...Object.values(REST_OPERATIONS)].map((row) => row.scope);
    expect(scopes.filter((scope) => scope !== null && !(SCOPES as readonly string[]).includes(scope))).toEqual([]);
  });
});

describe('every operation with every single-scope key and token', () => {
  it('refuses each key without the scope, as FORBIDDEN naming it, on every transport, and writes nothing', async () => {
    const refused = calls().filter((call) => !allowed(call));
    expect(refused.length).toBeGreaterThan(0);
    const states: Record<string, unknown> = {};
    const answered = await outcomes(refused, async (when) => {
      states[when] = await projectState();
    });
    const named = answered.map((call, i) => {
      const outcome = call.outcome as { forbidden?: string };
      // An operation that needs several scopes names one the caller lacks; the expectation takes that one.
      const scope = refusedScopes(refused[i]!).includes(outcome.forbidden ?? '') ? outcome.forbidden! : scopeOf(refused[i]!);
      return { ...refused[i]!, outcome: { forbidden: scope, message: expect.stringMatching(new RegExp(` needs the scope ${scope}$`)) } };
    });
    expect(answered).toEqual(named);
    expect(states.after).toEqual(states.before);
  });

  it('allows each key with the scope (and everyone an operation that needs none), on every transport', async () => {
    const permitted = calls().filter(allowed);
    const answered = await outcomes(permitted);
    expect(answered).toEqual(permitted.map((call) => ({ ...call, outcome: 'allowed' })));
  });
});

describe('relations follow the scope of what they show', () => {
  const JOB_WITH_DELIVERIES = `query($jobId: ID!) { job(jobId: $jobId) { __typename
    ... on Job { jobId lastEvent { id deliveries { id } } } } }`;
  const JOB_EVENTS_WITH_DELIVERIES = 'subscription($jobId: ID!) { jobEvents(jobId: $jobId) { id deliveries { id } } }';
  const forbiddenAt = (path: (string | number)[]) =>
    expect.objectContaining({ path, extensions: { code: 'FORBIDDEN', scope: 'deliveries:read' } });

  it("refuses a job's last event's deliveries to a key without deliveries:read (the event itself shows)", async () => {
    const { body } = await service.gql(keys['jobs:read'], JOB_WITH_DELIVERIES, { jobId: fx.batchJobId });
    expect(body).toEqual({
      data: { job: { __typename: 'Job', jobId: fx.batchJobId, lastEvent: null } },
      errors: [forbiddenAt(['job', 'lastEvent', 'deliveries'])],
    });
    const shown = await service.gql(keys['jobs:read'], JOB_WITH_DELIVERIES.replace('deliveries { id }', ''), { jobId: fx.batchJobId });
    expect(shown.body).toEqual({ data: { job: { __typename: 'Job', jobId: fx.batchJobId, lastEvent: { id: fx.eventId } } } });
  });

  it("shows a job's last event's deliveries to a key with jobs:read and deliveries:read", async () => {
    const both = (await new ApiKeyStore(service.pool).create(`scope-matrix-${process.pid}`, 'jobs+deliveries', ['jobs:read', 'deliveries:read'])).key;
    const { body } = await service.gql(both, JOB_WITH_DELIVERIES, { jobId: fx.batchJobId });
    expect(body).toEqual({
      data: { job: { __typename: 'Job', jobId: fx.batchJobId, lastEvent: { id: fx.eventId, deliveries: [{ id: fx.deliveryId }] } } },
    });
    const ws = createClient({
      url: `${service.httpUrl.replace(/^http/, 'ws')}/graphql`,
      webSocketImpl: WebSocket,
      connectionParams: { authorization: `Bearer ${both}` },
      retryAttempts: 0,
    });
    onCleanup(() => ws.dispose());
    const first = await new Promise<any>((resolve, reject) => {
      ws.subscribe({ query: JOB_EVENTS_WITH_DELIVERIES, variables: { jobId: fx.batchJobId } }, { next: resolve, error: reject, complete: () => {} });
    });
    expect(first).toEqual({ data: { jobEvents: { id: fx.eventId, deliveries: [{ id: fx.deliveryId }] } } });
  });

  it("refuses a job's events' deliveries over graphql-ws and SSE to a key without deliveries:read", async () => {
    const variables = { jobId: fx.batchJobId };
    expect(await overWs('jobs:read', JOB_EVENTS_WITH_DELIVERIES, variables)).toEqual({
      data: null,
      errors: [forbiddenAt(['jobEvents', 'deliveries'])],
    });
    expect(await overSse('jobs:read', JOB_EVENTS_WITH_DELIVERIES, variables)).toEqual({
      data: null,
      errors: [forbiddenAt(['jobEvents', 'deliveries'])],
    });
  });

  it("refuses a published event's deliveries to a publish-only key", async () => {
    const { body } = await service.gql(
      keys['events:publish'],
      `mutation($input: PublishEventInput!) { publishEvent(input: $input) { __typename
        ... on PublishEventPayload { event { id deliveries { id } } } } }`,
      { input: { type: 'batch.submitted', data: { job_id: randomUUID(), status: 'submitted' } } },
    );
    expect(body.errors).toEqual([expect.objectContaining({ extensions: { code: 'FORBIDDEN', scope: 'deliveries:read' } })]);
  });
});
