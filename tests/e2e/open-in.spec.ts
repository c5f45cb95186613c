/**
 * "Open in…" and "Remotes" on repository pages, against the simulator with real git repositories:
 * what is launched and copied, that the copied commands work with git, where the controls sit
 * (beside Clone, or floating when the page has no Clone button), by keyboard, light and dark.
 *
 * One browser and one simulator for the whole file (the tests run in order); each test leaves
 * the settings as it found them.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Locator, Page } from '@playwright/test';
import { SEED_TOKENS, type Simulator, seed, startSimulator } from '../../simulator/index';
import {
  connect,
  type ExtensionBrowser,
  expect,
  launchBrowser,
  openPopup,
  showProfiles,
  test,
} from './fixtures';

const run = promisify(execFile);

test.describe.configure({ mode: 'serial' });

/** The seed, with Bob's fork of PROJ/api as a real git repository that Alice may read. */
const SEED = {
  ...seed,
  repos: seed.repos.map((repo) =>
    repo.project === '~BOB' && repo.name === 'api'
      ? { ...repo, git: true, permissions: { ...repo.permissions, alice: 'REPO_READ' as const } }
      : repo,
  ),
};

let dir: string;
let sim: Simulator;
let ctxSim: Simulator;
let ext: ExtensionBrowser;
let page: Page;
const errors: string[] = [];

async function signIn(target: Page, baseUrl: string, user: string) {
  await target.goto(`${baseUrl}/login`);
  await target.locator('input[name="j_username"]').fill(user);
  await target.locator('input[name="j_password"]').fill(user);
  await target.locator('form [type="submit"]').first().click();
  await target.waitForURL(/\/dashboard/);
}

async function git(args: string[], cwd?: string) {
  return run('git', ['-c', `http.extraHeader=Authorization: Bearer ${SEED_TOKENS.aliceRead}`, ...args], {
    ...(cwd ? { cwd } : {}),
    env: { ...process.env, GIT_TERMINAL_PROMPT: '0' },
  });
}

/** `git <args…>` of a copied command line, split as a POSIX shell would (plain and '…' words). */
function gitArgs(command: string): string[] {
  const words = [...command.trim().matchAll(/'([^']*)'|(\S+)/g)].map((m) => m[1] ?? m[2] ?? '');
  expect(words[0]).toBe('git');
  return words.slice(1);
}

const controls = (target: Page = page) => target.locator('[data-bsc-controls]');
const mainButton = (target: Page = page) => controls(target).locator('.bsc-main');
const openInToggle = (target: Page = page) => controls(target).getByRole('button', { name: 'Open in…' });
const remotesButton = (target: Page = page) => controls(target).getByRole('button', { name: 'Remotes' });
const menu = (name: string, target: Page = page) => controls(target).getByRole('menu', { name });
const item = (m: Locator, name: string | RegExp) => m.getByRole('menuitem', { name });

async function setCloneSettings(settings: { client?: string; protocol?: 'ssh' | 'http' }) {
  await ext.serviceWorker.evaluate(async (change) => {
    const key = 'clone-settings';
    const current = (await chrome.storage.local.get(key))[key] ?? {};
    await chrome.storage.local.set({ [key]: { ...current, ...change } });
  }, settings);
}

/** The app URLs (not http) the page tried to open while `action` ran. */
async function launchedBy(action: () => Promise<unknown>, target: Page = page): Promise<string[]> {
  const urls: string[] = [];
  const onRequest = (request: { url(): string }) => {
    if (!/^https?:/.test(request.url())) urls.push(request.url());
  };
  target.on('request', onRequest);
  try {
    await action();
    await expect.poll(() => urls.length).toBeGreaterThan(0);
    // Anything more that a double launch would send.
    await target.waitForTimeout(300);
  } finally {
    target.off('request', onRequest);
  }
  return urls;
}

/**
 * Opens `url` in a new tab (closing the last one). Headless Chromium hands at most one app URL per
 * tab to the system, and the tab takes no more clicks after it (the "Open <app>?" prompt it would
 * show stays pending): whatever comes after a launch happens in a new tab.
 */
async function visit(url: string): Promise<Page> {
  const next = await ext.context.newPage();
  watchErrors(next);
  await next.goto(url);
  await page?.close();
  page = next;
  return next;
}

const readClipboard = (target: Page = page) => target.evaluate(() => navigator.clipboard.readText());

