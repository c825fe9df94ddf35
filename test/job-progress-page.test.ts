// client/examples/job-progress.html in Chromium: a page holding only a jobs:read token for one job (minted with a
// project key, as a customer's backend does) shows that job's progress live, and says so when the token expires.
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { randomUUID } from 'node:crypto';
import { type BrowserContext, type Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { ApiKeyStore } from '../src/auth/api-keys.js';
import { testApi, type TestApi } from './support/api.js';
import { launchChromium } from './support/browser.js';
import { onCleanup } from './support/cleanup.js';
import { restClient } from './support/rest.js';
import { startTestService, type TestService } from './support/service.js';

const PAGE = fileURLToPath(new URL('../client/examples/job-progress.html', import.meta.url));
let service: TestService;
let key: string;
let api: TestApi;
let pageOrigin: string;
let context: BrowserContext;

beforeAll(async () => {
  service = await startTestService();
  key = (await new ApiKeyStore(service.pool).create(`job-page-${process.pid}`, 'backend', ['jobs:read', 'events:publish'])).key;
  api = testApi(service, key);
  // The customer's site, on an origin of its own.
  const html = await readFile(PAGE, 'utf8');
  const site = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end(html));
  await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve));
  onCleanup(() => new Promise((resolve) => site.close(resolve)));
  pageOrigin = `http://127.0.0.1:${(site.address() as AddressInfo).port}`;
  context = await launchChromium('job-page');
  context.setDefaultTimeout(15_000);
});

const progress = (jobId: string, processed: number) => ({
  job_id: jobId,
  total_images: 20,
  processed_images: processed,
  failed_images: 0,
  progress_percent: processed * 5,
});

async function open(jobId: string, ttlSeconds: number): Promise<Page> {
  const minted = await restClient(service.httpUrl)(key, 'POST', '/v1/tokens', { scopes: ['jobs:read'], job_ids: [jobId], ttl_seconds: ttlSeconds });
  expect(minted.status).toBe(201);
  const page = await context.newPage();
  const ws = `${service.httpUrl.replace(/^http/, 'ws')}/graphql`;
  await page.goto(`${pageOrigin}/job-progress.html#${new URLSearchParams({ url: ws, job: jobId, token: minted.body.token })}`);
  return page;
}

describe('client/examples/job-progress.html', () => {
  it("shows the job's progress live, and keeps the token out of the address bar", async () => {
    const jobId = randomUUID();
    await api.publish('batch.progress', progress(jobId, 4));
    const page = await open(jobId, 600);
    await page.getByText('RUNNING: 4 of 20 images (20%)').waitFor();
    expect(page.url()).toBe(`${pageOrigin}/job-progress.html`);
    await api.publish('batch.progress', progress(jobId, 15));
    await page.getByText('RUNNING: 15 of 20 images (75%)').waitFor();
    await api.publish('batch.completed', { job_id: jobId, status: 'completed' });
    await page.getByText(/^COMPLETED: 15 of 20 images \(75%\)\. Finished\.$/).waitFor();
    await page.close();
  });

  it('says the link expired when its token does', async () => {
    const jobId = randomUUID();
    await api.publish('batch.progress', progress(jobId, 1));
    const page = await open(jobId, 1);
    await page.getByText('This link has expired: reload the page from your account.').waitFor();
    await page.close();
  });
});
