// Issue 22, item 6: the audit trail. Every write use case, over REST and GraphQL, leaves exactly one entry naming the
// key that made it; a refused write leaves none; no entry holds a webhook secret, a key or a key's hash; a platform key
// lists a project's entries newest first, page after page without gaps or repeats, and never another project's; a key
// without `platform` is refused.
import { createHash } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { ApiKeyStore } from '../src/auth/api-keys.js';
import { expectError, restClient } from './support/rest.js';
import { startReceiver, type Receiver } from './support/receiver.js';
import { startTestService, type TestService } from './support/service.js';

let service: TestService;
let receiver: Receiver;
let rest: ReturnType<typeof restClient>;
let store: ApiKeyStore;
/** A platform key, acting in its own project. */
let platform: { key: string; id: string; projectId: string };
/** A key with every project scope, in a project of its own. */
let writer: { key: string; id: string; projectId: string };
/** Every secret and key the tests saw: none may be in the trail. */
const confidential: string[] = [];
let counter = 0;
const unique = (label: string) => `${label}-${process.pid}-${++counter}`;

async function newKey(project: string, scopes?: string[]) {
  const { key, apiKey } = await store.create(project, 'audit-test', scopes);
  confidential.push(key, createHash('sha256').update(key, 'utf8').digest('hex'));
  return { key, id: apiKey.id, projectId: apiKey.projectId };
}

beforeAll(async () => {
  receiver = await startReceiver();
  service = await startTestService();
  rest = restClient(service.httpUrl);
  store = new ApiKeyStore(service.pool);
  platform = await newKey(unique('audit-platform'), ['platform']);
  writer = await newKey(unique('audit-writer'));
});

type Entry = { action: string; resourceType: string; resourceId: string; apiKeyId: string; projectId: string };

/** The entries `act` added to the trail, oldest first (read from the table, to see every project's). */
async function added(act: () => Promise<unknown>): Promise<Entry[]> {
  const before = new Set((await service.db.auditEvent.findMany({ select: { id: true } })).map((e) => e.id));
  await act();
  const all = await service.db.auditEvent.findMany({ orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] });
  return all
    .filter((e) => !before.has(e.id))
    .map(({ action, resourceType, resourceId, apiKeyId, projectId }) => ({ action, resourceType, resourceId, apiKeyId, projectId }));
}

/** Expects `act` to leave exactly one entry: `action` on the resource it returns, by `by`, in `projectId`. */
async function expectAudited(
  action: string,
  by: { id: string; projectId: string },
  act: () => Promise<{ type: string; id: string; projectId?: string }>,
) {
  let resource: { type: string; id: string; projectId?: string } | undefined;
  const entries = await added(async () => (resource = await act()));
  expect(entries).toEqual([
    { action, resourceType: resource!.type, resourceId: resource!.id, apiKeyId: by.id, projectId: resource!.projectId ?? by.projectId },
  ]);
}

/** Expects a call that is refused to leave no entry. */
async function expectNothingAudited(act: () => Promise<void>) {
  expect(await added(act)).toEqual([]);
}

const gql = async (key: string, query: string, variables: Record<string, unknown> = {}) => {
  const { body } = await service.gql(key, query, variables);
  expect(body.errors).toBeUndefined();
  return body.data;
};

/** The response, once its status is the one of success (else the failure shows the body). */
const ok = <T extends { status: number; body: any }>(response: T, status: number): T => {
  expect(response.status, JSON.stringify(response.body)).toBe(status);
  return response;
};