function watchErrors(target: Page) {
  target.on('pageerror', (e) => errors.push(e.message));
  target.on('console', (m) => {
    if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) errors.push(m.text());
  });
}

test.beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'bsc-open-in-'));
  [sim, ctxSim, ext] = await Promise.all([
    startSimulator({ strict: true, gitDir: path.join(dir, 'git'), seed: SEED }),
    startSimulator({ strict: true, contextPath: '/bitbucket' }),
    launchBrowser({}),
  ]);
  await ext.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: sim.origin });

  const first = await openPopup(ext);
  await connect(first, sim.url, SEED_TOKENS.aliceRead);
  await expect(first.locator('.profile-switcher')).toBeVisible();
  await first.close();
  const popup = await showProfiles(await openPopup(ext));
  await popup.getByRole('button', { name: '+ Add a profile' }).click();
  await connect(popup, ctxSim.url, ctxSim.createToken('alice', ['PROJECT_READ', 'REPO_READ']));
  await expect(popup.locator('.profiles .message.success')).toContainText('Connected as Alice');
  await popup.close();
  await expect
    .poll(() =>
      ext.serviceWorker.evaluate(async () =>
        (await chrome.scripting.getRegisteredContentScripts()).map((s) => s.id),
      ),
    )
    .toHaveLength(6);

  const login = await ext.context.newPage();
  await signIn(login, sim.url, 'alice');
  await signIn(login, ctxSim.url, 'alice');
  page = login;
});

test.afterAll(async () => {
  await ext?.context.close().catch(() => {});
  await Promise.all([sim?.close(), ctxSim?.close()]);
  if (ext) rmSync(ext.userDataDir, { recursive: true, force: true });
  if (dir) rmSync(dir, { recursive: true, force: true });
  expect(sim.violations).toEqual([]);
  expect(ctxSim.violations).toEqual([]);
});

test.afterEach(async () => {
  expect(errors, 'no errors on the page or from the content script').toEqual([]);
  await setCloneSettings({ client: 'vscode', protocol: 'http' });
});

test('"Open in VS Code" launches exactly the vscode:// clone URL, over HTTPS or SSH as set', async () => {
  const repoPage = `${sim.url}/projects/PROJ/repos/api/browse`;
  const http = `${sim.url}/scm/proj/api.git`;
  const ssh = 'ssh://git@127.0.0.1:7999/proj/api.git';
  await visit(repoPage);
  await expect(mainButton()).toHaveText('Open in VS Code');
  await expect(mainButton()).toHaveAttribute('title', /\(HTTPS\)/);
  expect(await launchedBy(() => mainButton().click())).toEqual([
    `vscode://vscode.git/clone?url=${encodeURIComponent(http)}`,
  ]);
  await expect(controls().getByRole('status')).toHaveText('Opening VS Code…');
  // The page stayed where it was.
  expect(page.url()).toBe(repoPage);

  // The setting changes while the page is open: the button follows it.
  await setCloneSettings({ protocol: 'ssh' });
  await expect(mainButton()).toHaveAttribute('title', /\(SSH\)/);
  await visit(repoPage);
  expect(await launchedBy(() => mainButton().click())).toEqual([
    `vscode://vscode.git/clone?url=${encodeURIComponent(ssh)}`,
  ]);

  // The same from the menu, and another client there.
  await visit(repoPage);
  await openInToggle().click();
  const open = menu('Open in…');
  await expect(open).toBeVisible();
  expect(await launchedBy(() => item(open, /^Visual Studio Code/).click())).toEqual([
    `vscode://vscode.git/clone?url=${encodeURIComponent(ssh)}`,
  ]);
  await expect(open).toBeHidden();
  await visit(repoPage);
  await openInToggle().click();
  expect(await launchedBy(() => item(menu('Open in…'), 'Cursor').click())).toEqual([
    `cursor://vscode.git/clone?url=${encodeURIComponent(ssh)}`,
  ]);
});

test('the copied git clone command clones the repository over HTTP with real git', async () => {
  await visit(`${sim.url}/projects/PROJ/repos/api/browse`);
  await openInToggle().click();
  const open = menu('Open in…');
  await expect(open).toContainText('Git credential helper');
  await item(open, /^Copy git clone \(HTTPS\)/).click();
  await expect(controls().getByRole('status')).toHaveText('Copied the git clone command.');
  const command = await readClipboard();
  expect(command).toBe(`git clone ${sim.url}/scm/proj/api.git`);

  const target = path.join(dir, 'api-clone');
  await git([...gitArgs(command), target]);
  expect(readFileSync(path.join(target, 'README.md'), 'utf8')).toContain('# api');
});

