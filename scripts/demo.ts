/**
 * `npm run demo`: builds the extension, starts the simulator with its seeded data on 127.0.0.1:7990,
 * and opens Chromium with the extension loaded, a profile for the simulator saved, on a repository
 * page. `npm run demo -- --headless --screenshots DIR` does the same without a window and saves
 * screenshots of what a user sees.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { chromium, type Page } from '@playwright/test';
import { startSimulator } from '../simulator/index';
import { SEED_TOKENS } from '../simulator/seed';
import { chromiumArgs, chromiumPath } from '../tests/e2e/chromium';

const { values: args } = parseArgs({
  options: {
    headless: { type: 'boolean', default: false },
    screenshots: { type: 'string' },
    port: { type: 'string', default: '7990' },
    'no-build': { type: 'boolean', default: false },
  },
});

let executablePath: string;
try {
  executablePath = chromiumPath();
} catch (error) {
  console.error((error as Error).message);
  process.exit(1);
}

if (!args.headless && process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) {
  console.error(
    'No display to open Chromium on. Run `npm run demo -- --headless --screenshots DIR`, or start it under xvfb-run.',
  );
  process.exit(1);
}

if (!args['no-build']) {
  console.log('Building the extension…');
  execFileSync('npx', ['wxt', 'build', '--mode', 'e2e'], { stdio: 'inherit' });
}
const extensionDir = path.resolve('.output/chrome-mv3-e2e');

mkdirSync('.sim-data', { recursive: true });
// A few thousand repositories with realistic names, so the Repos tab has something to search.
const sim = await startSimulator({
  port: Number(args.port),
  gitDir: path.resolve('.sim-data/git'),
  repos: 5000,
});
console.log(`Simulator: ${sim.url}`);

const context = await chromium.launchPersistentContext(mkdtempSync(path.join(tmpdir(), 'bsc-demo-')), {
  executablePath,
  headless: args.headless,
  args: chromiumArgs(extensionDir),
  viewport: { width: 1280, height: 800 },
});
const worker = context.serviceWorkers()[0] ?? (await context.waitForEvent('serviceworker'));
const extensionId = new URL(worker.url()).host;
const popupUrl = `chrome-extension://${extensionId}/popup.html`;

// Save a profile for the simulator through the real connect form.
const setup = await context.newPage();
await setup.goto(popupUrl);
await setup.getByLabel('Server URL').fill(sim.url);
await setup.getByLabel('HTTP access token').fill(SEED_TOKENS.aliceAdmin);
await setup.getByRole('button', { name: 'Connect' }).click();
await setup.locator('.profile-switcher').waitFor();

// Sign in to the simulator's web UI as the same user, then open a repository page.
const page = await context.newPage();
await page.goto(`${sim.url}/login`);
await page.locator('input[name="j_username"]').fill('alice');
await page.locator('input[name="j_password"]').fill('alice');
await page.locator('form [type="submit"]').first().click();
await page.goto(`${sim.url}/projects/PROJ/repos/api/browse`);
await setup.close();

async function shoot(target: Page, name: string) {
  if (!args.screenshots) return;
  mkdirSync(args.screenshots, { recursive: true });
  const file = path.join(args.screenshots, `${name}.png`);
  await target.screenshot({ path: file });
  console.log(`Saved ${file}`);
}

if (args.screenshots) {
  const tabId = await worker.evaluate(async () => {
    const [tab] = await chrome.tabs.query({ url: '*://127.0.0.1/*projects/PROJ/repos/api/*' });
    return tab?.id ?? 0;
  });
  await shoot(page, 'repository-page');
  await page.goto(`${sim.url}/plugins/servlet/ssh/account/keys`);
  await page.getByRole('button', { name: 'Add key from Companion' }).waitFor();
  await shoot(page, 'ssh-keys-page');
  await page.goto(`${sim.url}/projects/PROJ/repos/api/browse`);
  for (const scheme of ['light', 'dark'] as const) {
    const popup = await context.newPage();
    await popup.emulateMedia({ colorScheme: scheme });
    await popup.setViewportSize({ width: 400, height: 600 });
    await popup.goto(`${popupUrl}?tabId=${tabId}`);
    await popup.locator('.page-context').waitFor();
    await popup.locator('.repo-sync-text', { hasText: 'updated' }).waitFor({ timeout: 60_000 });
    await popup.getByLabel('Search repositories').fill('pay api');
    await popup.locator('.repo').first().waitFor();
    await shoot(popup, `popup-${scheme}`);
    await popup.getByRole('tab', { name: 'Pull requests' }).click();
    await popup.getByRole('button', { name: 'Create pull request' }).waitFor();
    await shoot(popup, `popup-pull-requests-${scheme}`);
    await popup.getByRole('tab', { name: 'Keys' }).click();
    await popup.locator('form.key-generate').waitFor();
    await shoot(popup, `popup-keys-${scheme}`);
    await popup.getByRole('tab', { name: 'Profiles' }).click();
    await shoot(popup, `popup-profiles-${scheme}`);
    await popup.close();
  }
  const options = await context.newPage();
  await options.setViewportSize({ width: 900, height: 700 });
  await options.goto(`chrome-extension://${extensionId}/options.html`);
  await options.locator('.profile').first().waitFor();
  await shoot(options, 'options');
  await options.close();
}

if (args.headless) {
  await context.close();
  await sim.close();
} else {
  console.log('Chromium is open with the extension connected to the simulator. Press Ctrl+C to stop.');
  const stop = async () => {
    await context.close().catch(() => {});
    await sim.close();
    process.exit(0);
  };
  process.on('SIGINT', stop);
  context.on('close', stop);
}
