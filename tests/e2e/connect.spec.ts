import { connect, expect, openPopup, showProfiles, test } from './fixtures';

test('connecting with a good token shows the user and the server version, and saves the profile', async ({
  sim,
  ext,
}) => {
  const token = sim.createToken('alice', ['PROJECT_ADMIN', 'REPO_ADMIN']);
  const popup = await openPopup(ext);
  await expect(popup.getByRole('heading', { name: 'Connect to Bitbucket Server' })).toBeVisible();
  await connect(popup, sim.url, token);

  const header = popup.locator('.profile-switcher');
  await expect(header.locator('.active-user')).toHaveText('Alice Ångström');
  await expect(header.locator('.active-server')).toContainText('Bitbucket 9.4.13');
  await expect(popup.getByRole('status').first()).toContainText(
    'Connected as Alice Ångström — Bitbucket 9.4.13',
  );

  // The profile is in the database and renders again when the popup reopens.
  await popup.close();
  const again = await openPopup(ext);
  await expect(again.locator('.profile-switcher .active-user')).toHaveText('Alice Ångström');
  await showProfiles(again);
  await expect(again.locator('.profile .lozenge.yes', { hasText: 'Write' })).toBeVisible();
});

test('the whole first run: open the server’s token page from the popup, create a token there, paste it, connect', async ({
  sim,
  ext,
}) => {
  const popup = await openPopup(ext);
  await popup.getByLabel('Server URL').fill(sim.url);
  const tokenTab = ext.context.waitForEvent('page');
  await popup.getByRole('button', { name: `Create a token on 127.0.0.1:${sim.port}` }).click();
  const page = await tokenTab;
  await page.waitForLoadState();

  // Not signed in yet: the server asks first, then comes back to its token page.
  await page.locator('input[name="j_username"]').fill('alice');
  await page.locator('input[name="j_password"]').fill('alice');
  await page.locator('form [type="submit"]').first().click();
  await expect(page).toHaveURL(/\/plugins\/servlet\/access-tokens\/users\/alice\/manage/);
  await page.getByLabel(/Token name/).fill('Bitbucket Server Companion');
  await page.getByLabel('Project permissions').selectOption('PROJECT_READ');
  await page.getByLabel('Repository permissions').selectOption('REPO_WRITE');
  await page.getByRole('button', { name: 'Create' }).click();
  const token = (await page.locator('#token-value').textContent())?.trim() ?? '';
  expect(token.length).toBeGreaterThan(20);

  await popup.bringToFront();
  await popup.getByLabel('HTTP access token').fill(token);
  await popup.getByRole('button', { name: 'Connect' }).click();
  await expect(popup.locator('.profile-switcher .active-user')).toHaveText('Alice Ångström');
  await expect(popup.locator('.profile .lozenge', { hasText: 'Write' })).toHaveText(/✓/);
});

test('connecting works by keyboard alone', async ({ sim, ext }) => {
  const popup = await openPopup(ext);
  // The server field has focus when the popup opens; Tab reaches the token; Enter connects.
  await expect(popup.getByLabel('Server URL')).toBeFocused();
  await popup.keyboard.type(sim.url);
  await popup.keyboard.press('Tab');
  await expect(popup.getByLabel('HTTP access token')).toBeFocused();
  await popup.keyboard.type(sim.createToken('alice', ['PROJECT_READ', 'REPO_WRITE']));
  await popup.keyboard.press('Enter');
  await expect(popup.locator('.profile-switcher .active-user')).toHaveText('Alice Ångström');
});
