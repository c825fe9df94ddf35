import { beforeAll, describe, expect, it } from 'vitest';
import { MAX_ALIASES, MAX_DEPTH } from '../src/graphql/limits.js';
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
