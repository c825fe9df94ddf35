// Projects and their keys, managed with a platform key over REST and GraphQL: create, list, rename, delete; keys with
// scopes (a subset of the caller's own), revoked at once; X-Project-Id to act in another project; and refusals:
// 403 without `platform`, 422 naming the field, 404 for what does not exist, nothing written.
import { beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_SCOPES } from '../src/app/authorization.js';
import { ApiKeyStore } from '../src/auth/api-keys.js';
import { startTestService, type GraphQLResult, type TestService } from './support/service.js';
import { expectError, restClient } from './support/rest.js';

let service: TestService;
let rest: ReturnType<typeof restClient>;
/** A key with the scope platform, acting in its own project unless told otherwise. */
let platform: string;
/** A key of its own project with every project scope, but not platform. */
let projectKey: string;
let projectKeyProjectId: string;
let counter = 0;
const unique = (label: string) => `${label}-${process.pid}-${++counter}`;

/** GraphQL over HTTP with extra headers (X-Project-Id). */
async function gql<T = any>(
  key: string,
  query: string,
  variables: Record<string, unknown> = {},
  headers: Record<string, string> = {},
): Promise<GraphQLResult<T>> {
  const response = await fetch(`${service.httpUrl}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}`, ...headers },
    body: JSON.stringify({ query, variables }),
  });
  return { status: response.status, body: (await response.json()) as GraphQLResult['body'] };
}

/** What is stored: projects and keys, to show a refused request wrote nothing. */
const stored = async () => ({ projects: await service.db.project.count(), keys: await service.db.apiKey.count() });

const ERRORS = `... on ValidationError { field } ... on ForbiddenError { scope } ... on Error { message }`;
/** For the fields that raise no ValidationError. */
const NO_INPUT_ERRORS = `... on ForbiddenError { scope } ... on Error { message }`;
const PROJECT = `id name createdAt`;
const API_KEY = `id name prefix scopes createdAt revokedAt projectId`;
const CREATE_PROJECT = `mutation($name: String!) { createProject(input: { name: $name }) { __typename ... on Project { ${PROJECT} } ${ERRORS} } }`;
const RENAME_PROJECT = `mutation($id: ID!, $name: String!) { renameProject(id: $id, name: $name) { __typename ... on Project { ${PROJECT} } ${ERRORS} } }`;
const DELETE_PROJECT = `mutation($id: ID!) { deleteProject(id: $id) { __typename ... on DeleteProjectPayload { deletedProjectId } ${NO_INPUT_ERRORS} } }`;
const CREATE_API_KEY = `mutation($projectId: ID!, $input: CreateApiKeyInput) { createApiKey(projectId: $projectId, input: $input) { __typename ... on CreateApiKeyPayload { key apiKey { ${API_KEY} } } ${ERRORS} } }`;
const REVOKE_API_KEY = `mutation($id: ID!) { revokeApiKey(id: $id) { __typename ... on ApiKey { ${API_KEY} } ${NO_INPUT_ERRORS} } }`;
const PROJECTS = `query($first: Int, $after: String) { projects(first: $first, after: $after) { totalCount pageInfo { hasNextPage endCursor } edges { node { ${PROJECT} } } } }`;
const API_KEYS = `query($projectId: ID!) { apiKeys(projectId: $projectId) { ${API_KEY} } }`;
const WEBHOOK_COUNT = '{ webhooks { totalCount } }';
const CREATE_WEBHOOK = `mutation { createWebhook(input: { url: "https://example.com/hook", events: ["*"] }) { __typename ... on CreateWebhookPayload { webhook { id } } ${ERRORS} } }`;

beforeAll(async () => {
  service = await startTestService();
  rest = restClient(service.httpUrl);
  ({ key: platform } = await new ApiKeyStore(service.pool).create(unique('platform'), 'platform', ['platform']));
  ({ key: projectKey, projectId: projectKeyProjectId } = await service.newProject());
});

