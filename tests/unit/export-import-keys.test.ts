import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportProfiles, importProfiles } from '../../lib/background/export-import';
import { decryptText, encryptText } from '../../lib/background/passphrase-openpgp';
import type { CompanionDb, KeyRecord, ProfileRecord } from '../../lib/db/schema';
import { generateGpgKey } from '../../lib/features/keys/gpg-generate';
import {
  exportGpgSecretKey,
  exportPrivateKeyMaterial,
  type GeneratedGpgKey,
  recordInstallation,
  saveGeneratedSshKey,
  saveGpgKey,
} from '../../lib/features/keys/key-store';
import { privateKeyFile } from '../../lib/features/keys/private-key-file';
import { type GeneratedSshKey, generateSshKey } from '../../lib/features/keys/ssh-generate';
import { LIMITS } from '../../lib/messaging/limits';
import { withoutCheckInts } from './support/openssh-check-ints';
import { aliceProfile, freshDbs } from './support/profile-records';

/**
 * SSH and GPG keys in the profiles file: with a passphrase every key travels (private part inside
 * the encrypted message) and comes back exactly, installations on this browser's profiles; without
 * one no key is in the file; a changed key record refuses the whole import.
 */

const PASSPHRASE = 'plum kettle orbit seventeen';

const freshDb = freshDbs('export-keys');

// Generated once for the file: RSA 4096 takes a moment.
let ed25519: GeneratedSshKey;
let otherEd25519: GeneratedSshKey;
let rsa: GeneratedSshKey;
let gpg: GeneratedGpgKey;
let otherGpg: GeneratedGpgKey;
let tmp: string;
beforeAll(async () => {
  [ed25519, otherEd25519, rsa, gpg, otherGpg] = await Promise.all([
    generateSshKey({ type: 'ed25519' }, 'alice@git.example.com'),
    generateSshKey({ type: 'ed25519' }, 'bob@10.0.0.5'),
    generateSshKey({ type: 'rsa', bits: 4096 }, 'alice@git.example.com'),
    generateGpgKey({ name: 'Alice Ångström', email: 'alice@example.com', passphrase: 'gpg secret 1' }),
    generateGpgKey({ name: 'Bob', email: 'bob@example.com', passphrase: 'gpg secret 2' }),
  ]);
  tmp = mkdtempSync(path.join(tmpdir(), 'export-keys-'));
}, 60_000);
afterAll(() => {
  rmSync(tmp, { recursive: true, force: true });
});

const profile = (db: CompanionDb, over: Partial<ProfileRecord> = {}) =>
  aliceProfile(db, 'MTAwMDAwMDAwMTAxOobvReo/u2RlU4c1KNCJMbJCpfcn', over);

const bobProfile = (db: CompanionDb) =>
  profile(db, {
    label: 'Bob',
    baseUrl: 'http://10.0.0.5:7990',
    origin: 'http://10.0.0.5:7990',
    user: { id: 2, name: 'bob', slug: 'bob', displayName: 'Bob' },
  });

/**
 * A browser with Alice's and Bob's profiles and three keys: Ed25519 installed on Alice's server,
 * RSA 4096 on none, GPG on Bob's.
 */
async function browserWithKeys() {
  const db = freshDb();
  const alice = await profile(db);
  const bob = await bobProfile(db);
  await db.profiles.bulkAdd([alice, bob]);
  const ssh = await saveGeneratedSshKey(db, ed25519, 'work laptop', 1_700_000_000_000);
  const big = await saveGeneratedSshKey(db, rsa, 'legacy server', 1_700_000_100_000);
  const signing = await saveGpgKey(db, gpg, 'signing', 1_700_000_200_000);
  await recordInstallation(db, ssh.id, {
    profileId: alice.id,
    serverKeyId: 17,
    installedAt: 1_700_000_300_000,
  });
  await recordInstallation(db, signing.id, { profileId: bob.id, installedAt: 1_700_000_400_000 });
  return { db, alice, bob, ids: { ssh: ssh.id, rsa: big.id, gpg: signing.id } };
}

