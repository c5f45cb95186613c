import { connect, expect, openPopup, test } from './fixtures';

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
  await expect(again.locator('.profile .lozenge.yes', { hasText: 'Write' })).toBeVisible();
});
