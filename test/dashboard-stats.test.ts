// The dashboard's webhook stats in a real Chromium against the real service, worker and receivers: the list's
// success rate is the server's (Webhook.stats) over the window picked, and a webhook's page shows every figure of its
// stats, read again when a delivery is attempted live.
import { type Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { dashboardPage, signIn } from './support/browser.js';
import type { TestApi } from './support/api.js';
import { behaviours, eventually, startReceiver, type Receiver } from './support/receiver.js';
import { startTestService, type TestService } from './support/service.js';

const WAIT = 15_000;
let service: TestService;
let receiver: Receiver;
let api: TestApi;
let key: string;
let page: Page;
let healthy: string;
let failing: string;

/** The webhook's stats once they count `attempts` attempts. */
const statsAfter = (webhookId: string, attempts: number) =>
  eventually(async () => {
    const stats = await api.client.webhooks.stats(webhookId, 'DAY');
    return stats.attempts >= attempts ? stats : undefined;
  }, `${attempts} attempts in ${webhookId}'s stats`);

beforeAll(async () => {
  // No retry within the test: one attempt per delivery.
  [receiver, service] = await Promise.all([startReceiver(), startTestService({ RETRY_SCHEDULE: '1h', WEBHOOK_MAX_IN_FLIGHT: '1' })]);
  ({ key, api } = await service.newProject());
  receiver.on('/failing', behaviours.status(500));
  healthy = (await api.createWebhook(receiver.url('/healthy'), ['optimization.started'])).id;
  failing = (await api.createWebhook(receiver.url('/failing'), ['optimization.started'])).id;
  for (let i = 0; i < 4; i++) await api.publish('optimization.started', { job_id: `dashboard-stats-${i}` });
  await Promise.all([statsAfter(healthy, 4), statsAfter(failing, 4)]);

  ({ page } = await dashboardPage('dashboard-stats', { timeoutMs: WAIT }));
  await signIn(page, service.httpUrl, key);
});

const textOf = (selector: string) => expect.poll(() => page.locator(selector).innerText(), { timeout: WAIT });
/** The table's header as written (its CSS shows it in capitals). */
const header = () => expect.poll(() => page.locator('.webhooks-table thead').textContent(), { timeout: WAIT });

describe('webhook stats in the dashboard', () => {
  it("shows each webhook's success rate over the window picked, as the server counts it", async () => {
    const row = (id: string) => `tr[data-webhook-id="${id}"] td[data-label="Success rate"]`;
    await textOf(row(healthy)).toMatch(/^100%\s+4 attempts$/);
    await textOf(row(failing)).toMatch(/^0%\s+4 attempts$/);
    expect(await page.locator(`${row(failing)} .rate-bad`).count()).toBe(1);
    await header().toContain('Success rate (24 h)');

    await page.getByLabel('Stats over').selectOption('HOUR');
    await header().toContain('Success rate (1 h)');
    await textOf(row(failing)).toMatch(/^0%\s+4 attempts$/);
  });

  it("shows a webhook's stats on its page, read again when a delivery is attempted live", async () => {
    await page.goto(`${service.httpUrl}/dashboard/webhooks/${failing}`);
    const stats = page.getByRole('region', { name: 'Stats' });
    await stats.waitFor();
    const figure = (name: string) => expect.poll(async () => stats.locator('dt', { hasText: name }).locator('xpath=following-sibling::dd').innerText(), { timeout: WAIT });
    await figure('Attempts').toBe('4 (4 failed)');
    await figure('Success rate').toBe('0%');
    await figure('Consecutive failures').toBe('4');
    await figure('Last success').toBe('—');
    await figure('Response time p50 / p95').toMatch(/^\d+ ms \/ \d+ ms$/);
    const lastFailure = await stats.locator('dt', { hasText: 'Last failure' }).locator('xpath=following-sibling::dd//time').getAttribute('datetime');
    expect(lastFailure).toBe((await api.client.webhooks.stats(failing, 'DAY')).lastFailureAt);

    // The receiver recovers: the next attempt, seen live, ends the streak on the page.
    receiver.on('/failing', behaviours.accept());
    await api.publish('optimization.started', { job_id: 'dashboard-stats-recovered' });
    await figure('Attempts').toBe('5 (4 failed)');
    await figure('Success rate').toBe('20%');
    await figure('Consecutive failures').toBe('0');
    await page.getByLabel('Stats over').selectOption('WEEK');
    await figure('Attempts').toBe('5 (4 failed)');
  });
});
