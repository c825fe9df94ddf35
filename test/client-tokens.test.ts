// The typed client with a short-lived token: `token` for a fixed one, `getToken` for one that is refreshed. A token
// that expires under an open subscription closes the socket (4403); the client reconnects with a fresh token and the
// subscription goes on.
import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { createClient, NotFoundError, ValidationError } from '../client/src/index.js';
import { ApiKeyStore } from '../src/auth/api-keys.js';
import { testApi, type TestApi } from './support/api.js';
import { eventually } from './support/receiver.js';
import { restClient } from './support/rest.js';
import { startTestService, type TestService } from './support/service.js';

let service: TestService;
let graphqlUrl: string;
let fullKey: string;
let api: TestApi;

const progress = (jobId: string, processed: number) => ({
  job_id: jobId,
  total_images: 10,
  processed_images: processed,
  failed_images: 0,
  progress_percent: processed * 10,
});

beforeAll(async () => {
  service = await startTestService();
  graphqlUrl = `${service.httpUrl}/graphql`;
  fullKey = (await new ApiKeyStore(service.pool).create(`client-tokens-${process.pid}`, 'full')).key;
  api = testApi(service, fullKey);
});

/** What a backend does for its browser: a jobs:read token for one job, minted with its key. */
async function mint(jobId: string, ttlSeconds: number): Promise<string> {
  const minted = await restClient(service.httpUrl)(fullKey, 'POST', '/v1/tokens', {
    scopes: ['jobs:read'],
    job_ids: [jobId],
    ttl_seconds: ttlSeconds,
  });
  expect(minted.status).toBe(201);
  return minted.body.token;
}

describe('createClient with a token', () => {
  it('reads its job with a fixed token', async () => {
    const jobId = randomUUID();
    await api.publish('batch.progress', progress(jobId, 1));
    const client = createClient({ url: graphqlUrl, token: await mint(jobId, 600), retryAttempts: 0 });
    expect(await client.jobs.get(jobId)).toMatchObject({ jobId, processedImages: 1 });
  });

  it('mints a token with tokens.create, which reads its job and no other', async () => {
    const jobId = randomUUID();
    const otherJobId = randomUUID();
    await api.publish('batch.progress', progress(jobId, 3));
    await api.publish('batch.progress', progress(otherJobId, 3));
    const backend = createClient({ url: graphqlUrl, apiKey: fullKey, retryAttempts: 0 });
    const { token, expiresAt } = await backend.tokens.create({ scopes: ['jobs:read'], jobIds: [jobId], ttlSeconds: 120 });
    expect(Date.parse(expiresAt) - Date.now()).toBeGreaterThan(60_000);
    const browser = createClient({ url: graphqlUrl, token, retryAttempts: 0 });
    expect(await browser.jobs.get(jobId)).toMatchObject({ jobId, processedImages: 3 });
    await expect(browser.jobs.get(otherJobId)).rejects.toBeInstanceOf(NotFoundError);
    await expect(backend.tokens.create({ scopes: ['platform'] })).rejects.toBeInstanceOf(ValidationError);
  });

  it('takes exactly one credential', () => {
    expect(() => createClient({ url: graphqlUrl })).toThrow(/exactly one of apiKey, token and getToken/);
    expect(() => createClient({ url: graphqlUrl, apiKey: fullKey, token: 't' })).toThrow(/exactly one/);
  });

  it('keeps a subscription through its token expiring, with getToken', async () => {
    const jobId = randomUUID();
    await api.publish('batch.progress', progress(jobId, 2));
    let minted = 0;
    const client = createClient({
      url: graphqlUrl,
      getToken: () => {
        minted++;
        return mint(jobId, 1);
      },
      retryAttempts: 5,
    });
    const updates = client.subscribe.batchProgress(jobId);
    expect((await updates.next()).value).toMatchObject({ jobId, processedImages: 2 });
    // The first token expires within a second: the socket is closed and opened again with a second token.
    await eventually(async () => (minted >= 2 ? true : undefined), 'a second token fetched for the reconnection', 15_000);
    await api.publish('batch.progress', progress(jobId, 5));
    const seen: number[] = [];
    for (;;) {
      const { value } = await updates.next();
      seen.push(value!.processedImages!);
      if (value!.processedImages === 5) break;
    }
    expect(seen.every((processed) => processed === 2 || processed === 5)).toBe(true);
    await updates.return();
    client.close();
  });
});
