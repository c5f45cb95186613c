import { execFileSync, spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { startSimulator } from '../../simulator/index';
import { connect, expect, launchBrowser, openPopup, RELEASE_BUILD, showProfiles, test } from './fixtures';

const hasDisplay = Boolean(process.env.DISPLAY);
const hasXdotool = spawnSync('sh', ['-c', 'command -v xdotool'], { encoding: 'utf8' }).status === 0;

/**
 * The one test with the release build: no static host permission at all, so connecting must go
 * through Chrome's real permission prompt. It needs a display (xvfb-run) to see and answer it.
 */
test.describe('release build', () => {
  // On CI a missing display or xdotool is a broken machine, not a reason to skip the one real prompt test.
  if (process.env.CI === 'true' && (!hasDisplay || !hasXdotool)) {
    throw new Error('CI=true: the permission-prompt test needs a display (xvfb-run) and xdotool.');
  }
  test.skip(
    !hasDisplay || !hasXdotool,
    'needs a display and xdotool: run npm test under xvfb-run (see README)',
  );

  test('asks for host permission for the one server, then connects and reads its pages', async () => {
    const sim = await startSimulator({ strict: true });
    const browser = await launchBrowser({ extensionDir: RELEASE_BUILD, headless: false });
    try {
      // localhost is matched by nothing static in any build, so the grant must come from the prompt.
      const serverUrl = `http://localhost:${sim.port}`;
      const token = sim.createToken('alice', ['PROJECT_READ', 'REPO_WRITE']);
      const popup = await openPopup(browser);
      await popup.bringToFront();
      expect(await popup.evaluate(() => chrome.permissions.getAll())).toMatchObject({ origins: [] });
      // Chrome's prompt opens with focus on "Deny": Tab moves to "Allow".
      const allow = async () => {
        await popup.waitForTimeout(2500);
        execFileSync('xdotool', ['key', '--clearmodifiers', 'Tab', 'Return']);
      };

      // A failed connection gives back the permission it was just granted.
      await connect(popup, serverUrl, 'a-wrong-token');
      await allow();
      await expect(popup.getByRole('alert')).toContainText('rejected the access token', { timeout: 15_000 });
      await expect
        .poll(async () => (await popup.evaluate(() => chrome.permissions.getAll())).origins)
        .toEqual([]);

      await connect(popup, serverUrl, token);
      await allow();

      await expect(popup.locator('.profile-switcher .active-user')).toHaveText('Alice Ångström', {
        timeout: 15_000,
      });
      const granted = await popup.evaluate(() => chrome.permissions.getAll());
      expect(granted.origins).toEqual([`http://localhost:${sim.port}/*`]);

      // The page script is now registered for that server: a repository page reports itself.
      const page = await browser.context.newPage();
      await page.goto(`${serverUrl}/login`);
      await page.locator('input[name="j_username"]').fill('alice');
      await page.locator('input[name="j_password"]').fill('alice');
      await page.locator('form [type="submit"]').first().click();
      await page.goto(`${serverUrl}/projects/PROJ/repos/api/browse`);
      const tabId = await browser.serviceWorker.evaluate(async (url) => {
        const tabs = await chrome.tabs.query({});
        return tabs.find((t) => t.url?.startsWith(url))?.id ?? 0;
      }, `${serverUrl}/projects/PROJ/repos/api`);
      const again = await openPopup(browser, tabId);
      await expect(again.locator('.page-context')).toContainText('PROJ / api', { timeout: 15_000 });

      // The user takes the site access back: "Check token" says so and offers it again.
      await again.evaluate(
        (pattern) => chrome.permissions.remove({ origins: [pattern] }),
        `http://localhost:${sim.port}/*`,
      );
      await showProfiles(again);
      await again.getByRole('button', { name: 'Check token' }).click();
      await expect(again.locator('.needs-access')).toContainText(
        `The extension has no access to localhost:${sim.port} in this browser.`,
      );
      await expect(
        again.locator('.needs-access').getByRole('button', { name: 'Allow access' }),
      ).toBeVisible();
      await expect(again.getByText("Can't reach")).toHaveCount(0);

      // Removing the only profile of that server gives its host permission back.
      await again.getByRole('button', { name: 'Remove…' }).click();
      await again.getByRole('alertdialog').getByRole('button', { name: 'Remove' }).click();
      await expect(again.getByRole('heading', { name: 'Connect to Bitbucket Server' })).toBeVisible();
      await expect
        .poll(async () => (await again.evaluate(() => chrome.permissions.getAll())).origins)
        .toEqual([]);
    } finally {
      await browser.context.close().catch(() => {});
      rmSync(browser.userDataDir, { recursive: true, force: true });
      await sim.close();
    }
  });
});
