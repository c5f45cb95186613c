import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Page } from '@playwright/test';
import { type Seed, type Simulator, seed, startSimulator } from '../../simulator/index';
import { connect, type ExtensionBrowser, expect, launchBrowser, openPopup, test } from './fixtures';

/**
 * The popup's "New pull request" form against the simulator (git repositories, strict mode): a pull
 * request from a branch pushed with plain `git push`, with a default reviewer, a reviewer group and
 * a searched reviewer; the duplicate, refused-reviewer and nothing-to-merge answers; from a fork to
 * its origin as a draft, through the repository picker; and no draft control on an 8.17 server.
 * One browser, one simulator (and a second, older one), in order.
 */
test.describe.configure({ mode: 'serial' });

const git = promisify(execFile);

/** Alice's fork of PROJ/api, with a branch of its own. */
const SEED: Seed = {
  ...seed,
  repos: [
    ...seed.repos,
    {
      project: '~ALICE',
      name: 'api',
      description: "Alice's fork of the API server.",
      forkOf: 'PROJ/api',
      branches: ['feature/alice-fork'],
      git: true,
    },
  ],
};

let dir: string;
let sim: Simulator;
let oldSim: Simulator;
let ext: ExtensionBrowser;
let page: Page;
let view: Page;

async function signIn(target: Page, baseUrl: string, user: string) {
  await target.goto(`${baseUrl}/login`);
  await target.locator('input[name="j_username"]').fill(user);
  await target.locator('input[name="j_password"]').fill(user);
  await target.locator('form [type="submit"]').first().click();
}

/** The popup opened over the tab showing `url`, on its Pull requests tab. */
async function popupOver(url: string): Promise<Page> {
  await page.goto(url);
  const tabId = await view.evaluate(async (prefix) => {
    const tabs = await chrome.tabs.query({});
    return tabs.find((t) => t.url?.startsWith(prefix))?.id ?? 0;
  }, url);
  // The page's script has told the background what the page shows.
  await expect
    .poll(() =>
      view.evaluate(
        async (id) =>
          (await chrome.runtime.sendMessage({ type: 'tab.context', tabId: id }))?.value?.context?.repoSlug,
        tabId,
      ),
    )
    .toBe('api');
  const popup = await openPopup(ext, tabId);
  await popup.getByRole('tab', { name: 'Pull requests' }).click();
  return popup;
}

/** Picks a branch by typing part of its name and pressing Enter on the suggestion. */
async function pickBranch(popup: Page, field: RegExp, text: string, branch: string) {
  const input = popup.getByRole('combobox', { name: field });
  await input.fill(text);
  await expect(popup.getByRole('option', { name: branch, exact: true })).toHaveAttribute(
    'aria-selected',
    'true',
  );
  await input.press('Enter');
  await expect(input).toHaveValue(branch);
}

const chips = (popup: Page) => popup.locator('.reviewer-chip');
const created = (fromBranch: string) => sim.model.pullRequests.filter((pr) => pr.fromBranch === fromBranch);

test.beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'bsc-create-pr-'));
  [sim, oldSim] = await Promise.all([
    startSimulator({ strict: true, gitDir: path.join(dir, 'git'), seed: SEED }),
    startSimulator({ strict: true, version: '8.17.2' }),
  ]);
  const token = sim.createToken('alice', ['PROJECT_READ', 'REPO_WRITE']);
  // A branch pushed with plain git, one commit ahead of main.
  const work = path.join(dir, 'work');
  const env = {
    ...process.env,
    GIT_TERMINAL_PROMPT: '0',
    GIT_AUTHOR_NAME: 'Alice',
    GIT_AUTHOR_EMAIL: 'alice@example.com',
    GIT_COMMITTER_NAME: 'Alice',
    GIT_COMMITTER_EMAIL: 'alice@example.com',
  };
  const run = (args: string[], cwd = work) =>
    git('git', ['-c', `http.extraHeader=Authorization: Bearer ${token}`, ...args], { cwd, env });
  await run(['clone', '--quiet', `${sim.url}/scm/proj/api.git`, work], dir);
  await run(['checkout', '--quiet', '-b', 'feature/pushed-here']);
  writeFileSync(path.join(work, 'limits.txt'), 'limits\n');
  await run(['add', 'limits.txt']);
  await run([
    '-c',
    'commit.gpgsign=false',
    'commit',
    '--quiet',
    '-m',
    'Document the rate limits\n\nMore text.',
  ]);
  await run(['push', '--quiet', 'origin', 'feature/pushed-here']);

  ext = await launchBrowser({});
  view = await openPopup(ext);
  await connect(view, sim.url, token);
  await expect(view.locator('.profile-switcher .active-user')).toHaveText('Alice Ångström');
  page = await ext.context.newPage();
  await signIn(page, sim.url, 'alice');
});
test.afterAll(async () => {
  await ext?.context.close().catch(() => {});
  await Promise.all([sim?.close(), oldSim?.close()]);
  rmSync(dir, { recursive: true, force: true });
  if (sim) expect(sim.violations, 'simulator responses must conform to the OpenAPI spec').toEqual([]);
  if (oldSim) expect(oldSim.violations, 'simulator responses must conform to the OpenAPI spec').toEqual([]);
});

