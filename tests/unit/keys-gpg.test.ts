import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { HandlerContext } from '../../lib/background/router';
import type { CompanionDb } from '../../lib/db/schema';
import { generateGpgKey } from '../../lib/features/keys/gpg-generate';
import type { Simulator } from '../../simulator/index';
import { connectAlice, type KeysHandlers, startKeysSimulator, stopKeysSimulator } from './support/keys-bench';

const page: HandlerContext = { from: 'extension-page' };
const contentScript: HandlerContext = { from: 'content-script', tabId: 1, origin: 'http://127.0.0.1' };
const passphrase = 'correct horse battery';

// gpg is on Debian by default; locally its absence skips the gpg checks, in CI it fails them.
const gpgMissing = spawnSync('gpg', ['--version']).status !== 0;
if (gpgMissing && process.env.CI === 'true') throw new Error('CI=true but gpg is not installed');
if (gpgMissing) console.warn('keys-gpg: gpg is not installed; the gpg import and signing checks skip');

let sim: Simulator;
let tmp: string;
beforeAll(async () => {
  ({ sim, tmp } = await startKeysSimulator('keys-gpg'));
});
afterAll(() => stopKeysSimulator(sim, tmp));

let db: CompanionDb;
let handlers: KeysHandlers;
let profileId: string;
let token: string;
beforeEach(async () => {
  sim.model.keySettings.tokensMayAddKeys = true;
  ({ db, handlers, profileId, token } = await connectAlice(sim, 'keys-gpg'));
});
afterEach(async () => {
  await db.delete();
});

async function saved() {
  const profile = await db.profiles.get(profileId);
  const email = profile?.user.emailAddress ?? 'alice@example.com';
  const generated = await generateGpgKey({ name: profile?.user.displayName ?? 'Alice', email, passphrase });
  const key = await handlers['keys.gpg.save'](
    { type: 'keys.gpg.save', ...generated, label: 'signing' },
    page,
  );
  return { generated, key, email, name: profile?.user.displayName ?? 'Alice' };
}

async function serverGpgKeys(): Promise<Array<{ id: string; fingerprint: string }>> {
  const res = await fetch(`${sim.url}/rest/gpg/1.0/keys`, { headers: { authorization: `Bearer ${token}` } });
  return ((await res.json()) as { values: Array<{ id: string; fingerprint: string }> }).values;
}

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv, cwd = tmp) {
  const result = spawnSync(cmd, args, { cwd, env: { ...process.env, ...env }, encoding: 'utf8' });
  return { ok: result.status === 0, out: `${result.stdout}\n${result.stderr}` };
}

