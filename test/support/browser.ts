// Debian's Chromium driven by Playwright, as every browser test starts it: headless, with the flags this machine's
// closed network needs, in a profile of its own that is removed with the browser at the end of the file.
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';
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
