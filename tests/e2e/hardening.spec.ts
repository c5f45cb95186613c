import { readFileSync, writeFileSync } from 'node:fs';
import type { Page } from '@playwright/test';
import { SEED_TOKENS } from '../../simulator/seed';
import { connect, expect, openPopup, test } from './fixtures';

/** How many profiles the extension has saved, read the way the popup reads them. */
const profileCount = (page: Page) =>
  page.evaluate(
    () =>
      new Promise<number>((resolve, reject) => {
        const open = indexedDB.open('bitbucket-server-companion');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const db = open.result;
          if (!db.objectStoreNames.contains('profiles')) return resolve(0);
          const count = db.transaction('profiles').objectStore('profiles').count();
          count.onsuccess = () => resolve(count.result);
        };
      }),
  );

/** A profiles file as export writes it (no tokens), holding one record; returns its path. */
function writeProfilesFile(path: string, profile: Record<string, unknown>): string {
  writeFileSync(
    path,
    JSON.stringify({
      format: 'bitbucket-server-companion/profiles',
      version: 1,
      exportedAt: 'x',
      profiles: [{ createdAt: 1, lastUsedAt: 1, ...profile }],
    }),
  );
  return path;
}

test('the connect form refuses what it can tell is wrong, with a sentence, and sends nothing', async ({
  sim,
  ext,
}) => {
  const popup = await openPopup(ext);
  // Any request reaching the server would be answered 500 and say so instead.
  sim.faults.set('*', { status: 500 });
  const form = popup.locator('form.connect-form');

  // A token pasted into the address field.
  await form.getByLabel('Server URL').fill(SEED_TOKENS.aliceAdmin);
  await expect(form.locator('.url-problem')).toHaveText(/^This looks like a token, not a server address\./);
  await expect(form.getByRole('button', { name: /Create a token on/ })).toBeDisabled();
  await form.getByLabel('HTTP access token').fill('x');
  await form.getByRole('button', { name: 'Connect' }).click();
  await expect(popup.getByRole('alert')).toContainText('This looks like a token, not a server address.');

  // Tokens that can't be Bitbucket tokens.
  await form.getByLabel('Server URL').fill(sim.url);
  const cases: Array<[string, string]> = [
    [
      `${SEED_TOKENS.aliceAdmin.slice(0, 10)}\u200b${SEED_TOKENS.aliceAdmin.slice(10)}`,
      'invisible character',
    ],
    [`${SEED_TOKENS.aliceAdmin}🙂`, 'characters no Bitbucket token has'],
    [`${SEED_TOKENS.aliceAdmin.slice(0, 10)}\u0007${SEED_TOKENS.aliceAdmin.slice(10)}`, 'control character'],
    ['A'.repeat(1500), 'The token is longer than any Bitbucket token (over 1,000 characters)'],
  ];
  for (const [token, sentence] of cases) {
    await form.getByLabel('HTTP access token').fill(token);
    await expect(form.locator('.token-problem')).toContainText(sentence);
    await form.getByRole('button', { name: 'Connect' }).click();
    await expect(popup.getByRole('alert')).toContainText(sentence);
  }
  expect(await profileCount(popup)).toBe(0);
  await expect(popup.getByText('internal problem')).toHaveCount(0);

  // Too long for the protocol: the extension's own pages get the sentence, not "did not answer".
  const reply = await popup.evaluate(
    (serverUrl) => chrome.runtime.sendMessage({ type: 'connect', serverUrl, token: 'A'.repeat(1001) }),
    sim.url,
  );
  expect(reply).toEqual({
    ok: false,
    error: {
      kind: 'bad-input',
      message:
        'The token is longer than any Bitbucket token (over 1,000 characters): copy it again from the token page.',
    },
  });
});

test('connecting the same account twice updates its profile instead of adding another', async ({
  sim,
  ext,
}) => {
  const popup = await openPopup(ext);
  await connect(popup, sim.url, sim.createToken('alice', ['PROJECT_READ', 'REPO_READ']));
  await expect(popup.locator('.profile')).toHaveCount(1);
  await popup.getByRole('button', { name: '+ Add a profile' }).click();
  await connect(popup, `${sim.url}/projects/PROJ`, sim.createToken('alice', ['PROJECT_READ', 'REPO_WRITE']));
  await expect(
    popup.getByText(/You already had the profile “Alice Ångström @ 127\.0\.0\.1:\d+”/),
  ).toBeVisible();
  await expect(popup.locator('.profile')).toHaveCount(1);
  await expect(popup.locator('.profile .lozenge.yes', { hasText: 'Write' })).toBeVisible();
  expect(await profileCount(popup)).toBe(1);
});

