import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { HandlerContext } from '../../lib/background/router';
import type { CompanionDb } from '../../lib/db/schema';
import { generateGpgKey } from '../../lib/features/keys/gpg-generate';
import type { Simulator } from '../../simulator/index';
import { connectAlice, type KeysHandlers, startKeysSimulator, stopKeysSimulator } from './support/keys-bench';

/**
 * The Keys tab's server side: the account's SSH and GPG keys (which are this browser's), removing
 * one from the server, an expiry for servers that force one, key policy refusals, a network failure
 * mid-install, SSH turned off, and the ~/.ssh/config block. Against the simulator, strict mode on.
 */

const page: HandlerContext = { from: 'extension-page' };
const DAY = 24 * 3600_000;

let sim: Simulator;
let tmp: string;
beforeAll(async () => {
  ({ sim, tmp } = await startKeysSimulator('keys-server'));
});
afterAll(() => stopKeysSimulator(sim, tmp));

let db: CompanionDb;
let handlers: KeysHandlers;
let profileId: string;
beforeEach(async () => {
  ({ db, handlers, profileId } = await connectAlice(sim, 'keys-server'));
});
afterEach(async () => {
  await db.delete();
  const settings = sim.model.keySettings;
  settings.tokensMayAddKeys = true;
  settings.sshEnabled = true;
  settings.sshKeyPolicy = {};
  delete settings.gpgKeyPolicy;
  sim.faults.clear();
});

const generate = (keyType: 'ed25519' | 'rsa' = 'ed25519', bits?: 3072 | 4096) =>
  handlers['keys.ssh.generate'](
    { type: 'keys.ssh.generate', keyType, ...(bits ? { bits } : {}), label: `test ${keyType}`, profileId },
    page,
  );
const install = (keyId: string, expiryDays?: number) =>
  handlers['keys.ssh.install'](
    { type: 'keys.ssh.install', keyId, profileId, ...(expiryDays !== undefined ? { expiryDays } : {}) },
    page,
  );
const serverList = () => handlers['keys.server.list']({ type: 'keys.server.list', profileId }, page);
const installedOn = async (keyId: string) => (await db.keys.get(keyId))?.installedOn.map((i) => i.profileId);

async function savedGpgKey(algorithm?: 'rsa4096') {
  const generated = await generateGpgKey({
    name: 'Alice Ångström',
    email: 'alice@example.com',
    passphrase: 'correct horse battery',
    ...(algorithm ? { algorithm } : {}),
  });
  return handlers['keys.gpg.save']({ type: 'keys.gpg.save', ...generated, label: 'signing' }, page);
}

