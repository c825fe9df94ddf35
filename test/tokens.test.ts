// Issue 22, item 3: short-lived tokens for browsers. A key mints a token with some of its scopes (REST and GraphQL),
// restricted to some jobs or webhooks; the token works as `Authorization: Bearer` over HTTP, SSE and graphql-ws, only
// within its restrictions, and stops working when it expires (open sockets close with 4403, streams end) or when
// the key that minted it is revoked. Signing keys rotate without breaking the tokens already minted.
import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { decodeProtectedHeader, SignJWT } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { ApiKeyStore } from '../src/auth/api-keys.js';
import { AccessTokens } from '../src/auth/tokens.js';
import { createLogger } from '../src/logger.js';
import { SecretBox } from '../src/secrets/secret-box.js';
import { testApi } from './support/api.js';
import { subscribeSse } from './support/live.js';
import { openRawWs } from './support/raw-ws.js';
import { restClient } from './support/rest.js';
import { startTestService, TEST_ENCRYPTION_KEY, type TestService } from './support/service.js';

const BATCH_PROGRESS = 'subscription($jobId: ID!) { batchProgress(jobId: $jobId) { jobId processedImages status } }';
const JOB = `query($jobId: ID!) { job(jobId: $jobId) { __typename ... on Job { jobId } ... on Error { message } } }`;
const CREATE_WEBHOOK = `mutation { createWebhook(input: { url: "https://example.com/token", events: ["*"] }) {
  __typename ... on ForbiddenError { scope message } } }`;
const MINT = `mutation($input: CreateAccessTokenInput!) { createAccessToken(input: $input) { __typename
  ... on AccessTokenPayload { token expiresAt } ... on ValidationError { field message } ... on ForbiddenError { scope message } } }`;
const CLOSE_WITHIN_MS = 3_000;
/** Everything the service logs (at trace level), to show no token or key is in it. */
const logLines: string[] = [];

let service: TestService;
let rest: ReturnType<typeof restClient>;
let store: ApiKeyStore;
let project: string;
let fullKey: string;
/** Two batch jobs in progress (their subscriptions stay open): the token is for `jobId`, not `otherJobId`. */
let jobId: string;
let otherJobId: string;

const progress = (job: string, processed: number) => ({
  job_id: job,
  total_images: 10,
  processed_images: processed,
  failed_images: 0,
  progress_percent: processed * 10,
});

beforeAll(async () => {
  const capture = new Writable({
    write(line: Buffer, _encoding, done) {
      logLines.push(line.toString());
      done();
    },
  });
  service = await startTestService({}, { logger: createLogger('trace', capture) });
  rest = restClient(service.httpUrl);
  store = new ApiKeyStore(service.pool);
  project = `tokens-${process.pid}`;
  fullKey = (await store.create(project, 'full')).key;
  const api = testApi(service, fullKey);
  jobId = randomUUID();
  otherJobId = randomUUID();
  await api.publish('batch.progress', progress(jobId, 2));
  await api.publish('batch.progress', progress(otherJobId, 3));
});

/** Mints over REST with the key; the whole answer. */
const mintRest = (key: string, body: Record<string, unknown>) => rest(key, 'POST', '/v1/tokens', body);

/** A jobs:read token for `jobId` alone, minted over REST. */
async function jobToken(key = fullKey, ttlSeconds = 600): Promise<string> {
  const response = await mintRest(key, { scopes: ['jobs:read'], job_ids: [jobId], ttl_seconds: ttlSeconds });
  expect(response.status).toBe(201);
  return response.body.token;
}

const signingKeyCount = () => service.db.tokenSigningKey.count();

