// The SSRF guard end to end: with no allow-list, private destinations are refused up front when they are
// literal, and at connect time otherwise (recorded as DESTINATION_NOT_ALLOWED, nothing reaches the receiver).
import { beforeAll, describe, expect, it } from 'vitest';
import { createPrisma } from '../src/db/prisma.js';
import { newId } from '../src/lib/ids.js';
import type { TestApi } from './support/api.js';
import { eventually, type Receiver } from './support/receiver.js';
import { SecretBox } from '../src/secrets/secret-box.js';
import { startFixture, TEST_ENCRYPTION_KEY, type TestService } from './support/service.js';

let service: TestService;
let receiver: Receiver;
let key: string;
let projectId: string;
let api: TestApi;

beforeAll(async () => {
  ({ receiver, service, key, projectId, api } = await startFixture({ DESTINATION_ALLOWLIST: '' }));
});

const CREATE = `mutation($input: CreateWebhookInput!) { createWebhook(input: $input) { __typename ... on ValidationError { field message } } }`;

describe('creating a webhook', () => {
  it.each([
    'http://127.0.0.1:8080/hook', 'http://10.1.2.3/hook', 'http://169.254.169.254/latest/meta-data', 'http://[::1]/hook',
    'http://[::ffff:127.0.0.1]/hook', 'http://[fd00::1]/hook', 'http://localhost:3000/hook', 'http://LOCALHOST./hook',
    'http://api.localhost/hook', 'http://0.0.0.0/hook', 'http://[fec0::1]/hook', 'http://[64:ff9b:1::a00:1]/hook',
  ])('refuses %s up front, naming DESTINATION_ALLOWLIST', async (url) => {
    const result = (await service.gql(key, CREATE, { input: { url, events: ['*'] } })).body.data.createWebhook;
    expect(result).toMatchObject({
      __typename: 'ValidationError',
      field: 'url',
      message: expect.stringMatching(/public address; .* to allow it, add its range to DESTINATION_ALLOWLIST$/),
    });
  });

  it('accepts a public name', async () => {
    const response = await service.gql(key, CREATE, { input: { url: 'https://example.com/hook', events: ['*'] } });
    expect(response.body.errors).toBeUndefined();
    const result = response.body.data;
    expect(result.createWebhook.__typename).toBe('CreateWebhookPayload');
  });
});

describe('delivering', () => {
  it.each([
    ['a name that resolves to loopback', (port: number) => `http://localhost:${port}/ssrf-name`],
    ['a literal private address', (port: number) => `http://127.0.0.1:${port}/ssrf-literal`],
    ['a literal site-local address', (port: number) => `http://[fec0::1]:${port}/ssrf-site-local`],
    ['a literal local-use NAT64 address', (port: number) => `http://[64:ff9b:1::7f00:1]:${port}/ssrf-nat64`],
  ])('blocks %s at connect time and records DESTINATION_NOT_ALLOWED', async (_what, urlFor) => {
    // As if the webhook had been stored before the guard existed: written straight to the database.
    const port = Number(new URL(receiver.url('/')).port);
    const db = createPrisma(service.databaseUrl, 1);
    const webhookId = newId('wh');
    await db.webhook.create({ data: { id: webhookId, projectId, url: urlFor(port), events: ['model.deployed'], secret: new SecretBox(Buffer.from(TEST_ENCRYPTION_KEY, 'base64')).seal('a-secret-of-some-length') } });
    await db.$disconnect();
    const published = await api.publishWithDeliveries('model.deployed', { job_id: webhookId });
    const deliveryId = published.event.deliveries.find((d) => d.webhook.id === webhookId)!.id;
    const attempt = await eventually(async () => {
      const d = (await service.gql(key, `query($id: ID!) { delivery(id: $id) { ... on Delivery { attempts { errorKind errorMessage responseStatus } } } }`, { id: deliveryId })).body.data.delivery;
      return d.attempts[0];
    }, 'the blocked attempt');
    expect(attempt).toMatchObject({ errorKind: 'DESTINATION_NOT_ALLOWED', responseStatus: null, errorMessage: expect.stringMatching(/not a public address; to allow it, add its range to DESTINATION_ALLOWLIST$/) });
    expect(receiver.requests()).toHaveLength(0);
  });
});
