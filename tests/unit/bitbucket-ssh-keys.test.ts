import { generateKey } from 'openpgp';
import * as v from 'valibot';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { BitbucketClient } from '../../lib/bitbucket/client';
import { addGpgKey, deleteGpgKey, listGpgKeys } from '../../lib/bitbucket/gpg-keys';
import {
  addSshKey,
  deleteSshKey,
  getSshSettings,
  listSshKeys,
  SshKeySchema,
  sshEndpoint,
  sshKeyRefusal,
} from '../../lib/bitbucket/ssh-keys';
import { generateSshKey } from '../../lib/features/keys/ssh-generate';
import { type Simulator, startSimulator } from '../../simulator/index';
import { expectFailure } from './support/bitbucket-failure';
import { closeChecked } from './support/simulator-checks';

let sim: Simulator;
beforeAll(async () => {
  sim = await startSimulator({ strict: true });
});
afterAll(() => closeChecked(sim));
afterEach(() => {
  sim.model.keySettings.tokensMayAddKeys = false;
  sim.model.keySettings.sshKeyPolicy = {};
  sim.model.keySettings.sshEnabled = true;
  delete sim.model.keySettings.gpgKeyPolicy;
});

const clientOf = (token: string) => new BitbucketClient({ baseUrl: sim.url, token });
const aliceToken = () => sim.createToken('alice', ['PROJECT_READ', 'REPO_WRITE']);
const freshLine = async (comment = 'alice@laptop') =>
  (await generateSshKey({ type: 'ed25519' }, comment)).publicLine;

