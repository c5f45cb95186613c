import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Locator, Page } from '@playwright/test';
import { type Simulator, startSimulator } from '../../simulator/index';
import { connect, type ExtensionBrowser, expect, launchBrowser, openPopup, test } from './fixtures';

/**
 * "New repository" in the popup against the simulator with real bare repositories: what lands in
 * the repository is checked with a real `git clone`. One simulator and one browser for the file.
 */
test.describe.configure({ mode: 'serial' });

const run = promisify(execFile);

let dir = '';
let sim: Simulator;
let ext: ExtensionBrowser;
let popup: Page;
let token = '';

test.beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'bsc-create-repo-e2e-'));
  sim = await startSimulator({ strict: true, gitDir: path.join(dir, 'git') });
  ext = await launchBrowser({});
  token = sim.createToken('alice', ['PROJECT_ADMIN', 'REPO_ADMIN']);
  popup = await openPopup(ext);
  await connect(popup, sim.url, token);
  await expect(popup.locator('.profile-switcher .active-user')).toHaveText('Alice Ångström');
});
test.afterAll(async () => {
  await ext?.context.close().catch(() => {});
  if (ext) rmSync(ext.userDataDir, { recursive: true, force: true });
  await sim?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
  if (sim) expect(sim.violations, 'simulator responses must conform to the OpenAPI spec').toEqual([]);
});

const rest = async (pathname: string) => {
  const res = await fetch(`${sim.url}${pathname}`, { headers: { authorization: `Bearer ${token}` } });
  return (await res.json()) as Record<string, unknown>;
};

/** A real `git clone`: the files of the checkout, its commits (all branches) and its branch. */
async function gitClone(projectKey: string, slug: string) {
  const into = path.join(dir, `${projectKey}-${slug}`.replace(/[^A-Za-z0-9-]/g, '_'));
  const url = `${sim.url}/scm/${projectKey.toLowerCase()}/${slug}.git`;
  await run('git', ['-c', `http.extraHeader=Authorization: Bearer ${token}`, 'clone', '--quiet', url, into], {
    env: { ...process.env, GIT_TERMINAL_PROMPT: '0' },
    timeout: 15_000,
  });
  const git = async (...args: string[]) => (await run('git', args, { cwd: into })).stdout.trim();
  return {
    files: readdirSync(into).filter((f) => f !== '.git'),
    read: (file: string) => readFileSync(path.join(into, file), 'utf8'),
    commits: (await git('log', '--all', '--format=%an <%ae>|%s')).split('\n'),
    branch: await git('branch', '--show-current'),
  };
}

/** The popup at its size, light and dark: into docs/screenshots when asked (UPDATE_SCREENSHOTS=1). */
async function screenshots(name: string) {
  const folder = process.env.UPDATE_SCREENSHOTS ? 'docs/screenshots' : test.info().outputDir;
  await popup.setViewportSize({ width: 400, height: 600 });
  for (const mode of ['light', 'dark'] as const) {
    await popup.emulateMedia({ colorScheme: mode });
    await popup.screenshot({ path: path.join(folder, `create-repo-${name}-${mode}.png`), fullPage: true });
  }
  await popup.emulateMedia({ colorScheme: 'light' });
}

async function openForm() {
  await popup.goto(`chrome-extension://${ext.extensionId}/popup.html`);
  await popup.getByRole('button', { name: 'New repository' }).click();
  const form = popup.getByRole('form', { name: 'New repository' });
  await expect(form.getByLabel('Project')).not.toHaveValue('');
  return form;
}

async function pickTemplate(form: Locator, query: string, name: string) {
  const search = form.getByLabel('Search .gitignore templates');
  await search.fill(query);
  await expect(form.getByRole('option', { name, exact: true })).toBeVisible();
  await search.press('Enter');
  await expect(form.getByRole('button', { name: `Remove ${name}` })).toBeVisible();
}