describe('the account’s keys on the server', () => {
  it('lists SSH and GPG keys, this browser’s marked, with created, expiry and last used', async () => {
    const ssh = await generate();
    await install(ssh.id, 30);
    const gpg = await savedGpgKey();
    await handlers['keys.gpg.install']({ type: 'keys.gpg.install', keyId: gpg.id, profileId }, page);

    const listing = await serverList();
    if (!listing.ssh.ok || !listing.gpg.ok) throw new Error('a kind failed to list');
    const mine = listing.ssh.keys.find((k) => k.mine);
    expect(mine).toMatchObject({ keyId: ssh.id, fingerprint: ssh.fingerprint, label: 'test ed25519' });
    expect(mine?.expiryDays).toBe(30);
    expect(mine?.createdDate).toBeGreaterThan(Date.now() - 60_000);
    expect(mine?.lastAuthenticated).toBeNull();
    // Alice's seeded key: not this browser's, used two days ago.
    const seeded = listing.ssh.keys.find((k) => k.label === 'laptop');
    expect(seeded).toMatchObject({ mine: false, algorithmType: 'ED25519' });
    expect(seeded?.keyId).toBeUndefined();
    expect(seeded?.lastAuthenticated).toBeLessThan(Date.now() - DAY);

    const gpgMine = listing.gpg.keys.filter((k) => k.mine);
    expect(gpgMine).toEqual([
      expect.objectContaining({
        keyId: gpg.id,
        fingerprint: gpg.fingerprint,
        emailAddress: 'alice@example.com',
      }),
    ]);
    expect(listing.gpg.keys.some((k) => !k.mine && k.id === '26FE721C18288230')).toBe(true);
  });

  it('removes an SSH key from the server and forgets it was installed there; the key stays here', async () => {
    const key = await generate();
    const answer = await install(key.id);
    if (!answer.installed) throw new Error('not installed');
    const serverKeyId = String(answer.key.installedOn[0]?.serverKeyId);
    expect(
      await handlers['keys.server.remove'](
        { type: 'keys.server.remove', profileId, kind: 'ssh', serverKeyId },
        page,
      ),
    ).toEqual({ removed: true });
    expect(sim.model.sshKeys.some((k) => k.fingerprint === key.fingerprint)).toBe(false);
    expect(await installedOn(key.id)).toEqual([]);
    expect((await handlers['keys.list']({ type: 'keys.list' }, page)).map((k) => k.id)).toContain(key.id);
  });

  it('removes a GPG key by its fingerprint', async () => {
    const gpg = await savedGpgKey();
    await handlers['keys.gpg.install']({ type: 'keys.gpg.install', keyId: gpg.id, profileId }, page);
    expect(await installedOn(gpg.id)).toEqual([profileId]);
    await handlers['keys.server.remove'](
      { type: 'keys.server.remove', profileId, kind: 'gpg', serverKeyId: gpg.fingerprint },
      page,
    );
    expect(sim.model.gpgKey(gpg.fingerprint)).toBeUndefined();
    expect(await installedOn(gpg.id)).toEqual([]);
  });

  it('a token refused removal: needsSession with the sentence, the key stays on the server', async () => {
    const key = await generate();
    await install(key.id);
    sim.model.keySettings.tokensMayAddKeys = false;
    const onServer = sim.model.sshKeys.find((k) => k.fingerprint === key.fingerprint);
    const answer = await handlers['keys.server.remove'](
      { type: 'keys.server.remove', profileId, kind: 'ssh', serverKeyId: String(onServer?.id) },
      page,
    );
    expect(answer).toEqual({
      removed: false,
      needsSession: true,
      message: expect.stringContaining('remove the key on your account page in Bitbucket'),
    });
    if (!answer.removed) expect(answer.message).toContain('removing an SSH key');
    expect(sim.model.sshKeys).toContain(onServer);
    expect(await installedOn(key.id)).toEqual([profileId]);
  });

  it('follows the server: a key removed there is no longer marked installed, one added there is', async () => {
    const removedThere = await generate();
    await install(removedThere.id);
    const addedThere = await generate();
    const onServer = sim.model.sshKeys.find((k) => k.fingerprint === removedThere.fingerprint);
    if (onServer) sim.model.deleteSshKey(onServer);
    // Added by hand, on the server's page (Basic auth stands in for the browser session).
    const res = await fetch(`${sim.url}/rest/ssh/1.0/keys`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from('alice:alice').toString('base64')}`,
        'content-type': 'application/json',
        'x-atlassian-token': 'no-check',
      },
      body: JSON.stringify({ text: addedThere.publicLine }),
    });
    expect(res.status).toBe(201);

    const listing = await serverList();
    expect(listing.ssh.ok && listing.ssh.keys.filter((k) => k.mine).map((k) => k.keyId)).toEqual([
      addedThere.id,
    ]);
    expect(await installedOn(removedThere.id)).toEqual([]);
    expect(await installedOn(addedThere.id)).toEqual([profileId]);
  });

  it('one kind failing to list is said for that kind; the other still lists', async () => {
    sim.faults.set('/rest/gpg/1.0/keys', { status: 500 });
    const listing = await serverList();
    expect(listing.ssh.ok).toBe(true);
    expect(listing.gpg).toEqual({ ok: false, message: expect.stringContaining('internal problem') });
    sim.faults.set('/rest/ssh/1.0/keys', { status: 503 });
    await expect(serverList()).rejects.toMatchObject({ kind: 'server-error' });
  });
});

describe('installing against the server’s key policy', () => {
  it('a server forcing expiry: needsExpiry with its sentence and limit; installed with an expiry', async () => {
    sim.model.keySettings.sshKeyPolicy = { maxExpiryDays: 90 };
    const key = await generate();
    expect(await install(key.id)).toEqual({
      installed: false,
      needsExpiry: true,
      message: 'An expiry is required for SSH keys: set expiryDays to at most 90 days.',
      maxDays: 90,
    });
    expect(await installedOn(key.id)).toEqual([]);
    expect(await install(key.id, 365)).toMatchObject({ installed: false, needsExpiry: true, maxDays: 90 });
    expect(await install(key.id, 60)).toMatchObject({ installed: true, already: false });
    expect(sim.model.sshKeys.find((k) => k.fingerprint === key.fingerprint)?.expiryDays).toBe(60);
    expect(await installedOn(key.id)).toEqual([profileId]);
  });

  it('a refused key type: the server’s reason and an RSA 4096 offer; the RSA 4096 key installs', async () => {
    sim.model.keySettings.sshKeyPolicy = { allowed: ['RSA'], minBits: { RSA: 4096 } };
    const ed = await generate();
    expect(await install(ed.id)).toEqual({
      installed: false,
      refused: true,
      message: 'The server refused adding an SSH key: ED25519 keys are not allowed. Allowed key types: RSA.',
      offerRsa4096: true,
    });
    const rsa = await generate('rsa', 4096);
    expect(await install(rsa.id)).toMatchObject({ installed: true });
    expect(await installedOn(ed.id)).toEqual([]);
  });

  it('no RSA 4096 offer when the refused key is one', async () => {
    sim.model.keySettings.sshKeyPolicy = { allowed: ['ED25519'] };
    const rsa = await generate('rsa', 4096);
    expect(await install(rsa.id)).toMatchObject({ installed: false, refused: true, offerRsa4096: false });
  });

  it('a server refusing EdDSA GPG keys: an RSA 4096 offer, and the RSA 4096 key installs', async () => {
    sim.model.keySettings.gpgKeyPolicy = { allowed: ['RSA'] };
    const eddsa = await savedGpgKey();
    const gpgInstall = (keyId: string) =>
      handlers['keys.gpg.install']({ type: 'keys.gpg.install', keyId, profileId }, page);
    expect(await gpgInstall(eddsa.id)).toEqual({
      installed: false,
      refused: true,
      message: expect.stringContaining('EdDSA keys are not supported'),
      offerRsa4096: true,
    });
    const rsa = await savedGpgKey('rsa4096');
    expect(await gpgInstall(rsa.id)).toMatchObject({ installed: true });
    expect(sim.model.gpgKey(rsa.fingerprint)).toBeDefined();
    sim.model.keySettings.gpgKeyPolicy = { allowed: ['EDDSA'] };
    const refusedRsa = await savedGpgKey('rsa4096');
    expect(await gpgInstall(refusedRsa.id)).toMatchObject({ refused: true, offerRsa4096: false });
  }, 30_000);

  it('a network failure mid-install records nothing, and the same install succeeds on retry', async () => {
    const key = await generate();
    sim.faults.set('/rest/ssh/1.0/keys', { dropConnection: true, times: 1 });
    await expect(install(key.id)).rejects.toMatchObject({ kind: 'offline' });
    expect(await installedOn(key.id)).toEqual([]);
    expect(sim.model.sshKeys.some((k) => k.fingerprint === key.fingerprint)).toBe(false);
    expect(await install(key.id)).toMatchObject({ installed: true, already: false });
    expect(await installedOn(key.id)).toEqual([profileId]);
  });
});

describe('SSH settings and the ~/.ssh/config block', () => {
  it('says where SSH is, or that it is turned off', async () => {
    expect(await handlers['keys.ssh.settings']({ type: 'keys.ssh.settings', profileId }, page)).toEqual({
      enabled: true,
      host: '127.0.0.1',
      port: 7999,
      user: 'git',
    });
    sim.model.keySettings.sshEnabled = false;
    expect(await handlers['keys.ssh.settings']({ type: 'keys.ssh.settings', profileId }, page)).toEqual({
      enabled: false,
      message: expect.stringMatching(/^SSH access is turned off on 127\.0\.0\.1:\d+/),
    });
  });

  it('builds the block from the server’s settings and the key file’s name', async () => {
    const key = await generate();
    const [entry, ...more] = await handlers['keys.ssh.config'](
      { type: 'keys.ssh.config', keyId: key.id },
      page,
    );
    expect(more).toEqual([]);
    expect(entry).toEqual({
      profileId,
      profileLabel: expect.any(String),
      block: [
        'Host 127.0.0.1',
        '  HostName 127.0.0.1',
        '  Port 7999',
        '  User git',
        '  IdentityFile ~/.ssh/id_ed25519_127.0.0.1',
        '  IdentitiesOnly yes',
      ].join('\n'),
    });
    sim.model.keySettings.sshEnabled = false;
    const [off] = await handlers['keys.ssh.config']({ type: 'keys.ssh.config', keyId: key.id }, page);
    expect(off).toMatchObject({ profileId, message: expect.stringContaining('SSH access is turned off') });
  });

  const ssh = spawnSync('ssh', ['-V'], { encoding: 'utf8' });
  it.runIf(!ssh.error)('OpenSSH reads the block: host, port, user and the one identity file', async () => {
    const key = await generate('rsa', 3072);
    const [entry] = await handlers['keys.ssh.config']({ type: 'keys.ssh.config', keyId: key.id }, page);
    if (!entry || !('block' in entry)) throw new Error('no block');
    const file = path.join(tmp, 'config');
    writeFileSync(file, `${entry.block}\n`);
    const out = spawnSync('ssh', ['-G', '-F', file, '127.0.0.1'], { encoding: 'utf8' });
    expect(out.status, out.stderr).toBe(0);
    const lines = out.stdout.split('\n');
    expect(lines).toContain('port 7999');
    expect(lines).toContain('user git');
    expect(lines).toContain('identitiesonly yes');
    expect(lines.some((l) => /^identityfile .*\/\.ssh\/id_rsa_127\.0\.0\.1$/.test(l))).toBe(true);
  });
});
