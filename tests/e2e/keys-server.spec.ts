import type { Page } from '@playwright/test';
import { type Simulator, startSimulator } from '../../simulator/index';
import { connect, type ExtensionBrowser, expect, launchBrowser, openPopup, test } from './fixtures';

/**
 * The Keys tab against the server: the account's keys listed (this browser's marked, with their
 * dates) and removed from the server after asking; an install on a server that forces an expiry
 * asks for one and goes through with it; a key type the server's policy refuses is replaced by an
 * RSA 4096 key in one click (SSH; GPG after a passphrase); the options page's ~/.ssh/config block names the server's SSH port,
 * and a server with SSH turned off is offered no SSH keys. One simulator and one browser, in order.
 */
test.describe.configure({ mode: 'serial' });

const DAY = 24 * 3600_000;
/** The `<time datetime>` of a moment: its UTC day, as the list writes it. */
const dayOf = (at: number) => new Date(at).toISOString().slice(0, 10);

let sim: Simulator;
let ext: ExtensionBrowser;
let popup: Page;

test.beforeAll(async () => {
  sim = await startSimulator({ strict: true, tokensMayAddKeys: true });
  ext = await launchBrowser({});
  popup = await openPopup(ext);
  await connect(popup, sim.url, sim.createToken('alice', ['PROJECT_READ', 'REPO_READ']));
  await expect(popup.locator('.profile-switcher .active-user')).toHaveText('Alice Ångström');
  await popup.getByRole('tab', { name: 'Keys' }).click();
});
test.afterAll(async () => {
  await ext?.context.close().catch(() => {});
  await sim?.close();
  if (sim) expect(sim.violations, 'simulator responses must conform to the OpenAPI spec').toEqual([]);
});
test.afterEach(() => {
  sim.model.keySettings.sshKeyPolicy = {};
  delete sim.model.keySettings.gpgKeyPolicy;
  sim.model.keySettings.sshEnabled = true;
});

async function generate(label: string) {
  const form = popup.locator('form.key-generate');
  await form.getByLabel('Type').selectOption('ed25519');
  await form.getByLabel('Label').fill(label);
  await form.getByRole('button', { name: 'Generate SSH key' }).click();
  const card = popup.locator('.key-list > li', { has: popup.locator('.key-title b', { hasText: label }) });
  await expect(card).toHaveCount(1);
  return card;
}

const onServer = (label: string) => sim.model.sshKeys.filter((k) => k.label === label);

