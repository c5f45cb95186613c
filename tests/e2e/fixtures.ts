import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  type BrowserContext,
  test as base,
  chromium,
  expect,
  type Page,
  type Worker,
} from '@playwright/test';
import { type Simulator, startSimulator } from '../../simulator/index';
import { chromiumArgs, chromiumPath } from './chromium';

export const TEST_BUILD = path.resolve('.output/chrome-mv3-e2e');
export const RELEASE_BUILD = path.resolve('.output/chrome-mv3');

export interface ExtensionBrowser {
  context: BrowserContext;
  extensionId: string;
  serviceWorker: Worker;
  userDataDir: string;
  /** Close and start Chromium again on the same profile directory (a browser restart). */
  restart(): Promise<ExtensionBrowser>;
}

export async function launchBrowser(options: {
  extensionDir?: string;
  userDataDir?: string;
  headless?: boolean;
}): Promise<ExtensionBrowser> {
  const extensionDir = options.extensionDir ?? TEST_BUILD;
  const userDataDir = options.userDataDir ?? mkdtempSync(path.join(tmpdir(), 'bsc-e2e-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: chromiumPath(),
    headless: options.headless ?? true,
    args: chromiumArgs(extensionDir),
    viewport: { width: 1280, height: 800 },
  });
  const serviceWorker = context.serviceWorkers()[0] ?? (await context.waitForEvent('serviceworker'));
  const extensionId = new URL(serviceWorker.url()).host;
  const browser: ExtensionBrowser = {
    context,
    extensionId,
    serviceWorker,
    userDataDir,
    async restart() {
      await context.close();
      return launchBrowser({ ...options, extensionDir, userDataDir });
    },
  };
  return browser;
}

export async function openPopup(browser: ExtensionBrowser, tabId?: number): Promise<Page> {
  const page = await browser.context.newPage();
  await page.goto(`chrome-extension://${browser.extensionId}/popup.html${tabId ? `?tabId=${tabId}` : ''}`);
  return page;
}

/** Shows the popup's Profiles tab (the popup opens on Repos once a profile exists). */
export async function showProfiles(popup: Page): Promise<Page> {
  await popup.getByRole('tab', { name: 'Profiles' }).click();
  return popup;
}

/** Fills the connect form and submits it. */
export async function connect(popup: Page, serverUrl: string, token: string): Promise<void> {
  const form = popup.locator('form.connect-form');
  await form.getByLabel('Server URL').fill(serverUrl);
  await form.getByLabel('HTTP access token').fill(token);
  await form.getByRole('button', { name: /^(Connect|Replace token)$/ }).click();
}

interface Fixtures {
  sim: Simulator;
  /** Chromium with the e2e build of the extension loaded, on a fresh browser profile. */
  ext: ExtensionBrowser;
}

export const test = base.extend<Fixtures>({
  // biome-ignore lint/correctness/noEmptyPattern: Playwright fixtures take their dependencies this way.
  sim: async ({}, use) => {
    const sim = await startSimulator({ strict: true });
    await use(sim);
    await sim.close();
    expect(sim.violations, 'simulator responses must conform to the OpenAPI spec').toEqual([]);
  },
  // biome-ignore lint/correctness/noEmptyPattern: Playwright fixtures take their dependencies this way.
  ext: async ({}, use) => {
    const ext = await launchBrowser({});
    await use(ext);
    await ext.context.close().catch(() => {});
    rmSync(ext.userDataDir, { recursive: true, force: true });
  },
});

export { expect };