describe('every write leaves one entry naming the key that made it', () => {
  it('over REST: webhooks, deliveries, projects and keys', async () => {
    const secret = unique('my-own-signing-secret');
    confidential.push(secret);
    let webhookId = '';
    await expectAudited('webhook.created', writer, async () => {
      const { body } = ok(await rest(writer.key, 'POST', '/v1/webhooks', { url: receiver.url('/rest?token=abc'), events: ['batch.*'], secret }), 201);
      webhookId = body.webhook_id;
      return { type: 'webhook', id: webhookId };
    });
    const webhook = { type: 'webhook', id: webhookId };
    await expectAudited('webhook.updated', writer, async () => {
      ok(await rest(writer.key, 'PUT', `/v1/webhooks/${webhookId}`, { events: ['batch.*', 'training.*'] }), 200);
      return webhook;
    });
    await expectAudited('webhook.disabled', writer, async () => {
      ok(await rest(writer.key, 'POST', `/v1/webhooks/${webhookId}/disable`), 200);
      return webhook;
    });
    await expectAudited('webhook.enabled', writer, async () => {
      ok(await rest(writer.key, 'POST', `/v1/webhooks/${webhookId}/enable`), 200);
      return webhook;
    });
    await expectAudited('webhook.secret_rotated', writer, async () => {
      const { body } = ok(await rest(writer.key, 'POST', `/v1/webhooks/${webhookId}/rotate-secret`, { grace_period_seconds: 60 }), 200);
      confidential.push(body.secret);
      return webhook;
    });
    let deliveryId = '';
    await expectAudited('webhook.tested', writer, async () => {
      deliveryId = ok(await rest(writer.key, 'POST', `/v1/webhooks/${webhookId}/test`), 202).body.delivery_id;
      return webhook;
    });
    await expectAudited('delivery.retried', writer, async () => {
      ok(await rest(writer.key, 'POST', `/v1/webhooks/${webhookId}/deliveries/${deliveryId}/retry`), 202);
      return { type: 'delivery', id: deliveryId };
    });
    await expectAudited('webhook.deleted', writer, async () => {
      ok(await rest(writer.key, 'DELETE', `/v1/webhooks/${webhookId}`), 204);
      return webhook;
    });

    let projectId = '';
    await expectAudited('project.created', platform, async () => {
      projectId = ok(await rest(platform.key, 'POST', '/v1/projects', { name: unique('rest-project') }), 201).body.project_id;
      return { type: 'project', id: projectId, projectId };
    });
    await expectAudited('project.renamed', platform, async () => {
      ok(await rest(platform.key, 'PATCH', `/v1/projects/${projectId}`, { name: unique('rest-renamed') }), 200);
      return { type: 'project', id: projectId, projectId };
    });
    let apiKeyId = '';
    await expectAudited('api_key.created', platform, async () => {
      const { body } = ok(await rest(platform.key, 'POST', `/v1/projects/${projectId}/api-keys`, { name: 'minted', scopes: ['jobs:read'] }), 201);
      confidential.push(body.key, createHash('sha256').update(body.key, 'utf8').digest('hex'));
      apiKeyId = body.api_key_id;
      return { type: 'api_key', id: apiKeyId, projectId };
    });
    await expectAudited('api_key.revoked', platform, async () => {
      ok(await rest(platform.key, 'DELETE', `/v1/projects/${projectId}/api-keys/${apiKeyId}`), 204);
      return { type: 'api_key', id: apiKeyId, projectId };
    });
    await expectAudited('project.deleted', platform, async () => {
      ok(await rest(platform.key, 'DELETE', `/v1/projects/${projectId}`), 204);
      return { type: 'project', id: projectId, projectId };
    });

    // The deleted project's trail is still there, with who did what. (Its order is the paging test's business: two
    // writes may share a millisecond, and the id breaks the tie.)
    const trail = ok(await rest(platform.key, 'GET', `/v1/projects/${projectId}/audit-events`), 200).body;
    const byAction = (entries: any[]) => Object.fromEntries(entries.map((e: any) => [e.action, e]));
    const projectTrail = byAction(trail.audit_events);
    expect(trail.audit_events.map((e: any) => [e.action, e.api_key_id]).sort()).toEqual(
      ['api_key.created', 'api_key.revoked', 'project.created', 'project.deleted', 'project.renamed'].map((a) => [a, platform.id]),
    );
    expect(projectTrail['project.renamed'].details).toEqual({
      from: expect.stringMatching(/^rest-project-/),
      to: expect.stringMatching(/^rest-renamed-/),
    });
    expect(projectTrail['api_key.created'].details).toEqual({ name: 'minted', scopes: ['jobs:read'] });
    expect(projectTrail['project.deleted'].details).toEqual({ name: expect.stringMatching(/^rest-renamed-/) });

    // The webhook's entries, as the writer's project shows them, with what changed.
    const own = ok(await rest(platform.key, 'GET', `/v1/projects/${writer.projectId}/audit-events?limit=100`), 200).body;
    const ofWebhook = own.audit_events.filter((e: any) => e.resource_id === webhookId || e.resource_id === deliveryId);
    expect(ofWebhook.map((e: any) => e.action).sort()).toEqual([
      'delivery.retried',
      'webhook.created',
      'webhook.deleted',
      'webhook.disabled',
      'webhook.enabled',
      'webhook.secret_rotated',
      'webhook.tested',
      'webhook.updated',
    ]);
    for (const entry of ofWebhook) {
      expect(entry).toStrictEqual({
        audit_event_id: expect.stringMatching(/^aud_[0-9a-f]{16}$/),
        action: expect.any(String),
        resource_type: entry.action === 'delivery.retried' ? 'delivery' : 'webhook',
        resource_id: expect.any(String),
        api_key_id: writer.id,
        details: expect.any(Object),
        created_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
      });
    }
    const details = (action: string) => byAction(ofWebhook)[action].details;
    expect(details('webhook.created')).toEqual({ kind: 'HTTP', url_origin: new URL(receiver.url('/')).origin, events: ['batch.*'] });
    expect(details('webhook.updated')).toEqual({ changed: ['events'], events: { from: ['batch.*'], to: ['batch.*', 'training.*'] } });
    expect(details('webhook.disabled')).toEqual({ was: 'active', reason: 'Disabled by hand' });
    expect(details('webhook.enabled')).toEqual({ was: 'disabled' });
    expect(details('webhook.secret_rotated')).toEqual({ grace_period_seconds: 60 });
    expect(details('webhook.tested')).toEqual({ delivery_id: deliveryId, event_id: expect.stringMatching(/^evt_/) });
    expect(details('delivery.retried')).toEqual({ webhook_id: webhookId });
  });

  it('over GraphQL: webhooks, deliveries, projects and keys', async () => {
    let webhookId = '';
    await expectAudited('webhook.created', writer, async () => {
      const data = await gql(
        writer.key,
        'mutation($input: CreateWebhookInput!) { createWebhook(input: $input) { ... on CreateWebhookPayload { webhook { id } secret } } }',
        { input: { url: receiver.url('/graphql'), events: ['model.*'] } },
      );
      confidential.push(data.createWebhook.secret);
      webhookId = data.createWebhook.webhook.id;
      return { type: 'webhook', id: webhookId };
    });
    const webhook = { type: 'webhook', id: webhookId };
    const onWebhook = (field: string, selection: string, more = '') => async () => {
      const data = await gql(writer.key, `mutation($id: ID!) { ${field}(id: $id${more}) { __typename ${selection} } }`, { id: webhookId });
      expect(data[field].__typename).not.toMatch(/Error$/);
      return data[field];
    };
    await expectAudited('webhook.updated', writer, async () => {
      await gql(writer.key, 'mutation($id: ID!) { updateWebhook(id: $id, input: { description: "changed" }) { __typename ... on Webhook { id } } }', {
        id: webhookId,
      });
      return webhook;
    });
    await expectAudited('webhook.disabled', writer, async () => (await onWebhook('disableWebhook', '... on Webhook { id }')(), webhook));
    await expectAudited('webhook.enabled', writer, async () => (await onWebhook('enableWebhook', '... on Webhook { id }')(), webhook));
    await expectAudited('webhook.secret_rotated', writer, async () => {
      const payload = await onWebhook('rotateWebhookSecret', '... on RotateWebhookSecretPayload { secret }', ', gracePeriodSeconds: 0')();
      confidential.push(payload.secret);
      return webhook;
    });
    let deliveryId = '';
    await expectAudited('webhook.tested', writer, async () => {
      deliveryId = (await onWebhook('testWebhook', '... on Delivery { id }')()).id;
      return webhook;
    });
    await expectAudited('delivery.retried', writer, async () => {
      const data = await gql(writer.key, 'mutation($id: ID!) { retryDelivery(id: $id) { __typename ... on Delivery { id } } }', { id: deliveryId });
      expect(data.retryDelivery.__typename).toBe('Delivery');
      return { type: 'delivery', id: deliveryId };
    });
    await expectAudited('webhook.deleted', writer, async () => (await onWebhook('deleteWebhook', '... on DeleteWebhookPayload { deletedWebhookId }')(), webhook));

    let projectId = '';
    await expectAudited('project.created', platform, async () => {
      const data = await gql(platform.key, 'mutation($name: String!) { createProject(input: { name: $name }) { ... on Project { id } } }', {
        name: unique('gql-project'),
      });
      projectId = data.createProject.id;
      return { type: 'project', id: projectId, projectId };
    });
    await expectAudited('project.renamed', platform, async () => {
      await gql(platform.key, 'mutation($id: ID!, $name: String!) { renameProject(id: $id, name: $name) { ... on Project { id } } }', {
        id: projectId,
        name: unique('gql-renamed'),
      });
      return { type: 'project', id: projectId, projectId };
    });
    let apiKeyId = '';
    await expectAudited('api_key.created', platform, async () => {
      const data = await gql(
        platform.key,
        'mutation($projectId: ID!) { createApiKey(projectId: $projectId, input: { scopes: ["webhooks:read"] }) { ... on CreateApiKeyPayload { key apiKey { id } } } }',
        { projectId },
      );
      confidential.push(data.createApiKey.key, createHash('sha256').update(data.createApiKey.key, 'utf8').digest('hex'));
      apiKeyId = data.createApiKey.apiKey.id;
      return { type: 'api_key', id: apiKeyId, projectId };
    });
    await expectAudited('api_key.revoked', platform, async () => {
      await gql(platform.key, 'mutation($id: ID!) { revokeApiKey(id: $id) { ... on ApiKey { id } } }', { id: apiKeyId });
      return { type: 'api_key', id: apiKeyId, projectId };
    });
    await expectAudited('project.deleted', platform, async () => {
      await gql(platform.key, 'mutation($id: ID!) { deleteProject(id: $id) { ... on DeleteProjectPayload { deletedProjectId } } }', { id: projectId });
      return { type: 'project', id: projectId, projectId };
    });
  });

  it("records a platform key's write in the project it acts in (X-Project-Id)", async () => {
    await expectAudited('webhook.created', { id: platform.id, projectId: writer.projectId }, async () => {
      const { body } = ok(
        await rest(platform.key, 'POST', '/v1/webhooks', { url: receiver.url('/acting'), events: ['*'] }, { 'x-project-id': writer.projectId }),
        201,
      );
      confidential.push(body.secret);
      return { type: 'webhook', id: body.webhook_id };
    });
  });
});