describe('SSH keys REST', () => {
  it('adds, lists and deletes a key when the server lets tokens change keys', async () => {
    sim.model.keySettings.tokensMayAddKeys = true;
    const client = clientOf(aliceToken());
    const generated = await generateSshKey({ type: 'ed25519' }, 'alice@laptop');
    const result = await addSshKey(client, { text: generated.publicLine, label: 'Laptop' });
    expect(result.status).toBe('added');
    if (result.status !== 'added') return;
    expect(result.key).toMatchObject({
      text: generated.publicLine,
      label: 'Laptop',
      fingerprint: generated.fingerprint,
      algorithmType: 'ED25519',
      bitLength: 256,
    });
    expect(typeof result.key.createdDate).toBe('number');
    const listed = await listSshKeys(client);
    expect(listed.map((k) => k.fingerprint)).toContain(generated.fingerprint);

    await deleteSshKey(client, result.key.id);
    expect((await listSshKeys(client)).map((k) => k.id)).not.toContain(result.key.id);
    // Deleting again is no failure: the server says "was deleted or did not exist".
    await deleteSshKey(client, result.key.id);
  });

  it('maps a token refused key changes to missing-permission, never bad-token', async () => {
    const token = aliceToken();
    const e = await expectFailure(addSshKey(clientOf(token), { text: await freshLine() }), token);
    expect(e.kind).toBe('missing-permission');
    expect(e.status).toBe(401);
    expect(e.message).toContain('adding an SSH key');
    expect(e.message).toContain('add the key on your account page in Bitbucket');
    // Reading still works with the same token: it is not broken.
    await expect(listSshKeys(clientOf(token))).resolves.toBeInstanceOf(Array);
    const del = await expectFailure(deleteSshKey(clientOf(token), 1), token);
    expect(del.kind).toBe('missing-permission');
  });

  it('reports a key already on the server as already-added, not as a failure', async () => {
    sim.model.keySettings.tokensMayAddKeys = true;
    const client = clientOf(aliceToken());
    const text = await freshLine();
    expect((await addSshKey(client, { text })).status).toBe('added');
    const again = await addSshKey(client, { text, label: 'twice' });
    expect(again).toEqual({ status: 'already-added', message: expect.stringContaining('already') });
  });

  it('quotes the server’s reason when its key policy refuses the key', async () => {
    sim.model.keySettings.tokensMayAddKeys = true;
    sim.model.keySettings.sshKeyPolicy = { maxExpiryDays: 90 };
    const token = aliceToken();
    const e = await expectFailure(addSshKey(clientOf(token), { text: await freshLine() }), token);
    expect(e.kind).toBe('bad-request');
    expect(e.message).toContain('An expiry is required for SSH keys');
    const ok = await addSshKey(clientOf(token), { text: await freshLine(), expiryDays: 30 });
    expect(ok.status === 'added' && ok.key.expiryDays).toBe(30);

    sim.model.keySettings.sshKeyPolicy = { allowed: ['RSA'] };
    const refused = await expectFailure(addSshKey(clientOf(token), { text: await freshLine() }), token);
    expect(refused.message).toContain('ED25519 keys are not allowed');
  });

  it('tells a forced expiry from a key type or length refusal, with the server’s sentence', async () => {
    sim.model.keySettings.tokensMayAddKeys = true;
    const token = aliceToken();
    const client = clientOf(token);
    sim.model.keySettings.sshKeyPolicy = { maxExpiryDays: 90 };
    const missing = await expectFailure(addSshKey(client, { text: await freshLine() }), token);
    // The real server's shape: 400, the validation exception, the field in `context`.
    expect(missing.status).toBe(400);
    expect(sshKeyRefusal(missing)).toEqual({
      reason: 'expiry',
      maxDays: 90,
      message: 'An expiry is required for SSH keys: set expiryDays to at most 90 days.',
    });
    const tooLong = await expectFailure(
      addSshKey(client, { text: await freshLine(), expiryDays: 365 }),
      token,
    );
    expect(sshKeyRefusal(tooLong)).toMatchObject({ reason: 'expiry', maxDays: 90 });

    sim.model.keySettings.sshKeyPolicy = { allowed: ['RSA'], minBits: { RSA: 4096 } };
    const type = await expectFailure(addSshKey(client, { text: await freshLine() }), token);
    expect(sshKeyRefusal(type)).toEqual({
      reason: 'policy',
      message: 'ED25519 keys are not allowed. Allowed key types: RSA.',
    });
    const rsa3072 = (await generateSshKey({ type: 'rsa', bits: 3072 }, 'alice@laptop')).publicLine;
    const short = await expectFailure(addSshKey(client, { text: rsa3072 }), token);
    expect(sshKeyRefusal(short)).toMatchObject({
      reason: 'policy',
      message: expect.stringContaining('4096 bits'),
    });
  });

  it('reports when a key last authenticated, and no time for a key never used', async () => {
    const keys = await listSshKeys(clientOf(aliceToken()));
    const seeded = keys.find((k) => k.label === 'laptop');
    // Seeded as used two days ago; the server sends epoch ms as a string of digits.
    expect(seeded?.lastAuthenticated).toBeGreaterThan(Date.now() - 3 * 24 * 3600_000);
    expect(seeded?.lastAuthenticated).toBeLessThan(Date.now() - 24 * 3600_000);
    expect(seeded?.createdDate).toBeLessThan(Date.now() - 39 * 24 * 3600_000);
  });

  it('reads the SSH settings', async () => {
    const settings = await getSshSettings(clientOf(aliceToken()));
    expect(settings.enabled).toBe(true);
    expect(settings.port).toBe(7999);
    expect(settings.baseUrl).toMatch(/^ssh:\/\//);
    expect(sshEndpoint(settings, sim.url)).toEqual({ host: '127.0.0.1', port: 7999, user: 'git' });

    sim.model.keySettings.sshEnabled = false;
    expect((await getSshSettings(clientOf(aliceToken()))).enabled).toBe(false);
  });

  it('finds the SSH host, port and user in the settings as real servers write them', () => {
    const server = 'https://git.example.com/bitbucket';
    expect(
      sshEndpoint({ enabled: true, baseUrl: 'ssh://git@ssh.example.com:7999', port: 7999 }, server),
    ).toEqual({
      host: 'ssh.example.com',
      port: 7999,
      user: 'git',
    });
    // The spec's example: no user and no port in baseUrl, the port beside it.
    expect(sshEndpoint({ enabled: true, baseUrl: 'ssh://example.com', port: 7999 }, server)).toEqual({
      host: 'example.com',
      port: 7999,
      user: 'git',
    });
    expect(sshEndpoint({ enabled: true, baseUrl: 'ssh://git@example.com:2222' }, server)).toMatchObject({
      port: 2222,
    });
    expect(sshEndpoint({ enabled: true, baseUrl: null, port: null }, server)).toEqual({
      host: 'git.example.com',
      port: 22,
      user: 'git',
    });
  });

  it('accepts createdDate and lastAuthenticated as date-time strings or epoch ms', () => {
    const base = { id: 1, text: 'ssh-ed25519 AAAA x' };
    const at = Date.UTC(2026, 0, 2, 3, 4, 5);
    expect(v.parse(SshKeySchema, { ...base, createdDate: new Date(at).toISOString() }).createdDate).toBe(at);
    expect(v.parse(SshKeySchema, { ...base, createdDate: at }).createdDate).toBe(at);
    expect(v.parse(SshKeySchema, { ...base, lastAuthenticated: String(at) }).lastAuthenticated).toBe(at);
    expect(v.parse(SshKeySchema, { ...base, createdDate: null }).createdDate).toBeNull();
  });
});

describe('GPG keys REST', () => {
  it('adds, lists and deletes a key by fingerprint', async () => {
    sim.model.keySettings.tokensMayAddKeys = true;
    const client = clientOf(aliceToken());
    const { publicKey } = await generateKey({
      type: 'ecc',
      curve: 'ed25519Legacy',
      userIDs: [{ name: 'Alice', email: 'alice@example.com' }],
      format: 'armored',
    });
    const added = await addGpgKey(client, { text: publicKey });
    expect(added.emailAddress).toBe('alice@example.com');
    expect((await listGpgKeys(client)).map((k) => k.fingerprint)).toContain(added.fingerprint);
    const token = aliceToken();
    const duplicate = await expectFailure(addGpgKey(clientOf(token), { text: publicKey }), token);
    expect(duplicate.kind).toBe('bad-request');
    expect(duplicate.message).toContain('already exists');
    await deleteGpgKey(client, added.fingerprint);
    expect((await listGpgKeys(client)).map((k) => k.fingerprint)).not.toContain(added.fingerprint);
  });

  it('maps a token refused GPG key changes to missing-permission', async () => {
    const token = aliceToken();
    const e = await expectFailure(addGpgKey(clientOf(token), { text: 'not a key' }), token);
    expect(e.kind).toBe('missing-permission');
    expect(e.message).toContain('adding a GPG key');
    const del = await expectFailure(deleteGpgKey(clientOf(token), '26FE721C18288230'), token);
    expect(del.kind).toBe('missing-permission');
    expect(del.message).toContain('removing a GPG key');
    expect(del.message).toContain('remove the key on your account page in Bitbucket');
    // Alice's seeded key is still there.
    expect(sim.model.gpgKey('26FE721C18288230')).toBeDefined();
  });

  it('quotes the server refusing an EdDSA key, and takes an RSA one', async () => {
    sim.model.keySettings.tokensMayAddKeys = true;
    sim.model.keySettings.gpgKeyPolicy = { allowed: ['RSA', 'DSA'] };
    const token = aliceToken();
    const userIDs = [{ name: 'Alice', email: 'alice@example.com' }];
    const eddsa = await generateKey({ type: 'ecc', curve: 'ed25519Legacy', userIDs, format: 'armored' });
    const e = await expectFailure(addGpgKey(clientOf(token), { text: eddsa.publicKey }), token);
    expect(e.kind).toBe('bad-request');
    expect(e.message).toContain('EdDSA keys are not supported. Supported GPG key algorithms: RSA, DSA.');
    const rsa = await generateKey({ type: 'rsa', rsaBits: 2048, userIDs, format: 'armored' });
    const added = await addGpgKey(clientOf(token), { text: rsa.publicKey });
    await deleteGpgKey(clientOf(token), added.id);
    expect(sim.model.gpgKey(added.fingerprint)).toBeUndefined();
  });
});
