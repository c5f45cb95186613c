import { rmSync } from 'node:fs';
import { startSimulator } from '../../simulator/index';
import { connect, expect, launchBrowser, openPopup, showProfiles, test } from './fixtures';

test('two profiles on two servers: switch in one click, both survive a browser restart', async () => {
  const simA = await startSimulator({ strict: true });
  const simB = await startSimulator({ strict: true, version: '10.4.2' });
  let browser = await launchBrowser({});
  try {
    const popup = await openPopup(browser);
    await connect(popup, simA.url, simA.createToken('alice', ['PROJECT_READ', 'REPO_WRITE']));
    await expect(popup.locator('.profile-switcher .active-user')).toHaveText('Alice Ångström');

    await popup.getByRole('button', { name: '+ Add a profile' }).click();
    await connect(popup, simB.url, simB.createToken('bob', ['PROJECT_READ', 'REPO_WRITE']));
    const header = popup.locator('.profile-switcher');
    await expect(header.locator('.active-server')).toContainText(`127.0.0.1:${simB.port} · Bitbucket 10.4.2`);
    const bobName = await header.locator('.active-user').textContent();
    // A display name that looks like HTML is shown as text, never as markup.
    expect(bobName).toBe("Bob <b>O'Brien</b> & Co");
    await expect(header.locator('.active-user b b')).toHaveCount(0);

    // One click (a select) switches back to Alice's server.
    const aliceLabel = `Alice Ångström @ 127.0.0.1:${simA.port}`;
    await popup.getByLabel('Switch profile').selectOption({ label: aliceLabel });
    await expect(header.locator('.active-user')).toHaveText('Alice Ångström');
    await expect(header.locator('.active-server')).toContainText(`127.0.0.1:${simA.port} · Bitbucket 9.4.13`);

    browser = await browser.restart();
    const after = await openPopup(browser);
    await showProfiles(after);
    await expect(after.locator('.profile')).toHaveCount(2);
    await expect(after.locator('.profile-switcher .active-user')).toHaveText('Alice Ångström');
    await after.getByLabel('Switch profile').selectOption({ index: 1 });
    await expect(after.locator('.profile-switcher .active-user')).toHaveText(bobName ?? '');
  } finally {
    await browser.context.close().catch(() => {});
    rmSync(browser.userDataDir, { recursive: true, force: true });
    await simA.close();
    await simB.close();
  }
});

test('rename, replace the token and remove a profile (asking first)', async ({ sim, ext }) => {
  const popup = await openPopup(ext);
  await connect(popup, sim.url, sim.createToken('alice', ['PROJECT_READ', 'REPO_READ']));
  const card = popup.locator('.profile').first();
  await expect(card.locator('.lozenge', { hasText: 'Write' })).toHaveText(/✗/);

  await card.getByRole('button', { name: 'Rename' }).click();
  await card.getByLabel('Profile name').fill('Work <server>');
  await card.getByRole('button', { name: 'Save' }).click();
  await expect(card.locator('.profile-label')).toContainText('Work <server>');

  // An expired/revoked token is replaced in place; the profile keeps its name.
  await card.getByRole('button', { name: 'Replace token' }).click();
  await popup.getByLabel('HTTP access token').fill(sim.createToken('alice', ['PROJECT_READ', 'REPO_WRITE']));
  await popup.getByRole('button', { name: 'Replace token' }).click();
  await expect(card.locator('.message.success')).toContainText('Token replaced. Connected as Alice Ångström');
  await expect(popup.locator('.profile .lozenge', { hasText: 'Write' })).toHaveText(/✓/);
  await expect(popup.locator('.profile-label')).toContainText('Work <server>');

  // A token of another account can't silently take over the profile.
  await popup.getByRole('button', { name: 'Replace token' }).click();
  await popup.getByLabel('HTTP access token').fill(sim.createToken('bob', ['PROJECT_READ', 'REPO_READ']));
  await popup.getByRole('button', { name: 'Replace token' }).click();
  await expect(popup.getByRole('alert')).toContainText('belongs to');
  await popup.getByRole('button', { name: 'Cancel' }).click();

  await popup.getByRole('button', { name: 'Remove…' }).click();
  await expect(popup.getByRole('alertdialog')).toContainText('Remove “Work <server>”?');
  await popup.getByRole('button', { name: 'Keep' }).click();
  await expect(popup.locator('.profile')).toHaveCount(1);
  await popup.getByRole('button', { name: 'Remove…' }).click();
  await popup.getByRole('alertdialog').getByRole('button', { name: 'Remove' }).click();
  await expect(popup.getByRole('heading', { name: 'Connect to Bitbucket Server' })).toBeVisible();
});

test('on a page of a connected server, the popup uses that server’s profile', async ({ ext }) => {
  const simA = await startSimulator({ strict: true });
  const simB = await startSimulator({ strict: true });
  try {
    const popup = await openPopup(ext);
    await connect(popup, simA.url, simA.createToken('alice', ['PROJECT_READ', 'REPO_READ']));
    await popup.getByRole('button', { name: '+ Add a profile' }).click();
    await connect(popup, simB.url, simB.createToken('chen', ['PROJECT_READ', 'REPO_READ']));
    await expect(popup.locator('.profile-switcher .active-user')).toHaveText('Chen 陈');

    const page = await ext.context.newPage();
    await page.goto(`${simA.url}/login`);
    await page.locator('input[name="j_username"]').fill('alice');
    await page.locator('input[name="j_password"]').fill('alice');
    await page.locator('form [type="submit"]').first().click();
    await page.goto(`${simA.url}/projects/PROJ/repos/api/browse`);
    const tabId = await ext.serviceWorker.evaluate(async (prefix) => {
      const tabs = await chrome.tabs.query({});
      return tabs.find((t) => t.url?.startsWith(prefix))?.id ?? 0;
    }, `${simA.url}/projects`);
    const view = await openPopup(ext, tabId);
    await expect(view.locator('.page-context')).toContainText('PROJ / ');
    await expect(view.locator('.profile-switcher .active-user')).toHaveText('Alice Ångström');
    // Picking another profile by hand still switches.
    await view.getByLabel('Switch profile').selectOption({ label: `Chen 陈 @ 127.0.0.1:${simB.port}` });
    await expect(view.locator('.profile-switcher .active-user')).toHaveText('Chen 陈');
  } finally {
    await simA.close();
    await simB.close();
  }
});