test('the account’s keys: this browser’s marked with its dates; removed from the server after asking', async () => {
  const card = await generate('server list key');
  await card.getByLabel('Expires after (days; empty: never)').fill('30');
  // The connection drops mid-install: nothing is marked installed, and Retry sends it again.
  // (Until cleared: Chromium itself resends a request whose reused connection closed unanswered.)
  sim.faults.set('/rest/ssh/1.0/keys', { dropConnection: true });
  await card.getByRole('button', { name: /^Install on / }).click();
  await expect(card.locator('.key-notice')).toContainText("Can't reach");
  await expect(card.locator('.key-installed')).toHaveText('Not installed on any profile yet');
  expect(onServer('server list key')).toEqual([]);
  sim.faults.clear();
  await card.locator('.key-notice').getByRole('button', { name: 'Retry' }).click();
  await expect(card.locator('.key-notice')).toHaveText('Installed on your account.');
  expect(onServer('server list key').map((k) => k.expiryDays)).toEqual([30]);

  // The list loads only when opened.
  const section = popup.locator('details.server-keys');
  await expect(section.locator('.server-key')).toHaveCount(0);
  await section.locator('summary').click();
  const mine = section.locator('.server-key[data-kind="ssh"]', { hasText: 'server list key' });
  await expect(mine.locator('.lozenge.yes')).toHaveText('this browser');
  const created = onServer('server list key')[0]?.createdDate ?? 0;
  await expect(mine.locator('.server-key-created time')).toHaveAttribute('datetime', dayOf(created));
  await expect(mine.locator('.server-key-expiry')).toContainText('Expires');
  await expect(mine.locator('.server-key-expiry time')).toHaveAttribute(
    'datetime',
    dayOf(created + 30 * DAY),
  );
  await expect(mine.locator('.server-key-used')).toHaveText('Never used');
  // Alice's own older key and her seeded GPG key: on the account, not this browser's.
  const laptop = section.locator('.server-key[data-kind="ssh"]', { hasText: 'laptop' });
  await expect(laptop.locator('.lozenge.yes')).toHaveCount(0);
  await expect(laptop.locator('.server-key-used')).toContainText('Last used');
  await expect(section.locator('.server-key[data-kind="gpg"]')).toHaveCount(1);

  // Screenshots of the tab with the list, light and dark (docs/screenshots with UPDATE_SCREENSHOTS=1).
  const folder = process.env.UPDATE_SCREENSHOTS ? 'docs/screenshots' : test.info().outputDir;
  await popup.setViewportSize({ width: 400, height: 600 });
  await section.scrollIntoViewIfNeeded();
  for (const scheme of ['light', 'dark'] as const) {
    await popup.emulateMedia({ colorScheme: scheme });
    await popup.screenshot({ path: `${folder}/keys-${scheme}.png`, fullPage: true });
  }
  await popup.emulateMedia({ colorScheme: 'light' });

  // Removing asks first; Cancel keeps it.
  await mine.getByRole('button', { name: 'Remove from server…' }).click();
  const confirm = mine.getByRole('alertdialog');
  await expect(confirm).toContainText(
    'Git over SSH with this key stops working there. The key stays in this browser.',
  );
  await confirm.getByRole('button', { name: 'Cancel' }).click();
  expect(onServer('server list key')).toHaveLength(1);
  await mine.getByRole('button', { name: 'Remove from server…' }).click();
  await expect(confirm.getByRole('button', { name: 'Remove from the server' })).toBeFocused();
  await popup.keyboard.press('Enter');
  await expect(mine).toHaveCount(0);
  expect(onServer('server list key')).toEqual([]);
  // Still in this browser, no longer marked as on the server.
  await expect(card.locator('.key-installed')).toHaveText('Not installed on any profile yet');
  await expect(card.locator('.lozenge.yes')).toHaveCount(0);
});

test('a server that forces an expiry asks for one in the card and installs with it', async () => {
  sim.model.keySettings.sshKeyPolicy = { maxExpiryDays: 90 };
  const card = await generate('expiring key');
  await card.getByRole('button', { name: /^Install on / }).click();
  const prompt = card.getByRole('form', { name: 'An expiry is required' });
  await expect(prompt).toContainText(
    'An expiry is required for SSH keys: set expiryDays to at most 90 days.',
  );
  const days = prompt.getByLabel('Expire after (days)');
  await expect(days).toHaveValue('90');
  await expect(days).toBeFocused();
  await days.fill('400');
  await prompt.getByRole('button', { name: 'Install with this expiry' }).click();
  await expect(prompt.getByRole('alert')).toHaveText('Enter a whole number of days from 1 to 90.');
  expect(onServer('expiring key')).toEqual([]);
  await days.fill('45');
  await days.press('Enter');
  await expect(card.locator('.key-notice')).toHaveText('Installed on your account.');
  await expect(prompt).toHaveCount(0);
  expect(onServer('expiring key').map((k) => k.expiryDays)).toEqual([45]);
});

test('a key type the server refuses: its reason, and an RSA 4096 key instead in one click', async () => {
  sim.model.keySettings.sshKeyPolicy = { allowed: ['RSA'], minBits: { RSA: 4096 } };
  const card = await generate('policy key');
  await card.getByRole('button', { name: /^Install on / }).click();
  const notice = card.locator('.key-notice');
  await expect(notice).toContainText('ED25519 keys are not allowed. Allowed key types: RSA.');
  await notice.getByRole('button', { name: 'Generate an RSA 4096 key instead' }).click();
  const rsa = popup.locator('.key-list > li', { has: popup.locator('.lozenge', { hasText: 'RSA 4096' }) });
  await expect(rsa.locator('.key-notice')).toHaveText(
    'Generated an RSA 4096 key and installed it on your account.',
    {
      timeout: 20_000,
    },
  );
  await expect(rsa.locator('.key-title b')).toHaveText('policy key');
  await expect(rsa.locator('.lozenge.yes')).toHaveText('on this server');
  expect(onServer('policy key').map((k) => [k.algorithm, k.bitLength])).toEqual([['RSA', 4096]]);
});