/** A key's record without what differs between browsers: its id, sealed part and profile ids. */
function portable(record: KeyRecord) {
  const { id: _id, privateKey: _sealed, installedOn: _installed, ...rest } = record;
  return rest;
}

const keygen = spawnSync('ssh-keygen', ['-?'], { encoding: 'utf8' });
const hasKeygen = !keygen.error;

/** What `ssh-keygen -y` prints for a private key file (or undefined without ssh-keygen). */
function publicLineFromFile(file: string, name: string): string | undefined {
  if (!hasKeygen) return undefined;
  const at = path.join(tmp, name);
  writeFileSync(at, file, { mode: 0o600 });
  const out = spawnSync('ssh-keygen', ['-y', '-f', at], { encoding: 'utf8' });
  if (out.status !== 0) throw new Error(`ssh-keygen -y failed: ${out.stderr}`);
  return out.stdout.trim();
}

describe('keys in the profiles file', () => {
  it('round-trips an Ed25519, an RSA and a GPG key into a fresh browser, exactly and usable', async () => {
    const source = await browserWithKeys();
    const exported = await exportProfiles(source.db, PASSPHRASE);
    expect(exported).toMatchObject({ withTokens: true, count: 2, keys: 3, keysLeftOut: 0 });
    // The file is one OpenPGP message: nothing of the keys shows outside it.
    expect(exported.content).not.toContain(ed25519.publicLine.split(' ')[1]);
    expect(exported.content).not.toContain('PRIVATE KEY');

    const target = freshDb();
    const result = await importProfiles(target, exported.content, PASSPHRASE);
    expect(result).toEqual({ added: 2, updated: 0, withoutToken: [], keysAdded: 3, keysAlready: 0 });

    const before = (await source.db.keys.toArray()).sort((a, b) => a.createdAt - b.createdAt);
    const after = (await target.keys.toArray()).sort((a, b) => a.createdAt - b.createdAt);
    expect(after.map(portable)).toEqual(before.map(portable));
    expect(after.map((k) => k.label)).toEqual(['work laptop', 'legacy server', 'signing']);

    // Installations name the profiles of this browser, whose ids are new.
    const targetProfiles = await target.profiles.toArray();
    const idOf = (slug: string) => targetProfiles.find((p) => p.user.slug === slug)?.id;
    expect(idOf('alice')).not.toBe(source.alice.id);
    expect(after[0]?.installedOn).toEqual([
      { profileId: idOf('alice'), serverKeyId: 17, installedAt: 1_700_000_300_000 },
    ]);
    expect(after[1]?.installedOn).toEqual([]);
    expect(after[2]?.installedOn).toEqual([{ profileId: idOf('bob'), installedAt: 1_700_000_400_000 }]);

    // The private parts are the same: the key files the options page writes are the same files.
    for (const [index, name] of [
      [0, 'id_ed25519'],
      [1, 'id_rsa'],
    ] as const) {
      const was = await exportPrivateKeyMaterial(source.db, before[index]!.id);
      const is = await exportPrivateKeyMaterial(target, after[index]!.id);
      expect(is).toEqual(was);
      const fileBefore = await privateKeyFile(was!.material, was!.comment);
      const fileAfter = await privateKeyFile(is!.material, is!.comment);
      expect(withoutCheckInts(fileAfter)).toBe(withoutCheckInts(fileBefore));
      const line = publicLineFromFile(fileAfter, name);
      if (line !== undefined) expect(line).toBe(after[index]!.kind === 'ssh' && after[index]!.publicLine);
    }
    expect(await exportGpgSecretKey(target, after[2]!.id)).toBe(gpg.armoredPrivate.trim());
  }, 30_000);

  it('an export without a passphrase holds no key at all and says how many it left out', async () => {
    const source = await browserWithKeys();
    const exported = await exportProfiles(source.db, undefined);
    expect(exported).toMatchObject({ withTokens: false, keys: 0, keysLeftOut: 3 });
    const text = exported.content;
    const parsed = JSON.parse(text) as Record<string, unknown>;
    expect(parsed.keys).toBeUndefined();
    const ed = ed25519.privateKey.type === 'ed25519' ? ed25519.privateKey : undefined;
    const secretParts = [
      Buffer.from(ed!.seed).toString('base64'),
      rsa.privateKey.type === 'rsa' ? Buffer.from(rsa.privateKey.d).toString('base64').slice(0, 40) : '',
      'PRIVATE KEY',
      gpg.armoredPrivate.split('\n').find((l) => l.length > 60)!,
      ed25519.publicLine.split(' ')[1]!,
      gpg.fingerprint,
    ];
    for (const part of secretParts) expect(text).not.toContain(part);

    const target = freshDb();
    expect(await importProfiles(target, text, undefined)).toMatchObject({ added: 2, keysAdded: 0 });
    expect(await target.keys.count()).toBe(0);
  });

  it('a key already in this browser is not doubled; it gains the installations it did not know of', async () => {
    const source = await browserWithKeys();
    const exported = await exportProfiles(source.db, PASSPHRASE);

    // Into the same browser: every key is already there.
    expect(await importProfiles(source.db, exported.content, PASSPHRASE)).toMatchObject({
      added: 0,
      updated: 2,
      keysAdded: 0,
      keysAlready: 3,
    });
    expect(await source.db.keys.count()).toBe(3);

    // A browser that already has Alice's profile (its own id) and the Ed25519 key, not installed.
    const target = freshDb();
    const ownAlice = await profile(target, { label: 'Mine' });
    await target.profiles.add(ownAlice);
    const own = await saveGeneratedSshKey(target, ed25519, 'my label here');
    const result = await importProfiles(target, exported.content, PASSPHRASE);
    expect(result).toMatchObject({ added: 1, updated: 1, keysAdded: 2, keysAlready: 1 });
    expect(await target.keys.count()).toBe(3);
    const kept = await target.keys.get(own.id);
    expect(kept?.label).toBe('my label here');
    expect(kept?.installedOn).toEqual([
      { profileId: ownAlice.id, serverKeyId: 17, installedAt: 1_700_000_300_000 },
    ]);
    expect((await target.profiles.get(ownAlice.id))?.user.slug).toBe('alice');
  });

  it('an RSA 4096 key adds a few KB: a file at the import limit holds hundreds of keys', async () => {
    const db = freshDb();
    await db.profiles.add(await profile(db));
    const without = (await exportProfiles(db, PASSPHRASE)).content.length;
    await saveGeneratedSshKey(db, rsa, 'x'.repeat(200));
    const withKey = (await exportProfiles(db, PASSPHRASE)).content.length;
    const perKey = withKey - without;
    expect(perKey).toBeLessThan(8_000);
    expect(LIMITS.importFile / perKey).toBeGreaterThan(600);
  });

  it('a version 1 file (from before keys) still imports', async () => {
    const db = freshDb();
    const file = JSON.stringify({
      format: 'bitbucket-server-companion/profiles',
      version: 1,
      exportedAt: '2026-11-01T00:00:00.000Z',
      profiles: [
        {
          label: 'Old',
          baseUrl: 'https://git.example.com',
          user: { id: 9, name: 'zed', slug: 'zed', displayName: 'Zed' },
          server: { version: '9.4.13', displayName: 'x', support: 'supported' },
          access: { repoRead: true, repoWrite: false, repoAdmin: false, projectAdmin: false },
          createdAt: 1,
          lastUsedAt: 1,
        },
      ],
    });
    expect(await importProfiles(db, file, undefined)).toEqual({
      added: 1,
      updated: 0,
      withoutToken: ['Old'],
      keysAdded: 0,
      keysAlready: 0,
    });
  });
});