describe('a refused write leaves no entry', () => {
  it('refused for its input, its scope, or what does not exist, over REST and GraphQL', async () => {
    const reader = await newKey(unique('audit-reader'), ['webhooks:read', 'deliveries:read']);
    const { body: existing } = ok(await rest(writer.key, 'POST', '/v1/webhooks', { url: receiver.url('/kept'), events: ['*'] }), 201);
    confidential.push(existing.secret);
    const refusals: [() => Promise<{ status: number; body: any }>, number, string][] = [
      [() => rest(writer.key, 'POST', '/v1/webhooks', { url: 'ftp://example.com', events: ['*'] }), 422, 'validation_failed'],
      [() => rest(writer.key, 'PUT', `/v1/webhooks/${existing.webhook_id}`, { events: ['no.such-event'] }), 422, 'validation_failed'],
      [() => rest(writer.key, 'POST', `/v1/webhooks/${existing.webhook_id}/rotate-secret`, { grace_period_seconds: 1e9 }), 422, 'validation_failed'],
      [() => rest(reader.key, 'POST', '/v1/webhooks', { url: receiver.url('/no'), events: ['*'] }), 403, 'forbidden'],
      [() => rest(reader.key, 'DELETE', `/v1/webhooks/${existing.webhook_id}`), 403, 'forbidden'],
      [() => rest(writer.key, 'POST', '/v1/webhooks/wh_0000000000000000/disable'), 404, 'not_found'],
      [() => rest(writer.key, 'DELETE', '/v1/webhooks/wh_0000000000000000'), 404, 'not_found'],
      [() => rest(writer.key, 'POST', '/v1/webhooks/wh_0000000000000000/test'), 404, 'not_found'],
      [() => rest(writer.key, 'POST', `/v1/webhooks/${existing.webhook_id}/deliveries/del_0000000000000000/retry`), 404, 'not_found'],
      [() => rest(writer.key, 'POST', '/v1/projects', { name: unique('not-allowed') }), 403, 'forbidden'],
      [() => rest(platform.key, 'POST', '/v1/projects', { name: '' }), 422, 'validation_failed'],
      [() => rest(platform.key, 'PATCH', '/v1/projects/prj_0000000000000000', { name: unique('nothing') }), 404, 'not_found'],
      [() => rest(platform.key, 'DELETE', `/v1/projects/${platform.projectId}`), 409, 'conflict'],
      [() => rest(platform.key, 'POST', `/v1/projects/${writer.projectId}/api-keys`, { scopes: ['no:such'] }), 422, 'validation_failed'],
      [() => rest(platform.key, 'DELETE', `/v1/projects/${writer.projectId}/api-keys/key_0000000000000000`), 404, 'not_found'],
    ];
    for (const [call, status, code] of refusals) {
      await expectNothingAudited(async () => {
        const response = await call();
        expect([response.status, response.body?.error?.code]).toEqual([status, code]);
      });
    }
    const typedRefusals: [string, string, Record<string, unknown>, string][] = [
      [reader.key, 'mutation($id: ID!) { enableWebhook(id: $id) { __typename } }', { id: existing.webhook_id }, 'ForbiddenError'],
      [writer.key, 'mutation($id: ID!) { enableWebhook(id: $id) { __typename } }', { id: 'wh_0000000000000000' }, 'NotFoundError'],
      [writer.key, 'mutation($id: ID!) { retryDelivery(id: $id) { __typename } }', { id: 'del_0000000000000000' }, 'NotFoundError'],
      [writer.key, 'mutation { createWebhook(input: { url: "ftp://x", events: ["*"] }) { __typename } }', {}, 'ValidationError'],
      [platform.key, 'mutation($id: ID!) { revokeApiKey(id: $id) { __typename } }', { id: 'key_0000000000000000' }, 'NotFoundError'],
      [writer.key, 'mutation { createProject(input: { name: "never" }) { __typename } }', {}, 'ForbiddenError'],
    ];
    for (const [key, query, variables, typename] of typedRefusals) {
      await expectNothingAudited(async () => {
        const data = await gql(key, query, variables);
        expect(Object.values(data)[0]).toEqual({ __typename: typename });
      });
    }
  });
});

