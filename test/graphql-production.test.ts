// In production GraphQL tells a caller nothing about the schema beyond what it asked for: no introspection unless
// GRAPHQL_INTROSPECTION=true, no "Did you mean …?" in validation messages; over HTTP and graphql-ws alike.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import codegen from '../codegen.js';
import { connectWs } from './support/live.js';
import { startTestService, type TestService } from './support/service.js';

const INTROSPECTION = '{ __schema { types { name } } }';
const TYPE_INTROSPECTION = '{ __type(name: "Webhook") { fields { name } } }';
/** `totalCont` is one letter from `totalCount`: graphql-js suggests it unless told not to. */
const MISSPELT = '{ webhooks { totalCont } }';

type Running = { service: TestService; key: string };
const start = async (env: Record<string, string>): Promise<Running> => {
  const service = await startTestService(env);
  return { service, key: (await service.newProject()).key };
};

/** The first error of `query`, over HTTP and over graphql-ws (where validation errors end the operation). */
async function firstErrors({ service, key }: Running, query: string) {
  const overHttp = await service.gql(key, query);
  const overWs = await connectWs(service.httpUrl, key).subscribe(query).finished();
  return { http: overHttp, ws: overWs };
}

let production: Running;
let productionWithIntrospection: Running;
let development: Running;

beforeAll(async () => {
  [production, productionWithIntrospection, development] = await Promise.all([
    start({ NODE_ENV: 'production' }),
    start({ NODE_ENV: 'production', GRAPHQL_INTROSPECTION: 'true' }),
    start({ NODE_ENV: 'development' }),
  ]);
});

describe('in production', () => {
  it.each([INTROSPECTION, TYPE_INTROSPECTION])('refuses introspection %s, saying so, on HTTP and graphql-ws', async (query) => {
    const { http, ws } = await firstErrors(production, query);
    expect(http.status).toBeLessThan(500);
    expect(http.body.data).toBeUndefined();
    expect(http.body.errors?.[0]).toMatchObject({
      message: expect.stringMatching(/introspection has been disabled/),
      extensions: { code: 'GRAPHQL_VALIDATION_FAILED' },
    });
    expect(ws.messages).toEqual([]);
    expect(JSON.stringify(ws.error)).toMatch(/introspection has been disabled/);
  });

  it('still answers __typename', async () => {
    expect((await production.service.gql(production.key, '{ __typename }')).body).toEqual({ data: { __typename: 'Query' } });
  });

  it('suggests no field names in validation messages, on HTTP and graphql-ws', async () => {
    const { http, ws } = await firstErrors(production, MISSPELT);
    const message = http.body.errors?.[0]?.message;
    expect(message).toMatch(/Cannot query field "totalCont"/);
    expect(message).not.toMatch(/Did you mean|totalCount/);
    expect(JSON.stringify(ws.error)).toMatch(/Cannot query field/);
    expect(JSON.stringify(ws.error)).not.toMatch(/Did you mean|totalCount/);
  });

  it.each([
    ['an enum value in the document', '{ deliveries(webhookId: "x", status: FAILD) { totalCount } }', {}],
    ['an enum value in a variable', 'query($s: DeliveryStatus) { deliveries(webhookId: "x", status: $s) { totalCount } }', { s: 'FAILD' }],
    ['an input field in a variable', 'mutation($i: CreateWebhookInput!) { createWebhook(input: $i) { __typename } }', { i: { url: 'https://example.com/x', events: ['*'], descriptio: 'x' } }],
    ['an argument', '{ webhook(id: "wh_0000000000000000", idd: "x") { __typename } }', {}],
  ])('suggests nothing for %s, on HTTP and graphql-ws', async (_what, query, variables) => {
    const http = await production.service.gql(production.key, query, variables);
    const ws = await connectWs(production.service.httpUrl, production.key).subscribe(query, variables).finished();
    const messages = [
      ...(http.body.errors ?? []),
      ...((ws.error as { message: string }[] | null) ?? []),
      ...ws.messages.flatMap((m) => m.errors ?? []),
    ].map((e) => e.message);
    expect(messages.length).toBeGreaterThanOrEqual(2);
    for (const message of messages) expect(message).not.toMatch(/Did you mean|"FAILED"|"description"|"id"\?/);
    expect(http.body.errors?.[0]?.message).toMatch(/FAILD|descriptio|idd/);
  });

  it('answers introspection with GRAPHQL_INTROSPECTION=true, on HTTP and graphql-ws', async () => {
    const { http, ws } = await firstErrors(productionWithIntrospection, INTROSPECTION);
    expect(http.body.errors).toBeUndefined();
    expect(http.body.data.__schema.types.map((t: { name: string }) => t.name)).toContain('Webhook');
    expect(ws.error).toBeNull();
    expect(ws.messages[0]?.data.__schema.types.map((t: { name: string }) => t.name)).toContain('Webhook');
  });
});

describe('outside production', () => {
  it('answers introspection and suggests names, so the production tests above see a difference', async () => {
    const { http } = await firstErrors(development, INTROSPECTION);
    expect(http.body.errors).toBeUndefined();
    const misspelt = await development.service.gql(development.key, MISSPELT);
    expect(misspelt.body.errors?.[0]?.message).toMatch(/Did you mean "totalCount"\?/);
  });
});

describe('the project itself', () => {
  it('never introspects: codegen reads schema.graphql, and neither the client nor the dashboard asks for __schema or __type', () => {
    expect(codegen.schema).toBe('schema.graphql');
    const root = fileURLToPath(new URL('..', import.meta.url));
    const sources = ['client/src', 'dashboard/src'].flatMap((dir) =>
      readdirSync(path.join(root, dir), { recursive: true, withFileTypes: true })
        .filter((entry) => entry.isFile() && /\.(ts|tsx|graphql)$/.test(entry.name))
        .map((entry) => path.join(entry.parentPath, entry.name)),
    );
    expect(sources.length).toBeGreaterThan(10);
    const introspecting = sources.filter((file) => /__schema|__type\b|getIntrospectionQuery/.test(readFileSync(file, 'utf8')));
    expect(introspecting).toEqual([]);
  });
});
