import type { Page } from '@playwright/test';
import * as v from 'valibot';
import { BitbucketClient } from '../../lib/bitbucket/client';
import { type Simulator, startSimulator } from '../../simulator/index';
import { connect, type ExtensionBrowser, expect, launchBrowser, openPopup, test } from './fixtures';

/**
 * The popup's Repos tab against a simulator with 20,000 generated repositories: one browser and
 * one simulator for the file (the sync of 20k is the expensive part), tests in order.
 */
test.describe.configure({ mode: 'serial' });

let sim: Simulator;
let ext: ExtensionBrowser;
let popup: Page;

test.beforeAll(async () => {
  sim = await startSimulator({ strict: true, repos: 20_000 });
  ext = await launchBrowser({});
});
test.afterAll(async () => {
  await ext?.context.close().catch(() => {});
  await sim?.close();
  expect(sim.violations, 'simulator responses must conform to the OpenAPI spec').toEqual([]);
});

let token = '';

/** How many repositories the token can read, archived ones included (what the index must hold). */
async function readableCount(): Promise<number> {
  const client = new BitbucketClient({ baseUrl: sim.url, token });
  let n = 0;
  for await (const page of client.pages('/rest/api/1.0/repos', {
    operation: 'repos.list',
    query: { archived: 'ALL' },
    itemSchema: v.unknown(),
    limit: 1000,
    maxPages: 1000,
  })) {
    n += page.length;
  }
  return n;
}

async function indexState(page: Page) {
  return page.evaluate(
    () =>
      new Promise<{ count: number; keys: number; sync?: { state: string; seen: number } }>(
        (resolve, reject) => {
          const open = indexedDB.open('bitbucket-server-companion');
          open.onerror = () => reject(open.error);
          open.onsuccess = () => {
            const db = open.result;
            const tx = db.transaction(['repos', 'repoSyncs']);
            const count = tx.objectStore('repos').count();
            const keys = tx.objectStore('repos').getAllKeys();
            const syncs = tx.objectStore('repoSyncs').getAll();
            tx.oncomplete = () =>
              resolve({
                count: count.result,
                keys: new Set(keys.result.map(String)).size,
                sync: syncs.result[0],
              });
          };
        },
      ),
  );
}

test('the first sync shows progress, survives a stopped service worker, and ends with every repository once', async () => {
  // Slow pages, so the worker can be stopped while the sync is under way.
  sim.faults.set('/rest/api/1.0/repos', { latencyMs: 300 });
  popup = await openPopup(ext);
  token = sim.createToken('alice', ['PROJECT_READ', 'REPO_READ']);
  await connect(popup, sim.url, token);
  await popup.getByRole('tab', { name: 'Repos' }).click();
  await expect(popup.locator('.repo-sync-text')).toContainText(/Indexing… [\d,]+ repositories so far/, {
    timeout: 20_000,
  });
  await expect.poll(async () => (await indexState(popup)).count, { timeout: 20_000 }).toBeGreaterThan(0);

  // Stop the worker mid-sync, as Chrome does after 30 s idle.
  const cdp = await ext.context.newCDPSession(popup);
  await cdp.send('ServiceWorker.enable');
  await cdp.send('ServiceWorker.stopAllWorkers');
  const stoppedAt = await indexState(popup);
  expect(stoppedAt.sync?.state).toBe('running');
  sim.faults.clear();

  // The next wake (opening the popup asks for the sync) resumes from the saved cursor.
  popup = await openPopup(ext);
  await expect(popup.locator('.repo-sync-text')).toContainText(/updated just now/, { timeout: 60_000 });
  const done = await indexState(popup);
  expect(done.sync?.state).toBe('done');
  expect(done.count).toBe(done.keys);
  expect(done.count).toBe(await readableCount());
  expect(done.count).toBeGreaterThan(20_000);
});

