import { readFileSync } from 'node:fs';
import type { Page, TestInfo } from '@playwright/test';
import { withoutCheckInts } from '../unit/support/openssh-check-ints';
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
  await options.getByRole('button', { name: 'Export with tokens and keys' }).click();
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
  await options.getByRole('button', { name: 'Export without tokens or keys' }).click();
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

/** Downloads the options page's one SSH private key file (no passphrase) and answers its text. */
async function downloadPrivateKey(options: Page, testInfo: TestInfo, name: string): Promise<string> {
  const item = options.locator('.key-download');
  const [download] = await Promise.all([
    options.waitForEvent('download'),
    item.getByRole('button', { name: 'Download private key' }).click(),
  ]);
  expect(download.suggestedFilename()).toBe('id_ed25519_127.0.0.1');
  const file = testInfo.outputPath(name);
  await download.saveAs(file);
  return readFileSync(file, 'utf8');
}

test('an SSH key travels in the export with a passphrase: removed, imported, its private key file is the same', async ({
  sim,
  ext,
}, testInfo) => {
  const popup = await openPopup(ext);
  await connect(popup, sim.url, sim.createToken('alice', ['PROJECT_READ', 'REPO_READ']));
  await expect(popup.locator('.profile-switcher .active-user')).toHaveText('Alice Ångström');
  await popup.getByRole('tab', { name: 'Keys' }).click();
  await popup.locator('form.key-generate').getByRole('button', { name: 'Generate SSH key' }).click();
  const card = popup.locator('.key-list > li');
  await expect(card).toHaveCount(1);
  const fingerprint = await card.locator('.key-fingerprint').textContent();

  const options = await ext.context.newPage();
  await options.goto(`chrome-extension://${ext.extensionId}/options.html`);
  await expect(options.getByText('Keys are included only in an export with a passphrase.')).toBeVisible();
  const before = await downloadPrivateKey(options, testInfo, 'before');
  await options.getByLabel(/^Passphrase \(hard to guess/).fill('violet tractor under ninety clouds');
  const exportDownload = options.waitForEvent('download');
  await options.getByRole('button', { name: 'Export with tokens and keys' }).click();
  const file = testInfo.outputPath('with-keys.json.asc');
  await (await exportDownload).saveAs(file);
  const backup = options.locator('.export-import');
  await expect(backup.getByRole('status').first()).toContainText(
    'Saved 1 profile and 1 SSH/GPG key to bitbucket-companion-profiles-',
  );
  expect(readFileSync(file, 'utf8')).not.toContain('PRIVATE KEY');

  // Removed in the popup: the options page's list follows.
  await popup.bringToFront();
  await card.getByRole('button', { name: 'Remove…' }).click();
  await card.getByRole('alertdialog').getByRole('button', { name: 'Remove from this browser' }).click();
  await expect(card).toHaveCount(0);
  await options.bringToFront();
  await expect(options.locator('.key-download')).toHaveCount(0);

  await options.getByLabel('Profiles file').setInputFiles(file);
  await options.getByLabel('Passphrase of this file').fill('violet tractor under ninety clouds');
  await options.getByRole('button', { name: 'Import' }).click();
  await expect(backup.getByRole('status').last()).toHaveText(
    'Imported: 0 new, 1 updated. SSH/GPG keys: 1 key added.',
  );
  await expect(options.locator('.key-download')).toHaveCount(1);
  const after = await downloadPrivateKey(options, testInfo, 'after');
  expect(withoutCheckInts(after)).toBe(withoutCheckInts(before));

  // The popup lists it again, same fingerprint.
  await popup.bringToFront();
  await popup.reload();
  await popup.getByRole('tab', { name: 'Keys' }).click();
  await expect(card.locator('.key-fingerprint')).toHaveText(fingerprint ?? '');
});
