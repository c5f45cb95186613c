/**
 * "Create pull request" on a repository's pages, against the simulator with real git repositories:
 * beside the branch selector and in the branch list's rows it opens the Companion's form in its own
 * window, with the page's branch as the source; a branch pushed with plain `git push` is the one
 * offered, and the pull request created from the window is that branch's; floating when the page
 * has no branch selector.
 *
 * One browser and one simulator for the whole file (the tests run in order).
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Page } from '@playwright/test';
import { SEED_TOKENS, type Simulator, startSimulator } from '../../simulator/index';
import { connect, type ExtensionBrowser, expect, launchBrowser, openPopup, test } from './fixtures';

const run = promisify(execFile);

test.describe.configure({ mode: 'serial' });

let dir: string;
let sim: Simulator;
let ext: ExtensionBrowser;
let page: Page;
const errors: string[] = [];

const API = '/projects/PROJ/repos/api';
const button = (target: Page = page) =>
  target.locator('[data-bsc-create-pr]').getByRole('button', { name: 'Create pull request' });

function watchErrors(target: Page) {
  target.on('pageerror', (e) => errors.push(e.message));
  target.on('console', (m) => {
    if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) errors.push(m.text());
  });
}

async function visit(url: string): Promise<Page> {
  await page.goto(url);
  return page;
}

/** Clicks `trigger` and returns the form window it opens (an extension page of its own). */
async function formWindowFrom(trigger: ReturnType<typeof button>): Promise<Page> {
  const opened = ext.context.waitForEvent('page', (p) => p.url().includes('/new-pull-request.html'));
  await trigger.click();
  const form = await opened;
  watchErrors(form);
  await expect(form.getByRole('heading', { name: 'New pull request' })).toBeVisible();
  return form;
}

test.beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'bsc-create-pr-'));
  [sim, ext] = await Promise.all([
    startSimulator({ strict: true, gitDir: path.join(dir, 'git') }),
    launchBrowser({}),
  ]);
  const popup = await openPopup(ext);
  await connect(popup, sim.url, SEED_TOKENS.aliceWrite);
  await expect(popup.locator('.profile-switcher')).toBeVisible();
  await popup.close();

  page = await ext.context.newPage();
  watchErrors(page);
  await page.goto(`${sim.url}/login`);
  await page.locator('input[name="j_username"]').fill('alice');
  await page.locator('input[name="j_password"]').fill('alice');
  await page.locator('form [type="submit"]').first().click();
  await page.waitForURL(/\/dashboard/);
});

test.afterAll(async () => {
  await ext?.context.close().catch(() => {});
  await sim?.close();
  if (ext) rmSync(ext.userDataDir, { recursive: true, force: true });
  if (dir) rmSync(dir, { recursive: true, force: true });
  expect(sim.violations).toEqual([]);
});

test.afterEach(() => {
  expect(errors, 'no errors on the pages or from the content script').toEqual([]);
});

test('beside the branch selector it opens the form for the branch shown; not on the default branch', async () => {
  await visit(`${sim.url}${API}/browse`);
  // The default branch of a repository that is not a fork: nothing to offer.
  await expect(page.locator('.branch-selector-toolbar')).toBeVisible();
  await expect(page.locator('[data-bsc-create-pr]')).toHaveCount(0);

  // Another branch, through the page's own selector (an in-page navigation).
  await page.locator('#repository-layout-revision-selector').click();
  await page.locator('[data-id="refs/heads/develop"]').click();
  await expect(page).toHaveURL(/at=refs%2Fheads%2Fdevelop/);
  const shown = button();
  await expect(shown).toBeVisible();
  await expect(page.locator('.branch-selector-toolbar .aui-buttons [data-bsc-create-pr]')).toHaveCount(1);
  await expect(shown).toHaveAttribute('title', /from develop .*default reviewers.*reviewer groups/);

  const form = await formWindowFrom(shown);
  await expect(form.locator('.form-window-context')).toContainText('PROJ / api');
  await expect(form.locator('#pr-source')).toHaveValue('develop');
  await expect(form.locator('#pr-target')).toHaveValue('main');

  // Screenshots of the form's window and of the page with its button, light and dark
  // (docs/screenshots with UPDATE_SCREENSHOTS=1).
  const folder = process.env.UPDATE_SCREENSHOTS ? 'docs/screenshots' : test.info().outputDir;
  await expect(form.getByText('Reading the default reviewers…')).toHaveCount(0);
  await form.screenshot({ path: `${folder}/create-pr-window-light.png` });
  await form.close();
  const clip = { x: 0, y: 0, width: 1100, height: 330 };
  await visit(`${sim.url}${API}/browse?at=refs%2Fheads%2Ffeature%2Frate-limit&atlThemeColorMode=light`);
  await expect(button()).toBeVisible();
  await page.screenshot({ path: `${folder}/create-pr-button-light.png`, clip });
  await visit(`${sim.url}${API}/browse?at=refs%2Fheads%2Ffeature%2Frate-limit&atlThemeColorMode=dark`);
  await expect(page.locator('[data-bsc-create-pr]')).toHaveAttribute('data-color-mode', 'dark');
  await page.screenshot({ path: `${folder}/create-pr-button-dark.png`, clip });
});

