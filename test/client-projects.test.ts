// The typed client as a platform would use it: a platform key manages projects and their keys, acts in a project
// with `projectId` (HTTP and graphql-ws), and a narrow key's refusals come back as ForbiddenError naming the scope.
import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { createClient, ForbiddenError, ValidationError, type WebhooksClient } from '../client/src/index.js';
import { ApiKeyStore } from '../src/auth/api-keys.js';
import { startTestService, type TestService } from './support/service.js';

let service: TestService;
let platform: WebhooksClient;
let graphqlUrl: string;

const clientFor = (apiKey: string, projectId?: string) =>
  createClient({ url: graphqlUrl, apiKey, retryAttempts: 0, ...(projectId !== undefined && { projectId }) });

beforeAll(async () => {
  service = await startTestService();
  graphqlUrl = `${service.httpUrl}/graphql`;
  const { key } = await new ApiKeyStore(service.pool).create(`client-platform-${process.pid}`, 'platform', ['platform']);
  platform = clientFor(key);
});

const caught = (call: Promise<unknown>) => call.then(() => undefined, (error: unknown) => error);

describe('projects and keys', () => {
  it('creates, lists, renames and deletes a project', async () => {
    const name = `acme-${randomUUID()}`;
    const project = await platform.projects.create(name);
    expect(project).toMatchObject({ name });
    expect((await platform.projects.list({ first: 100 })).nodes.map((p) => p.id)).toContain(project.id);
    expect(await platform.projects.rename(project.id, `${name}-renamed`)).toMatchObject({ id: project.id, name: `${name}-renamed` });
    await platform.projects.delete(project.id);
    expect((await platform.projects.list({ first: 100 })).nodes.map((p) => p.id)).not.toContain(project.id);
  });

  it('mints a narrow key that reads but may not write, and revokes it', async () => {
    const project = await platform.projects.create(`narrow-${randomUUID()}`);
    const { key, apiKey } = await platform.projects.keys.create(project.id, { name: 'reader', scopes: ['webhooks:read'] });
    expect(apiKey).toMatchObject({ projectId: project.id, name: 'reader', scopes: ['webhooks:read'], revokedAt: null });
    expect(await platform.projects.keys.list(project.id)).toEqual([apiKey]);

    const reader = clientFor(key);
    expect((await reader.webhooks.list()).totalCount).toBe(0);
    const refused = await caught(reader.webhooks.create({ url: 'https://example.com/x', events: ['*'] }));
    expect(refused).toBeInstanceOf(ForbiddenError);
    expect((refused as ForbiddenError).scope).toBe('webhooks:write');
    const listRefused = await caught(reader.deliveries.list('wh_0000000000000000'));
    expect(listRefused).toBeInstanceOf(ForbiddenError);
    expect((listRefused as ForbiddenError).scope).toBe('deliveries:read');

    const revoked = await platform.projects.keys.revoke(apiKey.id);
    expect(revoked.revokedAt).not.toBeNull();
  });

  it('refuses an unknown scope with a ValidationError naming scopes', async () => {
    const project = await platform.projects.create(`bad-scope-${randomUUID()}`);
    const error = await caught(platform.projects.keys.create(project.id, { scopes: ['webhooks:admin'] }));
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).field).toBe('scopes');
    expect(await platform.projects.keys.list(project.id)).toEqual([]);
  });
});

describe('projectId', () => {
  it("acts in the named project over HTTP and graphql-ws", async () => {
    const project = await platform.projects.create(`acting-${randomUUID()}`);
    const inProject = clientFor((await new ApiKeyStore(service.pool).create(`client-platform-${process.pid}`, 'p2', ['platform'])).key, project.id);
    const { webhook } = await inProject.webhooks.create({ url: 'https://example.com/in-project', events: ['batch.*'] });
    const { key } = await platform.projects.keys.create(project.id, { scopes: ['webhooks:read', 'jobs:read', 'events:publish'] });
    const projectKey = clientFor(key);
    expect((await projectKey.webhooks.list()).nodes.map((w) => w.id)).toEqual([webhook.id]);

    const jobId = randomUUID();
    const progress = inProject.subscribe.batchProgress(jobId);
    const first = progress.next();
    await projectKey.events.publish({
      type: 'batch.completed',
      data: { job_id: jobId, status: 'completed' },
    });
    expect((await first).value).toMatchObject({ jobId, status: 'COMPLETED' });
    await progress.return();
    inProject.close();
  });
});
