import type { Page } from '@playwright/test';
import { connect, expect, openPopup, test } from './fixtures';

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
  await expect(again.locator('.profile')).toHaveCount(1);
  await expect(again.locator('.profile-label')).toContainText('Alice Ångström @');
});
