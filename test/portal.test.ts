// Issue 22, item 5: the customer portal. A portal link (POST /v1/portal-links, createPortalLink) opens the dashboard
// for its project alone, signed in by the access token in its fragment, which the page removes from the address bar
// and keeps for the tab; a read-only link offers no write and the server refuses one; an expired link says so. In a
// real headless Chromium (Debian's, through playwright-core) against the real service, as test/dashboard.test.ts.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { type BrowserContext, type Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { createClient } from '../client/src/index.js';
import { PortalService, PORTAL_SCOPES } from '../src/app/portal.js';
import type { TokenService } from '../src/app/tokens.js';
import { ApiKeyStore } from '../src/auth/api-keys.js';
import { DASHBOARD_DIST } from '../src/http/dashboard.js';
import { launchChromium } from './support/browser.js';
import { onCleanup } from './support/cleanup.js';
import { startReceiver, type Receiver } from './support/receiver.js';
import { restClient } from './support/rest.js';
import { startTestService, type TestService } from './support/service.js';

const WAIT = 10_000;
const FRAME_ANCESTORS = 'https://app.example.com, https://*.example.org';

let service: TestService;
let receiver: Receiver;
let context: BrowserContext;
const projects = {} as Record<'a' | 'b', { key: string; projectId: string; webhookId: string; url: string }>;
const browserErrors: string[] = [];

const rest = () => restClient(service.httpUrl);

beforeAll(async () => {
  if (!existsSync(path.join(DASHBOARD_DIST, 'index.html'))) throw new Error('The dashboard is not built: npm run dashboard:build');
  [receiver, service] = await Promise.all([
    startReceiver(),
    startTestService({ PORTAL_FRAME_ANCESTORS: FRAME_ANCESTORS, PORTAL_NAME: 'Acme Cloud', PORTAL_ACCENT_COLOR: '#12abef' }),
  ]);
  for (const name of ['a', 'b'] as const) {
    const { key, projectId, api } = await service.newProject();
    const url = receiver.url(`/project-${name}`);
    const { id } = await api.createWebhook(url, ['batch.*']);
    projects[name] = { key, projectId, webhookId: id, url };
  }

  context = await launchChromium('portal', { viewport: { width: 1280, height: 900 } });
  context.setDefaultTimeout(WAIT);
});