describe('REST: projects', () => {
  it('creates, lists (oldest first), renames and deletes a project', async () => {
    const first = await rest(platform, 'POST', '/v1/projects', { name: unique('acme') });
    expect(first.status).toBe(201);
    expect(first.body).toStrictEqual({
      project_id: expect.stringMatching(/^prj_/),
      name: expect.stringMatching(/^acme-/),
      created_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
    });
    const second = await rest(platform, 'POST', '/v1/projects', { name: `  ${unique('globex')}  ` });
    expect(second.status).toBe(201);
    expect(second.body.name).toMatch(/^globex-\d+-\d+$/); // trimmed

    const listed = await rest(platform, 'GET', '/v1/projects?limit=100');
    expect(listed.status).toBe(200);
    expect(listed.body).toMatchObject({ limit: 100, offset: 0, total: expect.any(Number) });
    const ids = listed.body.projects.map((p: any) => p.project_id);
    expect(ids.indexOf(first.body.project_id)).toBeLessThan(ids.indexOf(second.body.project_id));
    expect(ids.indexOf(first.body.project_id)).toBeGreaterThanOrEqual(0);
    const paged = await rest(platform, 'GET', `/v1/projects?limit=1&offset=${ids.indexOf(second.body.project_id)}`);
    expect(paged.body.projects).toEqual([second.body]);

    const renamed = await rest(platform, 'PATCH', `/v1/projects/${first.body.project_id}`, { name: unique('acme-renamed') });
    expect(renamed.status).toBe(200);
    expect(renamed.body).toStrictEqual({ ...first.body, name: expect.stringMatching(/^acme-renamed-/) });

    const taken = await rest(platform, 'PATCH', `/v1/projects/${first.body.project_id}`, { name: second.body.name });
    expectError(taken, 409, 'conflict', 'name');
    const takenOnCreate = await rest(platform, 'POST', '/v1/projects', { name: second.body.name });
    expectError(takenOnCreate, 409, 'conflict', 'name');

    const deleted = await rest(platform, 'DELETE', `/v1/projects/${first.body.project_id}`);
    expect(deleted.status).toBe(204);
    expect(deleted.text).toBe('');
    expectError(await rest(platform, 'DELETE', `/v1/projects/${first.body.project_id}`), 404, 'not_found');
    expectError(await rest(platform, 'PATCH', `/v1/projects/${first.body.project_id}`, { name: unique('x') }), 404, 'not_found');
    expectError(await rest(platform, 'GET', `/v1/projects/${first.body.project_id}/api-keys`), 404, 'not_found');
    expectError(await rest(platform, 'POST', `/v1/projects/${first.body.project_id}/api-keys`, {}), 404, 'not_found');
  });

  it("deleting a project deletes its keys and webhooks; a key's own project cannot be deleted by it", async () => {
    const project = (await rest(platform, 'POST', '/v1/projects', { name: unique('doomed') })).body;
    const { key } = (await rest(platform, 'POST', `/v1/projects/${project.project_id}/api-keys`)).body;
    expect((await rest(key, 'POST', '/v1/webhooks', { url: 'https://example.com/hook', events: ['*'] })).status).toBe(201);
    expect((await rest(platform, 'DELETE', `/v1/projects/${project.project_id}`)).status).toBe(204);
    expectError(await rest(key, 'GET', '/v1/webhooks'), 401, 'unauthenticated');
    expect(await service.db.webhook.count({ where: { projectId: project.project_id } })).toBe(0);

    const own = await service.db.apiKey.findFirstOrThrow({ where: { scopes: { has: 'platform' }, name: 'platform' } });
    expectError(await rest(platform, 'DELETE', `/v1/projects/${own.projectId}`), 409, 'conflict');
  });
});