describe('minting', () => {
  it('answers 201 { token, expires_at } over REST and AccessTokenPayload over GraphQL', async () => {
    const before = Date.now();
    const response = await mintRest(fullKey, { scopes: ['jobs:read'], job_ids: [jobId], ttl_seconds: 900 });
    expect(response.status).toBe(201);
    expect(Object.keys(response.body).sort()).toEqual(['expires_at', 'token']);
    const expiresAt = Date.parse(response.body.expires_at);
    expect(expiresAt).toBeGreaterThanOrEqual(before + 900_000 - 1_000);
    expect(expiresAt).toBeLessThanOrEqual(Date.now() + 901_000);
    const { kid, alg } = decodeProtectedHeader(response.body.token);
    expect(alg).toBe('HS256');
    expect(kid).toMatch(/^tsk_[0-9a-f]{16}$/);

    const { body } = await service.gql(fullKey, MINT, { input: { scopes: ['jobs:read', 'deliveries:read'], ttlSeconds: 60 } });
    expect(body.errors).toBeUndefined();
    expect(body.data.createAccessToken).toMatchObject({ __typename: 'AccessTokenPayload', token: expect.any(String) });
    const minted = body.data.createAccessToken;
    expect(Date.parse(minted.expiresAt) - Date.now()).toBeLessThanOrEqual(61_000);
    // The token works: its scopes read, and only its scopes.
    expect((await rest(minted.token, 'GET', '/v1/webhooks')).status).toBe(403);
  });

  it('refuses a TTL out of range, an unknown scope, a scope the key lacks and platform, naming the problem; nothing written', async () => {
    await jobToken(); // the signing key exists, so a refusal could only write a token (it writes nothing)
    const keys = await signingKeyCount();
    const jobsOnly = (await store.create(project, 'jobs only', ['jobs:read'])).key;
    const platform = (await store.create(project, 'platform', ['platform'])).key;

    for (const ttl of [0, 86_401, 1.5]) {
      const response = await mintRest(fullKey, { scopes: ['jobs:read'], ttl_seconds: ttl });
      expect(response.status).toBe(422);
      expect(response.body.error).toMatchObject({ code: 'validation_failed', field: 'ttl_seconds', message: expect.stringMatching(/^ttl_seconds /) });
    }
    const unknown = await mintRest(fullKey, { scopes: ['jobs:write'] });
    expect(unknown.status).toBe(422);
    expect(unknown.body.error).toMatchObject({ field: 'scopes', message: expect.stringContaining('unknown scope "jobs:write"') });
    const lacking = await mintRest(jobsOnly, { scopes: ['jobs:read', 'webhooks:write'] });
    expect(lacking.status).toBe(403);
    expect(lacking.body.error).toEqual({ code: 'forbidden', message: 'Putting the scope webhooks:write in a token needs the scope webhooks:write' });
    const withPlatform = await mintRest(platform, { scopes: ['platform'] });
    expect(withPlatform.status).toBe(422);
    expect(withPlatform.body.error).toMatchObject({ field: 'scopes', message: expect.stringContaining('platform cannot be put in a token') });
    const tooMany = await mintRest(fullKey, { scopes: ['jobs:read'], job_ids: Array.from({ length: 101 }, (_, i) => `job-${i}`) });
    expect(tooMany.status).toBe(422);
    expect(tooMany.body.error).toMatchObject({ field: 'job_ids' });

    const gql = async (key: string, input: Record<string, unknown>) => (await service.gql(key, MINT, { input })).body.data.createAccessToken;
    expect(await gql(fullKey, { scopes: ['jobs:read'], ttlSeconds: 0 })).toMatchObject({ __typename: 'ValidationError', field: 'ttlSeconds' });
    expect(await gql(fullKey, { scopes: ['nope'] })).toMatchObject({ __typename: 'ValidationError', field: 'scopes' });
    expect(await gql(jobsOnly, { scopes: ['deliveries:read'] })).toMatchObject({ __typename: 'ForbiddenError', scope: 'deliveries:read' });
    expect(await gql(platform, { scopes: ['platform'] })).toMatchObject({ __typename: 'ValidationError', field: 'scopes' });

    expect(await signingKeyCount()).toBe(keys);
  });

  it('a platform key mints for the project it acts in; the token cannot choose another', async () => {
    const other = await service.newProject();
    const platform = (await store.create(project, 'platform-2', ['platform'])).key;
    const response = await rest(platform, 'POST', '/v1/tokens', { scopes: ['webhooks:read'] }, { 'x-project-id': other.projectId });
    expect(response.status).toBe(201);
    await other.api.createWebhook('https://example.com/other', ['*']);
    const listed = await rest(response.body.token, 'GET', '/v1/webhooks');
    expect(listed.body.total).toBe(1);
    const own = await service.db.project.findFirstOrThrow({ where: { name: project } });
    const elsewhere = await rest(response.body.token, 'GET', '/v1/webhooks', undefined, { 'x-project-id': own.id });
    expect(elsewhere.status).toBe(403);
  });
});

