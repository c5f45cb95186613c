import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import * as profiles from '../../lib/background/profiles';
import type { HandlerContext } from '../../lib/background/router';
import type { CompanionDb } from '../../lib/db/schema';
import { privateKeyFileName } from '../../lib/features/keys/handlers';
import { forgetInstallations } from '../../lib/features/keys/key-store';
import { privateKeyFile } from '../../lib/features/keys/private-key-file';
import type { Simulator } from '../../simulator/index';
import {
  connectAlice,
  hostAccess,
  type KeysHandlers,
  startKeysSimulator,
  stopKeysSimulator,
} from './support/keys-bench';

const page: HandlerContext = { from: 'extension-page' };
const contentScript: HandlerContext = { from: 'content-script', tabId: 1, origin: 'http://127.0.0.1' };

let sim: Simulator;
let tmp: string;
beforeAll(async () => {
  ({ sim, tmp } = await startKeysSimulator('keys-handlers'));
});
afterAll(() => stopKeysSimulator(sim, tmp));

let db: CompanionDb;
let handlers: KeysHandlers;
let profileId: string;
beforeEach(async () => {
  sim.model.keySettings.tokensMayAddKeys = true;
  ({ db, handlers, profileId } = await connectAlice(sim, 'keys-handlers'));
});
afterEach(async () => {
  await db.delete();
});

const host = () => new URL(sim.url).hostname;

/** Whatever an answer holds, no private key material is in it. */
function expectNoPrivatePart(answer: unknown) {
  const text = JSON.stringify(answer);
  expect(text).not.toContain('PRIVATE KEY');
  expect(text).not.toMatch(/"privateKey"|"seed"|"iv"|"data"/);
}

