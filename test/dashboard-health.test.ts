// The dashboard's webhook health banner in a real headless Chromium, against the real service, worker and receivers:
// live from webhookHealth, it says a webhook is failing (with its consecutive failures), then that it recovered;
// and that the service disabled one (the page then shows it disabled).
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import type { WebhooksClient } from '../client/src/index.js';
import { dashboardPage, signIn } from './support/browser.js';
import { behaviours, startReceiver, type Receiver } from './support/receiver.js';
import { startTestService, type TestService } from './support/service.js';

const WAIT = 10_000;

let service: TestService;
let receiver: Receiver;
let api: WebhooksClient;
let page: Page;
let browserErrors: string[];

beforeAll(async () => {
  // A failed first attempt is retried only in an hour: each event's delivery fails once, in publish order.
  [receiver, service] = await Promise.all([startReceiver(), startTestService({ RETRY_SCHEDULE: '1h' })]);
  const { key, api: project } = await service.newProject();
  api = project.client;
  ({ page, browserErrors } = await dashboardPage('dashboard-health', { timeoutMs: WAIT }));
  await signIn(page, service.httpUrl, key);
});

const banner = () => page.locator('.webhook-health');
const textOf = (locator: ReturnType<typeof banner>) => expect.poll(() => locator.innerText(), { timeout: WAIT });

/** Opens the webhook's page and waits until its live streams are on. */
async function openWebhook(id: string, url: string) {
  await page.goto(`${service.httpUrl}/dashboard/webhooks/${id}`);
  await page.getByRole('heading', { level: 1, name: url }).waitFor();
  await textOf(page.getByRole('status').filter({ hasText: 'Live updates' })).toContain('on');
}

describe('the webhook page’s health banner', () => {
  it('shows a webhook failing with its consecutive failures, live, then recovered', async () => {
    receiver.on('/flaky', behaviours.status(500));
    const url = receiver.url('/flaky');
    const { webhook } = await api.webhooks.create({ url, events: ['batch.completed'] });
    await openWebhook(webhook.id, url);
    expect(await banner().count()).toBe(0); // nothing to say yet

    for (const job of ['j1', 'j2', 'j3']) await api.events.publish({ type: 'batch.completed', data: { job_id: job } });
    await textOf(banner()).toMatch(/Failing: 3 consecutive failures \(last: HTTP 500\)/);
    expect(await banner().getAttribute('class')).toContain('callout-bad');

    receiver.on('/flaky', behaviours.accept());
    await api.events.publish({ type: 'batch.completed', data: { job_id: 'j4' } });
    await textOf(banner()).toMatch(/Recovered: answering again after 3 failed attempts/);
    expect(await banner().getAttribute('class')).toContain('callout-good');

    // Opened again later, the page shows the latest at once.
    await openWebhook(webhook.id, url);
    await textOf(banner()).toContain('Recovered');
  });

  it('shows the service disabling a webhook, and the page then shows it disabled', async () => {
    receiver.on('/gone', behaviours.status(410));
    const url = receiver.url('/gone');
    const { webhook } = await api.webhooks.create({ url, events: ['batch.completed'] });
    await openWebhook(webhook.id, url);
    await api.events.publish({ type: 'batch.completed', data: { job_id: 'gone-1' } });
    // Disabled and exhausted are published together: the banner shows whichever came last.
    await textOf(banner()).toMatch(/Disabled by the service: The receiver answered 410 Gone|Delivery failed for good: del_\w+ \(batch\.completed\) after 1 attempts/);
    await textOf(page.locator('.webhook-disabled')).toContain('410 Gone');
    expect(browserErrors).toEqual([]);
  });
});
