import type { Page } from '@playwright/test';
import { startSimulator } from '../../simulator/index';
import { connect, type ExtensionBrowser, expect, openPopup, test } from './fixtures';

async function signIn(page: Page, baseUrl: string, user: string) {
  await page.goto(`${baseUrl}/login`);
  await page.locator('input[name="j_username"]').fill(user);
  await page.locator('input[name="j_password"]').fill(user);
  await page.locator('form [type="submit"]').first().click();
}

async function tabIdOf(ext: ExtensionBrowser, urlPrefix: string): Promise<number> {
  return ext.serviceWorker.evaluate(async (prefix) => {
    const tabs = await chrome.tabs.query({});
    return tabs.find((t) => t.url?.startsWith(prefix))?.id ?? 0;
  }, urlPrefix);
}

test('the popup says which repository, personal repository or project page you are on (with a context path)', async ({
  ext,
}) => {
  const sim = await startSimulator({ strict: true, contextPath: '/bitbucket' });
  try {
    const popup = await openPopup(ext);
    await connect(
      popup,
      `${sim.url}/projects/PROJ/repos/api/browse`,
      sim.createToken('alice', ['PROJECT_READ', 'REPO_READ']),
    );
    await expect(popup.locator('.profile-switcher .active-server')).toContainText(
      `127.0.0.1:${sim.port}/bitbucket`,
    );

    const page = await ext.context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    // Errors from our content script (resource loads of the page itself are the server's business).
    page.on('console', (m) => {
      if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) errors.push(m.text());
    });
    await signIn(page, sim.url, 'alice');

    const cases: Array<[string, string]> = [
      ['/projects/PROJ/repos/api/browse', 'PROJ / '],
      ['/users/alice/repos/dotfiles/browse', '~ALICE / '],
      ['/projects/PROJ', 'project PROJ'],
    ];
    for (const [path, expected] of cases) {
      await page.goto(`${sim.url}${path}`);
      const tabId = await tabIdOf(ext, `${sim.url}${path}`);
      const view = await openPopup(ext, tabId);
      await expect(view.locator('.page-context')).toContainText(expected);
      await view.close();
    }

    // A page of the server the script doesn't handle: nothing is reported, nothing is logged.
    await page.goto(`${sim.url}/login`);
    const view = await openPopup(ext, await tabIdOf(ext, `${sim.url}/login`));
    await expect(view.locator('.profile-switcher')).toBeVisible();
    await expect(view.locator('.page-context')).toHaveCount(0);
    expect(errors).toEqual([]);
  } finally {
    await sim.close();
  }
});

test('pages of a server without a profile get no content script', async ({ sim, ext }) => {
  const other = await startSimulator({ strict: true });
  try {
    const popup = await openPopup(ext);
    await connect(popup, sim.url, sim.createToken('alice', ['PROJECT_READ', 'REPO_READ']));
    await expect(popup.locator('.profile-switcher')).toBeVisible();
    const page = await ext.context.newPage();
    await signIn(page, other.url, 'alice');
    await page.goto(`${other.url}/projects/PROJ/repos/api/browse`);
    const view = await openPopup(ext, await tabIdOf(ext, `${other.url}/projects`));
    await expect(view.locator('.profile-switcher')).toBeVisible();
    await expect(view.locator('.page-context')).toHaveCount(0);
  } finally {
    await other.close();
  }
});