test('each branch of the branch list but the default one gets the button, for its own branch', async () => {
  await visit(`${sim.url}${API}/branches`);
  const rows = page.locator('#branch-list tbody tr');
  await expect(rows.first()).toBeVisible();
  const names = await rows.locator('.branch-name-column a').allTextContents();
  expect(names).toContain('main');
  await expect(page.locator('[data-bsc-create-pr]')).toHaveCount(names.length - 1);
  await expect(rows.filter({ hasText: 'main' }).locator('[data-bsc-create-pr]')).toHaveCount(0);

  const row = rows.filter({ has: page.getByRole('link', { name: 'feature/rate-limit', exact: true }) });
  const rowButton = button().and(row.getByRole('button', { name: 'Create pull request' }));
  const form = await formWindowFrom(rowButton);
  await expect(form.locator('#pr-source')).toHaveValue('feature/rate-limit');
  // What is typed there is kept: a second click brings that window back instead of a new one.
  await form.locator('#pr-description').fill('Typed before the second click.');
  await rowButton.click();
  await page.waitForTimeout(300);
  const forms = ext.context.pages().filter((p) => p.url().includes('/new-pull-request.html'));
  expect(forms).toHaveLength(1);
  await expect(form.locator('#pr-description')).toHaveValue('Typed before the second click.');
  await form.close();
});

test('a branch pushed with plain git push is offered from its page, and the pull request is created from it', async () => {
  const work = path.join(dir, 'work');
  const git = (args: string[], cwd?: string) =>
    run(
      'git',
      [
        '-c',
        `http.extraHeader=Authorization: Bearer ${SEED_TOKENS.aliceWrite}`,
        '-c',
        'user.name=Alice',
        '-c',
        'user.email=alice@example.com',
        ...args,
      ],
      { ...(cwd ? { cwd } : {}), env: { ...process.env, GIT_TERMINAL_PROMPT: '0' } },
    );
  await git(['clone', '--quiet', `${sim.url}/scm/proj/api.git`, work]);
  await git(['checkout', '--quiet', '-b', 'feature/pushed-here'], work);
  await run('sh', ['-c', 'echo pushed > pushed.txt'], { cwd: work });
  await git(['add', 'pushed.txt'], work);
  await git(['commit', '--quiet', '-m', 'Add pushed.txt'], work);
  await git(['push', '--quiet', 'origin', 'feature/pushed-here'], work);

  // Its page, reached from the branch list as a user would.
  await visit(`${sim.url}${API}/branches`);
  await page.getByRole('link', { name: 'feature/pushed-here', exact: true }).click();
  await expect(page).toHaveURL(/at=refs%2Fheads%2Ffeature%2Fpushed-here/);
  const form = await formWindowFrom(button());
  await expect(form.locator('#pr-source')).toHaveValue('feature/pushed-here');
  // The single commit's message is the title.
  await expect(form.locator('#pr-title')).toHaveValue('Add pushed.txt');
  await form.getByRole('button', { name: 'Create pull request' }).click();
  await expect(form.getByRole('status').filter({ hasText: /Pull request #\d+ created/ })).toBeVisible();

  const created = sim.model.pullRequests.filter((pr) => pr.fromBranch === 'feature/pushed-here');
  expect(created).toHaveLength(1);
  expect(created[0]).toMatchObject({ toBranch: 'main', title: 'Add pushed.txt' });
  expect(created[0]?.repo.slug).toBe('api');
  await form.close();
});

test('without a branch selector the button floats in the corner, for the branch in the URL', async () => {
  await visit(`${sim.url}${API}/browse?at=refs%2Fheads%2Fdevelop&simLayout=no-branch-selector`);
  await expect(page.locator('.branch-selector-toolbar')).toHaveCount(0);
  const host = page.locator('[data-bsc-create-pr]');
  await expect(host).toHaveAttribute('data-placement', 'floating');
  const box = await button().boundingBox();
  const viewport = page.viewportSize();
  expect(box && viewport && box.x + box.width > viewport.width - 40).toBe(true);
  expect(box && viewport && box.y + box.height > viewport.height - 120).toBe(true);
  // Reached by keyboard too: focus it and press Enter.
  await button().focus();
  const opened = ext.context.waitForEvent('page', (p) => p.url().includes('/new-pull-request.html'));
  await page.keyboard.press('Enter');
  const form = await opened;
  watchErrors(form);
  await expect(form.locator('#pr-source')).toHaveValue('develop');
  await form.close();

  // The branch list without its table: one floating button, the branch picked in the form.
  await visit(`${sim.url}${API}/branches?simLayout=no-branch-selector`);
  await expect(host).toHaveCount(1);
  await expect(host).toHaveAttribute('data-placement', 'floating');
});