describe('what the trail never holds', () => {
  it('no webhook secret, key or key hash, anywhere in the stored entries', async () => {
    const stored = JSON.stringify(await service.db.auditEvent.findMany());
    expect(confidential.length).toBeGreaterThan(10);
    expect(confidential.filter((secret) => stored.includes(secret))).toEqual([]);
    // The URL's query and path are not kept either (a path may hold a token): only its origin.
    expect(stored).not.toContain('token=abc');
  });
});

describe('reading the trail', () => {
  it('lists newest first, page after page, without gaps or repeats (REST and GraphQL)', async () => {
    const owner = await newKey(unique('audit-pages'));
    for (let i = 0; i < 7; i++) {
      const { body } = ok(await rest(owner.key, 'POST', '/v1/webhooks', { url: receiver.url(`/page-${i}`), events: ['*'] }), 201);
      confidential.push(body.secret);
    }
    const stored = await service.db.auditEvent.findMany({
      where: { projectId: owner.projectId },
      orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
    });
    expect(stored).toHaveLength(7);
    for (let i = 1; i < stored.length; i++) expect(stored[i - 1]!.createdAt.getTime()).toBeGreaterThanOrEqual(stored[i]!.createdAt.getTime());

    const restIds: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const query: string = cursor ? `?limit=3&cursor=${cursor}` : '?limit=3';
      const { body } = ok(await rest(platform.key, 'GET', `/v1/projects/${owner.projectId}/audit-events${query}`), 200);
      expect(body.audit_events.length).toBeLessThanOrEqual(3);
      restIds.push(...body.audit_events.map((e: any) => e.audit_event_id));
      cursor = body.next_cursor;
      pages++;
    } while (cursor);
    expect(pages).toBe(3);
    expect(restIds).toEqual(stored.map((e) => e.id));

    const gqlIds: string[] = [];
    let after: string | null = null;
    for (;;) {
      const data = await gql(
        platform.key,
        'query($projectId: ID!, $after: String) { auditEvents(projectId: $projectId, first: 3, after: $after) { pageInfo { hasNextPage endCursor } edges { node { id action apiKeyId resourceType details createdAt } } } }',
        { projectId: owner.projectId, after },
      );
      const { edges, pageInfo } = data.auditEvents;
      gqlIds.push(...edges.map((e: any) => e.node.id));
      expect(edges.every((e: any) => e.node.action === 'webhook.created' && e.node.apiKeyId === owner.id)).toBe(true);
      if (!pageInfo.hasNextPage) break;
      after = pageInfo.endCursor;
    }
    expect(gqlIds).toEqual(stored.map((e) => e.id));

    expectError(await rest(platform.key, 'GET', `/v1/projects/${owner.projectId}/audit-events?cursor=not-a-cursor`), 422, 'validation_failed', 'cursor');
    expectError(await rest(platform.key, 'GET', '/v1/projects/prj_0000000000000000/audit-events'), 404, 'not_found');
    const unknown = await service.gql(platform.key, 'query { auditEvents(projectId: "prj_0000000000000000") { edges { node { id } } } }');
    expect(unknown.body.errors).toEqual([expect.objectContaining({ extensions: { code: 'NOT_FOUND' } })]);
  });

  it("never shows another project's entries", async () => {
    const other = await newKey(unique('audit-other'));
    const { body } = ok(await rest(other.key, 'POST', '/v1/webhooks', { url: receiver.url('/other'), events: ['*'] }), 201);
    confidential.push(body.secret);
    const listed = ok(await rest(platform.key, 'GET', `/v1/projects/${writer.projectId}/audit-events?limit=100`), 200).body.audit_events;
    expect(listed.length).toBeGreaterThan(0);
    expect(listed.filter((e: any) => e.resource_id === body.webhook_id || e.api_key_id === other.id)).toEqual([]);
    const stored = await service.db.auditEvent.findMany({ where: { projectId: writer.projectId }, select: { id: true } });
    expect(listed.map((e: any) => e.audit_event_id).sort()).toEqual(stored.map((e) => e.id).sort());
    const theirs = ok(await rest(platform.key, 'GET', `/v1/projects/${other.projectId}/audit-events`), 200).body.audit_events;
    expect(theirs.map((e: any) => [e.action, e.resource_id, e.api_key_id])).toEqual([['webhook.created', body.webhook_id, other.id]]);
  });

  it('refuses a key without platform: 403 over REST, FORBIDDEN over GraphQL', async () => {
    expectError(await rest(writer.key, 'GET', `/v1/projects/${writer.projectId}/audit-events`), 403, 'forbidden');
    const { body } = await service.gql(writer.key, 'query($projectId: ID!) { auditEvents(projectId: $projectId) { edges { node { id } } } }', {
      projectId: writer.projectId,
    });
    expect(body.data).toBeNull();
    expect(body.errors).toEqual([expect.objectContaining({ extensions: { code: 'FORBIDDEN', scope: 'platform' } })]);
  });
});
