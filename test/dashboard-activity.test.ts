// The dashboard's Activity page (the event log, sending an event again, every delivery across webhooks) and a
// webhook's Recover form with its progress, in a real headless Chromium against the real service and receivers.
import { randomUUID } from 'node:crypto';
import { type Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import type { WebhooksClient } from '../client/src/index.js';
import { dashboardPage, signIn } from './support/browser.js';
import { eventually, startReceiver, type Receiver } from './support/receiver.js';
import { startTestService, type TestService } from './support/service.js';

const WAIT = 10_000;

let service: TestService;
let receiver: Receiver;
let api: WebhooksClient;
let page: Page;
let browserErrors: string[];

beforeAll(async () => {
  [receiver, service] = await Promise.all([
    startReceiver(),
    // One retry, soon: a failing delivery is FAILED within a second.
    startTestService({ RETRY_SCHEDULE: '100ms', RECOVERY_RATE_PER_SECOND: '1', JOB_POLL_INTERVAL: '500ms' }),
  ]);
  const { key, api: project } = await service.newProject();
  api = project.client;
  ({ page, browserErrors } = await dashboardPage('dashboard-activity', { timeoutMs: WAIT }));
  await signIn(page, service.httpUrl, key);
});

/** A receiver path that fails (500) while `failing.now`. */
function flaky(path: string) {
  const failing = { now: true };
  receiver.on(path, (_req, res) => res.writeHead(failing.now ? 500 : 200).end());
  return failing;
}

const deliveryStatus = (id: string) =>
  eventually(async () => {
    const delivery = await api.deliveries.get(id);
    return delivery.status === 'PENDING' || delivery.status === 'RETRYING' ? undefined : delivery.status;
  }, `delivery ${id} settled`);

const openActivity = async () => {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Activity', exact: true }).click();
  await page.getByRole('heading', { level: 1, name: 'Activity' }).waitFor();
};

describe('the Activity page', () => {
  it('lists the event log newest first, filters it by job, and sends an event again', async () => {
    const path = `/log-${randomUUID()}`;
    await api.webhooks.create({ url: receiver.url(path), events: ['inference.*'] });
    const jobId = randomUUID();
    const { event: started } = await api.events.publish({ type: 'inference.started', data: { job_id: jobId, status: 'running' } });
    const { event: completed } = await api.events.publish({ type: 'inference.completed', data: { job_id: jobId, status: 'completed' } });
    await receiver.waitFor(path, 2);

    await openActivity();
    const log = page.getByRole('region', { name: 'Event log' });
    await log.getByLabel('Job id').fill(jobId);
    await log.getByLabel('Job id').press('Enter');
    const rows = log.locator('tbody tr');
    await expect.poll(() => rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-event-id'))), { timeout: WAIT }).toEqual([
      completed.id,
      started.id,
    ]);

    await log.getByRole('button', { name: `Send ${started.id} again` }).click();
    await expect.poll(() => page.getByRole('status').filter({ hasText: 'sent again' }).innerText(), { timeout: WAIT }).toContain(
      'inference.started sent again to 1 webhook.',
    );
    const [, , resent] = await receiver.waitFor(path, 3);
    expect(JSON.parse(resent!.body)).toMatchObject({ event_id: started.id, event_type: 'inference.started' });
  });

  it("lists every webhook's deliveries, filters them by status, and opens one on its webhook's page", async () => {
    const okPath = `/ok-${randomUUID()}`;
    const badPath = `/bad-${randomUUID()}`;
    flaky(badPath);
    const { webhook: ok } = await api.webhooks.create({ url: receiver.url(okPath), events: ['model.deployed'] });
    const { webhook: bad } = await api.webhooks.create({ url: receiver.url(badPath), events: ['model.deployed'] });
    await api.events.publish({ type: 'model.deployed', data: { job_id: randomUUID(), status: 'deployed' } });
    const all = await eventually(async () => {
      const listed = await api.deliveries.listAll({ eventType: 'model.deployed' });
      return listed.nodes.length === 2 ? listed.nodes : undefined;
    }, 'both deliveries');
    const failed = all.find((d) => d.webhook.id === bad.id)!;
    expect(await deliveryStatus(failed.id)).toBe('FAILED');

    await page.reload();
    await page.getByRole('heading', { level: 1, name: 'Activity' }).waitFor();
    const deliveries = page.getByRole('region', { name: 'All deliveries' });
    await deliveries.getByLabel('Status').selectOption('FAILED');
    const rows = deliveries.locator('tbody tr');
    await expect.poll(() => rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-delivery-id'))), { timeout: WAIT }).toContain(
      failed.id,
    );
    expect(await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-delivery-id')))).not.toContain(
      all.find((d) => d.webhook.id === ok.id)!.id,
    );
    await deliveries.getByRole('link', { name: `View delivery ${failed.id}` }).click();
    await page.getByRole('heading', { level: 1, name: receiver.url(badPath) }).waitFor();
    expect(new URL(page.url()).pathname).toBe(`/dashboard/webhooks/${bad.id}/deliveries/${failed.id}`);
  });
});

describe("a webhook's Recover form", () => {
  it('attempts the failed deliveries again and shows the recovery run to completion', async () => {
    const path = `/recover-${randomUUID()}`;
    const failing = flaky(path);
    const { webhook } = await api.webhooks.create({ url: receiver.url(path), events: ['vision.*'] });
    const ids: string[] = [];
    for (let i = 0; i < 2; i++) {
      await api.events.publish({ type: 'vision.submitted', data: { job_id: randomUUID(), status: 'submitted' } });
      const listed = await eventually(async () => {
        const page_ = await api.deliveries.list(webhook.id);
        return page_.nodes.length === i + 1 ? page_.nodes : undefined;
      }, 'the delivery');
      ids.push(listed[0]!.id);
      expect(await deliveryStatus(listed[0]!.id)).toBe('FAILED');
      if (i === 0) await api.webhooks.enable(webhook.id); // the give-up disabled it
    }
    failing.now = false;

    await page.goto(`${service.httpUrl}/dashboard/webhooks/${webhook.id}`);
    const form = page.getByRole('region', { name: 'Recover deliveries' });
    expect(await form.getByRole('checkbox', { name: 'Failed' }).isChecked()).toBe(true);
    await form.getByRole('button', { name: 'Recover' }).click();
    const progress = form.getByRole('status');
    const shown = async () => (await progress.innerText()).trim();
    await expect.poll(shown, { timeout: WAIT }).toBe('Completed: 2 of 2 deliveries queued again');
    for (const id of ids) await expect.poll(() => deliveryStatus(id), { timeout: WAIT }).toBe('SUCCESS');

    // The same window again: the same recovery, already completed.
    const recoveryId = await progress.getAttribute('data-recovery-id');
    await form.getByRole('button', { name: 'Recover' }).click();
    await expect.poll(() => progress.getAttribute('data-recovery-id'), { timeout: WAIT }).toBe(recoveryId);
    expect(await shown()).toBe('Completed: 2 of 2 deliveries queued again');
    expect(browserErrors).toEqual([]);
  });
});