describe('GPG keys', () => {
  it('saves a generated key sealed, lists it without its secret part', async () => {
    const { generated, key } = await saved();
    expect(key).toMatchObject({
      kind: 'gpg',
      label: 'signing',
      fingerprint: generated.fingerprint,
      keyId: generated.keyId,
      userId: generated.userId,
      installedOn: [],
    });
    expect(generated.fingerprint).toMatch(/^[0-9A-F]{40}$/);
    expect(generated.fingerprint.endsWith(generated.keyId)).toBe(true);
    const listed = await handlers['keys.list']({ type: 'keys.list' }, page);
    expect(listed).toEqual([key]);
    expect(JSON.stringify(listed)).not.toContain('PRIVATE KEY');
    const stored = await db.keys.get(key.id);
    expect(stored?.privateKey.data).toBeInstanceOf(ArrayBuffer);
    expect(JSON.stringify(stored)).not.toContain('PRIVATE KEY');
  });

  it('installs with the token: the server lists it with the same fingerprint; again is "already"', async () => {
    const { key } = await saved();
    const answer = await handlers['keys.gpg.install'](
      { type: 'keys.gpg.install', keyId: key.id, profileId },
      page,
    );
    expect(answer).toMatchObject({ installed: true, already: false });
    expect(
      (await serverGpgKeys()).map((k) => k.fingerprint.replace(/[^0-9A-F]/gi, '').toUpperCase()),
    ).toContain(key.fingerprint);
    const again = await handlers['keys.gpg.install'](
      { type: 'keys.gpg.install', keyId: key.id, profileId },
      page,
    );
    expect(again).toMatchObject({ installed: true, already: true });
    expect((await db.keys.get(key.id))?.installedOn.map((i) => i.profileId)).toEqual([profileId]);
  });

  it('when tokens may not add keys: needsSession, nothing installed', async () => {
    sim.model.keySettings.tokensMayAddKeys = false;
    const { key } = await saved();
    const before = (await serverGpgKeys()).length;
    const answer = await handlers['keys.gpg.install'](
      { type: 'keys.gpg.install', keyId: key.id, profileId },
      page,
    );
    expect(answer).toMatchObject({ installed: false, needsSession: true });
    expect((await serverGpgKeys()).length).toBe(before);
    expect((await db.keys.get(key.id))?.installedOn).toEqual([]);
  });

  it('hands the secret key to extension pages only; SSH requests refuse GPG keys', async () => {
    const { key } = await saved();
    await expect(
      handlers['keys.gpg.privateKey']({ type: 'keys.gpg.privateKey', keyId: key.id }, contentScript),
    ).rejects.toThrow(/extension’s own pages/);
    await expect(
      handlers['keys.ssh.privateKey']({ type: 'keys.ssh.privateKey', keyId: key.id }, page),
    ).rejects.toThrow(/no longer in the extension/);
    await expect(
      handlers['keys.ssh.install']({ type: 'keys.ssh.install', keyId: key.id, profileId }, page),
    ).rejects.toThrow(/no longer in the extension/);
  });

  it.skipIf(gpgMissing)(
    'gpg imports the downloaded secret key, and git signs a commit that verifies',
    async () => {
      const { key, email, name } = await saved();
      const { armoredPrivate, armoredPublic, keyId, fileName } = await handlers['keys.gpg.privateKey'](
        { type: 'keys.gpg.privateKey', keyId: key.id },
        page,
      );
      expect(armoredPrivate).toMatch(/^-----BEGIN PGP PRIVATE KEY BLOCK-----/);
      expect(armoredPublic).toBe(key.armoredPublic);
      expect(fileName).toBe(`gpg-${keyId}`);

      const home = mkdtempSync(path.join(tmp, 'gnupg-'));
      const passFile = path.join(tmp, 'pass');
      writeFileSync(passFile, passphrase);
      writeFileSync(path.join(home, 'gpg-agent.conf'), 'allow-loopback-pinentry\n');
      writeFileSync(path.join(home, 'gpg.conf'), `pinentry-mode loopback\npassphrase-file ${passFile}\n`);
      const secretFile = path.join(tmp, `${fileName}.secret.asc`);
      writeFileSync(secretFile, armoredPrivate);
      const env = { GNUPGHOME: home };
      try {
        // The secret key is protected: OpenPGP.js reads it as still encrypted.
        const openpgp = await import('openpgp');
        expect((await openpgp.readPrivateKey({ armoredKey: armoredPrivate })).isDecrypted()).toBe(false);

        const imported = run(
          'gpg',
          ['--batch', '--pinentry-mode', 'loopback', '--passphrase', passphrase, '--import', secretFile],
          env,
        );
        expect(imported.out).toMatch(/secret keys imported: 1/);
        const listed = run('gpg', ['--batch', '--with-colons', '--list-secret-keys'], env);
        expect(listed.ok).toBe(true);
        expect(listed.out).toContain(`fpr:::::::::${key.fingerprint}:`);
        expect(listed.out).toContain(`${name} <${email}>`);

        const repo = path.join(tmp, 'repo');
        const git = (...args: string[]) =>
          run('git', args, { ...env, GIT_CONFIG_NOSYSTEM: '1', HOME: tmp }, repo);
        expect(run('git', ['init', '-q', repo], env).ok).toBe(true);
        writeFileSync(path.join(repo, 'a.txt'), 'signed\n');
        expect(git('add', 'a.txt').ok).toBe(true);
        const commit = git(
          '-c',
          `user.name=${name}`,
          '-c',
          `user.email=${email}`,
          '-c',
          'gpg.program=gpg',
          '-c',
          `user.signingkey=${keyId}`,
          'commit',
          '-q',
          '-S',
          '-m',
          'signed',
        );
        expect(commit.out).not.toMatch(/error|failed/i);
        expect(commit.ok).toBe(true);
        const verified = git('verify-commit', '--raw', 'HEAD');
        expect(verified.ok).toBe(true);
        expect(verified.out).toContain(`VALIDSIG ${key.fingerprint}`);
      } finally {
        run('gpgconf', ['--kill', 'gpg-agent'], env);
      }
    },
  );
});