test('the controls sit beside Clone on project and personal repositories, before load, and once after in-page navigation', async () => {
  await ext.context.addInitScript(() => {
    window.addEventListener('load', () => {
      (window as unknown as { controlsAtLoad: number }).controlsAtLoad =
        document.querySelectorAll('[data-bsc-controls]').length;
    });
  });
  for (const repoPath of ['/projects/PROJ/repos/api/browse', '/users/alice/repos/dotfiles/browse']) {
    await visit(`${sim.url}${repoPath}`);
    expect(await page.evaluate(() => (window as unknown as { controlsAtLoad: number }).controlsAtLoad)).toBe(
      1,
    );
    await expect(controls()).toHaveCount(1);
    await expect(controls()).toHaveAttribute('data-placement', 'sidebar');
    expect(
      await page.evaluate(() =>
        document.querySelector('li.clone-repo')?.nextElementSibling?.hasAttribute('data-bsc-controls'),
      ),
    ).toBe(true);
  }

  // Bitbucket-style in-page navigation re-renders #content (sidebar included): back, once.
  await visit(`${sim.url}/projects/PROJ/repos/api/browse`);
  const markSidebar = () =>
    page.evaluate(() => document.querySelector('#aui-sidebar-content')?.setAttribute('data-old', ''));
  await markSidebar();
  await page.locator('#browse-table a', { hasText: 'src' }).click();
  await expect(page).toHaveURL(/\/browse\/src$/);
  await expect(page.locator('#browse-table')).toContainText('server.ts');
  await expect(page.locator('#aui-sidebar-content[data-old]')).toHaveCount(0);
  await expect(controls()).toHaveCount(1);
  await expect(mainButton()).toBeVisible();
  await markSidebar();
  await page.locator('#repository-layout-revision-selector').click();
  await page.locator('[data-id="refs/heads/develop"]').click();
  await expect(page).toHaveURL(/at=refs%2Fheads%2Fdevelop/);
  await expect(page.locator('#repository-layout-revision-selector')).toHaveAttribute('title', 'develop');
  await expect(page.locator('#aui-sidebar-content[data-old]')).toHaveCount(0);
  await expect(controls()).toHaveCount(1);
  expect(await launchedBy(() => mainButton().click())).toEqual([
    `vscode://vscode.git/clone?url=${encodeURIComponent(`${sim.url}/scm/proj/api.git`)}`,
  ]);

  // Under a context path.
  await visit(`${ctxSim.url}/projects/PROJ/repos/api/browse`);
  await expect(controls()).toHaveCount(1);
  expect(await launchedBy(() => mainButton().click())).toEqual([
    `vscode://vscode.git/clone?url=${encodeURIComponent(`${ctxSim.url}/scm/proj/api.git`)}`,
  ]);
});

