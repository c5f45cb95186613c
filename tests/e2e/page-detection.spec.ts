import { rmSync } from 'node:fs';
import type { Page } from '@playwright/test';
import { startSimulator } from '../../simulator/index';
import {
  connect,
  type ExtensionBrowser,
  expect,
  launchBrowser,
  openPopup,
  showProfiles,
  test,
} from './fixtures';

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

/** The ids of the content scripts the extension has registered. */
function registeredIds(ext: ExtensionBrowser): Promise<string[]> {
  return ext.serviceWorker.evaluate(async () =>
    (await chrome.scripting.getRegisteredContentScripts()).map((s) => s.id).sort(),
  );
}

/** A server's registrations (sorted): the keys pages' script, the page report, the repository pages' script. */
const registrationIds = (baseUrl: string) =>
  ['keys-page', 'pages', 'repository'].map((type) => `page:${type}:${encodeURIComponent(baseUrl)}`);

/** Visits a repository page of `baseUrl` and returns what the popup opened over that tab says. */
async function pageContextLine(ext: ExtensionBrowser, page: Page, baseUrl: string): Promise<Page> {
  await page.goto(`${baseUrl}/projects/PROJ/repos/api/browse`);
  return openPopup(ext, await tabIdOf(ext, `${baseUrl}/projects`));
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

test('a profile whose base URL no match pattern can express does not stop any other server’s pages being recognised', async ({
  sim,
  ext,
}) => {
  const second = await startSimulator({ strict: true });
  try {
    const popup = await openPopup(ext);
    await connect(popup, sim.url, sim.createToken('alice', ['PROJECT_READ', 'REPO_READ']));
    await expect(popup.locator('.profile-switcher')).toBeVisible();

    // Profiles no connect would ever save (an older version's import let such URLs through),
    // written straight into the database next to the good one.
    await ext.serviceWorker.evaluate(
      async (badUrls) => {
        const db = await new Promise<IDBDatabase>((resolve, reject) => {
          const open = indexedDB.open('bitbucket-server-companion');
          open.onsuccess = () => resolve(open.result);
          open.onerror = () => reject(open.error);
        });
        const store = (mode: IDBTransactionMode) => db.transaction('profiles', mode).objectStore('profiles');
        const [good] = await new Promise<Array<Record<string, unknown>>>((resolve) => {
          const all = store('readonly').getAll();
          all.onsuccess = () => resolve(all.result);
        });
        for (const [i, baseUrl] of badUrls.entries()) {
          await new Promise((resolve, reject) => {
            const put = store('readwrite').put({
              ...good,
              id: `bad-${i}`,
              label: `Bad ${i}`,
              baseUrl,
              origin: 'null',
              lastUsedAt: 0,
            });
            put.onsuccess = resolve;
            put.onerror = () => reject(put.error);
          });
        }
        db.close();
      },
      ['javascript:alert(1)//', 'file:///x', 'data:text/html,x'],
    );

    // Connecting another server re-syncs the registrations for all saved profiles.
    const again = await openPopup(ext);
    await showProfiles(again);
    await again.getByRole('button', { name: '+ Add a profile' }).click();
    await connect(again, second.url, second.createToken('alice', ['PROJECT_READ', 'REPO_READ']));
    await expect(again.locator('.profiles .message.success')).toContainText('Connected as Alice');
    await expect(again.getByText('Something went wrong')).toHaveCount(0);

    await expect
      .poll(() => registeredIds(ext))
      .toEqual([...registrationIds(sim.url), ...registrationIds(second.url)].sort());
    const page = await ext.context.newPage();
    for (const server of [sim, second]) {
      await signIn(page, server.url, 'alice');
      const view = await pageContextLine(ext, page, server.url);
      await expect(view.locator('.page-context')).toContainText('PROJ / ');
      await view.close();
    }
  } finally {
    await second.close();
  }
});

test('a registration an older version saved (one for all servers) is replaced on connect and after a browser restart', async ({
  sim,
}) => {
  // A browser of its own: it is restarted on the same profile directory.
  let ext = await launchBrowser({});
  const plantOldRegistration = (worker: ExtensionBrowser['serviceWorker'], baseUrl: string) =>
    worker.evaluate(
      (matches) =>
        chrome.scripting.registerContentScripts([
          {
            id: 'bitbucket-page',
            js: ['content-scripts/content.js'],
            matches,
            runAt: 'document_end',
            persistAcrossSessions: true,
          },
        ]),
      [`${baseUrl}/projects/*`, `${baseUrl}/users/*`, `${baseUrl}/dashboard*`],
    );
  try {
    // The extension's own start-up sync may still be running and would remove a registration planted
    // before it reads the list: plant until the old registration stays.
    await expect
      .poll(async () => {
        await plantOldRegistration(ext.serviceWorker, sim.url).catch(() => {});
        await new Promise((resolve) => setTimeout(resolve, 300));
        return registeredIds(ext);
      })
      .toEqual(['bitbucket-page']);

    const popup = await openPopup(ext);
    await connect(popup, sim.url, sim.createToken('alice', ['PROJECT_READ', 'REPO_READ']));
    await expect(popup.locator('.profile-switcher')).toBeVisible();
    await expect.poll(() => registeredIds(ext)).toEqual(registrationIds(sim.url));

    await plantOldRegistration(ext.serviceWorker, sim.url);
    ext = await ext.restart();
    await expect.poll(() => registeredIds(ext)).toEqual(registrationIds(sim.url));

    const page = await ext.context.newPage();
    await signIn(page, sim.url, 'alice');
    const view = await pageContextLine(ext, page, sim.url);
    await expect(view.locator('.page-context')).toContainText('PROJ / ');
  } finally {
    await ext.context.close().catch(() => {});
    rmSync(ext.userDataDir, { recursive: true, force: true });
  }
});
