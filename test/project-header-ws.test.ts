// A platform key picks the project it acts in: `projectId` in graphql-ws' connection_init (the header X-Project-Id
// on HTTP), decided once in src/auth/access.ts. Any other key acts in its own project only, and a project that does
// not exist is named as such; both close the socket with 4403 and the reason.
import { beforeAll, describe, expect, it } from 'vitest';
import { ApiKeyStore } from '../src/auth/api-keys.js';
import { openRawWs } from './support/raw-ws.js';
import { startTestService, type TestService } from './support/service.js';

let service: TestService;
let platformKey: string;
let platformProjectId: string;
let customer: Awaited<ReturnType<TestService['newProject']>>;

const COUNT = '{ webhooks(first: 10) { totalCount edges { node { url } } } }';

beforeAll(async () => {
  service = await startTestService();
  const { key, apiKey } = await new ApiKeyStore(service.pool).create(`platform-${process.pid}`, 'platform', ['platform']);
  platformKey = key;
  platformProjectId = apiKey.projectId;
  customer = await service.newProject();
  await customer.api.createWebhook('https://example.com/customer', ['*']);
});

/** The socket's close, for a connection_init the server refuses. */
async function refusal(key: string, init: Record<string, unknown>) {
  const error = await openRawWs(service.httpUrl, key, init).then(
    () => null,
    (e: Error) => e,
  );
  expect(error, 'the connection was acknowledged').not.toBeNull();
  return error!.message;
}

describe('graphql-ws connection_init projectId', () => {
  it("lets a platform key act in the named project, and in its own without one", async () => {
    const inCustomer = await openRawWs(service.httpUrl, platformKey, { projectId: customer.projectId });
    const [seen] = await inCustomer.operation(COUNT);
    expect(seen!.payload.data.webhooks).toEqual({ totalCount: 1, edges: [{ node: { url: 'https://example.com/customer' } }] });

    const own = await openRawWs(service.httpUrl, platformKey);
    const [empty] = await own.operation(COUNT);
    expect(empty!.payload.data.webhooks.totalCount).toBe(0);
  });

  it('refuses it from a key without the platform scope, naming why', async () => {
    expect(await refusal(customer.key, { projectId: platformProjectId })).toMatch(/^closed before connection_ack: 4403 .*platform/);
  });

  it('refuses a project that does not exist, naming it', async () => {
    expect(await refusal(platformKey, { projectId: 'prj_0000000000000000' })).toMatch(
      /^closed before connection_ack: 4403 x-project-id: no project with id prj_0000000000000000/,
    );
  });

  it("accepts a key's own project named explicitly", async () => {
    const socket = await openRawWs(service.httpUrl, customer.key, { projectId: customer.projectId });
    const [seen] = await socket.operation(COUNT);
    expect(seen!.payload.data.webhooks.totalCount).toBe(1);
  });
});
