// API keys and tenancy: 401s on every transport, revocation, key storage, and project isolation.
import { randomBytes } from 'node:crypto';
import { createClient, type Client } from 'graphql-ws';
import pg from 'pg';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiKeyStore } from '../src/auth/api-keys.js';
import { createPrisma } from '../src/db/prisma.js';
import { startTestService, type TestService } from './support/service.js';

const KEY_FORMAT = /^aip_[A-Za-z0-9_-]{43}$/;
const COUNT = '{ webhooks { totalCount } }';
const CREATE = `mutation($input: CreateWebhookInput!) {
  createWebhook(input: $input) { ... on CreateWebhookPayload { webhook { id } } }
}`;

let service: TestService;
let key: string;

beforeAll(async () => {
  service = await startTestService();
  ({ key } = await service.newProject());
});

/** POSTs to /graphql with arbitrary headers; the body is parsed as JSON when the server says it is JSON. */
async function post(headers: Record<string, string>, query = COUNT) {
  const response = await fetch(`${service.httpUrl}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query }),
  });
  const text = await response.text();
  return { status: response.status, contentType: response.headers.get('content-type') ?? '', text };
}

const expectUnauthenticated = (result: { status: number; contentType: string; text: string }) => {
  expect(result.status).toBe(401);
  expect(result.contentType).toMatch(/^application\/json/);
  const body = JSON.parse(result.text);
  expect(body.errors[0].extensions.code).toBe('UNAUTHENTICATED');
  expect(body.errors[0].message).toMatch(/API key/);
  expect(body.data).toBeUndefined();
};

describe('HTTP authentication', () => {
  it('accepts a valid key', async () => {
    const result = await post({ authorization: `Bearer ${key}` });
    expect(result.status).toBe(200);
    expect(JSON.parse(result.text)).toEqual({ data: { webhooks: { totalCount: 0 } } });
  });

  it('answers 401 UNAUTHENTICATED without a key', async () => {
    expectUnauthenticated(await post({}));
  });

  it.each([
    ['the key without a scheme', () => key],
    ['the Basic scheme', () => `Basic ${Buffer.from(`user:${key}`).toString('base64')}`],
    ['Bearer with nothing after it', () => 'Bearer'],
    ['Bearer and a blank', () => 'Bearer   '],
    ['two tokens', () => `Bearer ${key} ${key}`],
  ])('answers 401 UNAUTHENTICATED to a malformed header: %s', async (_name, header) => {
    expectUnauthenticated(await post({ authorization: header() }));
  });

  it('answers 401 UNAUTHENTICATED to a wrong key', async () => {
    const wrong = `aip_${randomBytes(32).toString('base64url')}`;
    expect(wrong).toMatch(KEY_FORMAT);
    expectUnauthenticated(await post({ authorization: `Bearer ${wrong}` }));
    // One character off a real key is just as wrong.
    const last = key.at(-1) === 'A' ? 'B' : 'A';
    expectUnauthenticated(await post({ authorization: `Bearer ${key.slice(0, -1)}${last}` }));
  });

  it('runs no operation without a key: a mutation sent unauthenticated changes nothing', async () => {
    const mutation = CREATE.replace('$input: CreateWebhookInput!', '').replace(
      '(input: $input)',
      '(input: { url: "https://example.com/sneaky", events: ["*"] })',
    );
    expectUnauthenticated(await post({}, mutation));
    expect(JSON.parse((await post({ authorization: `Bearer ${key}` })).text).data.webhooks.totalCount).toBe(0);
  });

  it('answers 401 to GraphQL over GET without a key', async () => {
    const response = await fetch(`${service.httpUrl}/graphql?query=${encodeURIComponent(COUNT)}`, {
      headers: { accept: 'application/json' },
    });
    expect(response.status).toBe(401);
    expect((await response.json()).errors[0].extensions.code).toBe('UNAUTHENTICATED');
  });

  it('does not run a query for a browser GET without a key (it may only get the GraphiQL page)', async () => {
    const response = await fetch(`${service.httpUrl}/graphql?query=${encodeURIComponent(COUNT)}`, {
      headers: { accept: 'text/html,application/json' },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    const text = await response.text();
    expect(text).toContain('<title>AI Platform Webhooks</title>');
    expect(text).not.toContain('"totalCount"');
  });
});

describe('API keys', () => {
  it('look like aip_ followed by 43 base64url characters', async () => {
    const { key: another } = await service.newProject();
    expect(key).toMatch(KEY_FORMAT);
    expect(another).toMatch(KEY_FORMAT);
    expect(another).not.toBe(key);
  });

  it('are stored only as a hash: the key text appears nowhere in api_keys', async () => {
    const client = new pg.Client({ connectionString: service.databaseUrl });
    await client.connect();
    try {
      const { rows } = await client.query('SELECT * FROM api_keys');
      expect(rows.length).toBeGreaterThanOrEqual(1);
      const everything = JSON.stringify(rows);
      expect(everything).not.toContain(key);
      expect(everything).not.toContain(key.slice(4)); // the random part alone
      expect(everything).not.toContain(key.slice(12)); // nor its tail (the listing prefix is the first 8 characters)
      // Every stored key is recognisable only by a short prefix.
      for (const row of rows) expect(row.prefix.length).toBeLessThanOrEqual(8);
    } finally {
      await client.end();
    }
  });

  it('stops working at once when revoked', async () => {
    const { key: doomed, projectId } = await service.newProject();
    expect((await post({ authorization: `Bearer ${doomed}` })).status).toBe(200);

    const db = createPrisma(service.databaseUrl, 1);
    try {
      const row = await db.apiKey.findFirstOrThrow({ where: { projectId } });
      expect(await new ApiKeyStore(service.pool).revoke(row.id)).toBe(true);
      expect(await new ApiKeyStore(service.pool).revoke(row.id)).toBe(false); // already revoked
    } finally {
      await db.$disconnect();
    }

    expectUnauthenticated(await post({ authorization: `Bearer ${doomed}` }));
    // Other keys are unaffected.
    expect((await post({ authorization: `Bearer ${key}` })).status).toBe(200);
  });
});

describe('tenant isolation', () => {
  const FIELDS = 'id url events description status disabledReason disabledAt createdAt updatedAt';
  const OPERATIONS: Record<string, string> = {
    webhook: `query($id: ID!) { result: webhook(id: $id) { __typename ... on Error { message } ... on Webhook { id } } }`,
    updateWebhook: `mutation($id: ID!) {
      result: updateWebhook(id: $id, input: { url: "https://evil.example/hijack", events: ["*"] }) {
        __typename ... on Error { message } ... on Webhook { id url }
      }
    }`,
    deleteWebhook: `mutation($id: ID!) {
      result: deleteWebhook(id: $id) { __typename ... on Error { message } ... on DeleteWebhookPayload { deletedWebhookId } }
    }`,
    enableWebhook: `mutation($id: ID!) { result: enableWebhook(id: $id) { __typename ... on Error { message } ... on Webhook { status } } }`,
    disableWebhook: `mutation($id: ID!) { result: disableWebhook(id: $id) { __typename ... on Error { message } ... on Webhook { status } } }`,
    rotateWebhookSecret: `mutation($id: ID!) {
      result: rotateWebhookSecret(id: $id) { __typename ... on Error { message } ... on RotateWebhookSecretPayload { secret } }
    }`,
  };
  const GET = `query($id: ID!) { webhook(id: $id) { __typename ... on Webhook { ${FIELDS} } } }`;
  const LIST = '{ webhooks(first: 100) { totalCount edges { node { id } } } }';

  let keyA: string;
  let keyB: string;
  let idsA: string[];
  let disabledA: string;

  beforeAll(async () => {
    ({ key: keyA } = await service.newProject());
    ({ key: keyB } = await service.newProject());
    idsA = [];
    for (const url of ['https://a.example/1', 'https://a.example/2']) {
      const r = await service.gql(keyA, CREATE, { input: { url, events: ['*'] } });
      idsA.push(r.body.data.createWebhook.webhook.id);
    }
    disabledA = idsA[1]!;
    const disable = await service.gql(keyA, OPERATIONS.disableWebhook!, { id: disabledA });
    expect(disable.body.data.result.status).toBe('DISABLED');
    await service.gql(keyB, CREATE, { input: { url: 'https://b.example/1', events: ['*'] } });
  });

  it.each(Object.keys(OPERATIONS))(
    '%s on another project\'s webhook answers NotFoundError exactly as for an unknown id, and changes nothing',
    async (operation) => {
      for (const id of idsA) {
        const before = (await service.gql(keyA, GET, { id })).body.data.webhook;
        expect(before.__typename).toBe('Webhook');

        const unknownId = `wh_${randomBytes(8).toString('hex')}`;
        const foreign = await service.gql(keyB, OPERATIONS[operation]!, { id });
        const unknown = await service.gql(keyB, OPERATIONS[operation]!, { id: unknownId });
        expect(foreign.status).toBe(200);
        expect(foreign.body.errors).toBeUndefined();
        expect(foreign.body.data.result.__typename).toBe('NotFoundError');
        // Same shape and same message, once the id each was asked about is taken out.
        const scrub = (value: unknown, asked: string) => JSON.parse(JSON.stringify(value).replaceAll(asked, '<id>'));
        expect(scrub(foreign, id)).toEqual(scrub(unknown, unknownId));

        const after = (await service.gql(keyA, GET, { id })).body.data.webhook;
        expect(after).toEqual(before);
      }
    },
  );

  it('keeps the secret of a webhook another project tried to rotate', async () => {
    const db = createPrisma(service.databaseUrl, 1);
    try {
      const before = await db.webhook.findUniqueOrThrow({ where: { id: idsA[0]! } });
      await service.gql(keyB, OPERATIONS.rotateWebhookSecret!, { id: idsA[0]! });
      const after = await db.webhook.findUniqueOrThrow({ where: { id: idsA[0]! } });
      expect(after.secret).toBe(before.secret);
      expect(after.previousSecret).toBe(before.previousSecret);
    } finally {
      await db.$disconnect();
    }
  });

  it("never lists another project's webhooks or counts them", async () => {
    const listB = (await service.gql(keyB, LIST)).body.data.webhooks;
    expect(listB.totalCount).toBe(1);
    expect(listB.edges).toHaveLength(1);
    for (const id of idsA) expect(JSON.stringify(listB)).not.toContain(id);

    const listA = (await service.gql(keyA, LIST)).body.data.webhooks;
    expect(listA.totalCount).toBe(2);
    expect(listA.edges.map((e: { node: { id: string } }) => e.node.id).sort()).toEqual([...idsA].sort());
  });
});

describe('graphql-ws', () => {
  const clients: Client[] = [];
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.dispose()));
  });

  const wsUrl = () => `${service.httpUrl.replace(/^http/, 'ws')}/graphql`;

  /** Runs one operation; resolves with its result, or with the close code when the server refuses. */
  function run(
    connectionParams: Record<string, unknown> | undefined,
    webSocketImpl: unknown = WebSocket,
  ): Promise<{ result?: unknown; closeCode?: number }> {
    const client = createClient({
      url: wsUrl(),
      webSocketImpl,
      connectionParams,
      lazy: true,
      retryAttempts: 0,
      shouldRetry: () => false,
    });
    clients.push(client);
    return new Promise((resolve) => {
      let result: unknown;
      client.subscribe(
        { query: COUNT },
        {
          next: (value) => (result = value),
          error: (error) => resolve({ closeCode: (error as { code?: number }).code }),
          complete: () => resolve({ result }),
        },
      );
    });
  }

  it('runs a query with connectionParams { authorization: "Bearer <key>" }', async () => {
    expect(await run({ authorization: `Bearer ${key}` })).toEqual({ result: { data: { webhooks: { totalCount: 0 } } } });
  });

  it('accepts the key in the Authorization header of the upgrade request', async () => {
    class WithHeader extends WebSocket {
      constructor(url: string, protocols?: string | string[]) {
        super(url, protocols, { headers: { authorization: `Bearer ${key}` } });
      }
    }
    expect(await run(undefined, WithHeader)).toEqual({ result: { data: { webhooks: { totalCount: 0 } } } });
  });

  it('refuses the connection with 4403 without a key', async () => {
    expect(await run(undefined)).toEqual({ closeCode: 4403 });
    expect(await run({})).toEqual({ closeCode: 4403 });
  });

  it('refuses the connection with 4403 with a wrong or malformed key', async () => {
    expect(await run({ authorization: `Bearer aip_${randomBytes(32).toString('base64url')}` })).toEqual({
      closeCode: 4403,
    });
    expect(await run({ authorization: key })).toEqual({ closeCode: 4403 });
    expect(await run({ authorization: 42 })).toEqual({ closeCode: 4403 });
  });
});

describe('SSE', () => {
  const SSE = { accept: 'text/event-stream' };

  it('streams a result with a key', async () => {
    const response = await fetch(`${service.httpUrl}/graphql`, {
      method: 'POST',
      headers: { ...SSE, 'content-type': 'application/json', authorization: `Bearer ${key}` },
      body: JSON.stringify({ query: COUNT }),
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    expect(await response.text()).toContain('{"data":{"webhooks":{"totalCount":0}}}');
  });

  it('answers 401 to POST without a key', async () => {
    const response = await fetch(`${service.httpUrl}/graphql`, {
      method: 'POST',
      headers: { ...SSE, 'content-type': 'application/json' },
      body: JSON.stringify({ query: COUNT }),
    });
    expect(response.status).toBe(401);
    expect((await response.json()).errors[0].extensions.code).toBe('UNAUTHENTICATED');
  });

  it('answers 401 to GET without a key', async () => {
    const response = await fetch(`${service.httpUrl}/graphql?query=${encodeURIComponent(COUNT)}`, { headers: SSE });
    expect(response.status).toBe(401);
    expect((await response.json()).errors[0].extensions.code).toBe('UNAUTHENTICATED');
  });

  it('answers 401 to a wrong key', async () => {
    const response = await fetch(`${service.httpUrl}/graphql?query=${encodeURIComponent(COUNT)}`, {
      headers: { ...SSE, authorization: `Bearer aip_${randomBytes(32).toString('base64url')}` },
    });
    expect(response.status).toBe(401);
    expect((await response.json()).errors[0].extensions.code).toBe('UNAUTHENTICATED');
  });
});