test('from the pushed branch, with a default reviewer, a reviewer group and a searched reviewer', async () => {
  view = await popupOver(`${sim.url}/projects/PROJ/repos/api/browse`);
  await expect(view.locator('#pr-new-heading')).toContainText('PROJ / api');
  // The branch just pushed is the one offered; the title is its single commit's subject.
  await expect(view.getByRole('combobox', { name: /^Source branch/ })).toHaveValue('feature/pushed-here');
  await expect(view.getByRole('combobox', { name: /^Target branch/ })).toHaveValue('main');
  await expect(view.getByLabel('Title')).toHaveValue('Document the rate limits');
  // PROJ/api's default reviewers for main are alice (the author: left out) and chen.
  await expect(chips(view)).toHaveText([/Chen 陈/]);
  await view.getByRole('button', { name: /^\+ Backend \(2\)/ }).click();
  const search = view.getByRole('combobox', { name: 'Add a reviewer' });
  await search.fill('eve');
  await expect(view.getByRole('option', { name: /eve/ })).toHaveAttribute('aria-selected', 'true');
  await search.press('Enter');
  await expect(search).toHaveValue('');
  await expect(chips(view)).toHaveCount(3);
  await view.getByLabel('Description').fill('Why: the limits were nowhere written down.');

  // Screenshots of the form, light and dark (docs/screenshots with UPDATE_SCREENSHOTS=1).
  const folder = process.env.UPDATE_SCREENSHOTS ? 'docs/screenshots' : test.info().outputDir;
  for (const scheme of ['light', 'dark'] as const) {
    await view.emulateMedia({ colorScheme: scheme });
    await view.setViewportSize({ width: 400, height: 1000 });
    await view.locator('main.popup').screenshot({ path: `${folder}/create-pr-${scheme}.png` });
  }
  await view.emulateMedia({ colorScheme: 'light' });

  const opened = ext.context.waitForEvent('page');
  await view.getByRole('button', { name: 'Create pull request' }).click();
  const prPage = await opened;
  const [pr] = created('feature/pushed-here');
  expect(pr).toBeDefined();
  await expect(prPage).toHaveURL(`${sim.url}/projects/PROJ/repos/api/pull-requests/${pr?.id}/overview`);
  await prPage.close();
  expect(created('feature/pushed-here')).toHaveLength(1);
  expect(pr?.reviewers.map((r) => r.user.name).sort()).toEqual(['bob', 'chen', 'eve']);
  expect(pr).toMatchObject({
    title: 'Document the rate limits',
    description: 'Why: the limits were nowhere written down.',
    toBranch: 'main',
    draft: false,
  });
  await expect(view.locator('.new-pr .message.success')).toContainText(`Pull request #${pr?.id} created`);
});

test('a duplicate links the open pull request; nothing to merge is said before and after Create', async () => {
  await pickBranch(view, /^Source branch/, 'rate-li', 'feature/rate-limit');
  await view.getByRole('button', { name: 'Create pull request' }).click();
  const alert = view.getByRole('alert');
  await expect(alert).toContainText('A pull request from feature/rate-limit to main is already open: #1');
  const opened = ext.context.waitForEvent('page');
  await alert.getByRole('link', { name: 'Open pull request #1' }).click();
  const existing = await opened;
  await expect(existing).toHaveURL(`${sim.url}/projects/PROJ/repos/api/pull-requests/1/overview`);
  await expect(existing.locator('body')).toContainText('Add rate limiting to public endpoints');
  await existing.close();

  // A default reviewer taken off the list stays off when the branches change.
  const chen = view.locator('.reviewer-chip[data-reviewer="chen"]');
  await expect(chen.locator('.lozenge')).toHaveText('default');
  await chen.getByRole('button', { name: /^Remove Chen/ }).click();
  await expect(chen).toHaveCount(0);

  // release/1.0 sits at main's head.
  await pickBranch(view, /^Source branch/, 'release', 'release/1.0');
  await expect(view.locator('.new-pr [role="status"].warning')).toHaveText(
    'Nothing to merge: main already has every commit of release/1.0.',
  );
  // The defaults for release/1.0 → main were read again (the warning comes with them): no Chen.
  await expect(chen).toHaveCount(0);
  await view.getByRole('button', { name: 'Create pull request' }).click();
  await expect(view.getByRole('alert')).toContainText(
    'Nothing to merge: main already has every commit of release/1.0. Push new commits',
  );
  expect(created('release/1.0')).toEqual([]);
});