describe('a changed key record refuses the whole import, naming it', () => {
  type FileJson = { keys: Array<Record<string, unknown>> };
  /** The file of browserWithKeys, opened, changed by `change`, and encrypted again. */
  async function tampered(change: (file: FileJson) => void): Promise<string> {
    const source = await browserWithKeys();
    const exported = await exportProfiles(source.db, PASSPHRASE);
    const file = JSON.parse(await decryptText(exported.content, PASSPHRASE)) as FileJson;
    change(file);
    return encryptText(JSON.stringify(file), PASSPHRASE);
  }
  const sshPrivate = (file: FileJson, i: number) => file.keys[i]!.privateKey as Record<string, string>;

  it.each<[string, (file: FileJson) => void, RegExp]>([
    [
      'an Ed25519 seed replaced',
      (f) => {
        const o = otherEd25519.privateKey;
        sshPrivate(f, 0).seed = o.type === 'ed25519' ? Buffer.from(o.seed).toString('base64') : '';
      },
      /^Key 1 \(“work laptop”\) in this file is damaged or was changed: its private key does not belong to its public key\./,
    ],
    [
      'an RSA private exponent changed',
      (f) => {
        const d = Buffer.from(sshPrivate(f, 1).d!, 'base64');
        d[d.length - 1] = d[d.length - 1]! ^ 1;
        sshPrivate(f, 1).d = d.toString('base64');
      },
      /^Key 2 \(“legacy server”\) .*: its private key does not belong to its public key\./,
    ],
    [
      'a public line of another key',
      (f) => {
        f.keys[0]!.publicLine = otherEd25519.publicLine.replace('bob@10.0.0.5', 'alice@git.example.com');
      },
      /^Key 1 \(“work laptop”\) .*: its public key is not the one its private key makes\./,
    ],
    [
      'a changed SSH fingerprint',
      (f) => {
        f.keys[0]!.fingerprint = otherEd25519.fingerprint;
      },
      /^Key 1 .*: its fingerprint is not its public key’s\./,
    ],
    [
      'a GPG fingerprint of another key',
      (f) => {
        f.keys[2]!.fingerprint = otherGpg.fingerprint;
      },
      /^Key 3 \(“signing”\) .*: its fingerprint is not its public key’s\./,
    ],
    [
      'the secret key of another GPG key',
      (f) => {
        f.keys[2]!.armoredPrivate = otherGpg.armoredPrivate;
      },
      /^Key 3 \(“signing”\) .*: its secret key does not belong to its public key\./,
    ],
    [
      'a seed that is not base64',
      (f) => {
        sshPrivate(f, 0).seed = 'not base64!';
      },
      /^Key 1 \(“work laptop”\) in this file is damaged or was changed \(privateKey\.seed is not what an export writes\)\./,
    ],
    [
      'a key of an unknown kind',
      (f) => {
        f.keys[1]!.kind = 'x509';
      },
      /^Key 2 \(“legacy server”\) in this file is damaged or was changed \(kind is not what an export writes\)\./,
    ],
    [
      'an installation on a profile the file does not hold',
      (f) => {
        (f.keys[0]!.installedOn as Array<Record<string, unknown>>)[0]!.userSlug = 'mallory';
      },
      /^Key 1 \(“work laptop”\) in this file is installed on a profile the file does not hold \(mallory on https:\/\/git\.example\.com\/bitbucket\)\./,
    ],
  ])('%s', async (_what, change, why) => {
    const content = await tampered(change);
    const target = freshDb();
    const error = await importProfiles(target, content, PASSPHRASE).catch((e: unknown) => e);
    expect(error).toMatchObject({ kind: 'bad-file' });
    expect((error as Error).message).toMatch(why);
    expect((error as Error).message).toMatch(/Nothing was imported\.$/);
    expect(await target.profiles.count()).toBe(0);
    expect(await target.keys.count()).toBe(0);
  });
});
