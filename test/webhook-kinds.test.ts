// A webhook's kind decides its destination: an HTTP webhook needs a URL, a LISTEN or PULL webhook has none. The
// rule is the application's (src/webhooks/validation.ts, validateDestination), so GraphQL and REST answer alike,
// and the database holds it too (a CHECK constraint).
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectError, startRestFixture } from './support/rest.js';

let fixture: Awaited<ReturnType<typeof startRestFixture>>;

const CREATE = `mutation($input: CreateWebhookInput!) { createWebhook(input: $input) {
  __typename ... on CreateWebhookPayload { webhook { id kind url } } ... on ValidationError { field message } } }`;
const UPDATE = `mutation($id: ID!, $input: UpdateWebhookInput!) { updateWebhook(id: $id, input: $input) {
  __typename ... on Webhook { url } ... on ValidationError { field message } } }`;

const gql = (query: string, variables: Record<string, unknown>) => fixture.service.gql(fixture.key, query, variables);

beforeAll(async () => {
  fixture = await startRestFixture();
});
afterAll(() => fixture.service.stop());

describe('over GraphQL', () => {
  it('creates HTTP webhooks by default and LISTEN and PULL webhooks without a URL', async () => {
    const http = await gql(CREATE, { input: { url: fixture.receiver.url('/'), events: ['*'] } });
    expect(http.body.data.createWebhook.webhook).toMatchObject({ kind: 'HTTP', url: fixture.receiver.url('/') });
    for (const kind of ['LISTEN', 'PULL']) {
      const other = await gql(CREATE, { input: { kind, events: ['*'] } });
      expect(other.body.data.createWebhook.webhook).toMatchObject({ kind, url: null });
    }
  });

  it('refuses an HTTP webhook without a URL, and a URL for the other kinds, naming url', async () => {
    const missing = await gql(CREATE, { input: { events: ['*'] } });
    expect(missing.body.data.createWebhook).toEqual({
      __typename: 'ValidationError',
      field: 'url',
      message: 'url is required for an HTTP webhook',
    });
    const extra = await gql(CREATE, { input: { kind: 'PULL', url: fixture.receiver.url('/'), events: ['*'] } });
    expect(extra.body.data.createWebhook).toMatchObject({ __typename: 'ValidationError', field: 'url' });
    expect(extra.body.data.createWebhook.message).toMatch(/left out for a PULL webhook/);
  });

  it('refuses a URL in an update of a LISTEN webhook', async () => {
    const created = await gql(CREATE, { input: { kind: 'LISTEN', events: ['*'] } });
    const id = created.body.data.createWebhook.webhook.id;
    const update = await gql(UPDATE, { id, input: { url: fixture.receiver.url('/') } });
    expect(update.body.data.updateWebhook).toMatchObject({ __typename: 'ValidationError', field: 'url' });
    const after = await fixture.rest(fixture.key, 'GET', `/v1/webhooks/${id}`);
    expect(after.body).toMatchObject({ kind: 'listen', url: null });
  });
});

describe('over REST', () => {
  it('takes and shows the kind in lowercase', async () => {
    const pull = await fixture.rest(fixture.key, 'POST', '/v1/webhooks', { kind: 'pull', events: ['batch.*'] });
    expect(pull.status).toBe(201);
    expect(pull.body).toMatchObject({ kind: 'pull', url: null, events: ['batch.*'] });
    const http = await fixture.rest(fixture.key, 'POST', '/v1/webhooks', { url: fixture.receiver.url('/'), events: ['*'] });
    expect(http.body).toMatchObject({ kind: 'http', url: fixture.receiver.url('/') });
  });

  it('refuses what GraphQL refuses, with a 422 naming url, and an unknown kind naming kind', async () => {
    expectError(await fixture.rest(fixture.key, 'POST', '/v1/webhooks', { events: ['*'] }), 422, 'validation_failed', 'url');
    expectError(
      await fixture.rest(fixture.key, 'POST', '/v1/webhooks', { kind: 'listen', url: fixture.receiver.url('/'), events: ['*'] }),
      422,
      'validation_failed',
      'url',
    );
    expectError(await fixture.rest(fixture.key, 'POST', '/v1/webhooks', { kind: 'smtp', events: ['*'] }), 422, 'validation_failed', 'kind');
  });
});

it('the database refuses a URL-less HTTP webhook written around the API', async () => {
  const client = new pg.Client({ connectionString: fixture.service.databaseUrl });
  await client.connect();
  try {
    await expect(
      client.query(`UPDATE webhooks SET url = NULL WHERE kind = 'HTTP' AND project_id = $1`, [fixture.projectId]),
    ).rejects.toThrow(/webhooks_url_by_kind/);
  } finally {
    await client.end();
  }
});