test('a reviewer the server refuses is named and dropped; the others stay for the next try', async () => {
  await pickBranch(view, /^Source branch/, 'devel', 'develop');
  // Eve, kept from the last pull request, removed and added again by keyboard.
  await view.getByRole('button', { name: /^Remove Eve/ }).click();
  await expect(chips(view).filter({ hasText: 'Eve' })).toHaveCount(0);
  const search = view.getByRole('combobox', { name: 'Add a reviewer' });
  await search.fill('ev');
  await expect(view.getByRole('option', { name: /eve/ })).toHaveAttribute('aria-selected', 'true');
  await search.press('ArrowDown');
  await search.press('Enter');
  await expect(chips(view).filter({ hasText: 'Eve' })).toHaveCount(1);
  const names = async () => chips(view).evaluateAll((els) => els.map((e) => e.getAttribute('data-reviewer')));
  const before = (await names()).sort();
  expect(before).toContain('eve');
  // Eve leaves the company meanwhile.
  const eve = sim.model.user('eve');
  if (!eve) throw new Error('no eve');
  eve.active = false;
  try {
    await view.getByRole('button', { name: 'Create pull request' }).click();
    await expect(view.getByRole('alert')).toContainText("This pull request can't have this reviewer: eve");
    await expect(view.getByRole('alert')).toContainText(
      'Create the pull request again to go ahead without them.',
    );
    await expect(view.locator('.pr-dropped')).toHaveText('Taken off the reviewers: eve.');
    expect((await names()).sort()).toEqual(before.filter((n) => n !== 'eve'));
    expect(created('develop').filter((pr) => pr.state === 'OPEN')).toEqual([]);
    await view.getByRole('button', { name: 'Create pull request' }).click();
    await expect(view.locator('.new-pr .message.success')).toContainText('created');
  } finally {
    eve.active = true;
  }
  const [pr] = created('develop').filter((p) => p.state === 'OPEN');
  expect(pr?.reviewers.map((r) => r.user.name).sort()).toEqual(before.filter((n) => n !== 'eve'));
});

test('from a fork to its origin, as a draft, through the repository picker', async () => {
  const popup = await openPopup(ext);
  await popup.getByRole('tab', { name: 'Pull requests' }).click();
  await expect(popup.locator('.pr-intro')).toContainText('Open a repository page');
  const picker = popup.getByRole('combobox', { name: 'Repository', exact: true });
  await picker.fill('~alice api');
  await expect(popup.getByRole('option').first()).toContainText('~ALICE');
  await picker.press('Enter');
  await expect(popup.locator('#pr-new-heading')).toContainText('~ALICE / api');
  await expect(popup.getByLabel('Target repository')).toHaveValue('PROJ/api');
  await pickBranch(popup, /^Source branch in ~ALICE/, 'alice-f', 'feature/alice-fork');
  await popup.getByLabel(/^Create as a draft/).check();
  const opened = ext.context.waitForEvent('page');
  await popup.getByRole('button', { name: 'Create draft' }).click();
  const prPage = await opened;
  const [pr] = created('feature/alice-fork');
  await expect(prPage).toHaveURL(`${sim.url}/projects/PROJ/repos/api/pull-requests/${pr?.id}/overview`);
  await prPage.close();
  expect(pr).toMatchObject({ draft: true, toBranch: 'main' });
  expect(`${pr?.fromRepo.project.key}/${pr?.fromRepo.slug}`).toBe('~ALICE/api');
  expect(`${pr?.repo.project.key}/${pr?.repo.slug}`).toBe('PROJ/api');
  await popup.close();
});

test('no draft control on a server older than 8.18', async () => {
  const token = oldSim.createToken('alice', ['PROJECT_READ', 'REPO_WRITE']);
  await view.evaluate(
    ([serverUrl, t]) => chrome.runtime.sendMessage({ type: 'connect', serverUrl, token: t }),
    [oldSim.url, token] as const,
  );
  await signIn(page, oldSim.url, 'alice');
  const popup = await popupOver(`${oldSim.url}/projects/PROJ/repos/api/browse`);
  await expect(popup.getByRole('combobox', { name: /^Target branch/ })).toHaveValue('main');
  await expect(popup.getByRole('button', { name: 'Create pull request' })).toBeVisible();
  await expect(popup.getByLabel(/^Create as a draft/)).toHaveCount(0);
  await popup.close();
});
