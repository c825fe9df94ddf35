import { beforeAll, describe, expect, it } from 'vitest';
import { MAX_ALIASES, MAX_DEPTH, MAX_TOKENS } from '../src/graphql/limits.js';
import { connectWs } from './support/live.js';
import { startTestService, type TestService } from './support/service.js';

let service: TestService;
let key: string;

beforeAll(async () => {
  service = await startTestService();
  ({ key } = await service.newProject());
});

describe('GraphQL request limits', () => {
  it(`refuses queries deeper than ${MAX_DEPTH}`, async () => {
    // delivery → event → deliveries → event → … nests as deep as we like.
    let selection = 'id';
    for (let i = 0; i < 6; i++) selection = `event { deliveries { ${selection} } }`;
    const deep = `query($id: ID!) { delivery(id: $id) { ... on Delivery { ${selection} } } }`;
    const result = await service.gql(key, deep, { id: 'del_0000000000000000' });
    expect(result.body.data).toBeUndefined();
    expect(result.body.errors?.[0]?.message).toMatch(/depth/i);

    const shallow = `query($id: ID!) { delivery(id: $id) { ... on Delivery { event { deliveries { id } } } } }`;
    expect((await service.gql(key, shallow, { id: 'del_0000000000000000' })).body.errors).toBeUndefined();
  });

  it(`refuses more than ${MAX_ALIASES} aliases`, async () => {
    const aliases = Array.from({ length: MAX_ALIASES + 1 }, (_, i) => `a${i}: eventTypes { type }`).join(' ');
    const result = await service.gql(key, `{ ${aliases} }`);
    expect(result.body.errors?.[0]?.message).toMatch(/alias/i);
    const fine = Array.from({ length: 3 }, (_, i) => `a${i}: eventTypes { type }`).join(' ');
    expect((await service.gql(key, `{ ${fine} }`)).body.errors).toBeUndefined();
  });

  it('refuses batched requests', async () => {
    const response = await fetch(`${service.httpUrl}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
      body: JSON.stringify([{ query: '{ eventTypes { type } }' }, { query: '{ eventTypes { type } }' }]),
    });
    expect(response.status).toBeGreaterThanOrEqual(400);
    expect(response.status).toBeLessThan(500);
  });

  it('refuses a cross-site simple request, which cannot carry the API key', async () => {
    const response = await fetch(`${service.httpUrl}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: JSON.stringify({ query: '{ webhooks { totalCount } }' }),
    });
    expect(response.status).toBe(401);
  });

  it('accepts GET queries carrying the key', async () => {
    const url = `${service.httpUrl}/graphql?query=${encodeURIComponent('{ webhooks { totalCount } }')}`;
    const response = await fetch(url, { headers: { authorization: `Bearer ${key}` } });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ data: { webhooks: { totalCount: 0 } } });
  });
});

/** A selection set nested `levels` deep: 3 tokens a level (`a`, `{`, `}`), and 3 more. */
const nested = (levels: number) => `{ ${'a { '.repeat(levels)}b${' }'.repeat(levels)} }`;

describe('GraphQL document size', () => {
  it(`refuses a document of more than ${MAX_TOKENS} tokens (one nested 20,000 deep) with a parse error saying so`, async () => {
    const result = await service.gql(key, nested(20_000));
    expect(result.status).toBeLessThan(500);
    expect(result.body.errors?.[0]).toMatchObject({
      message: expect.stringMatching(new RegExp(`${MAX_TOKENS} tokens`)),
      extensions: { code: 'GRAPHQL_PARSE_FAILED' },
    });
  });

  it('answers a document nested as deep as the token limit allows with a GraphQL error, not a 500', async () => {
    const result = await service.gql(key, nested(Math.floor((MAX_TOKENS - 3) / 3)));
    expect(result.status).toBeLessThan(500);
    expect(result.body.errors?.[0]?.message).toMatch(/depth|Cannot query field/);
  });

  it('holds over graphql-ws: the operation gets the error, the socket stays open', async () => {
    const ws = connectWs(service.httpUrl, key);
    const tooLarge = await ws.subscribe(nested(20_000)).finished();
    expect(JSON.stringify(tooLarge.error)).toMatch(new RegExp(`${MAX_TOKENS} tokens`));
    const nul = await ws.subscribe('query($id: ID!) { webhook(id: $id) { __typename } }', { id: 'wh_\u0000' }).finished();
    expect(nul.messages[0]?.errors?.[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT', field: 'id' } });
    const fine = await ws.subscribe('{ webhooks { totalCount } }').finished();
    expect(fine.messages).toEqual([{ data: { webhooks: { totalCount: 0 } } }]);
  });
});