test('search finds a repository among 20,000 by its initials and by project key; keyboard moves and Esc clears', async () => {
  // A generated repository with a three-word slug: its initials and its project key.
  const target = sim.model.repos.find(
    (r) => /^[a-z]+-[a-z]+-[a-z]+$/.test(r.slug) && !r.project.key.startsWith('~'),
  );
  if (!target) throw new Error('no three-word repository generated');
  const initials = target.slug
    .split('-')
    .map((w) => w[0])
    .join('');
  const search = popup.getByLabel('Search repositories');
  await expect(search).toBeFocused();
  await search.fill(`${target.project.key} ${initials}`);
  const row = popup.locator(`.repo[data-repo="${target.project.key}/${target.slug}"]`);
  await expect(row).toBeVisible();

  // By project key: the key narrows to that project's repositories.
  await search.fill(`${target.project.key.toLowerCase()} ${target.slug}`);
  await expect(popup.locator('.repo').first()).toHaveAttribute(
    'data-repo',
    `${target.project.key}/${target.slug}`,
  );

  await search.fill(initials);
  await expect(popup.locator('.repo').nth(1)).toBeVisible();
  await search.press('ArrowDown');
  await expect(popup.locator('.repo').nth(1)).toHaveAttribute('aria-selected', 'true');
  await search.press('ArrowUp');
  await expect(popup.locator('.repo').first()).toHaveAttribute('aria-selected', 'true');
  await search.press('Escape');
  await expect(search).toHaveValue('');
});

test('Enter opens the first result in the default client: exactly the vscode:// URL, in a tab, not the popup', async () => {
  const page = await ext.context.newPage();
  await page.goto(`${sim.url}/login`);
  // Asked from an extension page: the worker object of the first test was stopped.
  const tabId = await popup.evaluate(async (prefix) => {
    const tabs = await chrome.tabs.query({});
    return tabs.find((t) => t.url?.startsWith(prefix))?.id ?? 0;
  }, `${sim.url}/login`);
  const launched: string[] = [];
  ext.context.on('request', (r) => {
    if (!r.url().startsWith('http')) launched.push(r.url());
  });
  const view = await openPopup(ext, tabId);
  await view.getByLabel('Search repositories').fill('PROJ api');
  await expect(view.locator('.repo').first()).toHaveAttribute('data-repo', 'PROJ/api');
  await view.getByLabel('Search repositories').press('Enter');
  const httpClone = `${sim.url}/scm/proj/api.git`;
  await expect
    .poll(() => launched)
    .toContain(`vscode://vscode.git/clone?url=${encodeURIComponent(httpClone)}`);
  await expect(view.locator('.repo-notice')).toContainText('Opening in Visual Studio Code');

  // Used here: it ranks first for a query it matches only by a substring from now on.
  await view.getByLabel('Search repositories').fill('');
  await expect(view.locator('.repo').first()).toHaveAttribute('data-repo', 'PROJ/api');
  await page.close();
});

test('all servers searches every profile; a repository without clone links says clone access is off', async () => {
  const second = await startSimulator({ strict: true, contextPath: '/bitbucket' });
  try {
    const generated = sim.model.repos.find((r) => /^[a-z]+-[a-z]+-[a-z]+$/.test(r.slug))!;
    await popup.getByRole('tab', { name: 'Profiles' }).click();
    await popup.getByRole('button', { name: '+ Add a profile' }).click();
    await connect(popup, second.url, second.createToken('bob', ['PROJECT_READ', 'REPO_READ']));
    await popup.getByRole('tab', { name: 'Repos' }).click();
    await expect(popup.locator('.repo-sync-text')).toContainText(/updated/, { timeout: 20_000 });

    // The new profile is active: the first server's repositories are not searched…
    const search = popup.getByLabel('Search repositories');
    await search.fill(generated.slug);
    await expect(popup.locator('.no-results')).toBeVisible();
    // …until "All servers" is on.
    await popup.getByLabel('All servers').check();
    const row = popup.locator(`.repo[data-repo="${generated.project.key}/${generated.slug}"]`).first();
    await expect(row).toBeVisible();
    await expect(row.locator('.profile-tag')).toContainText('Alice');

    await search.fill('vendor-mirror');
    const off = popup.locator('.repo[data-repo="INT/vendor-mirror"]').first();
    await off.hover();
    await expect(off).toContainText('Clone access is switched off on this server (it sends no clone URLs).');
    await expect(off.getByRole('button', { name: /^Open in/ })).toHaveCount(0);
  } finally {
    await second.close();
  }
});
