import type { Page } from '@playwright/test';
import { connect, type ExtensionBrowser, expect, openPopup, showProfiles, test } from './fixtures';

/** Evaluates code in the extension's content-script world of `page` (what a compromised content script could do). */
async function inContentScriptWorld(page: Page, extensionId: string, expression: string): Promise<unknown> {
  const cdp = await page.context().newCDPSession(page);
  const contexts: Array<{ id: number; origin: string; auxData?: { type?: string } }> = [];
  cdp.on('Runtime.executionContextCreated', (event) => contexts.push(event.context));
  await cdp.send('Runtime.enable');
  await expect
    .poll(() => contexts.some((c) => c.auxData?.type === 'isolated' && c.origin.includes(extensionId)))
    .toBe(true);
  const world = contexts.find((c) => c.auxData?.type === 'isolated' && c.origin.includes(extensionId))!;
  const result = await cdp.send('Runtime.evaluate', {
    expression,
    contextId: world.id,
    awaitPromise: true,
    returnByValue: true,
  });
  return result.result.value;
}

async function tabIdOf(ext: ExtensionBrowser, url: string): Promise<number> {
  return ext.serviceWorker.evaluate(async (prefix) => {
    const tabs = await chrome.tabs.query({});
    return tabs.find((t) => t.url?.startsWith(prefix))?.id ?? 0;
  }, url);
}

const HOSTILE_PAGE = `<!doctype html><html><head><meta name="application-name" content="Bitbucket"><title>x</title></head>
<body><section id="content" data-projectkey="PROJ" data-reposlug="api"></section>
<script>
  window.findings = {
    runtime: typeof (window.chrome && window.chrome.runtime && window.chrome.runtime.sendMessage),
  };
  window.postMessage({ type: 'connect', serverUrl: 'https://evil.example', token: 'x' }, '*');
</script></body></html>`;

test('a hostile page on a connected server cannot get a token or make the background act for it', async ({
  sim,
  ext,
}) => {
  const token = sim.createToken('alice', ['PROJECT_ADMIN', 'REPO_ADMIN']);
  const popup = await openPopup(ext);
  await connect(popup, sim.url, token);
  await expect(popup.locator('.profile-switcher .active-user')).toHaveText('Alice Ångström');
  const profileId = await popup.locator('.profile').first().getAttribute('data-profile-id');

  const page = await ext.context.newPage();
  const hostileUrl = `${sim.url}/projects/PROJ/repos/api/browse/evil`;
  await page.route(hostileUrl, (route) => route.fulfill({ contentType: 'text/html', body: HOSTILE_PAGE }));
  await page.goto(hostileUrl);

  // The page's own script has no channel to the extension.
  expect(
    await page.evaluate(() => (window as unknown as { findings: { runtime: string } }).findings.runtime),
  ).toBe('undefined');

  // A content script's own message type works (positive control) and carries no token back.
  const report = await inContentScriptWorld(
    page,
    ext.extensionId,
    `chrome.runtime.sendMessage({ type: 'page.report', context: { kind: 'repository', baseUrl: ${JSON.stringify(sim.url)}, projectKey: 'PROJ', repoSlug: 'api' } })`,
  );
  expect(report).toMatchObject({ ok: true, value: { profileLabel: expect.stringContaining('Alice') } });
  expect(JSON.stringify(report)).not.toContain(token);

  // A report naming another server is refused, and the popup keeps describing this page.
  const foreign = await inContentScriptWorld(
    page,
    ext.extensionId,
    `chrome.runtime.sendMessage({ type: 'page.report', context: { kind: 'repository', baseUrl: 'http://127.0.0.1:1/other', projectKey: 'EVIL', repoSlug: 'loot' } })`,
  );
  expect(foreign).toMatchObject({ ok: false, error: { kind: 'refused' } });
  const view = await openPopup(ext, await tabIdOf(ext, hostileUrl));
  await expect(view.locator('.page-context')).toContainText('PROJ / api');
  await view.close();

  // Anything else from the content-script world gets no answer and changes nothing.
  const forged = [
    { type: 'connect', serverUrl: 'https://evil.example', token: 'stolen' },
    { type: 'profiles.remove', profileId },
    { type: 'profiles.rename', profileId, label: 'pwned' },
    { type: 'tab.context', tabId: 1 },
    { type: 'profiles.export' },
  ];
  for (const message of forged) {
    const answer = await inContentScriptWorld(
      page,
      ext.extensionId,
      `chrome.runtime.sendMessage(${JSON.stringify(message)}).then((r) => r ?? 'no answer', () => 'no answer')`,
    );
    expect(answer, `${message.type} must be refused`).toBe('no answer');
  }

  // Nothing in the page (DOM or storage) holds the token, and the profile is untouched.
  expect(await page.content()).not.toContain(token);
  const again = await openPopup(ext);
  await showProfiles(again);
  await expect(again.locator('.profile')).toHaveCount(1);
  await expect(again.locator('.profile-label')).toContainText('Alice Ångström @');
});

const REPO_PAGE = `<!doctype html><html><head><meta name="application-name" content="Bitbucket"><title>x</title></head>
<body><section id="content"></section></body></html>`;

test('the page cannot switch the content script off by faking the framework’s “content script started” message', async ({
  sim,
  ext,
}) => {
  const popup = await openPopup(ext);
  await connect(popup, sim.url, sim.createToken('alice', ['PROJECT_READ', 'REPO_READ']));
  await expect(popup.locator('.profile-switcher')).toBeVisible();

  const page = await ext.context.newPage();
  const logs: string[] = [];
  page.on('console', (m) => logs.push(m.text()));
  await page.route(`${sim.url}/projects/PROJ/repos/**`, (route) =>
    route.fulfill({ contentType: 'text/html', body: REPO_PAGE }),
  );
  await page.goto(`${sim.url}/projects/PROJ/repos/api/browse`);
  const tabId = await tabIdOf(ext, sim.url);
  const describe = async () => {
    const view = await openPopup(ext, tabId);
    await view.locator('.profile-switcher').waitFor();
    const text =
      (await view
        .locator('.page-context')
        .textContent()
        .catch(() => null)) ?? '';
    await view.close();
    return text;
  };
  await expect.poll(describe).toContain('PROJ / api');

  // What WXT sends when a newer copy of a content script starts: a DOM event on the document and,
  // in its backwards-compatible mode, a window message. The page can send both (the name is the
  // extension id and the script's name).
  // Repository pages run the 'repository' script; the page report elsewhere is 'content'.
  await page.evaluate((extensionId) => {
    for (const name of ['content', 'repository']) {
      const type = `${extensionId}:${name}:wxt:content-script-started`;
      const detail = { contentScriptName: name, messageId: 'from-the-page' };
      document.dispatchEvent(new CustomEvent(type, { detail }));
      document.body.dispatchEvent(new CustomEvent(type, { detail, bubbles: true, composed: true }));
      window.postMessage({ type, ...detail }, '*');
    }
  }, ext.extensionId);

  // The script still works: an in-page navigation to another repository is reported.
  await page.evaluate(() => history.pushState({}, '', '/projects/PROJ/repos/other/browse'));
  await expect.poll(describe).toContain('PROJ / other');
  expect(logs.filter((l) => /invalidated/i.test(l))).toEqual([]);
});