describe('keys handlers', () => {
  it('generates an Ed25519 key named <user>@<host> and lists it without its private part', async () => {
    const generated = await handlers['keys.ssh.generate'](
      { type: 'keys.ssh.generate', keyType: 'ed25519', profileId },
      page,
    );
    expect(generated).toMatchObject({
      kind: 'ssh',
      type: 'ed25519',
      bits: 256,
      comment: `alice@${host()}`,
      label: `alice@${host()}`,
      installedOn: [],
    });
    expect(generated.publicLine).toMatch(new RegExp(`^ssh-ed25519 AAAA\\S+ alice@${host()}$`));
    expectNoPrivatePart(generated);
    const listed = await handlers['keys.list']({ type: 'keys.list' }, page);
    expect(listed).toEqual([generated]);
    expectNoPrivatePart(listed);
    // The private material is in the database, sealed.
    const stored = await db.keys.get(generated.id);
    expect(stored?.privateKey.data).toBeInstanceOf(ArrayBuffer);
  });

  it('installs a key with the token: the server lists it with the same fingerprint and label', async () => {
    const key = await handlers['keys.ssh.generate'](
      { type: 'keys.ssh.generate', keyType: 'ed25519', label: 'Work laptop', profileId },
      page,
    );
    const answer = await handlers['keys.ssh.install'](
      { type: 'keys.ssh.install', keyId: key.id, profileId },
      page,
    );
    expect(answer).toMatchObject({ installed: true, already: false });
    expectNoPrivatePart(answer);
    const onServer = sim.model.sshKeys.find((k) => k.fingerprint === key.fingerprint);
    expect(onServer).toMatchObject({ label: 'Work laptop', fingerprint: key.fingerprint });
    expect(onServer?.user.slug).toBe('alice');
    if (!answer.installed) throw new Error('not installed');
    expect(answer.key.installedOn).toEqual([
      { profileId, serverKeyId: onServer!.id, installedAt: expect.any(Number) },
    ]);

    const { ssh } = await handlers['keys.server.list']({ type: 'keys.server.list', profileId }, page);
    if (!ssh.ok) throw new Error(ssh.message);
    const serverList = ssh.keys;
    const mine = serverList.filter((k) => k.mine);
    expect(mine).toEqual([
      expect.objectContaining({
        id: onServer!.id,
        fingerprint: key.fingerprint,
        label: 'Work laptop',
        keyId: key.id,
      }),
    ]);
    expect(serverList.filter((k) => !k.mine).every((k) => k.keyId === undefined)).toBe(true);
  });

  it('a key already on the account is installed, already', async () => {
    const key = await handlers['keys.ssh.generate'](
      { type: 'keys.ssh.generate', keyType: 'ed25519', profileId },
      page,
    );
    const request = { type: 'keys.ssh.install', keyId: key.id, profileId } as const;
    await handlers['keys.ssh.install'](request, page);
    const again = await handlers['keys.ssh.install'](request, page);
    expect(again).toMatchObject({ installed: true, already: true });
    if (!again.installed) throw new Error('not installed');
    expect(again.key.installedOn).toHaveLength(1);
    expect(sim.model.sshKeys.filter((k) => k.fingerprint === key.fingerprint)).toHaveLength(1);
  });

  it('a key already on another account is refused with a sentence, not reported as installed', async () => {
    const key = await handlers['keys.ssh.generate'](
      { type: 'keys.ssh.generate', keyType: 'ed25519', profileId },
      page,
    );
    const bobToken = sim.createToken('bob', ['PROJECT_READ', 'REPO_WRITE']);
    const { profile: bob } = await profiles.connect(
      db,
      { serverUrl: sim.url, token: bobToken },
      { hostAccess },
    );
    await handlers['keys.ssh.install']({ type: 'keys.ssh.install', keyId: key.id, profileId: bob.id }, page);
    await expect(
      handlers['keys.ssh.install']({ type: 'keys.ssh.install', keyId: key.id, profileId }, page),
    ).rejects.toMatchObject({
      kind: 'conflict',
      message: expect.stringContaining('another Bitbucket account'),
    });
    expect((await db.keys.get(key.id))?.installedOn.map((i) => i.profileId)).toEqual([bob.id]);
  });

  it('when tokens may not add keys: needsSession with the permission sentence, nothing marked broken', async () => {
    sim.model.keySettings.tokensMayAddKeys = false;
    const key = await handlers['keys.ssh.generate'](
      { type: 'keys.ssh.generate', keyType: 'ed25519', profileId },
      page,
    );
    const before = await db.profiles.get(profileId);
    const answer = await handlers['keys.ssh.install'](
      { type: 'keys.ssh.install', keyId: key.id, profileId },
      page,
    );
    expect(answer).toEqual({
      installed: false,
      needsSession: true,
      message: expect.stringContaining('add the key on your account page in Bitbucket'),
    });
    if (answer.installed) throw new Error('installed');
    expect(answer.message).toContain('adding an SSH key');
    expect(answer.message).not.toMatch(/rejected the access token|replace it/);
    expect(await db.profiles.get(profileId)).toEqual(before);
    expect((await db.keys.get(key.id))?.installedOn).toEqual([]);
    expect(sim.model.sshKeys.some((k) => k.fingerprint === key.fingerprint)).toBe(false);
  });

  it('removing a profile forgets where its keys were installed, and keeps the keys', async () => {
    const key = await handlers['keys.ssh.generate'](
      { type: 'keys.ssh.generate', keyType: 'ed25519', profileId },
      page,
    );
    await handlers['keys.ssh.install']({ type: 'keys.ssh.install', keyId: key.id, profileId }, page);
    expect((await db.keys.get(key.id))?.installedOn.map((i) => i.profileId)).toEqual([profileId]);
    await profiles.remove(db, profileId);
    await forgetInstallations(db, profileId);
    expect((await db.keys.get(key.id))?.installedOn).toEqual([]);
  });

  it('removes a key from the extension only', async () => {
    const key = await handlers['keys.ssh.generate'](
      { type: 'keys.ssh.generate', keyType: 'ed25519', profileId },
      page,
    );
    await handlers['keys.ssh.install']({ type: 'keys.ssh.install', keyId: key.id, profileId }, page);
    expect(await handlers['keys.remove']({ type: 'keys.remove', keyId: key.id }, page)).toEqual({
      removed: true,
    });
    expect(await handlers['keys.list']({ type: 'keys.list' }, page)).toEqual([]);
    expect(await handlers['keys.remove']({ type: 'keys.remove', keyId: key.id }, page)).toEqual({
      removed: false,
    });
    expect(sim.model.sshKeys.some((k) => k.fingerprint === key.fingerprint)).toBe(true);
  });

  it('never hands a private key file to a content script', async () => {
    const key = await handlers['keys.ssh.generate'](
      { type: 'keys.ssh.generate', keyType: 'ed25519', profileId },
      page,
    );
    await expect(
      handlers['keys.ssh.privateKey']({ type: 'keys.ssh.privateKey', keyId: key.id }, contentScript),
    ).rejects.toMatchObject({ kind: 'refused' });
  });

  it('names the private key file after the type and host', () => {
    expect(privateKeyFileName({ type: 'ed25519', comment: 'alice@git.example.com' })).toBe(
      'id_ed25519_git.example.com',
    );
    expect(privateKeyFileName({ type: 'rsa', comment: 'alice@../x y' })).toBe('id_rsa_x_y');
    expect(privateKeyFileName({ type: 'rsa', comment: 'no host' })).toBe('id_rsa');
  });
});

