/**
 * The background side of installing a key through the browser session: the pending install the
 * popup starts (its lifetime, one per profile), and what the keys page's content script may ask —
 * only about profiles of its own origin, never a private part or a token.
 */
import * as openpgp from 'openpgp';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import type { HandlerContext } from '../../lib/background/router';
import { CompanionDb, type ProfileRecord } from '../../lib/db/schema';
import { createKeysHandlers } from '../../lib/features/keys/handlers';
import {
  createSessionInstallHandlers,
  PENDING_INSTALL_LIFETIME_MS,
  pendingInstallOf,
} from '../../lib/features/keys/session-install';

const ORIGIN = 'https://git.example.com';
const profile = (id: string, name: string, origin = ORIGIN, lastUsedAt = 1): ProfileRecord => ({
  id,
  label: `${name} @ ${new URL(origin).host}`,
  baseUrl: `${origin}/bitbucket`,
  origin,
  user: { id: name.length, name, slug: name.toLowerCase(), displayName: `${name} Display` },
  server: { version: '9.4.13', displayName: 'Example', support: 'supported' },
  access: { repoRead: true, repoWrite: true, repoAdmin: false, projectAdmin: false },
  token: null,
  createdAt: 1,
  verifiedAt: 1,
  lastUsedAt,
});

const popup: HandlerContext = { from: 'extension-page' };
const keysPage: HandlerContext = {
  from: 'content-script',
  tabId: 3,
  origin: ORIGIN,
  url: `${ORIGIN}/bitbucket/plugins/servlet/ssh/account/keys`,
};
const otherServer: HandlerContext = {
  from: 'content-script',
  tabId: 4,
  origin: 'https://other.example.com',
  url: 'https://other.example.com/bitbucket/plugins/servlet/ssh/account/keys',
};
/** Another of our scripts on the same server: a repository page's. */
const repositoryPage: HandlerContext = {
  from: 'content-script',
  tabId: 5,
  origin: ORIGIN,
  url: `${ORIGIN}/bitbucket/projects/P/repos/r/browse?at=refs/heads/plugins/servlet/ssh/account/keys`,
};

let db: CompanionDb;
let clock = 1_000_000;
let opened: Array<{ url: string; pattern: string }>;
let handlers: ReturnType<typeof createSessionInstallHandlers>;
let keyId: string;

beforeEach(async () => {
  fakeBrowser.reset();
  db = new CompanionDb(`session-install-${Math.random()}`);
  await db.profiles.bulkPut([
    profile('alice', 'alice', ORIGIN, 5),
    profile('bob', 'Bob', ORIGIN, 2),
    profile('other', 'alice', 'https://other.example.com'),
  ]);
  clock = 1_000_000;
  opened = [];
  handlers = createSessionInstallHandlers(db, {
    now: () => clock,
    openPage: async (url, pattern) => {
      opened.push({ url, pattern });
      return 'opened';
    },
  });
  const generated = await createKeysHandlers(db)['keys.ssh.generate'](
    { type: 'keys.ssh.generate', keyType: 'ed25519', profileId: 'alice', label: 'laptop' },
    popup,
  );
  keyId = generated.id;
});
afterEach(async () => {
  await db.delete();
});

const state = (ctx: HandlerContext = keysPage, signedInAs?: string) =>
  handlers['keys.page.state'](
    { type: 'keys.page.state', kind: 'ssh', ...(signedInAs ? { signedInAs } : {}) },
    ctx,
  );

