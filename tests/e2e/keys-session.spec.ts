/**
 * Adding keys through the user's signed-in browser session, for a server that refuses to let the token
 * add keys (the simulator's default): from the popup's Keys tab (the server's SSH keys page finishes the
 * pending install, after login too), and with "Add key from Companion" on that page (beside its Add
 * key button, or floating when the page has none). Refused when the page's user is not the profile's.
 *
 * One simulator and one browser for the file; the tests run in order.
 */
import type { Locator, Page } from '@playwright/test';
import { type Simulator, startSimulator } from '../../simulator/index';
import { connect, type ExtensionBrowser, expect, launchBrowser, openPopup, test } from './fixtures';

test.describe.configure({ mode: 'serial' });

let sim: Simulator;
let ext: ExtensionBrowser;
let popup: Page;
let page: Page;
const errors: string[] = [];

const KEYS_PAGE = () => `${sim.url}/plugins/servlet/ssh/account/keys`;
const companion = (target: Page = page) => target.locator('bsc-companion-add-key');
const companionButton = (target: Page = page) =>
  companion(target).getByRole('button', { name: 'Add key from Companion' });
const companionStatus = (target: Page = page) => companion(target).getByRole('status');
const companionMenu = (target: Page = page) =>
  companion(target).getByRole('menu', { name: 'Add key from Companion' });

/** What the server has on a user's account, straight from the model. */
const accountKeys = (user: string) =>
  sim.model.sshKeys.filter((k) => k.user.name === user).map((k) => ({ label: k.label, text: k.text }));

async function signIn(target: Page, user: string) {
  await target.goto(`${sim.url}/login`);
  await target.locator('input[name="j_username"]').fill(user);
  await target.locator('input[name="j_password"]').fill(user);
  await target.locator('form [type="submit"]').first().click();
  await target.waitForURL((url) => !url.pathname.endsWith('/login'));
}

async function signOut(target: Page) {
  await target.goto(`${sim.url}/j_atl_security_logout`);
  await target.waitForURL(/\/login/);
}

/** Generates an Ed25519 key in the popup's Keys tab; returns its card and public line. */
async function generateInPopup(label: string): Promise<{ card: Locator; publicLine: string }> {
  await popup.bringToFront();
  const form = popup.locator('form.key-generate');
  await form.getByLabel('Label').fill(label);
  await form.getByRole('button', { name: 'Generate SSH key' }).click();
  const card = popup.locator('.key-list > li', { has: popup.locator('.key-title b', { hasText: label }) });
  await expect(card).toHaveCount(1);
  // Bounded, so a worker that never answers fails here, by name, not at the test's timeout.
  const publicLine = await popup.evaluate(async (wanted) => {
    const reply = await Promise.race([
      chrome.runtime.sendMessage({ type: 'keys.list' }),
      new Promise<never>((_, reject) =>
        setTimeout(() => reject(new Error('the background did not answer keys.list in 10 s')), 10_000),
      ),
    ]);
    return reply.value.find((k: { label: string }) => k.label === wanted).publicLine as string;
  }, label);
  return { card, publicLine };
}

/**
 * Install in the popup → refused for the token → "Add through your signed-in session"; the tab it
 * opens, or `showing`, a tab already on the keys page, which it loads again.
 */
async function installThroughSession(card: Locator, showing?: Page): Promise<Page> {
  await card.getByRole('button', { name: /^Install on / }).click();
  await expect(card.locator('.key-notice')).toContainText(
    'The Companion can add it through your signed-in browser session, or copy the public key',
  );
  const before = new Set(ext.context.pages());
  await card
    .getByRole('button', { name: /^Add through your signed-in session on 127\.0\.0\.1:\d+$/ })
    .click();
  await expect(card.locator('.key-notice')).toContainText(
    showing ? 'is showing in its tab again' : 'opened in a new tab',
  );
  await expect(card.locator('.key-notice')).toContainText('log in as alice in that tab');
  if (showing) {
    expect(ext.context.pages().filter((p) => !before.has(p))).toEqual([]);
    return showing;
  }
  let opened: Page | undefined;
  await expect.poll(() => (opened = ext.context.pages().find((p) => !before.has(p)))).toBeDefined();
  watchErrors(opened!);
  return opened!;
}

/** The popup again (it opens on Repos), on its Keys tab. */
async function reloadKeysTab() {
  await popup.reload();
  await popup.getByRole('tab', { name: 'Keys' }).click();
}

function watchErrors(target: Page) {
  target.on('pageerror', (e) => errors.push(e.message));
  target.on('console', (m) => {
    if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) errors.push(m.text());
  });
}

