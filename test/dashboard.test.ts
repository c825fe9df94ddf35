// The dashboard end to end in a real headless Chromium (Debian's package, driven by playwright-core) against the
// real service and real receivers: sign in, webhooks, live deliveries, retry, re-enable, jobs, catalog, phone.
// Screenshots of each screen go to test-results/dashboard/ (git-ignored) as artifacts.
import { existsSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { type BrowserContext, type Locator, type Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { createClient, verifyWebhook, type WebhooksClient } from '../client/src/index.js';
import { DASHBOARD_DIST } from '../src/http/dashboard.js';
import { launchChromium } from './support/browser.js';
import { onCleanup } from './support/cleanup.js';
import { behaviours, eventually, startReceiver, type Receiver } from './support/receiver.js';
import { startTestService, type TestService } from './support/service.js';

const SCREENSHOTS = path.resolve('test-results/dashboard');
const WAIT = 10_000;

let service: TestService;
let receiver: Receiver;
let api: WebhooksClient;
let key: string;
let context: BrowserContext;
let page: Page;
let dashboardUrl: string;
const browserErrors: string[] = [];

beforeAll(async () => {
  if (!existsSync(path.join(DASHBOARD_DIST, 'index.html'))) throw new Error('The dashboard is not built: npm run dashboard:build');
  await mkdir(SCREENSHOTS, { recursive: true });
  // One request in flight per webhook: a delivery can be held in the queue behind a request the receiver holds.
  [receiver, service] = await Promise.all([startReceiver(), startTestService({ RETRY_SCHEDULE: '1h', WEBHOOK_MAX_IN_FLIGHT: '1' })]);
  ({ key } = await service.newProject());
  api = createClient({ url: `${service.httpUrl}/graphql`, apiKey: key });
  onCleanup(() => api.close());
  dashboardUrl = `${service.httpUrl}/dashboard`;

  context = await launchChromium('dashboard', { viewport: { width: 1280, height: 900 } });
  context.setDefaultTimeout(WAIT);
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: service.httpUrl });
  page = context.pages()[0] ?? (await context.newPage());
  page.on('pageerror', (error) => browserErrors.push(`pageerror: ${error.message}`));
  page.on('console', (message) => {
    // The refused key of the sign-in test is an expected 401.
    if (message.type() === 'error' && !/status of 401/.test(message.text())) browserErrors.push(message.text());
  });
});

const screenshot = (name: string) => page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true });

/** Polls a locator's text until it matches. */
const textOf = (locator: Locator) => expect.poll(() => locator.innerText(), { timeout: WAIT });

const heading = (name: string | RegExp) => page.getByRole('heading', { level: 1, name });

const nav = (name: string) => page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name, exact: true });

let secret: string;
let okWebhookId: string;
const okUrl = () => receiver.url('/ok');