test('a page without the Clone button gets the floating button, which works by keyboard', async () => {
  await visit(`${sim.url}/projects/PROJ/repos/api/browse?simLayout=no-clone-button`);
  await expect(page.locator('#clone-repo-button')).toHaveCount(0);
  await expect(controls()).toHaveCount(1);
  await expect(controls()).toHaveAttribute('data-placement', 'floating');
  const box = (await controls().boundingBox())!;
  const viewport = page.viewportSize()!;
  expect(viewport.width - (box.x + box.width)).toBeLessThan(40);
  expect(viewport.height - (box.y + box.height)).toBeLessThan(40);
  // It takes no room from the page: the page lays out as it does without it.
  const layout = () =>
    page.evaluate(() => ({
      content: document.querySelector('#content')?.getBoundingClientRect().toJSON(),
      footer: document.querySelector('#footer')?.getBoundingClientRect().toJSON(),
      width: document.documentElement.scrollWidth,
      height: document.documentElement.scrollHeight,
    }));
  const withButton = await layout();
  await controls().evaluate((el) => {
    (el as HTMLElement).style.display = 'none';
  });
  expect(await layout()).toEqual(withButton);
  await controls().evaluate((el) => {
    (el as HTMLElement).style.display = '';
  });
  expect(withButton.width).toBeLessThanOrEqual(viewport.width);

  await openInToggle().focus();
  await page.keyboard.press('Enter');
  const open = menu('Open in…');
  await expect(open).toBeVisible();
  await expect(item(open, /^Visual Studio Code/)).toBeFocused();
  await page.keyboard.press('ArrowDown');
  await expect(item(open, 'VS Code Insiders')).toBeFocused();
  await page.keyboard.press('ArrowUp');
  await page.keyboard.press('ArrowUp');
  await expect(item(open, /^Copy git clone \(SSH\)/)).toBeFocused();
  await page.keyboard.press('Escape');
  await expect(open).toBeHidden();
  await expect(openInToggle()).toBeFocused();
  await page.keyboard.press('Space');
  await expect(open).toBeVisible();
  await page.keyboard.press('Tab');
  await expect(open).toBeHidden();
  await expect(remotesButton()).toBeFocused();

  // Neither the Clone button nor the repository script: the clone URLs come from the background.
  await visit(`${sim.url}/projects/PROJ/repos/api/browse?simLayout=no-clone-button,no-repository-script`);
  await expect(controls()).toHaveAttribute('data-placement', 'floating');
  await openInToggle().click();
  await item(menu('Open in…'), /^Copy git clone \(HTTPS\)/).click();
  expect(await readClipboard()).toBe(`git clone ${sim.url}/scm/proj/api.git`);
});

test('a repository with only an SSH link uses it; one with none says clone access is off', async () => {
  await visit(`${sim.url}/projects/INT/repos/terraform-modules/browse`);
  const ssh = 'ssh://git@127.0.0.1:7999/int/terraform-modules.git';
  expect(await launchedBy(() => mainButton().click())).toEqual([
    `vscode://vscode.git/clone?url=${encodeURIComponent(ssh)}`,
  ]);
  await visit(`${sim.url}/projects/INT/repos/terraform-modules/browse`);
  await openInToggle().click();
  const open = menu('Open in…');
  await expect(item(open, /^Copy git clone \(HTTPS\)/)).toHaveAttribute('aria-disabled', 'true');
  await expect(item(open, /^Copy git clone \(HTTPS\)/)).toContainText('no HTTPS clone URL');
  await item(open, /^Copy git clone \(SSH\)/).click();
  expect(await readClipboard()).toBe(`git clone ${ssh}`);

  // The server names the user in this one's http URL: never shown or copied.
  await visit(`${sim.url}/projects/INT/repos/ci-pipelines/browse`);
  await openInToggle().click();
  const menuHere = menu('Open in…');
  await expect(menuHere).toContainText(`git clone ${sim.url}/scm/int/ci-pipelines.git`);
  await expect(menuHere).not.toContainText('alice@');
  await item(menuHere, /^Copy git clone \(HTTPS\)/).click();
  expect(await readClipboard()).toBe(`git clone ${sim.url}/scm/int/ci-pipelines.git`);

  await visit(`${sim.url}/projects/INT/repos/vendor-mirror/browse`);
  const requests: string[] = [];
  page.on('request', (r) => requests.push(r.url()));
  await mainButton().click();
  await expect(menu('Open in…')).toContainText('This server has clone access switched off');
  await page.waitForTimeout(300);
  expect(requests.filter((url) => !url.startsWith('http'))).toEqual([]);
  await page.keyboard.press('Escape');
});

/** The forks of a repository the token can read, as the REST API lists them ("KEY/slug"). */
async function restForks(projectKey: string, slug: string, token: string = SEED_TOKENS.aliceRead) {
  const res = await fetch(`${sim.url}/rest/api/1.0/projects/${projectKey}/repos/${slug}/forks?limit=100`, {
    headers: { authorization: `Bearer ${token}` },
  });
  const body = (await res.json()) as { values: Array<{ slug: string; project: { key: string } }> };
  return body.values.map((fork) => `${fork.project.key}/${fork.slug}`);
}