/** A new tab (its own sessionStorage), its page errors collected (a refused token's 401 is expected). */
async function newTab(): Promise<Page> {
  const page = await context.newPage();
  onCleanup(() => page.close());
  page.on('pageerror', (error) => browserErrors.push(`pageerror: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error' && !/status of 401/.test(message.text())) browserErrors.push(message.text());
  });
  return page;
}

async function portalLink(key: string, mode: string, ttlSeconds?: number) {
  const response = await rest()(key, 'POST', '/v1/portal-links', { mode, ...(ttlSeconds !== undefined && { ttl_seconds: ttlSeconds }) });
  expect(response.status, JSON.stringify(response.body)).toBe(201);
  return response.body as { url: string; expires_at: string };
}

const tokenOf = (url: string) => decodeURIComponent(new URL(url).hash.replace(/^#token=/, ''));

const WRITE_BUTTONS = /^(New webhook|Create your first webhook|Edit|Send a test event|Send test|Enable|Disable|Rotate|Delete|Retry)/;

describe('portal links over REST and GraphQL', () => {
  it('answers 201 { url, expires_at }: the dashboard of this service, the token in the fragment', async () => {
    const before = Date.now();
    const link = await portalLink(projects.a.key, 'manage');
    expect(Object.keys(link).sort()).toEqual(['expires_at', 'url']);
    expect(link.url).toMatch(new RegExp(`^${service.httpUrl}/dashboard/#token=[\\w.-]+$`));
    const expiresAt = Date.parse(link.expires_at);
    expect(expiresAt).toBeGreaterThanOrEqual(before + 3_600_000);
    expect(expiresAt).toBeLessThan(Date.now() + 3_602_000);
    // The token is one of POST /v1/tokens': a Bearer credential of the project, with the mode's scopes.
    const webhooks = await rest()(tokenOf(link.url), 'GET', '/v1/webhooks');
    expect(webhooks.status).toBe(200);
    expect(webhooks.body.webhooks.map((w: { webhook_id: string }) => w.webhook_id)).toEqual([projects.a.webhookId]);
  });

  it('answers createPortalLink with a PortalLinkPayload { url expiresAt }', async () => {
    const { body } = await service.gql(
      projects.b.key,
      `mutation($input: CreatePortalLinkInput!) { createPortalLink(input: $input) { __typename
        ... on PortalLinkPayload { url expiresAt } ... on Error { message } } }`,
      { input: { mode: 'READ_ONLY', ttlSeconds: 120 } },
    );
    expect(body.errors).toBeUndefined();
    const answer = body.data.createPortalLink;
    expect(answer.__typename).toBe('PortalLinkPayload');
    expect(answer.url).toMatch(new RegExp(`^${service.httpUrl}/dashboard/#token=[\\w.-]+$`));
    expect(Date.parse(answer.expiresAt) - Date.now()).toBeGreaterThan(115_000);
  });

  it('is made by the typed client too (portalLinks.create)', async () => {
    const client = createClient({ url: `${service.httpUrl}/graphql`, apiKey: projects.a.key });
    onCleanup(() => client.close());
    const link = await client.portalLinks.create({ mode: 'read_only', ttlSeconds: 300 });
    expect(link.url).toMatch(new RegExp(`^${service.httpUrl}/dashboard/#token=[\\w.-]+$`));
    expect(Date.parse(link.expiresAt) - Date.now()).toBeGreaterThan(295_000);
    await expect(client.portalLinks.create({ mode: 'manage', ttlSeconds: 5 })).rejects.toThrow(/ttlSeconds/);
  });

  it('refuses a bad mode or ttl with a 4xx naming the field, and a mode whose scopes the key lacks with 403', async () => {
    for (const [body, field] of [
      [{ mode: 'admin' }, 'mode'],
      [{ mode: 'manage', ttl_seconds: 59 }, 'ttl_seconds'],
      [{ mode: 'read_only', ttl_seconds: 86_401 }, 'ttl_seconds'],
      [{ mode: 'read_only', ttl_seconds: 1.5 }, 'ttl_seconds'],
      [{ ttl_seconds: 600 }, 'mode'],
    ] as const) {
      const response = await rest()(projects.a.key, 'POST', '/v1/portal-links', body);
      expect(response.status, JSON.stringify(body)).toBeGreaterThanOrEqual(400);
      expect(response.status, JSON.stringify(body)).toBeLessThan(500);
      expect(response.body.error.message, JSON.stringify(body)).toContain(field);
    }
    const gql = await service.gql(
      projects.a.key,
      'mutation { createPortalLink(input: { mode: MANAGE, ttlSeconds: 10 }) { __typename ... on ValidationError { field message } } }',
    );
    expect(gql.body.data.createPortalLink).toMatchObject({ __typename: 'ValidationError', field: 'ttlSeconds' });

    const store = new ApiKeyStore(service.pool);
    const reader = await store.create(`portal-readers-${process.pid}`, 'reader', PORTAL_SCOPES.read_only);
    expect((await rest()(reader.key, 'POST', '/v1/portal-links', { mode: 'read_only' })).status).toBe(201);
    const refused = await rest()(reader.key, 'POST', '/v1/portal-links', { mode: 'manage' });
    expect(refused.status).toBe(403);
    expect(refused.body.error).toEqual({ code: 'forbidden', message: expect.stringMatching(/needs the scope webhooks:write$/) });
  });

  it('puts PUBLIC_URL, when set, before /dashboard instead of the request origin', async () => {
    const tokens = { createAccessToken: async () => ({ token: 'a.b.c', expiresAt: new Date(0) }) } as unknown as TokenService;
    const principal = { projectId: 'prj_1', apiKeyId: 'key_1', scopes: ['platform'] };
    const link = await new PortalService({ tokens, publicUrl: 'https://hooks.example.com/base' }).createPortalLink(
      principal,
      { mode: 'read_only' },
      'http://internal:4000',
    );
    expect(link.url).toBe('https://hooks.example.com/base/dashboard/#token=a.b.c');
    const local = await new PortalService({ tokens, publicUrl: undefined }).createPortalLink(principal, { mode: 'manage' }, 'http://x:1');
    expect(local.url).toBe('http://x:1/dashboard/#token=a.b.c');
  });
});