describe('REST: API keys', () => {
  it('creates a key with a subset of the scopes: it reads webhooks and is refused writing them', async () => {
    const project = (await rest(platform, 'POST', '/v1/projects', { name: unique('reader') })).body;
    const created = await rest(platform, 'POST', `/v1/projects/${project.project_id}/api-keys`, {
      name: 'dashboard',
      scopes: ['webhooks:read', 'deliveries:read'],
    });
    expect(created.status).toBe(201);
    expect(created.body).toStrictEqual({
      api_key_id: expect.stringMatching(/^key_/),
      key: expect.stringMatching(/^aip_[A-Za-z0-9_-]{43}$/),
      project_id: project.project_id,
      scopes: ['webhooks:read', 'deliveries:read'],
      name: 'dashboard',
      created_at: expect.stringMatching(/Z$/),
    });
    const { key } = created.body;
    const read = await rest(key, 'GET', '/v1/webhooks');
    expect(read.status).toBe(200);
    expect(read.body.total).toBe(0);
    const write = await rest(key, 'POST', '/v1/webhooks', { url: 'https://example.com/hook', events: ['*'] });
    expectError(write, 403, 'forbidden');
    expect(write.body.error.message).toContain('webhooks:write');

    const listed = await rest(platform, 'GET', `/v1/projects/${project.project_id}/api-keys`);
    expect(listed.status).toBe(200);
    expect(listed.body).toStrictEqual({
      api_keys: [
        {
          api_key_id: created.body.api_key_id,
          project_id: project.project_id,
          name: 'dashboard',
          prefix: key.slice(0, 8),
          scopes: ['webhooks:read', 'deliveries:read'],
          created_at: created.body.created_at,
          revoked_at: null,
        },
      ],
    });
    expect(listed.text).not.toContain(key.slice(8));
  });

  it('a key created without scopes (or without a body) gets every project scope', async () => {
    const project = (await rest(platform, 'POST', '/v1/projects', { name: unique('defaults') })).body;
    const withoutBody = await rest(platform, 'POST', `/v1/projects/${project.project_id}/api-keys`);
    expect(withoutBody.status).toBe(201);
    expect(withoutBody.body).toMatchObject({ scopes: [...PROJECT_SCOPES], name: 'default' });
    const withoutScopes = await rest(platform, 'POST', `/v1/projects/${project.project_id}/api-keys`, { name: 'ci' });
    expect(withoutScopes.body).toMatchObject({ scopes: [...PROJECT_SCOPES], name: 'ci' });
    expect((await rest(withoutScopes.body.key, 'POST', '/v1/webhooks', { url: 'https://example.com/h', events: ['*'] })).status).toBe(201);
  });

  it('revoking a key makes it 401 at once; revoking it again, or in another project, is a 404', async () => {
    const project = (await rest(platform, 'POST', '/v1/projects', { name: unique('revoked') })).body;
    const other = (await rest(platform, 'POST', '/v1/projects', { name: unique('other') })).body;
    const { key, api_key_id } = (await rest(platform, 'POST', `/v1/projects/${project.project_id}/api-keys`)).body;
    expect((await rest(key, 'GET', '/v1/webhooks')).status).toBe(200);

    expectError(await rest(platform, 'DELETE', `/v1/projects/${other.project_id}/api-keys/${api_key_id}`), 404, 'not_found');
    expect((await rest(key, 'GET', '/v1/webhooks')).status).toBe(200);

    const revoked = await rest(platform, 'DELETE', `/v1/projects/${project.project_id}/api-keys/${api_key_id}`);
    expect(revoked.status).toBe(204);
    expectError(await rest(key, 'GET', '/v1/webhooks'), 401, 'unauthenticated');
    expectError(await rest(platform, 'DELETE', `/v1/projects/${project.project_id}/api-keys/${api_key_id}`), 404, 'not_found');
    expectError(await rest(platform, 'DELETE', `/v1/projects/${project.project_id}/api-keys/key_0000000000000000`), 404, 'not_found');
    const [listed] = (await rest(platform, 'GET', `/v1/projects/${project.project_id}/api-keys`)).body.api_keys;
    expect(listed.revoked_at).toMatch(/Z$/);
  });

  it('a key without platform can call no project or key operation (403), and nothing is written', async () => {
    const before = await stored();
    const target = projectKeyProjectId;
    const calls: [string, string, unknown?][] = [
      ['POST', '/v1/projects', { name: unique('sneaky') }],
      ['GET', '/v1/projects'],
      ['PATCH', `/v1/projects/${target}`, { name: unique('sneaky') }],
      ['DELETE', `/v1/projects/${target}`],
      ['POST', `/v1/projects/${target}/api-keys`, { scopes: ['webhooks:read'] }],
      ['GET', `/v1/projects/${target}/api-keys`],
      ['DELETE', `/v1/projects/${target}/api-keys/key_0000000000000000`],
    ];
    for (const [method, path, body] of calls) {
      const response = await rest(projectKey, method, path, body);
      expectError(response, 403, 'forbidden');
      expect(response.body.error.message, `${method} ${path}`).toContain('platform');
    }
    expect(await stored()).toEqual(before);
  });

  it('a key with webhooks:read only cannot mint a key with webhooks:write (403)', async () => {
    const project = (await rest(platform, 'POST', '/v1/projects', { name: unique('minter') })).body;
    const { key } = (await rest(platform, 'POST', `/v1/projects/${project.project_id}/api-keys`, { scopes: ['webhooks:read'] })).body;
    const before = await stored();
    const minted = await rest(key, 'POST', `/v1/projects/${project.project_id}/api-keys`, { scopes: ['webhooks:write'] });
    expectError(minted, 403, 'forbidden');
    expect(await stored()).toEqual(before);
  });

  it('an unknown scope is a 422 naming scopes; nothing written', async () => {
    const before = await stored();
    const response = await rest(platform, 'POST', `/v1/projects/${projectKeyProjectId}/api-keys`, {
      scopes: ['webhooks:read', 'webhooks:delete'],
    });
    expectError(response, 422, 'validation_failed', 'scopes');
    expect(response.body.error.message).toContain('webhooks:delete');
    expect(await stored()).toEqual(before);
  });
});