test('the options page’s ~/.ssh/config block names the server’s SSH port; SSH turned off is said', async () => {
  const settings = (await (
    await fetch(`${sim.url}/rest/ssh/1.0/settings`, {
      headers: { authorization: `Basic ${Buffer.from('alice:alice').toString('base64')}` },
    })
  ).json()) as { port: number };
  const options = await ext.context.newPage();
  await options.goto(`chrome-extension://${ext.extensionId}/options.html#keys`);
  const item = options.locator('.key-download', { hasText: 'expiring key' });
  await expect(item.locator('.ssh-config-block')).toHaveText(
    [
      'Host 127.0.0.1',
      '  HostName 127.0.0.1',
      `  Port ${settings.port}`,
      '  User git',
      '  IdentityFile ~/.ssh/id_ed25519_127.0.0.1',
      '  IdentitiesOnly yes',
    ].join('\n'),
  );
  await ext.context.grantPermissions(['clipboard-read', 'clipboard-write']);
  await item.getByRole('button', { name: 'Copy' }).click();
  await expect(item.getByRole('status')).toHaveText('Copied.');
  expect(await options.evaluate(() => navigator.clipboard.readText())).toContain(`Port ${settings.port}\n`);

  sim.model.keySettings.sshEnabled = false;
  await options.reload();
  await expect(
    options.locator('.key-download', { hasText: 'expiring key' }).locator('.ssh-config-off'),
  ).toContainText('SSH access is turned off on');
  await options.close();
  await popup.reload();
  await popup.getByRole('tab', { name: 'Keys' }).click();
  await expect(popup.locator('.ssh-off')).toContainText('SSH access is turned off on');
  await expect(popup.locator('form.key-generate')).toHaveCount(0);
  const sshCard = popup.locator('.key-list > li', { hasText: 'expiring key' });
  await expect(sshCard.getByRole('button', { name: /^Install on / })).toHaveCount(0);
  // GPG keys don't need SSH.
  await expect(popup.locator('form.gpg-generate')).toBeVisible();
});

test('a server refusing EdDSA GPG keys: an RSA 4096 key with the same user id, after a passphrase', async () => {
  sim.model.keySettings.gpgKeyPolicy = { allowed: ['RSA'] };
  const form = popup.locator('form.gpg-generate');
  await form.getByLabel('Passphrase', { exact: true }).fill('correct horse battery');
  await form.getByLabel('Repeat passphrase').fill('correct horse battery');
  await form.getByRole('button', { name: 'Generate GPG key (commit signing)' }).click();
  const eddsa = popup.locator('.key-list > li.gpg-key').first();
  await eddsa.getByRole('button', { name: /^Install on / }).click();
  await expect(eddsa.locator('.key-notice')).toContainText(
    'EdDSA keys are not supported. Supported GPG key algorithms: RSA.',
  );
  const offer = eddsa.locator('form.gpg-rsa-offer');
  await offer.getByLabel('Passphrase', { exact: true }).fill('another good phrase');
  await offer.getByLabel('Repeat passphrase').fill('another good phrase');
  await offer.getByRole('button', { name: 'Generate an RSA 4096 key instead' }).click();
  const rsa = popup.locator('.key-list > li.gpg-key', { hasText: '(RSA 4096)' });
  await expect(rsa.locator('.key-notice')).toContainText('and installed it on your account.', {
    timeout: 20_000,
  });
  const keyId = (await rsa.locator('.gpg-key-id').textContent()) ?? '';
  expect(sim.model.gpgKey(keyId)?.emailAddress).toBe('alice@example.com');
  expect(sim.model.gpgKeys.filter((k) => k.user.slug === 'alice')).toHaveLength(2);
});
