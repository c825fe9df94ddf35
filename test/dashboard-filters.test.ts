// The dashboard's payload filter in a real headless Chromium against the real service, worker and receiver: the
// webhook form's filter box (bad JSON and the service's error naming the offending operator, shown under it, nothing
// created), the preview of which recent events it would have delivered, and the filter saved, applied and cleared.
// Screenshots go to test-results/dashboard/ with the other dashboard screens.
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import type { WebhooksClient } from '../client/src/index.js';
import { dashboardPage, signIn } from './support/browser.js';
import { startReceiver, type Receiver } from './support/receiver.js';
import { startTestService, type TestService } from './support/service.js';

const SCREENSHOTS = path.resolve('test-results/dashboard');
const WAIT = 10_000;
const GOOD_MAXCUT = { problem_type: 'MAXCUT', result: { approximation_ratio: { $gte: 0.9 } } };

let service: TestService;
let receiver: Receiver;
let api: WebhooksClient;
let key: string;
let page: Page;
let browserErrors: string[];

const optimization = (jobId: string, problemType: string, ratio: number) =>
  api.events.publish({
    type: 'optimization.completed',
    data: { job_id: jobId, problem_type: problemType, result: { solution: [0, 1], objective_value: 8, approximation_ratio: ratio } },
  });

beforeAll(async () => {
  await mkdir(SCREENSHOTS, { recursive: true });
  [receiver, service] = await Promise.all([startReceiver(), startTestService()]);
  const project = await service.newProject();
  ({ key } = project);
  api = project.api.client;
  ({ page, browserErrors } = await dashboardPage('dashboard-filters', { timeoutMs: WAIT }));
});

const screenshot = (name: string) => page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true });
const textOf = (locator: Locator) => expect.poll(() => locator.innerText(), { timeout: WAIT });

describe('the payload filter in the dashboard', () => {
  let earlier: string[];
  let webhookId: string;

  it('refuses a filter that is not JSON, or that the service refuses, under the box, creating nothing', async () => {
    earlier = [
      (await optimization('opt-good', 'MAXCUT', 0.95)).event.id,
      (await optimization('opt-tsp', 'TSP', 0.99)).event.id,
      (await optimization('opt-poor', 'MAXCUT', 0.5)).event.id,
    ];
    await signIn(page, service.httpUrl, key);

    await page.getByRole('button', { name: 'New webhook' }).click();
    const dialog = page.getByRole('dialog', { name: 'New webhook' });
    await dialog.getByLabel('Endpoint URL').fill(receiver.url('/good-maxcut'));
    await dialog.getByLabel('optimization.completed', { exact: true }).check();
    const box = dialog.getByLabel('Payload filter (JSON, optional)');

    await box.fill('{ "problem_type": ');
    await dialog.getByRole('button', { name: 'Create webhook' }).click();
    await textOf(dialog.locator('#filter-error')).toContain('The filter is not valid JSON');
    expect(await box.getAttribute('aria-invalid')).toBe('true');

    await box.fill('{ "result": { "approximation_ratio": { "$gtee": 0.9 } } }');
    await dialog.locator('#filter-error').waitFor({ state: 'detached' }); // about the text before
    await dialog.getByRole('button', { name: 'Preview on recent events' }).click();
    await textOf(dialog.locator('#filter-preview-error')).toContain('filter.result.approximation_ratio.$gtee is not an operator');
    await dialog.getByRole('button', { name: 'Create webhook' }).click();
    await textOf(dialog.locator('#filter-error')).toContain('filter.result.approximation_ratio.$gtee is not an operator');
    await screenshot('webhook-filter-refused');
    expect((await api.webhooks.list()).totalCount).toBe(0);
  });

  it('previews which recent events the filter would have delivered, as the service decides', async () => {
    const dialog = page.getByRole('dialog', { name: 'New webhook' });
    await dialog.getByLabel('Payload filter (JSON, optional)').fill(JSON.stringify(GOOD_MAXCUT, null, 2));
    await dialog.getByRole('button', { name: 'Preview on recent events' }).click();
    const preview = dialog.getByRole('region', { name: 'Filter preview' });
    await textOf(preview).toContain('1 of the 3 most recent events of these types would have been delivered');
    const rows = preview.locator('li[data-event-id]');
    const shown = await rows.evaluateAll((items) => items.map((item) => [item.getAttribute('data-event-id'), item.getAttribute('data-matched')]));
    expect(shown).toEqual([
      [earlier[2], 'false'],
      [earlier[1], 'false'],
      [earlier[0], 'true'],
    ]);
    await textOf(rows.first()).toMatch(/Filtered out\s+optimization\.completed/);
    await textOf(rows.last()).toMatch(/Delivered\s+optimization\.completed/);
    await screenshot('webhook-filter-preview');
  });

  it('saves the filter, which then lets only matching events through to the receiver', async () => {
    const dialog = page.getByRole('dialog', { name: 'New webhook' });
    await dialog.getByRole('button', { name: 'Create webhook' }).click();
    const created = page.getByRole('dialog', { name: 'Webhook created' });
    await created.getByRole('button', { name: 'I stored it' }).click();
    const [webhook] = (await api.webhooks.list()).nodes;
    expect(webhook!.filter).toEqual(GOOD_MAXCUT);
    webhookId = webhook!.id;

    expect((await optimization('opt-tsp-2', 'TSP', 0.97)).deliveryCount).toBe(0);
    const good = await optimization('opt-good-2', 'MAXCUT', 0.97);
    expect(good.deliveryCount).toBe(1);
    const [delivered] = await receiver.waitFor('/good-maxcut', 1);
    expect(JSON.parse(delivered!.body).event_id).toBe(good.event.id);
  });

  it('shows the filter on the webhook page, and clears it from the edit form', async () => {
    const url = receiver.url('/good-maxcut');
    await page.goto(`${service.httpUrl}/dashboard/webhooks/${webhookId}`);
    const shownFilter = page.locator('dl.webhook-facts dd[data-fact="filter"]');
    await textOf(shownFilter).toContain('MAXCUT');
    expect(JSON.parse(await shownFilter.innerText())).toEqual(GOOD_MAXCUT);

    await page.getByRole('button', { name: `Edit ${url}` }).click();
    const edit = page.getByRole('dialog', { name: 'Edit webhook' });
    const box = edit.getByLabel('Payload filter (JSON, optional)');
    expect(JSON.parse(await box.inputValue())).toEqual(GOOD_MAXCUT);
    await box.fill('');
    await edit.getByRole('button', { name: 'Save changes' }).click();
    await edit.waitFor({ state: 'detached' });
    expect((await api.webhooks.get(webhookId)).filter).toBeNull();
    await page.locator('dl.webhook-facts').waitFor();
    await shownFilter.waitFor({ state: 'detached' });
    expect((await optimization('opt-tsp-3', 'TSP', 0.1)).deliveryCount).toBe(1);
    expect(browserErrors).toEqual([]);
  });
});