describe('REST: X-Project-Id', () => {
  it('a platform key acts in the project it names; a project key of that project sees what it made', async () => {
    const project = (await rest(platform, 'POST', '/v1/projects', { name: unique('tenant') })).body;
    const header = { 'x-project-id': project.project_id };
    const created = await rest(platform, 'POST', '/v1/webhooks', { url: 'https://example.com/tenant', events: ['*'] }, header);
    expect(created.status).toBe(201);
    const { key } = (await rest(platform, 'POST', `/v1/projects/${project.project_id}/api-keys`, { scopes: ['webhooks:read'] })).body;
    const listed = await rest(key, 'GET', '/v1/webhooks');
    expect(listed.body.webhooks.map((w: any) => w.webhook_id)).toEqual([created.body.webhook_id]);
    // Without the header, the platform key acts in its own project, where that webhook is not.
    const own = await rest(platform, 'GET', '/v1/webhooks');
    expect(own.body.webhooks.map((w: any) => w.webhook_id)).not.toContain(created.body.webhook_id);
  });

  it("a key without platform naming another project is a 403; an unknown project is a 404; nothing written", async () => {
    const other = (await rest(platform, 'POST', '/v1/projects', { name: unique('elsewhere') })).body;
    const before = await service.db.webhook.count();
    const body = { url: 'https://example.com/x', events: ['*'] };
    expectError(await rest(projectKey, 'POST', '/v1/webhooks', body, { 'x-project-id': other.project_id }), 403, 'forbidden', 'x-project-id');
    expectError(await rest(platform, 'POST', '/v1/webhooks', body, { 'x-project-id': 'prj_0000000000000000' }), 404, 'not_found', 'x-project-id');
    expect(await service.db.webhook.count()).toBe(before);
  });
});

describe('REST: bad input on every new route names the field; nothing written', () => {
  it.each([
    ['POST', '/v1/projects', {}, 'name'],
    ['POST', '/v1/projects', { name: '' }, 'name'],
    ['POST', '/v1/projects', { name: '   ' }, 'name'],
    ['POST', '/v1/projects', { name: 'x'.repeat(101) }, 'name'],
    ['POST', '/v1/projects', { name: 7 }, 'name'],
    ['POST', '/v1/projects', { name: 'a\u0000b' }, 'name'],
    ['POST', '/v1/projects', { name: 'ok', extra: 1 }, 'extra'],
    ['GET', '/v1/projects?limit=0', undefined, 'limit'],
    ['GET', '/v1/projects?offset=-1', undefined, 'offset'],
    ['PATCH', '/v1/projects/PROJECT', {}, 'name'],
    ['PATCH', '/v1/projects/PROJECT', { name: '' }, 'name'],
    ['POST', '/v1/projects/PROJECT/api-keys', { scopes: 'webhooks:read' }, 'scopes'],
    ['POST', '/v1/projects/PROJECT/api-keys', { scopes: [] }, 'scopes'],
    ['POST', '/v1/projects/PROJECT/api-keys', { scopes: ['everything'] }, 'scopes'],
    ['POST', '/v1/projects/PROJECT/api-keys', { name: '' }, 'name'],
    ['POST', '/v1/projects/PROJECT/api-keys', { name: 'x'.repeat(101) }, 'name'],
    ['POST', '/v1/projects/PROJECT/api-keys', { bogus: true }, 'bogus'],
  ])('%s %s %j → 422 naming %s', async (method, path, body, field) => {
    const before = await stored();
    const response = await rest(platform, method, path.replace('PROJECT', projectKeyProjectId), body);
    expectError(response, 422, 'validation_failed', field);
    expect(await stored()).toEqual(before);
    expect((await service.db.project.findUnique({ where: { id: projectKeyProjectId } }))?.name).toMatch(/^project-/);
  });

  it('malformed JSON is a 400 on every route with a body', async () => {
    for (const [method, path] of [
      ['POST', '/v1/projects'],
      ['PATCH', `/v1/projects/${projectKeyProjectId}`],
      ['POST', `/v1/projects/${projectKeyProjectId}/api-keys`],
    ] as const) {
      expectError(await rest(platform, method, path, '{"name": ', { 'content-type': 'application/json' }), 400, 'invalid_json');
    }
  });
});