describe('installing through the browser session', () => {
  it('opens the server’s SSH keys page with a pending install that the page can see for a few minutes', async () => {
    const started = await handlers['keys.session.start'](
      { type: 'keys.session.start', keyId, profileId: 'alice' },
      popup,
    );
    expect(started).toEqual({
      url: `${ORIGIN}/bitbucket/plugins/servlet/ssh/account/keys`,
      tab: 'opened',
      userName: 'alice',
      host: 'git.example.com',
    });
    expect(opened).toEqual([
      {
        url: `${ORIGIN}/bitbucket/plugins/servlet/ssh/account/keys`,
        pattern: 'https://git.example.com/bitbucket/plugins/servlet/ssh/account/keys*',
      },
    ]);

    const seen = await state(keysPage, 'alice');
    expect(seen.profile).toMatchObject({ id: 'alice', userName: 'alice' });
    expect(seen.pending).toMatchObject({
      key: { id: keyId, label: 'laptop', typeName: 'Ed25519', installedHere: false },
      profile: { id: 'alice', userName: 'alice' },
    });
    expect(seen.pending?.key.publicText).toMatch(/^ssh-ed25519 AAAA/);
    // Another server's page hears nothing of it.
    expect((await state(otherServer)).pending).toBeNull();
    // The GPG keys page neither: the pending key is an SSH key.
    expect(
      (await handlers['keys.page.state']({ type: 'keys.page.state', kind: 'gpg' }, keysPage)).pending,
    ).toBeNull();

    // Just before the end of its lifetime it is still there; after it, gone for good.
    clock += PENDING_INSTALL_LIFETIME_MS - 1;
    expect((await state()).pending?.key.id).toBe(keyId);
    clock += 1;
    expect((await state()).pending).toBeNull();
    expect(await pendingInstallOf('alice', clock - 10)).toBeNull();
  });

  it('tells the page who the pending install is for, whoever is signed in, and keeps it for that user', async () => {
    await handlers['keys.session.start']({ type: 'keys.session.start', keyId, profileId: 'alice' }, popup);
    // Bob is signed in on the page (and has his own profile): the menu is his, the pending install alice's.
    const seen = await state(keysPage, 'bob');
    expect(seen.profile).toMatchObject({ id: 'bob', userName: 'Bob' });
    expect(seen.pending?.profile).toMatchObject({ id: 'alice', userName: 'alice' });
    expect(seen.keys.every((k) => !k.installedHere)).toBe(true);
    // Nothing happened to it: it waits for alice.
    expect((await pendingInstallOf('alice', clock))?.keyId).toBe(keyId);
  });

  it('records the installation the page reports for its own server’s profile, and ends the pending install', async () => {
    await handlers['keys.session.start']({ type: 'keys.session.start', keyId, profileId: 'alice' }, popup);
    const { key } = await handlers['keys.page.installed'](
      { type: 'keys.page.installed', profileId: 'alice', keyId, serverKeyId: 12 },
      keysPage,
    );
    expect(key).toMatchObject({ id: keyId, installedHere: true });
    expect((await db.keys.get(keyId))?.installedOn).toEqual([
      { profileId: 'alice', serverKeyId: 12, installedAt: clock },
    ]);
    expect((await state(keysPage, 'alice')).pending).toBeNull();
    expect((await state(keysPage, 'alice')).keys.find((k) => k.id === keyId)?.installedHere).toBe(true);
  });

  it('refuses a page acting for another server’s profile, and the popup’s types from a page', async () => {
    await handlers['keys.session.start']({ type: 'keys.session.start', keyId, profileId: 'alice' }, popup);
    await expect(
      handlers['keys.page.installed'](
        { type: 'keys.page.installed', profileId: 'alice', keyId },
        otherServer,
      ),
    ).rejects.toMatchObject({ kind: 'refused' });
    await expect(
      handlers['keys.page.dismiss']({ type: 'keys.page.dismiss', profileId: 'alice', keyId }, otherServer),
    ).rejects.toMatchObject({ kind: 'refused' });
    await expect(
      handlers['keys.page.generate']({ type: 'keys.page.generate', profileId: 'alice' }, otherServer),
    ).rejects.toMatchObject({ kind: 'refused' });
    await expect(
      handlers['keys.page.installed']({ type: 'keys.page.installed', profileId: 'alice', keyId }, popup),
    ).rejects.toMatchObject({ kind: 'refused' });
    expect((await db.keys.get(keyId))?.installedOn).toEqual([]);
    expect((await pendingInstallOf('alice', clock))?.keyId).toBe(keyId);

    // Nor may another of our scripts on the same server (a repository page's), whatever its query says.
    await expect(
      handlers['keys.page.state']({ type: 'keys.page.state', kind: 'ssh' }, repositoryPage),
    ).rejects.toMatchObject({ kind: 'refused' });
    await expect(
      handlers['keys.page.installed'](
        { type: 'keys.page.installed', profileId: 'alice', keyId },
        repositoryPage,
      ),
    ).rejects.toMatchObject({ kind: 'refused' });
    await expect(
      handlers['keys.page.generate']({ type: 'keys.page.generate', profileId: 'alice' }, repositoryPage),
    ).rejects.toMatchObject({ kind: 'refused' });
    expect((await db.keys.get(keyId))?.installedOn).toEqual([]);
    // The login page's notice may read the state (it says whom to log in as).
    const fromLogin = await handlers['keys.page.state'](
      { type: 'keys.page.state', kind: 'ssh' },
      { ...keysPage, url: `${ORIGIN}/bitbucket/login?next=%2Fplugins%2Fservlet%2Fssh%2Faccount%2Fkeys` },
    );
    expect(fromLogin.pending?.key.id).toBe(keyId);

    // Its own server's page may end it without the key (the server refused it).
    await handlers['keys.page.dismiss']({ type: 'keys.page.dismiss', profileId: 'alice', keyId }, keysPage);
    expect(await pendingInstallOf('alice', clock)).toBeNull();
    expect((await db.keys.get(keyId))?.installedOn).toEqual([]);
  });

  it('sends a GPG key to the GPG keys page, where only that page hears of it', async () => {
    const { publicKey, privateKey } = await openpgp.generateKey({
      type: 'ecc',
      curve: 'ed25519Legacy',
      userIDs: [{ name: 'Alice', email: 'alice@example.com' }],
      passphrase: 'correct horse battery',
      format: 'armored',
    });
    const read = await openpgp.readKey({ armoredKey: publicKey });
    const gpg = await createKeysHandlers(db)['keys.gpg.save'](
      {
        type: 'keys.gpg.save',
        armoredPublic: publicKey,
        armoredPrivate: privateKey,
        fingerprint: read.getFingerprint(),
        keyId: read.getKeyID().toHex(),
        userId: 'Alice <alice@example.com>',
      },
      popup,
    );
    const started = await handlers['keys.session.start'](
      { type: 'keys.session.start', keyId: gpg.id, profileId: 'alice' },
      popup,
    );
    expect(started.url).toBe(`${ORIGIN}/bitbucket/plugins/servlet/gpg/account/keys`);
    expect((await state(keysPage, 'alice')).pending).toBeNull();
    const onGpgPage = await handlers['keys.page.state'](
      { type: 'keys.page.state', kind: 'gpg', signedInAs: 'alice' },
      keysPage,
    );
    expect(onGpgPage.pending?.key).toMatchObject({ id: gpg.id, kind: 'gpg', typeName: 'GPG' });
    expect(onGpgPage.pending?.key.publicText).toBe(publicKey.trim());
    expect(JSON.stringify(onGpgPage)).not.toContain('PRIVATE KEY');
    // The login page hears of it too (it names whom to log in as).
    expect((await handlers['keys.page.state']({ type: 'keys.page.state' }, keysPage)).pending?.key.id).toBe(
      gpg.id,
    );
  });

  it('generates an Ed25519 key for the page’s profile and answers only its public part', async () => {
    const key = await handlers['keys.page.generate'](
      { type: 'keys.page.generate', profileId: 'bob' },
      keysPage,
    );
    expect(key).toMatchObject({ kind: 'ssh', typeName: 'Ed25519', label: 'Bob@git.example.com' });
    expect(key.publicText).toMatch(/^ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI\S+ Bob@git\.example\.com$/);
    const everything = JSON.stringify([key, await state(keysPage, 'bob')]);
    expect(everything).not.toContain('PRIVATE');
    expect(everything).not.toMatch(/"privateKey"|"token"|"seed"/);
  });
});
