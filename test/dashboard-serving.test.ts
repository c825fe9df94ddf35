// How the service serves the dashboard's built files: public, SPA fallback for screens, 404 for missing files,
// long caching for hashed assets only, security headers; and a clear answer when the dashboard is not built.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dashboardRoutes } from '../src/http/dashboard.js';

const INDEX = '<!doctype html><title>dashboard test page</title><script type="module" src="/dashboard/assets/app-abc123.js"></script>';
const SCRIPT = 'console.log("dashboard")';

let root: string;
let app: FastifyInstance;
let unbuilt: FastifyInstance;
const onClose: (() => Promise<unknown>)[] = [];

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'dashboard-dist-'));
  await mkdir(path.join(root, 'assets'));
  await writeFile(path.join(root, 'index.html'), INDEX);
  await writeFile(path.join(root, 'assets', 'app-abc123.js'), SCRIPT);
  app = Fastify();
  app.get('/other', async () => ({ other: true }));
  await dashboardRoutes(app, { root });
  await app.ready();
  unbuilt = Fastify({ logger: false });
  await dashboardRoutes(unbuilt, { root: path.join(root, 'missing') });
  await unbuilt.ready();
});

afterAll(async () => {
  for (const close of onClose) await close();
  await app?.close();
  await unbuilt?.close();
  await rm(root, { recursive: true, force: true });
});

describe('GET /dashboard', () => {
  it('serves index.html without an API key, at /dashboard and /dashboard/, not cached', async () => {
    for (const url of ['/dashboard', '/dashboard/']) {
      const response = await app.inject({ method: 'GET', url });
      expect(response.statusCode, url).toBe(200);
      expect(response.headers['content-type']).toMatch(/^text\/html/);
      expect(response.body).toBe(INDEX);
      expect(response.headers['cache-control']).toBe('no-cache');
    }
  });

  it('answers every screen of the app with index.html (SPA fallback), query strings included', async () => {
    for (const url of ['/dashboard/webhooks/wh_0123456789abcdef', '/dashboard/webhooks/wh_1/deliveries/del_2', '/dashboard/jobs/job-1?x=1', '/dashboard/events']) {
      const response = await app.inject({ method: 'GET', url });
      expect(response.statusCode, url).toBe(200);
      expect(response.body, url).toBe(INDEX);
    }
  });

  it('serves hashed assets with long caching, and 404 for a missing file instead of the page', async () => {
    const asset = await app.inject({ method: 'GET', url: '/dashboard/assets/app-abc123.js' });
    expect(asset.statusCode).toBe(200);
    expect(asset.body).toBe(SCRIPT);
    expect(asset.headers['content-type']).toMatch(/javascript/);
    expect(asset.headers['cache-control']).toBe('public, max-age=31536000, immutable');

    const missing = await app.inject({ method: 'GET', url: '/dashboard/assets/nope-123.js' });
    expect(missing.statusCode).toBe(404);
    expect(missing.body).not.toContain('dashboard test page');
    const post = await app.inject({ method: 'POST', url: '/dashboard/webhooks' });
    expect(post.statusCode).toBe(404);
  });

  it('does not serve files outside its folder', async () => {
    for (const url of ['/dashboard/../package.json', '/dashboard/%2e%2e/%2e%2e/package.json', '/dashboard/assets/..%2f..%2findex.html']) {
      const response = await app.inject({ method: 'GET', url });
      expect(response.body, url).not.toContain('"name"');
      expect([200, 400, 403, 404], url).toContain(response.statusCode);
    }
  });

  it('sends a content security policy that keeps the page to its own origin and out of frames', async () => {
    const response = await app.inject({ method: 'GET', url: '/dashboard/jobs' });
    const csp = String(response.headers['content-security-policy']);
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("connect-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    expect(response.headers['referrer-policy']).toBe('no-referrer');
    // Only the dashboard's answers carry them.
    const other = await app.inject({ method: 'GET', url: '/other' });
    expect(other.headers['content-security-policy']).toBeUndefined();
  });

  it('serves the platform name and accent colour, the defaults when unset', async () => {
    const response = await app.inject({ method: 'GET', url: '/dashboard/branding.json' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ name: 'AI Platform Webhooks', accent_color: null });
    expect(response.headers['x-frame-options']).toBe('DENY');
  });

  it('lets the configured origins frame the page (PORTAL_FRAME_ANCESTORS), with their name and colour', async () => {
    const branded = Fastify();
    onClose.push(() => branded.close());
    await dashboardRoutes(branded, {
      root,
      portal: { frameAncestors: ['https://app.example.com', 'https://*.example.org'], name: 'Acme', accentColor: '#12abef' },
    });
    const page = await branded.inject({ method: 'GET', url: '/dashboard/' });
    expect(String(page.headers['content-security-policy'])).toContain('frame-ancestors https://app.example.com https://*.example.org');
    expect(page.headers['x-frame-options']).toBeUndefined();
    const branding = await branded.inject({ method: 'GET', url: '/dashboard/branding.json' });
    expect(branding.json()).toEqual({ name: 'Acme', accent_color: '#12abef' });
  });

  it('says how to build it when dashboard/dist is missing', async () => {
    for (const url of ['/dashboard', '/dashboard/webhooks']) {
      const response = await unbuilt.inject({ method: 'GET', url });
      expect(response.statusCode, url).toBe(503);
      expect(response.body).toContain('npm run dashboard:build');
    }
  });
});
