// Debian's Chromium driven by Playwright, as every browser test starts it: headless, with the flags this machine's
// closed network needs, in a profile of its own that is removed with the browser at the end of the file.
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { DASHBOARD_DIST } from '../../src/http/dashboard.js';
import { onCleanup } from './cleanup.js';

export const CHROMIUM = '/usr/bin/chromium';

export async function launchChromium(name: string, options: { viewport?: { width: number; height: number } } = {}): Promise<BrowserContext> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y --no-install-recommends chromium`);
  const userDataDir = await mkdtemp(path.join(tmpdir(), `${name}-chromium-`));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
    ...(options.viewport && { viewport: options.viewport }),
  });
  onCleanup(async () => {
    await context.close();
    await rm(userDataDir, { recursive: true, force: true });
  });
  return context;
}

/**
 * A dashboard test's page, as every such file starts one: the built dashboard checked, Chromium with a 1280×900 window, waits bounded by
 * `timeoutMs`, and every page error or console error collected in `browserErrors` (those `ignore` matches left out).
 */
export async function dashboardPage(name: string, { timeoutMs, ignore }: { timeoutMs: number; ignore?: RegExp }) {
  // Built by `npm install` (postinstall), as a user's install builds it.
  if (!existsSync(path.join(DASHBOARD_DIST, 'index.html'))) throw new Error('The dashboard is not built: npm run dashboard:build');
  const context = await launchChromium(name, { viewport: { width: 1280, height: 900 } });
  context.setDefaultTimeout(timeoutMs);
  const page = context.pages()[0] ?? (await context.newPage());
  const browserErrors: string[] = [];
  page.on('pageerror', (error) => browserErrors.push(`pageerror: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error' && !ignore?.test(message.text())) browserErrors.push(message.text());
  });
  return { context, page, browserErrors };
}

/** Opens the dashboard at `httpUrl` and signs in with `key`, as its user does; resolves on the webhooks page. */
export async function signIn(page: Page, httpUrl: string, key: string): Promise<void> {
  await page.goto(`${httpUrl}/dashboard`);
  await page.getByLabel('API key').fill(key);
  await page.keyboard.press('Enter');
  await page.getByRole('heading', { level: 1, name: 'Webhooks' }).waitFor();
}