test('Node + macOS .gitignore and MIT: one commit on the chosen default branch, which the server reports', async () => {
  const form = await openForm();
  await expect(form.getByLabel('Name', { exact: true })).toBeFocused();
  await form.getByLabel('Project').selectOption('PROJ');
  await form.getByLabel('Name', { exact: true }).fill('Web Portal');
  await expect(form.locator('.slug-preview')).toHaveText('Address: …/repos/web-portal');
  await form.getByLabel('Default branch').fill('develop');
  await pickTemplate(form, 'node', 'Node');
  await pickTemplate(form, 'macos', 'macOS');
  await form.getByLabel('License').selectOption('MIT');
  await expect(form.getByLabel('Copyright holder')).toHaveValue('Alice Ångström');
  await form.getByLabel('Year').fill('2026');
  await form.getByLabel('Add a README').uncheck();
  await screenshots('form');
  // A slow server: the popup says which step it is at.
  sim.faults.set('/scm/proj/web-portal.git', { latencyMs: 1000, times: 1 });
  await form.getByRole('button', { name: 'Create repository' }).click();
  await expect(form.locator('.progress')).toHaveText('Pushing the first commit to web-portal…');

  const result = popup.getByRole('region', { name: 'New repository' });
  await expect(result.getByRole('heading', { name: 'Repository created', exact: true })).toBeVisible({
    timeout: 20_000,
  });
  await screenshots('created');
  await expect(result.locator('.created-slug code')).toHaveText('web-portal');
  await expect(result.getByText('Default branch: develop')).toBeVisible();
  await expect(result.getByRole('status').first()).toHaveText(
    'One commit on develop with .gitignore, LICENSE.',
  );
  await expect(result.getByRole('link', { name: 'Open in Bitbucket ↗' })).toHaveAttribute(
    'href',
    `${sim.url}/projects/PROJ/repos/web-portal/browse`,
  );
  await expect(result.locator('.clone-row code').first()).toHaveText(/^git clone /);

  const clone = await gitClone('PROJ', 'web-portal');
  expect(clone.commits).toEqual(['Alice Ångström <alice@example.com>|Initial commit: .gitignore, LICENSE']);
  expect(clone.files.sort()).toEqual(['.gitignore', 'LICENSE']);
  expect(clone.branch).toBe('develop');
  const gitignore = clone.read('.gitignore');
  expect(gitignore).toContain('# ── Node ──');
  expect(gitignore).toContain('node_modules/');
  expect(gitignore).toContain('# ── macOS ──');
  expect(gitignore).toContain('.DS_Store');
  const license = clone.read('LICENSE');
  expect(license).toMatch(/^MIT License/);
  expect(license).toContain('Copyright (c) 2026 Alice Ångström');
  expect(await rest('/rest/api/1.0/projects/PROJ/repos/web-portal/default-branch')).toMatchObject({
    displayId: 'develop',
  });

  // In the search at once, before any sync.
  await popup.getByRole('button', { name: 'Back to repositories' }).click();
  await popup.getByLabel('Search repositories').fill('web portal');
  await expect(popup.locator('[data-repo="PROJ/web-portal"]')).toBeVisible();
});

test('a name already taken keeps the form and says so', async () => {
  const form = await openForm();
  await form.getByLabel('Project').selectOption('PROJ');
  // Known to the local index: said while typing.
  await form.getByLabel('Name', { exact: true }).fill('Web-Portal');
  await expect(form.locator('.slug-preview')).toHaveText(/already taken in this project by “Web Portal”/);
  // Made on the server by someone else meanwhile: the server's 409.
  const made = await fetch(`${sim.url}/rest/api/1.0/projects/PROJ/repos`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'Taken Name', scmId: 'git' }),
  });
  expect(made.status).toBe(201);
  await form.getByLabel('Name', { exact: true }).fill('Taken Name');
  await form.getByLabel('Description', { exact: true }).fill('A second try');
  await form.getByRole('button', { name: 'Create repository' }).click();
  await expect(form.getByRole('alert')).toContainText('PROJ already has a repository named “Taken Name”');
  await expect(form.getByLabel('Name', { exact: true })).toHaveValue('Taken Name');
  await expect(form.getByLabel('Description', { exact: true })).toHaveValue('A second try');
  await expect(form.getByLabel('Name', { exact: true })).toBeFocused();
});