test('a profiles file with a bad record is refused, naming it, and nothing is saved', async ({
  sim,
  ext,
}, testInfo) => {
  const options = await ext.context.newPage();
  await options.goto(`chrome-extension://${ext.extensionId}/options.html`);
  const file = writeProfilesFile(testInfo.outputPath('bad-profiles.json'), {
    label: 'x',
    baseUrl: 'javascript:alert(1)//',
    user: { id: 9, name: 'zed', slug: 'zed', displayName: 'Zed' },
    server: { version: '9.4.13', displayName: 'x', support: 'supported' },
    access: { repoRead: true, repoWrite: false, repoAdmin: false, projectAdmin: false },
  });
  await options.getByLabel('Profiles file').setInputFiles(file);
  await options.getByRole('button', { name: 'Import' }).click();
  await expect(options.getByRole('alert')).toHaveText(
    'Profile 1 (“x”) in this file has an unusable server address: “javascript:alert(1)//” is not a web address. Enter one like https://bitbucket.example.com. Nothing was imported.',
  );
  expect(await profileCount(options)).toBe(0);

  // Connecting afterwards works and reports no internal error.
  const popup = await openPopup(ext);
  await connect(popup, sim.url, sim.createToken('alice', ['PROJECT_READ', 'REPO_READ']));
  await expect(popup.locator('.profile-switcher .active-user')).toHaveText('Alice Ångström');
  await expect(popup.getByText('Something went wrong')).toHaveCount(0);
});

test('a weak export passphrase is refused with the reason; a file made with one earlier still imports', async ({
  sim,
  ext,
}, testInfo) => {
  const popup = await openPopup(ext);
  await connect(popup, sim.url, sim.createToken('alice', ['PROJECT_READ', 'REPO_READ']));
  await expect(popup.locator('.profile')).toHaveCount(1);

  const options = await ext.context.newPage();
  await options.goto(`chrome-extension://${ext.extensionId}/options.html`);
  const passphrase = options.getByLabel(/^Passphrase \(hard to guess/);
  await passphrase.fill('12345678');
  await expect(options.locator('.passphrase-strength')).toContainText('too easy to guess');
  await options.getByRole('button', { name: 'Export with tokens' }).click();
  await expect(options.getByRole('alert')).toContainText('Choose a stronger passphrase to include tokens.');
  await passphrase.fill('violet tractor under ninety clouds');
  await expect(options.locator('.passphrase-strength')).toContainText(/Strength: (strong|very strong)\./);

  // An earlier version accepted any 8 characters: such a file still opens.
  const earlier = await options.evaluate(() =>
    chrome.runtime.sendMessage({ type: 'profiles.export', passphrase: '12345678' }),
  );
  const file = testInfo.outputPath('earlier.json.asc');
  writeFileSync(file, earlier.value.content);
  await options.getByRole('button', { name: 'Remove…' }).click();
  await options.getByRole('alertdialog').getByRole('button', { name: 'Remove' }).click();
  await expect(options.locator('.profile')).toHaveCount(0);
  await options.getByLabel('Profiles file').setInputFiles(file);
  await options.getByLabel('Passphrase of this file').fill('12345678');
  await options.getByRole('button', { name: 'Import' }).click();
  await expect(options.getByRole('status').last()).toContainText('Imported: 1 new, 0 updated.');
  expect(readFileSync(file, 'utf8')).toContain('-----BEGIN PGP MESSAGE-----');
});

test('an http:// address that redirects says so, distinct from a sign-on page', async ({ sim, ext }) => {
  sim.faults.set('*', { httpsRedirect: true });
  const popup = await openPopup(ext);
  await connect(popup, sim.url, sim.createToken('alice', ['PROJECT_READ', 'REPO_READ']));
  await expect(popup.getByRole('alert')).toHaveText(
    `This address redirects — if your server uses https://, enter that address (${sim.url.replace(/^http:/, 'https:')}).`,
  );
  expect(await profileCount(popup)).toBe(0);
});

test('the Repos tab of a profile without a token says why nothing is listed', async ({
  sim,
  ext,
}, testInfo) => {
  const options = await ext.context.newPage();
  await options.goto(`chrome-extension://${ext.extensionId}/options.html`);
  const file = writeProfilesFile(testInfo.outputPath('no-token.json'), {
    label: 'Alice (no token yet)',
    baseUrl: sim.url,
    user: { id: 1, name: 'alice', slug: 'alice', displayName: 'Alice Ångström' },
    server: { version: '9.4.13', displayName: 'Sim', support: 'supported' },
    access: { repoRead: true, repoWrite: true, repoAdmin: false, projectAdmin: false },
  });
  await options.getByLabel('Profiles file').setInputFiles(file);
  await options.getByRole('button', { name: 'Import' }).click();
  await expect(options.getByRole('status').last()).toContainText('Imported: 1 new');
  const popup = await openPopup(ext);
  await expect(popup.locator('.sync-problem')).toHaveText(
    'This profile has no token yet: use “Replace token” to add one.',
  );
  await expect(popup.locator('.repo-sync-text')).toHaveText('No repositories listed yet.');
});
