// The webhook form's endpoint controls in a real headless Chromium against the real service: a rate limit, custom
// headers (values write-only: an edit that leaves a saved value empty keeps it) and the trace-context opt-in; a
// forbidden header name is refused inline and saves nothing; the webhook's page lists the limit and header names.
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import type { WebhooksClient } from '../client/src/index.js';
import { dashboardPage, signIn } from './support/browser.js';
import { startReceiver, type Receiver } from './support/receiver.js';
import { startTestService, type TestService } from './support/service.js';

const WAIT = 10_000;

let service: TestService;
let receiver: Receiver;
let api: WebhooksClient;
let page: Page;
let browserErrors: string[];

beforeAll(async () => {
  [receiver, service] = await Promise.all([startReceiver(), startTestService()]);
  const { key, api: project } = await service.newProject();
  api = project.client;
  ({ page, browserErrors } = await dashboardPage('endpoint-controls', { timeoutMs: WAIT }));
  await signIn(page, service.httpUrl, key);
});

const textOf = (selector: string) => expect.poll(() => page.locator(selector).innerText(), { timeout: WAIT });

describe('the webhook form’s endpoint controls', () => {
  it('creates a webhook with a rate limit, a header and trace context, then edits them keeping a saved value', async () => {
    const url = receiver.url('/controls');
    await page.getByRole('button', { name: 'New webhook' }).click();
    const dialog = page.getByRole('dialog', { name: 'New webhook' });
    await dialog.getByLabel('Endpoint URL').fill(url);
    await dialog.getByLabel('optimization.started', { exact: true }).check();
    await dialog.getByLabel(/^Rate limit/).fill('12');
    await dialog.getByRole('button', { name: 'Add header' }).click();
    await dialog.getByLabel('Header 1 name').fill('Authorization');
    await dialog.getByLabel('Header 1 value').fill('Bearer from-the-dashboard');
    await dialog.getByRole('checkbox', { name: /Send trace context/ }).check();
    await dialog.getByRole('button', { name: 'Create webhook' }).click();
    const shown = page.getByRole('dialog', { name: 'Webhook created' });
    await shown.getByRole('button', { name: 'I stored it' }).click();

    const { nodes } = await api.webhooks.list();
    const [created] = nodes;
    expect(created).toMatchObject({ url, rateLimitPerSecond: 12, headerNames: ['Authorization'], propagateTraceContext: true });

    // Edit: the saved header shows its name and no value; left empty it is kept, and a second one is added.
    const row = page.locator(`tr[data-webhook-id="${created!.id}"]`);
    await row.getByRole('button', { name: `Edit ${url}` }).click();
    const edit = page.getByRole('dialog', { name: 'Edit webhook' });
    expect(await edit.getByLabel('Header 1 name').inputValue()).toBe('Authorization');
    expect(await edit.getByLabel('Header 1 value').inputValue()).toBe('');
    expect(await page.content()).not.toContain('from-the-dashboard');
    await edit.getByLabel(/^Rate limit/).fill('');
    await edit.getByRole('button', { name: 'Add header' }).click();
    await edit.getByLabel('Header 2 name').fill('X-Tenant');
    await edit.getByLabel('Header 2 value').fill('acme');
    await edit.getByRole('button', { name: 'Save changes' }).click();
    await edit.waitFor({ state: 'detached' });
    expect(await api.webhooks.get(created!.id)).toMatchObject({ rateLimitPerSecond: null, headerNames: ['Authorization', 'X-Tenant'] });

    // Both values reach the receiver: the kept one too.
    await api.webhooks.test(created!.id);
    const [request] = await receiver.waitFor('/controls', 1);
    expect(request!.headers).toMatchObject({ authorization: 'Bearer from-the-dashboard', 'x-tenant': 'acme' });

    // The webhook's page lists the controls, names only.
    await page.getByRole('link', { name: url, exact: true }).click();
    await textOf('.webhook-facts').toMatch(/Rate limit\s*None[\s\S]*Custom headers\s*Authorization, X-Tenant/i);
  });

  it('refuses a forbidden header name inline, and saves nothing', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Webhooks', exact: true }).click();
    await page.getByRole('button', { name: 'New webhook' }).click();
    const dialog = page.getByRole('dialog', { name: 'New webhook' });
    await dialog.getByLabel('Endpoint URL').fill(receiver.url('/refused'));
    await dialog.getByLabel('optimization.started', { exact: true }).check();
    await dialog.getByRole('button', { name: 'Add header' }).click();
    await dialog.getByLabel('Header 1 name').fill('Webhook-Signature');
    await dialog.getByLabel('Header 1 value').fill('v1,forged');
    await dialog.getByRole('button', { name: 'Create webhook' }).click();
    await expect.poll(() => dialog.locator('#headers-error').innerText(), { timeout: WAIT }).toContain('Webhook-Signature');
    expect((await api.webhooks.list()).totalCount).toBe(1);
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    expect(browserErrors).toEqual([]);
  });
});