test('when the first push fails: one repository, and “Add the files again” adds them to it', async () => {
  // The push's first request fails once; the repository creation itself goes through.
  sim.faults.set('/scm/proj/second-try.git', { status: 500, times: 1 });
  const form = await openForm();
  await form.getByLabel('Project').selectOption('PROJ');
  await form.getByLabel('Name', { exact: true }).fill('Second Try');
  await pickTemplate(form, 'python', 'Python');
  await form.getByRole('button', { name: 'Create repository' }).click();
  const result = popup.getByRole('region', { name: 'New repository' });
  await expect(result.getByRole('alert')).toHaveText(
    'The repository PROJ/second-try was created, but its files were not added: the server refused the push (HTTP 500).',
    { timeout: 20_000 },
  );
  const count = sim.model.repos.length;
  await result.getByRole('button', { name: 'Add the files again' }).click();
  await expect(result.getByRole('heading', { name: 'Repository created', exact: true })).toBeVisible({
    timeout: 20_000,
  });
  expect(sim.model.repos.length).toBe(count);
  expect(sim.model.repos.filter((r) => r.slug.startsWith('second-try'))).toHaveLength(1);
  const clone = await gitClone('PROJ', 'second-try');
  expect(clone.commits).toHaveLength(1);
  expect(clone.files.sort()).toEqual(['.gitignore', 'README.md']);
});

test('HTTP access off: the files go in through the file-edit API, one commit each, and it says so', async () => {
  sim.model.repoSettings.httpAccess = false;
  try {
    const form = await openForm();
    await form.getByLabel('Project').selectOption('PROJ');
    await form.getByLabel('Name', { exact: true }).fill('No Http');
    await pickTemplate(form, 'go', 'Go');
    await form.getByRole('button', { name: 'Create repository' }).click();
    const result = popup.getByRole('region', { name: 'New repository' });
    await expect(result.getByRole('heading', { name: 'Repository created', exact: true })).toBeVisible({
      timeout: 20_000,
    });
    await expect(result).toContainText('committed through Bitbucket’s file-edit API: one commit per file');
    await expect(result).toContainText('2 commits on main, one per file: README.md, .gitignore.');
  } finally {
    sim.model.repoSettings.httpAccess = true;
  }
  const clone = await gitClone('PROJ', 'no-http');
  expect(clone.commits).toHaveLength(2);
  // Line breaks as written, not as multipart text fields would carry them (CRLF).
  expect(clone.read('.gitignore')).toContain('# ── Go ──\n');
  expect(clone.read('.gitignore')).not.toContain('\r');
  expect(clone.files.sort()).toEqual(['.gitignore', 'README.md']);
  expect(clone.branch).toBe('main');
});

test('a repository in the personal project', async () => {
  const form = await openForm();
  await form.getByLabel('Project').selectOption('~ALICE');
  await form.getByLabel('Name', { exact: true }).fill('Scratchpad');
  await form.getByLabel('Description', { exact: true }).fill('My settings.');
  await form.getByRole('button', { name: 'Create repository' }).click();
  const result = popup.getByRole('region', { name: 'New repository' });
  await expect(result.getByRole('heading', { name: 'Repository created', exact: true })).toBeVisible({
    timeout: 20_000,
  });
  const clone = await gitClone('~ALICE', 'scratchpad');
  expect(clone.files).toEqual(['README.md']);
  expect(clone.read('README.md')).toBe('# Scratchpad\n\nMy settings.\n');
  expect(await rest('/rest/api/1.0/projects/~ALICE/repos/scratchpad')).toMatchObject({
    description: 'My settings.',
  });
});

test('on a project page, the form starts in that project', async () => {
  const page = await ext.context.newPage();
  await page.goto(`${sim.url}/login`);
  await page.locator('input[name="j_username"]').fill('alice');
  await page.locator('input[name="j_password"]').fill('alice');
  await page.locator('form [type="submit"]').first().click();
  await page.goto(`${sim.url}/projects/INT`);
  const tabId = await ext.serviceWorker.evaluate(async (url) => {
    const tabs = await chrome.tabs.query({});
    return tabs.find((t) => t.url?.startsWith(url))?.id ?? 0;
  }, `${sim.url}/projects/INT`);
  const view = await openPopup(ext, tabId);
  await expect(view.locator('.page-context')).toContainText('project INT');
  await view.getByRole('button', { name: 'New repository in INT' }).click();
  await expect(view.getByRole('form', { name: 'New repository' }).getByLabel('Project')).toHaveValue('INT');
  await view.close();
  await page.close();
});