test.beforeAll(async () => {
  [sim, ext] = await Promise.all([startSimulator({ strict: true }), launchBrowser({})]);
  popup = await openPopup(ext);
  await connect(popup, sim.url, sim.createToken('alice', ['PROJECT_READ', 'REPO_READ']));
  await expect(popup.locator('.profile-switcher .active-user')).toHaveText('Alice Ångström');
  await popup.getByRole('tab', { name: 'Keys' }).click();
  page = await ext.context.newPage();
  watchErrors(page);
  await signIn(page, 'alice');
});
test.afterAll(async () => {
  await ext?.context.close().catch(() => {});
  await sim?.close();
  expect(sim.violations, 'simulator responses must conform to the OpenAPI spec').toEqual([]);
  expect(errors).toEqual([]);
});

test('when the token may not add keys, the popup adds SSH and GPG keys through the signed-in session', async () => {
  const { card, publicLine } = await generateInPopup('session laptop');
  const tab = await installThroughSession(card);
  await expect(tab).toHaveURL(KEYS_PAGE());
  await expect(companionStatus(tab)).toHaveText('Added “session laptop” to your account.');
  // The server has it on alice's account with the right text and label, and its page lists it.
  expect(accountKeys('alice')).toContainEqual({ label: 'session laptop', text: publicLine });
  await expect(tab.locator('#ssh-keys-table .ssh-key-label', { hasText: 'session laptop' })).toHaveCount(1);
  // The extension knows where it is now.
  await reloadKeysTab();
  const again = popup.locator('.key-list > li', {
    has: popup.locator('.key-title b', { hasText: 'session laptop' }),
  });
  await expect(again.locator('.lozenge.yes')).toHaveText('on this server');
  await tab.close();

  // A GPG key the same way, on the GPG keys page.
  const form = popup.locator('form.gpg-generate');
  await form.getByLabel('Passphrase', { exact: true }).fill('correct horse battery');
  await form.getByLabel('Repeat passphrase').fill('correct horse battery');
  await form.getByRole('button', { name: 'Generate GPG key (commit signing)' }).click();
  const gpgCard = popup.locator('.key-list > li.gpg-key').first();
  await expect(gpgCard.locator('.gpg-fingerprint')).toHaveText(/^[0-9A-F]{40}$/);
  const fingerprint = (await gpgCard.locator('.gpg-fingerprint').textContent()) ?? '';
  const gpgTab = await installThroughSession(gpgCard);
  await expect(gpgTab).toHaveURL(`${sim.url}/plugins/servlet/gpg/account/keys`);
  await expect(companionStatus(gpgTab)).toHaveText(/^Added “.+” to your account\.$/);
  const gpgOwner = sim.model.gpgKeys.find(
    (k) => k.fingerprint.replace(/[^0-9A-F]/gi, '').toUpperCase() === fingerprint,
  );
  expect(gpgOwner?.user.name).toBe('alice');
  await expect(
    gpgTab.locator('#gpg-keys-table .gpg-key-fingerprint', { hasText: gpgOwner?.fingerprint ?? '-' }),
  ).toHaveCount(1);
  await gpgTab.close();
});

test('with another user signed in, the page says who and adds nothing', async () => {
  await signOut(page);
  await signIn(page, 'bob');
  const before = { alice: accountKeys('alice'), bob: accountKeys('bob') };
  const { card } = await generateInPopup('not for bob');
  // A tab is on the keys page already: the install goes there, no new tab.
  await page.goto(KEYS_PAGE());
  const tab = await installThroughSession(card, page);
  await expect(companionStatus(tab)).toContainText(
    'You are signed in as bob, but the Companion’s profile here is alice (Alice Ångström).',
  );
  await expect(companionStatus(tab)).toContainText('Nothing was added.');
  expect({ alice: accountKeys('alice'), bob: accountKeys('bob') }).toEqual(before);
  // The pending install is left to expire; this test ends it so the next ones start clean.
  await popup.evaluate(async () => {
    const all = await chrome.storage.session.get(null);
    await chrome.storage.session.remove(
      Object.keys(all).filter((k) => k.startsWith('keys-session-install:')),
    );
  });
  await signOut(page);
  await signIn(page, 'alice');
});

