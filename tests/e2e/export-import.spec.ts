import { readFileSync } from 'node:fs';
import { connect, expect, openPopup, test } from './fixtures';

test('export with tokens → wipe → import restores the profiles, and the tokens work again', async ({
  sim,
  ext,
}, testInfo) => {
  const popup = await openPopup(ext);
  await connect(popup, sim.url, sim.createToken('alice', ['PROJECT_READ', 'REPO_WRITE']));
  await popup.getByRole('button', { name: '+ Add a profile' }).click();
  await connect(popup, `${sim.url}/`, sim.createToken('bob', ['PROJECT_READ', 'REPO_READ']));
  await expect(popup.locator('.profile')).toHaveCount(2);

  const options = await ext.context.newPage();
  await options.goto(`chrome-extension://${ext.extensionId}/options.html`);
  await options.getByLabel(/^Passphrase \(hard to guess/).fill('violet tractor under ninety clouds');
  const downloadPromise = options.waitForEvent('download');
  await options.getByRole('button', { name: 'Export with tokens' }).click();
  const download = await downloadPromise;
  const file = testInfo.outputPath(download.suggestedFilename());
  await download.saveAs(file);
  expect(download.suggestedFilename()).toMatch(/^bitbucket-companion-profiles-\d{4}-\d{2}-\d{2}\.json\.asc$/);
  const content = readFileSync(file, 'utf8');
  expect(content).toContain('-----BEGIN PGP MESSAGE-----');
  expect(content).not.toContain('Alice');
  await expect(options.getByRole('status')).toContainText('Saved 2 profiles');

  // Wipe: remove both profiles.
  for (let left = 1; left >= 0; left--) {
    await options.getByRole('button', { name: 'Remove…' }).first().click();
    await options.getByRole('alertdialog').getByRole('button', { name: 'Remove' }).click();
    // One at a time: the next card is asked only once this one is gone.
    await expect(options.locator('.profile')).toHaveCount(left);
  }
  await expect(options.locator('.profile')).toHaveCount(0);

  // A wrong passphrase changes nothing.
  await options.getByLabel('Profiles file').setInputFiles(file);
  await options.getByLabel('Passphrase of this file').fill('wrong passphrase');
  await options.getByRole('button', { name: 'Import' }).click();
  await expect(options.getByRole('alert')).toContainText('passphrase does not open this file');
  await expect(options.locator('.profile')).toHaveCount(0);

  await options.getByLabel('Passphrase of this file').fill('violet tractor under ninety clouds');
  await options.getByRole('button', { name: 'Import' }).click();
  await expect(options.getByRole('status').last()).toContainText('Imported: 2 new, 0 updated.');
  await expect(options.locator('.profile')).toHaveCount(2);

  // The restored tokens still work against the server.
  for (const card of await options.locator('.profile').all()) {
    await card.getByRole('button', { name: 'Check token' }).click();
    await expect(card.locator('.message.success')).toContainText('The token works');
  }
});

test('an export without a passphrase holds no token, and its profiles ask for one', async ({
  sim,
  ext,
}, testInfo) => {
  const token = sim.createToken('alice', ['PROJECT_READ', 'REPO_WRITE']);
  const popup = await openPopup(ext);
  await connect(popup, sim.url, token);
  await expect(popup.locator('.profile')).toHaveCount(1);

  const options = await ext.context.newPage();
  await options.goto(`chrome-extension://${ext.extensionId}/options.html`);
  const downloadPromise = options.waitForEvent('download');
  await options.getByRole('button', { name: 'Export without tokens' }).click();
  const file = testInfo.outputPath('plain.json');
  await (await downloadPromise).saveAs(file);
  const content = readFileSync(file, 'utf8');
  expect(content).toContain('Alice Ångström');
  expect(content).not.toContain(token);

  await options.getByRole('button', { name: 'Remove…' }).click();
  await options.getByRole('alertdialog').getByRole('button', { name: 'Remove' }).click();
  await options.getByLabel('Profiles file').setInputFiles(file);
  await options.getByRole('button', { name: 'Import' }).click();
  await expect(options.locator('.profile .needs-token')).toBeVisible();
  await expect(options.getByRole('status').last()).toContainText('Add a token to');
});