const keygen = spawnSync('ssh-keygen', ['-?'], { encoding: 'utf8' });
const hasKeygen = !keygen.error;
const withKeygen = hasKeygen ? it : it.skip;
if (!hasKeygen) console.warn('[keys-handlers] ssh-keygen is not installed: private key files not checked');

describe('private key file round trip', () => {
  it.runIf(!hasKeygen && process.env.CI === 'true')('has ssh-keygen on CI', () => {
    throw new Error('CI=true but ssh-keygen is not installed (openssh-client)');
  });

  /** What `ssh-keygen -y` prints for a private key file written 0600. */
  function publicLineOf(text: string, passphrase = ''): string {
    const file = path.join(tmp, `key-${Math.random().toString(36).slice(2)}`);
    writeFileSync(file, text, { mode: 0o600 });
    const out = spawnSync('ssh-keygen', ['-y', '-P', passphrase, '-f', file], { encoding: 'utf8' });
    if (out.status !== 0) throw new Error(`ssh-keygen -y failed: ${out.stderr}`);
    return out.stdout.trim();
  }

  withKeygen(
    'ssh-keygen reads the Ed25519 file back to the stored public line, with and without a passphrase',
    async () => {
      const key = await handlers['keys.ssh.generate'](
        { type: 'keys.ssh.generate', keyType: 'ed25519', profileId },
        page,
      );
      // What the options page does: ask for the material, write the file (sealed when asked).
      const exported = await handlers['keys.ssh.privateKey'](
        { type: 'keys.ssh.privateKey', keyId: key.id },
        page,
      );
      expect(exported.fileName).toBe(`id_ed25519_${host()}`);
      const plain = await privateKeyFile(exported.material, exported.comment);
      expect(plain).toMatch(/^-----BEGIN OPENSSH PRIVATE KEY-----\n/);
      expect(publicLineOf(plain)).toBe(key.publicLine);

      const sealed = await privateKeyFile(exported.material, exported.comment, 'correct horse battery');
      expect(publicLineOf(sealed, 'correct horse battery')).toBe(key.publicLine);
    },
  );

  withKeygen('ssh-keygen reads the RSA file back to the stored public line', async () => {
    const key = await handlers['keys.ssh.generate'](
      { type: 'keys.ssh.generate', keyType: 'rsa', bits: 3072, profileId },
      page,
    );
    expect(key).toMatchObject({ type: 'rsa', bits: 3072 });
    const exported = await handlers['keys.ssh.privateKey'](
      { type: 'keys.ssh.privateKey', keyId: key.id },
      page,
    );
    expect(exported.fileName).toBe(`id_rsa_${host()}`);
    expect(publicLineOf(await privateKeyFile(exported.material, exported.comment))).toBe(key.publicLine);
  });
});