describe('GraphQL: projects and keys', () => {
  it('creates, lists, renames and deletes a project', async () => {
    const name = unique('gql');
    const created = await gql(platform, CREATE_PROJECT, { name });
    expect(created.body.data.createProject).toMatchObject({ __typename: 'Project', id: expect.stringMatching(/^prj_/), name });
    const id = created.body.data.createProject.id;

    const listed = await gql(platform, PROJECTS, { first: 100 });
    expect(listed.body.errors).toBeUndefined();
    expect(listed.body.data.projects.totalCount).toBeGreaterThan(1);
    const nodes = listed.body.data.projects.edges.map((e: any) => e.node);
    expect(nodes.find((n: any) => n.id === id)).toEqual({ id, name, createdAt: expect.any(String) });

    const conflict = await gql(platform, CREATE_PROJECT, { name });
    expect(conflict.body.data.createProject).toMatchObject({ __typename: 'ConflictError', message: expect.stringContaining(name) });

    const renamed = await gql(platform, RENAME_PROJECT, { id, name: `${name}-renamed` });
    expect(renamed.body.data.renameProject).toMatchObject({ __typename: 'Project', id, name: `${name}-renamed` });

    const deleted = await gql(platform, DELETE_PROJECT, { id });
    expect(deleted.body.data.deleteProject).toEqual({ __typename: 'DeleteProjectPayload', deletedProjectId: id });
    const again = await gql(platform, DELETE_PROJECT, { id });
    expect(again.body.data.deleteProject).toMatchObject({ __typename: 'NotFoundError' });
    const keys = await gql(platform, API_KEYS, { projectId: id });
    expect(keys.body.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
  });

  it('creates a key with a subset of the scopes, which reads webhooks and gets ForbiddenError writing; revoked, it is 401', async () => {
    const project = (await gql(platform, CREATE_PROJECT, { name: unique('gql-keys') })).body.data.createProject;
    const created = await gql(platform, CREATE_API_KEY, {
      projectId: project.id,
      input: { name: 'reader', scopes: ['webhooks:read'] },
    });
    const payload = created.body.data.createApiKey;
    expect(payload).toMatchObject({
      __typename: 'CreateApiKeyPayload',
      key: expect.stringMatching(/^aip_/),
      apiKey: { name: 'reader', scopes: ['webhooks:read'], projectId: project.id, revokedAt: null },
    });
    expect(payload.apiKey.prefix).toBe(payload.key.slice(0, 8));

    expect((await gql(payload.key, WEBHOOK_COUNT)).body).toEqual({ data: { webhooks: { totalCount: 0 } } });
    const write = await gql(payload.key, CREATE_WEBHOOK);
    expect(write.body.data.createWebhook).toMatchObject({ __typename: 'ForbiddenError', scope: 'webhooks:write' });

    const listed = await gql(platform, API_KEYS, { projectId: project.id });
    expect(listed.body.data.apiKeys).toEqual([payload.apiKey]);

    const revoked = await gql(platform, REVOKE_API_KEY, { id: payload.apiKey.id });
    expect(revoked.body.data.revokeApiKey).toMatchObject({ __typename: 'ApiKey', id: payload.apiKey.id, revokedAt: expect.any(String) });
    const after = await gql(payload.key, WEBHOOK_COUNT);
    expect(after.status).toBe(401);
    expect(after.body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    const twice = await gql(platform, REVOKE_API_KEY, { id: payload.apiKey.id });
    expect(twice.body.data.revokeApiKey).toMatchObject({ __typename: 'NotFoundError' });
  });

  it('a key without platform gets ForbiddenError (scope platform) from every project and key operation; nothing written', async () => {
    const before = await stored();
    const id = projectKeyProjectId;
    const mutations: [string, string, Record<string, unknown>][] = [
      ['createProject', CREATE_PROJECT, { name: unique('sneaky') }],
      ['renameProject', RENAME_PROJECT, { id, name: unique('sneaky') }],
      ['deleteProject', DELETE_PROJECT, { id }],
      ['createApiKey', CREATE_API_KEY, { projectId: id, input: { scopes: ['webhooks:read'] } }],
      ['revokeApiKey', REVOKE_API_KEY, { id: 'key_0000000000000000' }],
    ];
    for (const [field, query, variables] of mutations) {
      const result = await gql(projectKey, query, variables);
      expect(result.body.data[field], field).toMatchObject({ __typename: 'ForbiddenError', scope: 'platform' });
    }
    for (const [query, variables] of [[PROJECTS, {}], [API_KEYS, { projectId: id }]] as const) {
      const result = await gql(projectKey, query, variables);
      expect(result.body.errors?.[0]?.extensions).toMatchObject({ code: 'FORBIDDEN', scope: 'platform' });
    }
    expect(await stored()).toEqual(before);
  });

  it('a key with webhooks:read only cannot mint a key with webhooks:write', async () => {
    const project = (await gql(platform, CREATE_PROJECT, { name: unique('gql-minter') })).body.data.createProject;
    const { key } = (await gql(platform, CREATE_API_KEY, { projectId: project.id, input: { scopes: ['webhooks:read'] } })).body.data
      .createApiKey;
    const before = await stored();
    const minted = await gql(key, CREATE_API_KEY, { projectId: project.id, input: { scopes: ['webhooks:write'] } });
    expect(minted.body.data.createApiKey).toMatchObject({ __typename: 'ForbiddenError' });
    expect(await stored()).toEqual(before);
  });

  it('bad input is a ValidationError naming the field; nothing written', async () => {
    const before = await stored();
    const cases: [string, string, Record<string, unknown>, string][] = [
      ['createProject', CREATE_PROJECT, { name: '' }, 'name'],
      ['createProject', CREATE_PROJECT, { name: 'x'.repeat(101) }, 'name'],
      ['renameProject', RENAME_PROJECT, { id: projectKeyProjectId, name: ' ' }, 'name'],
      ['createApiKey', CREATE_API_KEY, { projectId: projectKeyProjectId, input: { scopes: ['nope'] } }, 'scopes'],
      ['createApiKey', CREATE_API_KEY, { projectId: projectKeyProjectId, input: { scopes: [] } }, 'scopes'],
      ['createApiKey', CREATE_API_KEY, { projectId: projectKeyProjectId, input: { name: '' } }, 'name'],
    ];
    for (const [field, query, variables, named] of cases) {
      const result = await gql(platform, query, variables);
      expect(result.body.data[field], `${field} ${JSON.stringify(variables)}`).toMatchObject({ __typename: 'ValidationError', field: named });
    }
    const unknownProject = await gql(platform, CREATE_API_KEY, { projectId: 'prj_0000000000000000' });
    expect(unknownProject.body.data.createApiKey).toMatchObject({ __typename: 'NotFoundError' });
    expect(await stored()).toEqual(before);
  });

  it('X-Project-Id: a platform key acts in that project; another key is refused (403); an unknown project is a 404 NOT_FOUND', async () => {
    const project = (await gql(platform, CREATE_PROJECT, { name: unique('gql-tenant') })).body.data.createProject;
    const created = await gql(platform, CREATE_WEBHOOK, {}, { 'x-project-id': project.id });
    expect(created.body.data.createWebhook.__typename).toBe('CreateWebhookPayload');
    const { key } = (await gql(platform, CREATE_API_KEY, { projectId: project.id })).body.data.createApiKey;
    expect((await gql(key, WEBHOOK_COUNT)).body.data.webhooks.totalCount).toBe(1);

    const before = await service.db.webhook.count();
    const forbidden = await gql(projectKey, CREATE_WEBHOOK, {}, { 'x-project-id': project.id });
    expect(forbidden.status).toBe(403);
    expect(forbidden.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const unknown = await gql(platform, CREATE_WEBHOOK, {}, { 'x-project-id': 'prj_0000000000000000' });
    expect(unknown.status).toBe(404);
    expect(unknown.body.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    expect(await service.db.webhook.count()).toBe(before);
  });
});