test('Remotes lists the forks and the origin the token can read, and the copied commands work in a clone', async () => {
  // PROJ/api is not a fork; its forks are those the REST API lists for Alice's token.
  await visit(`${sim.url}/projects/PROJ/repos/api/browse`);
  await remotesButton().click();
  const remotes = menu('Remotes');
  const forks = remotes.getByRole('group', { name: 'Forks' }).getByRole('menuitem');
  expect(await restForks('PROJ', 'api')).toEqual(['~BOB/api']);
  await expect(forks).toHaveCount(1);
  const bobUrl = `${sim.url}/scm/~bob/api.git`;
  await expect(forks.first()).toContainText('~BOB');
  // Quoted: "~" means something to zsh.
  await expect(forks.first()).toContainText(`git remote add bob '${bobUrl}'`);
  await expect(remotes.getByRole('group', { name: 'Forked from' })).toHaveCount(0);
  await item(remotes, /^Copy all/).click();
  await expect(controls().getByRole('status')).toHaveText('Copied the git remote add command.');
  const forkCommands = (await readClipboard()).split('\n');
  expect(forkCommands).toEqual([`git remote add bob '${bobUrl}'`]);

  // Bob's fork: its origin as "upstream". Chen's fork of it exists, but Alice's token can't read
  // it, so it is simply not there.
  expect(await restForks('~BOB', 'api', SEED_TOKENS.chenRead)).toEqual(['~CHEN/cache-spike']);
  expect(await restForks('~BOB', 'api')).toEqual([]);
  await visit(`${sim.url}/users/bob/repos/api/browse`);
  await remotesButton().click();
  const forkRemotes = menu('Remotes');
  const origin = forkRemotes.getByRole('group', { name: 'Forked from' }).getByRole('menuitem');
  await expect(origin).toHaveCount(1);
  await expect(origin).toContainText('PROJ');
  await expect(forkRemotes.getByRole('group', { name: 'Forks' })).toHaveText(
    /This repository has no forks\./,
  );
  await origin.click();
  const upstream = await readClipboard();
  expect(upstream).toBe(`git remote add upstream ${sim.url}/scm/proj/api.git`);

  // Run them in a clone of PROJ/api and in one of Bob's fork.
  const apiClone = path.join(dir, 'api-remotes');
  await git(['clone', '--quiet', `${sim.url}/scm/proj/api.git`, apiClone]);
  for (const command of forkCommands) await git(gitArgs(command), apiClone);
  await git(['fetch', '--quiet', 'bob'], apiClone);
  const forkClone = path.join(dir, 'fork-remotes');
  await git(['clone', '--quiet', bobUrl, forkClone]);
  await git(gitArgs(upstream), forkClone);
  await git(['fetch', '--quiet', 'upstream'], forkClone);
  expect((await git(['remote', '-v'], apiClone)).stdout).toContain(`bob\t${bobUrl} (fetch)`);
  expect((await git(['branch', '-r'], apiClone)).stdout).toContain('bob/main');
  expect((await git(['remote', '-v'], forkClone)).stdout).toContain(
    `upstream\t${sim.url}/scm/proj/api.git (fetch)`,
  );
  expect((await git(['branch', '-r'], forkClone)).stdout).toContain('upstream/main');
});

test('the menus follow the page’s light and dark theme (screenshots)', async () => {
  for (const mode of ['light', 'dark'] as const) {
    await visit(`${sim.url}/projects/PROJ/repos/api/browse?atlThemeColorMode=${mode}`);
    await expect(controls().locator('bsc-companion-controls')).toHaveAttribute('data-color-mode', mode);
    await openInToggle().click();
    const open = menu('Open in…');
    await expect(open).toBeVisible();
    const background = await open.evaluate((el) => getComputedStyle(el).backgroundColor);
    expect(background).toBe(mode === 'dark' ? 'rgb(40, 46, 51)' : 'rgb(255, 255, 255)');
    // docs/screenshots when asked (UPDATE_SCREENSHOTS=1), else with the test's results.
    const folder = process.env.UPDATE_SCREENSHOTS ? 'docs/screenshots' : test.info().outputDir;
    await page.screenshot({ path: path.join(folder, `open-in-${mode}.png`) });
    await page.keyboard.press('Escape');
    // The floating button too.
    await visit(`${sim.url}/users/bob/repos/api/browse?simLayout=no-clone-button&atlThemeColorMode=${mode}`);
    const floating = controls().locator('.bsc-anchor').first();
    expect(await floating.evaluate((el) => getComputedStyle(el).backgroundColor)).toBe(
      mode === 'dark' ? 'rgb(29, 33, 37)' : 'rgb(255, 255, 255)',
    );
  }
});