describe('dashboard in Chromium', () => {
  it('serves the page without an API key; signs in with one kept in sessionStorage, never in the URL', async () => {
    const html = await fetch(dashboardUrl);
    expect(html.status).toBe(200);
    expect(await html.text()).toContain('<div id="app">');
    expect((await fetch(`${service.httpUrl}/graphql`, { method: 'POST' })).status).toBe(401); // still locked

    await page.goto(dashboardUrl);
    await page.getByLabel('API key').waitFor();
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('api-key'); // ready to type
    await screenshot('sign-in');

    await page.getByLabel('API key').fill('aip_this-key-does-not-exist-0000000000000000000');
    await page.keyboard.press('Enter');
    await textOf(page.getByRole('alert')).toContain('refused');
    expect(await page.evaluate(() => sessionStorage.length)).toBe(0);

    await page.getByLabel('API key').fill(key);
    await page.keyboard.press('Enter');
    await heading('Webhooks').waitFor();
    await textOf(page.locator('main')).toContain('No webhooks yet');
    expect(page.url()).not.toContain(key);
    expect(await page.evaluate(() => Object.values(sessionStorage))).toEqual([key]);
    expect(await page.evaluate(() => localStorage.length)).toBe(0);

    await page.reload(); // the session survives a reload of the tab
    await heading('Webhooks').waitFor();
    await screenshot('webhooks-empty');
  });

  it('creates a webhook and shows its secret once, with a copy button', async () => {
    await page.getByRole('button', { name: 'New webhook' }).click();
    const dialog = page.getByRole('dialog', { name: 'New webhook' });
    await dialog.waitFor();
    expect(await page.evaluate(() => document.activeElement?.closest('dialog') !== null)).toBe(true); // focus moved in
    await dialog.getByLabel('Endpoint URL').fill(okUrl());
    await dialog.getByLabel('optimization.completed', { exact: true }).check();
    await dialog.getByLabel(/^Wildcards/).fill('vision.*');
    await dialog.getByLabel(/^Description/).fill('the receiver that says yes');
    await screenshot('webhook-form');
    await dialog.getByRole('button', { name: 'Create webhook' }).click();

    const shown = page.getByRole('dialog', { name: 'Webhook created' });
    await shown.waitFor();
    secret = await shown.getByLabel('Signing secret').inputValue();
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/=]{20,}$/);
    await shown.getByRole('button', { name: 'Copy secret' }).click();
    await textOf(shown).toContain('Copied');
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(secret);
    await screenshot('webhook-created-secret');
    await shown.getByRole('button', { name: 'I stored it' }).click();
    await shown.waitFor({ state: 'detached' });

    const { nodes } = await api.webhooks.list();
    expect(nodes).toHaveLength(1);
    expect(nodes[0]).toMatchObject({ url: okUrl(), events: ['optimization.completed', 'vision.*'], description: 'the receiver that says yes' });
    okWebhookId = nodes[0]!.id;
    const row = page.locator(`tr[data-webhook-id="${okWebhookId}"]`);
    await textOf(row).toMatch(/Active[\s\S]*None yet/);

    await page.reload(); // shown once: nowhere on the page any more
    await heading('Webhooks').waitFor();
    await row.waitFor();
    expect(await page.content()).not.toContain(secret);
  });

  it('shows a published event’s delivery appear live, and its attempt', async () => {
    await page.getByRole('link', { name: okUrl(), exact: true }).click();
    await heading(okUrl()).waitFor();
    await textOf(page.locator('.deliveries-list')).toContain('No deliveries yet');
    await textOf(page.locator('.deliveries-list .live')).toContain('Live updates: on');
    await page.evaluate(() => ((window as unknown as { notReloaded: boolean }).notReloaded = true));

    const { event, deliveryCount } = await api.events.publish({
      type: 'optimization.completed',
      data: { job_id: 'opt-1', problem_type: 'MAXCUT', result: { solution: [0, 1], objective_value: 8 } },
    });
    expect(deliveryCount).toBe(1);
    const row = page.locator('tr[data-delivery-id]');
    await textOf(row).toMatch(/optimization\.completed[\s\S]*Success[\s\S]*200/);
    expect(await page.evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded)).toBe(true); // no reload: live
    const deliveryId = await row.getAttribute('data-delivery-id');

    await page.getByRole('link', { name: `View delivery ${deliveryId}` }).click();
    const detail = page.getByRole('complementary', { name: /^Delivery/ });
    await detail.waitFor();
    expect(page.url()).toBe(`${dashboardUrl}/webhooks/${okWebhookId}/deliveries/${deliveryId}`);
    const attempt = detail.locator('details[data-attempt="1"]');
    await textOf(attempt).toContain('HTTP 200');
    const attemptText = await attempt.innerText();
    expect(attemptText).toMatch(/x-webhook-signature/i);
    expect(attemptText).toContain(event.id); // request body
    expect(attemptText).toContain('"status": "received"'); // response body, pretty-printed
    expect(attemptText).toMatch(/content-type\s+application\/json/); // response headers
    expect(attemptText).toMatch(/\d+ ms/);
    await screenshot('deliveries-detail');

    // The secret the dashboard showed is the one the receiver's deliveries are signed with.
    const [received] = await receiver.waitFor('/ok', 1);
    expect(() => verifyWebhook(received!.body, received!.headers as Record<string, string>, secret)).not.toThrow();
  });

  it('retries a failed delivery and re-enables the webhook that a 410 disabled', async () => {
    receiver.on('/gone', behaviours.status(410, { 'content-type': 'text/plain' }, 'gone for good'));
    const goneUrl = receiver.url('/gone');
    const { webhook } = await api.webhooks.create({ url: goneUrl, events: ['batch.failed'] });
    await api.events.publish({ type: 'batch.failed', data: { job_id: 'b-410', error: 'disk full' } });
    await eventually(async () => ((await api.webhooks.get(webhook.id)).status === 'DISABLED' ? true : undefined), 'the 410 to disable it');

    await nav('Webhooks').click();
    const row = page.locator(`tr[data-webhook-id="${webhook.id}"]`);
    await textOf(row).toMatch(/Disabled[\s\S]*410 Gone/);
    await textOf(row).toMatch(/Failed 410/);
    await textOf(row).toContain('0%');
    await screenshot('webhooks');

    await row.getByRole('link', { name: goneUrl, exact: true }).click();
    await heading(goneUrl).waitFor();
    await textOf(page.locator('.webhook-disabled')).toContain('410 Gone');
    const failed = page.locator('tr[data-delivery-id]');
    await textOf(failed).toMatch(/Failed[\s\S]*410/);

    // Filters: by status, then back.
    await page.getByLabel('Status').selectOption('SUCCESS');
    await textOf(page.locator('.deliveries-list')).toContain('No deliveries match these filters');
    await page.getByLabel('Status').selectOption('FAILED');
    await textOf(failed).toMatch(/Failed/);
    await page.getByLabel('Event type').selectOption('batch.failed');
    await textOf(failed).toMatch(/batch\.failed/);
    await page.getByRole('button', { name: 'Clear filters' }).click();

    receiver.on('/gone', behaviours.accept());
    const deliveryId = await failed.getAttribute('data-delivery-id');
    await page.getByRole('link', { name: `View delivery ${deliveryId}` }).click();
    const detail = page.getByRole('complementary', { name: /^Delivery/ });
    await textOf(detail.locator('details[data-attempt="1"]')).toContain('HTTP 410');
    await detail.getByRole('button', { name: 'Retry now' }).click();
    await receiver.waitFor('/gone', 2);
    await textOf(failed).toMatch(/Success[\s\S]*200/); // the live update
    await textOf(detail.locator('details[data-attempt="2"]')).toContain('HTTP 200');
    expect((await api.deliveries.get(deliveryId!)).status).toBe('SUCCESS');

    await page.getByRole('button', { name: `Enable ${goneUrl}` }).click();
    await page.getByRole('button', { name: `Disable ${goneUrl}` }).waitFor();
    expect(await page.locator('.webhook-disabled').count()).toBe(0);
    expect(await api.webhooks.get(webhook.id)).toMatchObject({ status: 'ACTIVE', disabledReason: null });
    await screenshot('webhook-reenabled');
  });

  it('says a delivery was not sent when its webhook was disabled before the attempt; tests the disabled webhook', async () => {
    const held: ServerResponse[] = [];
    receiver.on('/held', (req, res, count) => (count === 1 ? held.push(res) : behaviours.accept()(req, res, count)));
    const heldUrl = receiver.url('/held');
    const { webhook } = await api.webhooks.create({ url: heldUrl, events: ['model.deployed'] });
    await api.events.publish({ type: 'model.deployed', data: { job_id: 'm-held' } });
    await receiver.waitFor('/held', 1); // held: the webhook's one slot is taken, the next delivery waits in the queue
    await api.events.publish({ type: 'model.deployed', data: { job_id: 'm-not-sent' } });
    const [queued] = (await api.deliveries.list(webhook.id)).nodes; // newest first
    expect(queued!.status).toBe('PENDING');
    await api.webhooks.disable(webhook.id);
    held[0]!.writeHead(200).end();
    await eventually(
      async () => ((await api.deliveries.get(queued!.id)).status === 'FAILED' ? true : undefined),
      'the queued delivery to be given up on',
    );

    await page.goto(`${dashboardUrl}/webhooks/${webhook.id}/deliveries/${queued!.id}`);
    const row = page.locator(`tr[data-delivery-id="${queued!.id}"]`);
    await textOf(row).toMatch(/Failed\s+not sent: webhook disabled/);
    expect(await row.locator('td[data-label="Attempts"]').innerText()).toBe('0');
    const detail = page.getByRole('complementary', { name: /^Delivery/ });
    await textOf(detail).toContain('Not sent: the webhook was disabled before this delivery was attempted.');
    expect(await detail.innerText()).not.toContain('queued');
    await screenshot('delivery-not-sent');

    // A test event is how the receiver is checked before re-enabling: it is sent, and its attempt shown.
    await page.getByRole('button', { name: `Send a test event to ${heldUrl}` }).click();
    await textOf(page.locator('.toasts')).toContain('Test event sent');
    const [, test] = await receiver.waitFor('/held', 2);
    expect(JSON.parse(test!.body).event_type).toBe('webhook.test');
    const testRow = page.locator('tr[data-delivery-id]', { hasText: 'webhook.test' });
    await textOf(testRow).toMatch(/Success[\s\S]*200/);
    expect(await testRow.locator('td[data-label="Attempts"]').innerText()).toBe('1');
    expect((await api.webhooks.get(webhook.id)).status).toBe('DISABLED');
    await api.webhooks.delete(webhook.id);
  });

  it('edits, disables, enables, tests, rotates and deletes (with confirmation) from the list', async () => {
    await nav('Webhooks').click();
    const row = page.locator(`tr[data-webhook-id="${okWebhookId}"]`);
    await row.waitFor();

    await row.getByRole('button', { name: `Edit ${okUrl()}` }).click();
    const edit = page.getByRole('dialog', { name: 'Edit webhook' });
    await edit.getByLabel(/^Description/).fill('edited in the dashboard');
    await edit.getByLabel('batch.progress', { exact: true }).check();
    await edit.getByRole('button', { name: 'Save changes' }).click();
    await textOf(row).toContain('edited in the dashboard');
    expect((await api.webhooks.get(okWebhookId)).events).toEqual(['optimization.completed', 'batch.progress', 'vision.*']);

    await row.getByRole('button', { name: `Disable ${okUrl()}` }).click();
    await textOf(row).toMatch(/Disabled[\s\S]*Disabled by hand/);
    await row.getByRole('button', { name: `Enable ${okUrl()}` }).click();
    await textOf(row).not.toContain('Disabled by hand');
    expect((await api.webhooks.get(okWebhookId)).status).toBe('ACTIVE');

    await row.getByRole('button', { name: `Send a test event to ${okUrl()}` }).click();
    await textOf(page.locator('.toasts')).toContain('Test event sent');
    const requests = await receiver.waitFor('/ok', 2);
    expect(JSON.parse(requests[1]!.body).event_type).toBe('webhook.test');

    await row.getByRole('button', { name: `Rotate the secret of ${okUrl()}` }).click();
    await page.getByRole('dialog', { name: 'Rotate the signing secret?' }).getByLabel('Grace period').selectOption('0');
    await page.getByRole('button', { name: 'Rotate secret', exact: true }).click();
    const rotated = page.getByRole('dialog', { name: 'New signing secret' });
    const newSecret = await rotated.getByLabel('Signing secret').inputValue();
    expect(newSecret).toMatch(/^whsec_/);
    expect(newSecret).not.toBe(secret);
    await rotated.getByRole('button', { name: 'I stored it' }).click();
    await api.webhooks.test(okWebhookId);
    const [, , third] = await receiver.waitFor('/ok', 3);
    expect(() => verifyWebhook(third!.body, third!.headers as Record<string, string>, newSecret)).not.toThrow();

    const goneRow = page.locator('tr', { hasText: receiver.url('/gone') });
    await goneRow.getByRole('button', { name: /^Delete / }).click();
    const confirm = page.getByRole('dialog', { name: 'Delete this webhook?' });
    await confirm.waitFor();
    await page.keyboard.press('Escape'); // keyboard: Escape cancels
    await confirm.waitFor({ state: 'detached' });
    await expect.poll(() => page.evaluate(() => document.activeElement?.getAttribute('aria-label')), { timeout: WAIT }).toBe(
      `Delete ${receiver.url('/gone')}`,
    ); // focus returns to the button that opened the dialog
    expect(await goneRow.count()).toBe(1);
    await goneRow.getByRole('button', { name: /^Delete / }).click();
    await confirm.getByRole('button', { name: 'Delete webhook' }).click();
    await goneRow.waitFor({ state: 'detached' });
    const { nodes } = await api.webhooks.list();
    expect(nodes.map((w) => w.id)).toEqual([okWebhookId]);
  });

  it('watches a batch job’s progress bar reach 100%', async () => {
    const jobId = `batch-${process.pid}`;
    const progress = (percent: number) =>
      api.events.publish({
        type: 'batch.progress',
        data: { job_id: jobId, total_images: 200, processed_images: percent * 2, failed_images: 0, progress_percent: percent },
      });
    await progress(20);

    await nav('Jobs').click();
    await heading('Jobs').waitFor();
    await page.getByLabel('Job id').fill(jobId);
    await page.getByRole('button', { name: 'Watch' }).click();
    const bar = page.getByRole('progressbar', { name: 'Batch progress' });
    await expect.poll(() => bar.getAttribute('aria-valuenow'), { timeout: WAIT }).toBe('20');
    await textOf(page.locator('.job')).toContain('40 of 200 images processed');

    await progress(60);
    await expect.poll(() => bar.getAttribute('aria-valuenow'), { timeout: WAIT }).toBe('60');
    await progress(100);
    await api.events.publish({ type: 'batch.completed', data: { job_id: jobId, status: 'completed' } });
    await expect.poll(() => bar.getAttribute('aria-valuenow'), { timeout: WAIT }).toBe('100');
    await textOf(page.locator('.job')).toMatch(/Completed[\s\S]*100%/);
    await textOf(page.locator('.job .live')).toContain('finished');
    const filled = () =>
      page.locator('.progress-fill').evaluate((el) => el.getBoundingClientRect().width / el.parentElement!.getBoundingClientRect().width);
    await expect.poll(filled, { timeout: WAIT }).toBeGreaterThan(0.97); // the bar itself, once its transition ends
    await screenshot('job-batch');
  });

  it('charts a training job’s accuracy and loss per round', async () => {
    const jobId = `training-${process.pid}`;
    const round = (n: number) =>
      api.events.publish({
        type: 'training.progress',
        data: { job_id: jobId, round: n, total_rounds: 4, accuracy: 0.5 + n / 10, loss: 1 / n },
      });
    await round(1);
    await page.getByLabel('Job id').fill(jobId);
    await page.getByRole('button', { name: 'Watch' }).click();
    await textOf(page.locator('.job')).toContain('Round 1 of 4');
    // Each round shown before the next is published: a live stream coalesces progress a slow page has not taken yet
    // (latest wins), so two rounds published back to back may reach a busy browser as one.
    await round(2);
    await textOf(page.locator('.job')).toContain('Round 2 of 4');
    await round(3);
    await textOf(page.locator('.job')).toContain('Round 3 of 4');
    await expect.poll(() => page.locator('tr[data-round]').count(), { timeout: WAIT }).toBe(3);
    const points = await page.locator('.series-accuracy').getAttribute('points');
    expect(points?.split(' ')).toHaveLength(3);
    expect(await page.getByRole('img', { name: 'Accuracy and loss per round' }).count()).toBe(1);
    await screenshot('job-training');
  });

  it('lists the event catalog with descriptions and example payloads', async () => {
    await nav('Event catalog').click();
    const entry = page.locator('[data-event-type="batch.progress"]');
    await textOf(entry).toContain('Batch analysis progress update');
    expect(await entry.innerText()).toContain('"progress_percent": 75');
    const catalog = await api.eventTypes();
    expect(await page.locator('[data-event-type]').count()).toBe(catalog.length);
    await screenshot('event-catalog');
    await page.getByLabel('Filter event types').fill('training');
    await expect.poll(() => page.locator('[data-event-type]').count(), { timeout: WAIT }).toBe(
      catalog.filter((e) => e.type.includes('training') || e.description.toLowerCase().includes('training')).length,
    );
  });

  it('is readable on a phone: no sideways scrolling', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    try {
      for (const [name, url] of [
        ['phone-webhooks', `${dashboardUrl}/`],
        ['phone-deliveries', `${dashboardUrl}/webhooks/${okWebhookId}`],
        ['phone-jobs', `${dashboardUrl}/jobs/batch-${process.pid}`],
      ] as const) {
        await page.goto(url);
        await page.locator('h1').first().waitFor();
        await page.locator('[role="status"].state-loading').first().waitFor({ state: 'detached' });
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
        expect(overflow, name).toBeLessThanOrEqual(0);
        await screenshot(name);
      }
    } finally {
      await page.setViewportSize({ width: 1280, height: 900 });
    }
  });

  it('is keyboard operable: skip link first, and sign out forgets the key', async () => {
    await page.goto(`${dashboardUrl}/events`);
    await heading('Event catalog').waitFor();
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Skip to content');
    await page.getByRole('button', { name: 'Sign out' }).focus();
    await page.keyboard.press('Enter');
    await page.getByLabel('API key').waitFor();
    expect(await page.evaluate(() => sessionStorage.length)).toBe(0);
    expect(browserErrors).toEqual([]); // no script error or blocked request (CSP) on any screen
  });
});