test('“Add key from Companion” beside the page’s Add key button adds a chosen key, by keyboard', async () => {
  const { publicLine } = await generateInPopup('picked on the page');
  await page.bringToFront();
  await page.goto(KEYS_PAGE());
  await expect(companion()).toHaveAttribute('data-placement', 'inline');
  // Right after the page's own button.
  expect(
    await page.evaluate(() => document.querySelector('#add-ssh-key-button')?.nextElementSibling?.tagName),
  ).toBe('BSC-COMPANION-ADD-KEY');

  await companionButton().focus();
  await page.keyboard.press('Enter');
  const menu = companionMenu();
  await expect(menu).toBeVisible();
  await expect(menu.getByRole('menuitem', { name: /^picked on the page/ })).toBeVisible();
  await expect(menu.getByRole('menuitem', { name: /^session laptop.*added to this account/ })).toBeVisible();
  await expect(menu.getByRole('menuitem', { name: /^Generate a new Ed25519 key/ })).toBeVisible();

  // Screenshots of the button and its menu, light and dark (docs/screenshots with UPDATE_SCREENSHOTS=1).
  const folder = process.env.UPDATE_SCREENSHOTS ? 'docs/screenshots' : test.info().outputDir;
  await page.screenshot({ path: `${folder}/ssh-keys-page-light.png` });
  await page.goto(`${KEYS_PAGE()}?atlThemeColorMode=dark`);
  await companionButton().click();
  await expect(companionMenu()).toBeVisible();
  expect(await companion().getAttribute('data-color-mode')).toBe('dark');
  await page.screenshot({ path: `${folder}/ssh-keys-page-dark.png` });
  await page.keyboard.press('Escape');
  await expect(companionButton()).toBeFocused();

  await page.keyboard.press('Enter');
  await companionMenu()
    .getByRole('menuitem', { name: /^picked on the page/ })
    .focus();
  await page.keyboard.press('Enter');
  await expect(companionStatus()).toHaveText('Added “picked on the page” to your account.');
  expect(accountKeys('alice')).toContainEqual({ label: 'picked on the page', text: publicLine });
  await expect(page.locator('#ssh-keys-table .ssh-key-label', { hasText: 'picked on the page' })).toHaveCount(
    1,
  );

  // Again: the server has it already.
  await companionButton().click();
  await companionMenu()
    .getByRole('menuitem', { name: /^picked on the page/ })
    .click();
  await expect(companionStatus()).toHaveText('“picked on the page” is already on your account.');
  expect(accountKeys('alice').filter((k) => k.label === 'picked on the page')).toHaveLength(1);
});

test('on a page without an Add key button, the floating button generates a key and adds it', async () => {
  await page.goto(`${KEYS_PAGE()}?simLayout=no-add-key-button`);
  await expect(page.locator('#add-ssh-key-button')).toHaveCount(0);
  await expect(companion()).toHaveAttribute('data-placement', 'floating');
  const box = (await companion().boundingBox())!;
  const viewport = page.viewportSize()!;
  expect(viewport.width - (box.x + box.width)).toBeLessThan(40);
  expect(viewport.height - (box.y + box.height)).toBeLessThan(40);

  const before = accountKeys('alice').length;
  await companionButton().click();
  await companionMenu()
    .getByRole('menuitem', { name: /^Generate a new Ed25519 key/ })
    .click();
  await expect(companionStatus()).toHaveText(/^Added “alice@127\.0\.0\.1” to your account\.$/);
  const added = accountKeys('alice');
  expect(added).toHaveLength(before + 1);
  const generated = added.at(-1)!;
  expect(generated.label).toBe('alice@127.0.0.1');
  expect(generated.text).toMatch(/^ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI\S+ alice@127\.0\.0\.1$/);
  // It is one of this browser's keys now, marked as on this server.
  await reloadKeysTab();
  const card = popup.locator('.key-list > li', {
    has: popup.locator('.key-title b', { hasText: 'alice@127.0.0.1' }),
  });
  await expect(card.locator('.lozenge.yes')).toHaveText('on this server');

  // The GPG keys page has the button too: its menu lists GPG keys only, and generates none.
  await page.goto(`${sim.url}/plugins/servlet/gpg/account/keys`);
  await expect(companion()).toHaveAttribute('data-placement', 'inline');
  await companionButton().click();
  const items = companionMenu().getByRole('menuitem');
  await expect(items).toHaveCount(2);
  await expect(items.first()).toHaveText(
    /^Alice Ångström <alice@example\.com>GPG · [0-9A-F]{40} · added to this account$/,
  );
  await expect(items.last()).toHaveText(
    'Copy “Alice Ångström <alice@example.com>”The armored public key block',
  );
  await page.keyboard.press('Escape');
});

test('with nobody signed in, the key is added once the user logs in', async () => {
  await signOut(page);
  const { card, publicLine } = await generateInPopup('after login');
  const tab = await installThroughSession(card);
  // The server sends the tab to its login page, where the Companion says who to log in as.
  await expect(tab).toHaveURL(/\/login\?next=/);
  await expect(tab.locator('bsc-companion-login-notice').getByRole('status')).toContainText(
    'Log in as alice to add the SSH key “after login” to your account',
  );
  expect(accountKeys('alice').some((k) => k.label === 'after login')).toBe(false);
  await tab.locator('input[name="j_username"]').fill('alice');
  await tab.locator('input[name="j_password"]').fill('alice');
  await tab.locator('form [type="submit"]').first().click();
  await expect(tab).toHaveURL(KEYS_PAGE());
  await expect(companionStatus(tab)).toHaveText('Added “after login” to your account.');
  expect(accountKeys('alice')).toContainEqual({ label: 'after login', text: publicLine });
  await tab.close();
});