describe('a jobs:read token for one job', () => {
  it('follows batchProgress over graphql-ws and SSE and reads the job; another job is not found', async () => {
    const token = await jobToken();
    const socket = await openRawWs(service.httpUrl, token);
    const first = new Promise<any>((resolve) => {
      // Sent by hand (id 'live'), so the raw socket's own operations keep their ids.
      socket.socket.on('message', (data) => {
        const message = JSON.parse(data.toString());
        if (message.id === 'live' && message.type === 'next') resolve(message.payload);
      });
    });
    socket.socket.send(JSON.stringify({ id: 'live', type: 'subscribe', payload: { query: BATCH_PROGRESS, variables: { jobId } } }));
    expect(await first).toEqual({ data: { batchProgress: { jobId, processedImages: 2, status: 'RUNNING' } } });

    const stream = subscribeSse(service.httpUrl, token, BATCH_PROGRESS, { jobId });
    await stream.count(1);
    expect(stream.messages[0]).toEqual({ data: { batchProgress: { jobId, processedImages: 2, status: 'RUNNING' } } });
    stream.abort();

    expect((await service.gql(token, JOB, { jobId })).body.data.job).toEqual({ __typename: 'Job', jobId });
    expect((await service.gql(token, JOB, { jobId: otherJobId })).body.data.job).toEqual({
      __typename: 'NotFoundError',
      message: `No job with id ${otherJobId}`,
    });
    const refused = await socket.operation(BATCH_PROGRESS, { jobId: otherJobId });
    expect(refused).toEqual([
      { id: '1', type: 'next', payload: { errors: [expect.objectContaining({ message: `No job with id ${otherJobId}`, extensions: { code: 'NOT_FOUND' } })] } },
      { id: '1', type: 'complete' },
    ]);
    const refusedSse = subscribeSse(service.httpUrl, token, BATCH_PROGRESS, { jobId: otherJobId });
    await refusedSse.until((r) => r.messages.length > 0 || r.completed || r.error !== null, 'an answer');
    expect(refusedSse.messages[0]?.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
  });

  it('is refused a write as FORBIDDEN', async () => {
    const token = await jobToken();
    const created = await rest(token, 'POST', '/v1/webhooks', { url: 'https://example.com/token', events: ['*'] });
    expect(created.status).toBe(403);
    expect(created.body.error).toEqual({ code: 'forbidden', message: 'Creating a webhook needs the scope webhooks:write' });
    expect((await service.gql(token, CREATE_WEBHOOK)).body.data.createWebhook).toEqual({
      __typename: 'ForbiddenError',
      scope: 'webhooks:write',
      message: 'Creating a webhook needs the scope webhooks:write',
    });
    expect(await service.db.webhook.count({ where: { url: 'https://example.com/token' } })).toBe(0);
  });
});

describe('a job-restricted token with deliveries:read', () => {
  const EVENT = `query($id: ID!) { event(id: $id) { __typename ... on Event { id } ... on Error { message } } }`;

  it("reads its jobs' events, and another job's event is not found", async () => {
    const api = testApi(service, fullKey);
    const own = await api.publish('batch.progress', progress(jobId, 4));
    const other = await api.publish('batch.progress', progress(otherJobId, 5));
    const minted = await mintRest(fullKey, { scopes: ['deliveries:read'], job_ids: [jobId] });
    expect(minted.status).toBe(201);
    const token = minted.body.token;
    expect((await service.gql(token, EVENT, { id: own.event.id })).body.data.event).toEqual({ __typename: 'Event', id: own.event.id });
    expect((await service.gql(token, EVENT, { id: other.event.id })).body.data.event).toEqual({
      __typename: 'NotFoundError',
      message: `No event with id ${other.event.id}`,
    });
  });
});

describe('a webhook-restricted token', () => {
  it('reads only its webhooks and their deliveries', async () => {
    const { key, api } = await service.newProject();
    const mine = await api.createWebhook('https://example.com/mine', ['*']);
    const theirs = await api.createWebhook('https://example.com/theirs', ['*']);
    const response = await mintRest(key, { scopes: ['webhooks:read', 'deliveries:read'], webhook_ids: [mine.id] });
    const token = response.body.token;
    const listed = await rest(token, 'GET', '/v1/webhooks');
    expect(listed.body.webhooks.map((w: { webhook_id: string }) => w.webhook_id)).toEqual([mine.id]);
    expect((await rest(token, 'GET', `/v1/webhooks/${mine.id}`)).status).toBe(200);
    expect((await rest(token, 'GET', `/v1/webhooks/${theirs.id}`)).status).toBe(404);
    expect((await rest(token, 'GET', `/v1/webhooks/${mine.id}/deliveries`)).status).toBe(200);
    expect((await rest(token, 'GET', `/v1/webhooks/${theirs.id}/deliveries`)).status).toBe(404);

    // An event sent to both webhooks shows only the token's webhook's delivery.
    const { event } = await api.publish('batch.submitted', { job_id: randomUUID(), status: 'submitted' });
    const read = await service.gql(token, 'query($id: ID!) { event(id: $id) { ... on Event { deliveries { webhook { id } } } } }', { id: event.id });
    expect(read.body).toEqual({ data: { event: { deliveries: [{ webhook: { id: mine.id } }] } } });
    const all = await service.gql(key, 'query($id: ID!) { event(id: $id) { ... on Event { deliveries { id } } } }', { id: event.id });
    expect(all.body.data.event.deliveries).toHaveLength(2);
  });
});

describe('a token that is not one', () => {
  it('is 401 when malformed, tampered with or foreign-signed', async () => {
    const token = await jobToken();
    const [header, payload, signature] = token.split('.') as [string, string, string];
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
    const tampered = [header, Buffer.from(JSON.stringify({ ...claims, scp: ['webhooks:write'] })).toString('base64url'), signature].join('.');
    const { kid } = decodeProtectedHeader(token);
    const foreign = await new SignJWT(claims).setProtectedHeader({ alg: 'HS256', kid: kid! }).sign(new Uint8Array(32).fill(1));
    for (const bad of ['not-a-token', `${token}x`, tampered, foreign]) {
      const response = await rest(bad, 'GET', '/v1/webhooks');
      expect(response.status).toBe(401);
      expect(response.body.error.code).toBe('unauthenticated');
      expect((await service.gql(bad, JOB, { jobId })).status).toBe(401);
      await expect(openRawWs(service.httpUrl, bad)).rejects.toThrow(/closed before connection_ack: 4403/);
    }
    expect((await service.gql(token, JOB, { jobId })).status).toBe(200);
  });
});

describe('a token stops working', () => {
  it('when the key that minted it is revoked: open sockets close with 4403, streams end, then 401', async () => {
    const minting = await store.create(project, 'to revoke', ['jobs:read']);
    const token = await jobToken(minting.key);
    const socket = await openRawWs(service.httpUrl, token);
    const stream = subscribeSse(service.httpUrl, token, BATCH_PROGRESS, { jobId });
    await stream.count(1);

    expect(await store.revoke(minting.apiKey.id)).toBe(true);

    expect(await socket.closed(CLOSE_WITHIN_MS)).toEqual({ code: 4403, reason: 'API key revoked' });
    await stream.finished(CLOSE_WITHIN_MS);
    expect(stream.completed).toBe(false);
    expect((await rest(token, 'GET', `/v1/webhooks`)).status).toBe(401);
    expect((await service.gql(token, JOB, { jobId })).status).toBe(401);
  });

  it('when it expires: open sockets close with 4403, streams end, then 401 saying it expired', async () => {
    const token = await jobToken(fullKey, 1);
    const socket = await openRawWs(service.httpUrl, token);
    const stream = subscribeSse(service.httpUrl, token, BATCH_PROGRESS, { jobId });
    // Waiting on the events that prove it: the close, and the stream's end (each within the TTL and a margin).
    expect(await socket.closed(CLOSE_WITHIN_MS)).toEqual({ code: 4403, reason: 'Access token expired' });
    await stream.finished(CLOSE_WITHIN_MS);
    expect(stream.completed).toBe(false);

    const response = await rest(token, 'GET', '/v1/webhooks');
    expect(response.status).toBe(401);
    expect(response.body.error).toEqual({ code: 'unauthenticated', message: expect.stringContaining('expired') });
    const overHttp = await service.gql(token, JOB, { jobId });
    expect(overHttp.status).toBe(401);
    expect(overHttp.body.errors?.[0]?.message).toContain('expired');
  });
});

describe('signing keys', () => {
  it('a rotated key still verifies the tokens it signed, until retired', async () => {
    const old = await jobToken();
    const operator = new AccessTokens(service.pool, new SecretBox(Buffer.from(TEST_ENCRYPTION_KEY, 'base64')));
    const { id } = await operator.rotateKey();
    expect(decodeProtectedHeader(old).kid).not.toBe(id);

    // Signed with the new key (another process's view after the rotation): the service verifies it by its kid.
    const minting = await service.db.apiKey.findFirstOrThrow({ where: { project: { name: project }, name: 'full' } });
    const { token: fresh } = await operator.sign({ apiKeyId: minting.id, projectId: minting.projectId, scopes: ['jobs:read'], jobIds: [jobId], ttlSeconds: 60 });
    expect(decodeProtectedHeader(fresh).kid).toBe(id);
    expect((await service.gql(fresh, JOB, { jobId })).body.data.job).toEqual({ __typename: 'Job', jobId });
    // The old token still works, on the service and for a verifier that never saw the old key before.
    expect((await service.gql(old, JOB, { jobId })).body.data.job).toEqual({ __typename: 'Job', jobId });
    expect(await operator.verify(old)).toMatchObject({ apiKeyId: minting.id, scopes: ['jobs:read'], jobIds: [jobId] });

    // Retired: the old key verifies nothing any more (for a verifier without a cached copy).
    expect(await operator.retireOldKeys()).toContain(decodeProtectedHeader(old).kid);
    const later = new AccessTokens(service.pool, new SecretBox(Buffer.from(TEST_ENCRYPTION_KEY, 'base64')));
    expect(await later.verify(old)).toBe('invalid');
    expect(await later.verify(fresh)).toMatchObject({ apiKeyId: minting.id });
  });
});

describe('the log', () => {
  it('holds no token and no key, after every test above used them, good and bad', () => {
    expect(logLines.length).toBeGreaterThan(10);
    // A JWT starts with its base64url header, `{"` being `eyJ`; a key with `aip_`.
    // The one line that shows a key on purpose: the first start's generated key, printed once for the operator.
    const logged = logLines.filter((line) => !line.includes('Generated the first API key'));
    expect(logged.filter((line) => line.includes('eyJ') || line.includes(fullKey) || /aip_[A-Za-z0-9_-]{20}/.test(line))).toEqual([]);
  });
});