describe('the portal in Chromium', () => {
  it('a manage link shows only its project, offers the writes, and takes the token out of the address bar', async () => {
    const link = await portalLink(projects.a.key, 'manage');
    const page = await newTab();
    await page.goto(link.url);
    await page.getByRole('heading', { level: 1, name: 'Webhooks' }).waitFor();
    await page.locator(`tr[data-webhook-id="${projects.a.webhookId}"]`).waitFor();
    expect(await page.locator('tr[data-webhook-id]').count()).toBe(1);
    expect(await page.locator('main').innerText()).not.toContain(projects.b.url);
    expect(page.url()).toBe(`${service.httpUrl}/dashboard/`);
    expect(await page.evaluate(() => window.location.hash)).toBe('');
    expect(await page.evaluate(() => Object.values(sessionStorage))).toEqual([tokenOf(link.url)]);
    expect(await page.evaluate(() => localStorage.length)).toBe(0);
    await page.getByRole('button', { name: 'New webhook' }).waitFor();
    await page.getByRole('button', { name: `Disable ${projects.a.url}` }).waitFor();
    expect(await page.getByRole('button', { name: 'Sign out' }).count()).toBe(0);
    // The platform's name and colour.
    await expect.poll(() => page.locator('header .brand').innerText()).toBe('Acme Cloud');
    expect(await page.evaluate(() => getComputedStyle(document.documentElement).getPropertyValue('--accent').trim())).toBe('#12abef');

    await page.reload(); // the tab keeps the token
    await page.locator(`tr[data-webhook-id="${projects.a.webhookId}"]`).waitFor();
    expect(await page.getByLabel('API key').count()).toBe(0);
  });

  it('a read-only link shows only its project, with no write button, and the server refuses a forced write', async () => {
    const link = await portalLink(projects.b.key, 'read_only');
    const page = await newTab();
    await page.goto(link.url);
    await page.locator(`tr[data-webhook-id="${projects.b.webhookId}"]`).waitFor();
    expect(await page.locator('tr[data-webhook-id]').count()).toBe(1);
    expect(await page.locator('main').innerText()).not.toContain(projects.a.url);
    expect(await page.evaluate(() => window.location.hash)).toBe('');
    const writeButtons = async () =>
      (await page.getByRole('button').evaluateAll((buttons) => buttons.map((b) => b.getAttribute('aria-label') ?? b.textContent ?? ''))).filter(
        (name) => WRITE_BUTTONS.test(name.trim()),
      );
    expect(await writeButtons()).toEqual([]);

    await page.getByRole('link', { name: `Deliveries of ${projects.b.url}` }).click();
    await page.getByRole('heading', { level: 2, name: 'Deliveries' }).waitFor();
    await page.getByText(projects.b.webhookId).waitFor();
    expect(await writeButtons()).toEqual([]);

    const token = tokenOf(link.url);
    const disabled = await rest()(token, 'POST', `/v1/webhooks/${projects.b.webhookId}/disable`);
    expect(disabled.status).toBe(403);
    expect(disabled.body.error.code).toBe('forbidden');
    const deleted = await service.gql(
      token,
      'mutation($id: ID!) { deleteWebhook(id: $id) { __typename ... on ForbiddenError { scope } } }',
      { id: projects.b.webhookId },
    );
    expect(deleted.body.data.deleteWebhook).toEqual({ __typename: 'ForbiddenError', scope: 'webhooks:write' });
    // Nor can it reach the other project's webhook.
    expect((await rest()(token, 'GET', `/v1/webhooks/${projects.a.webhookId}`)).status).toBe(404);
  });

  it('an expired link shows a page that says so and to ask for a new one, not the sign-in form', async () => {
    const minted = await rest()(projects.a.key, 'POST', '/v1/tokens', { scopes: ['webhooks:read'], ttl_seconds: 1 });
    expect(minted.status).toBe(201);
    const token = minted.body.token as string;
    // Expired once the API refuses it.
    await expect
      .poll(async () => (await rest()(token, 'GET', '/v1/webhooks')).status, { timeout: WAIT, interval: 250 })
      .toBe(401);
    const page = await newTab();
    await page.goto(`${service.httpUrl}/dashboard/#token=${token}`);
    await page.getByRole('heading', { level: 1, name: /expired/ }).waitFor();
    expect(await page.locator('main').innerText()).toMatch(/ask .* for a new link/i);
    expect(await page.getByLabel('API key').count()).toBe(0);
    expect(await page.evaluate(() => window.location.hash)).toBe('');
    await page.reload(); // still the link's page, not the operator's sign-in
    await page.getByRole('heading', { level: 1, name: /expired/ }).waitFor();
    expect(await page.getByLabel('API key').count()).toBe(0);

    // A token that was never valid: invalid (or expired), the same advice.
    const forged = await newTab();
    await forged.goto(`${service.httpUrl}/dashboard/#token=eyJhbGciOiJIUzI1NiJ9.eyJzY3AiOltdfQ.bm9wZQ`);
    await forged.getByRole('heading', { level: 1, name: /invalid/ }).waitFor();
    expect(await forged.getByLabel('API key').count()).toBe(0);
  });

  it("lets only PORTAL_FRAME_ANCESTORS frame the dashboard (CSP frame-ancestors)", async () => {
    const response = await fetch(`${service.httpUrl}/dashboard/`);
    const csp = response.headers.get('content-security-policy') ?? '';
    expect(csp).toContain('frame-ancestors https://app.example.com https://*.example.org');
    expect(response.headers.get('x-frame-options')).toBeNull();
  });

  it('raised no unexpected browser error', () => {
    expect(browserErrors).toEqual([]);
  });
});
