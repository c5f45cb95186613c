import { spawnSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { generateKey } from 'openpgp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SEED_TOKENS, type Simulator, startSimulator } from '../../simulator/index';
import type { Page } from '../../simulator/json';
import { parseGpgPublicKey, parseSshPublicKey } from '../../simulator/keys';
import { closeChecked } from './support/simulator-checks';

interface SshKeyJson {
  id: number;
  text: string;
  label: string;
  fingerprint: string;
  algorithmType: string;
  bitLength: number;
  createdDate: string;
  expiryDays?: number;
}
interface GpgKeyJson {
  id: string;
  fingerprint: string;
  emailAddress: string;
  expiryDate?: number;
  subKeys: Array<{ fingerprint: string; expiryDate?: string }>;
}
interface ErrorBody {
  errors: Array<{ context: string | null; message: string; exceptionName: string | null }>;
}

// ───────────── key material ─────────────

function sshString(value: Buffer | string): Buffer {
  const bytes = typeof value === 'string' ? Buffer.from(value, 'latin1') : value;
  const length = Buffer.alloc(4);
  length.writeUInt32BE(bytes.length);
  return Buffer.concat([length, bytes]);
}
function mpint(unsigned: Buffer): Buffer {
  return sshString((unsigned[0] ?? 0) & 0x80 ? Buffer.concat([Buffer.from([0]), unsigned]) : unsigned);
}
const line = (type: string, blob: Buffer, comment?: string) =>
  `${type} ${blob.toString('base64')}${comment ? ` ${comment}` : ''}`;

/** An OpenSSH public key line of a fresh Ed25519 key made with Node's crypto. */
function ed25519Line(comment = 'me@laptop'): string {
  const { publicKey } = generateKeyPairSync('ed25519');
  const x = Buffer.from(publicKey.export({ format: 'jwk' }).x ?? '', 'base64url');
  return line('ssh-ed25519', Buffer.concat([sshString('ssh-ed25519'), sshString(x)]), comment);
}
function rsaBlob(bits: number): Buffer {
  const { publicKey } = generateKeyPairSync('rsa', { modulusLength: bits });
  const jwk = publicKey.export({ format: 'jwk' });
  return Buffer.concat([
    sshString('ssh-rsa'),
    mpint(Buffer.from(jwk.e ?? '', 'base64url')),
    mpint(Buffer.from(jwk.n ?? '', 'base64url')),
  ]);
}
function ecdsaLine(curve: 'nistp256' | 'nistp384' | 'nistp521'): string {
  const namedCurve = { nistp256: 'P-256', nistp384: 'P-384', nistp521: 'P-521' }[curve];
  const { publicKey } = generateKeyPairSync('ec', { namedCurve });
  const jwk = publicKey.export({ format: 'jwk' });
  const point = Buffer.concat([
    Buffer.from([4]),
    Buffer.from(jwk.x ?? '', 'base64url'),
    Buffer.from(jwk.y ?? '', 'base64url'),
  ]);
  const type = `ecdsa-sha2-${curve}`;
  return line(type, Buffer.concat([sshString(type), sshString(curve), sshString(point)]), 'ec@host');
}

// ───────────── ssh-keygen ─────────────

const keygenProbe = spawnSync('ssh-keygen', ['-?'], { encoding: 'utf8' });
const hasKeygen = !keygenProbe.error;
const keygenReason = 'ssh-keygen is not installed (openssh-client); fingerprints not compared with it';
if (!hasKeygen) console.warn(`[simulator-keys] skipped: ${keygenReason}`);
const withKeygen = hasKeygen ? it : it.skip;

let tmp: string;
beforeAll(() => {
  tmp = mkdtempSync(path.join(tmpdir(), 'sim-keys-'));
});
afterAll(() => {
  rmSync(tmp, { recursive: true, force: true });
});

/** `ssh-keygen -l -E sha256` of a public key line: "SHA256:…" and the bit length. */
function keygenFingerprint(text: string): { fingerprint: string; bits: number } {
  const file = path.join(tmp, `fp-${Math.random().toString(36).slice(2)}.pub`);
  writeFileSync(file, `${text}\n`);
  const out = spawnSync('ssh-keygen', ['-l', '-E', 'sha256', '-f', file], { encoding: 'utf8' });
  if (out.status !== 0) throw new Error(`ssh-keygen -l failed: ${out.stderr}`);
  const [bits = '', fingerprint = ''] = out.stdout.trim().split(/\s+/);
  return { fingerprint, bits: Number(bits) };
}

/** A key pair made by `ssh-keygen -t TYPE [-b BITS] -N ''`; its public key line. */
function keygenKey(type: string, bits?: number): string {
  const file = path.join(tmp, `${type}-${bits ?? ''}-${Math.random().toString(36).slice(2)}`);
  const args = [
    '-q',
    '-t',
    type,
    ...(bits ? ['-b', String(bits)] : []),
    '-N',
    '',
    '-C',
    `${type}@test`,
    '-f',
    file,
  ];
  const out = spawnSync('ssh-keygen', args, { encoding: 'utf8' });
  if (out.status !== 0) throw new Error(`ssh-keygen ${args.join(' ')} failed: ${out.stderr}`);
  return readFileSync(`${file}.pub`, 'utf8').trim();
}

describe('OpenSSH public key parsing', () => {
  it.runIf(!hasKeygen && process.env.CI === 'true')('has ssh-keygen on CI', () => {
    throw new Error(`CI=true but ${keygenReason}`);
  });

  withKeygen('gives ssh-keygen’s SHA-256 fingerprint and bit length for every supported type', () => {
    const lines = [
      ed25519Line(),
      keygenKey('ed25519'),
      keygenKey('rsa', 2048),
      keygenKey('rsa', 3072),
      line('ssh-rsa', rsaBlob(4096), 'node@rsa'),
      keygenKey('ecdsa', 256),
      keygenKey('ecdsa', 384),
      keygenKey('ecdsa', 521),
      ecdsaLine('nistp256'),
      ecdsaLine('nistp521'),
    ];
    const expected = [
      ['ED25519', 256],
      ['ED25519', 256],
      ['RSA', 2048],
      ['RSA', 3072],
      ['RSA', 4096],
      ['ECDSA', 256],
      ['ECDSA', 384],
      ['ECDSA', 521],
      ['ECDSA', 256],
      ['ECDSA', 521],
    ];
    lines.forEach((text, i) => {
      const parsed = parseSshPublicKey(text);
      if ('error' in parsed) throw new Error(`${text}: ${parsed.error}`);
      const keygen = keygenFingerprint(text);
      expect(`SHA256:${parsed.fingerprint}`, text).toBe(keygen.fingerprint);
      expect(parsed.bitLength, text).toBe(keygen.bits);
      expect([parsed.algorithm, parsed.bitLength]).toEqual(expected[i]);
    });
  });

  withKeygen('reads DSA keys when ssh-keygen still makes them', (ctx) => {
    let text: string;
    try {
      text = keygenKey('dsa');
    } catch {
      return ctx.skip('this ssh-keygen no longer makes DSA keys');
    }
    const parsed = parseSshPublicKey(text);
    if ('error' in parsed) throw new Error(parsed.error);
    expect([parsed.algorithm, parsed.bitLength]).toEqual(['DSA', 1024]);
    expect(`SHA256:${parsed.fingerprint}`).toBe(keygenFingerprint(text).fingerprint);
  });

  withKeygen('gives the seeded keys’ fingerprints as ssh-keygen does', () => {
    for (const text of [
      'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIC4VtAUlxGDigs0H8xg3otv5APxT3dQ6j06EwNS7bFDC alice@laptop',
      'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBH5bPpWSPicB/cC7Gra6KdBMsUzAldbjANdCzEixEYM bob@workstation',
    ]) {
      const parsed = parseSshPublicKey(text);
      expect('error' in parsed ? parsed.error : `SHA256:${parsed.fingerprint}`).toBe(
        keygenFingerprint(text).fingerprint,
      );
    }
  });

  it('keeps the comment and normalises the whitespace of the line', () => {
    const text = ed25519Line('me  at  home');
    const parsed = parseSshPublicKey(`  ${text.replace(' ', '\t')}  \n`);
    expect(parsed).toMatchObject({ type: 'ssh-ed25519', comment: 'me at home' });
    expect('text' in parsed && parsed.text).toBe(text.replace(/ +/g, ' '));
  });

  it('refuses what is not a valid public key', () => {
    const ed = ed25519Line();
    const [, data = ''] = ed.split(' ');
    const blob = Buffer.from(data, 'base64');
    const bad = [
      '',
      'hello world',
      'ssh-foo AAAAB3NzaC1yc2E= x',
      `ssh-rsa ${data} mismatched type`,
      'ssh-ed25519 not*base64 x',
      `ssh-ed25519 ${blob.subarray(0, 30).toString('base64')}`,
      `ssh-ed25519 ${Buffer.concat([blob, Buffer.from([0])]).toString('base64')}`,
      line('ssh-rsa', rsaBlob(512)),
      `${ed}\n${ed25519Line()}`,
      '-----BEGIN OPENSSH PRIVATE KEY-----',
      ecdsaLine('nistp256').replace(/^ecdsa-sha2-nistp256/, 'ecdsa-sha2-nistp384'),
    ];
    for (const text of bad) expect(parseSshPublicKey(text), text).toHaveProperty('error');
  });
});

// ───────────── REST ─────────────

let sim: Simulator;
beforeAll(async () => {
  sim = await startSimulator({ strict: true });
});
afterAll(() => closeChecked(sim));

const basic = (user: string, password = user) =>
  `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
const bearer = (token: string) => `Bearer ${token}`;

async function call<T>(
  method: string,
  urlPath: string,
  auth?: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: T }> {
  const res = await fetch(`${sim.url}${urlPath}`, {
    method,
    headers: {
      ...(auth ? { authorization: auth } : {}),
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...headers,
    },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T };
}

const notPermitted: ErrorBody = {
  errors: [
    {
      context: null,
      message: 'You are not permitted to access this resource',
      exceptionName: 'com.atlassian.bitbucket.AuthorisationException',
    },
  ],
};

async function sshKeysOf(auth: string, query = ''): Promise<SshKeyJson[]> {
  const { status, body } = await call<Page<SshKeyJson>>('GET', `/rest/ssh/1.0/keys${query}`, auth);
  expect(status).toBe(200);
  return body.values;
}

/** Runs `fn` with other key settings, then restores the defaults. */
async function withSettings(
  settings: Partial<Simulator['model']['keySettings']>,
  fn: () => Promise<void>,
): Promise<void> {
  const saved = { ...sim.model.keySettings };
  Object.assign(sim.model.keySettings, settings);
  try {
    await fn();
  } finally {
    Object.assign(sim.model.keySettings, saved);
  }
}

describe('simulator REST: SSH keys', () => {
  it('lists the seeded keys with their real fingerprints', async () => {
    const keys = await sshKeysOf(basic('alice'));
    expect(keys).toHaveLength(1);
    expect(keys[0]).toMatchObject({
      label: 'laptop',
      fingerprint: 'GF0r7lhK+uECzhWmvBxQ8+r+Qt3Qtt1qfZjOR/18+aQ',
      algorithmType: 'ED25519',
      bitLength: 256,
    });
    expect((await sshKeysOf(basic('admin'), '?user=bob')).map((k) => k.label)).toEqual(['workstation']);
    expect((await call('GET', '/rest/ssh/1.0/keys?user=bob', basic('alice'))).status).toBe(401);
  });

  withKeygen('adds, lists, reads and deletes a key; the fingerprint is ssh-keygen’s', async () => {
    const text = ed25519Line('alice@desk');
    const added = await call<SshKeyJson>('POST', '/rest/ssh/1.0/keys', basic('alice'), { text });
    expect(added.status).toBe(201);
    expect(added.body).toEqual({
      id: expect.any(Number),
      text,
      label: 'alice@desk',
      fingerprint: keygenFingerprint(text).fingerprint.replace(/^SHA256:/, ''),
      algorithmType: 'ED25519',
      bitLength: 256,
      createdDate: expect.any(String),
    });
    expect((await sshKeysOf(basic('alice'))).map((k) => k.id)).toContain(added.body.id);
    const one = await call<SshKeyJson>('GET', `/rest/ssh/1.0/keys/${added.body.id}`, basic('alice'));
    expect(one.body.fingerprint).toBe(added.body.fingerprint);
    expect((await call('GET', `/rest/ssh/1.0/keys/${added.body.id}`, basic('bob'))).status).toBe(401);
    expect((await call('DELETE', `/rest/ssh/1.0/keys/${added.body.id}`, basic('bob'))).status).toBe(401);
    expect((await call('DELETE', `/rest/ssh/1.0/keys/${added.body.id}`, basic('alice'))).status).toBe(204);
    expect((await sshKeysOf(basic('alice'))).map((k) => k.id)).not.toContain(added.body.id);
    // "deleted or did not exist"
    expect((await call('DELETE', `/rest/ssh/1.0/keys/${added.body.id}`, basic('alice'))).status).toBe(204);
  });

  withKeygen('reports the RSA length from the modulus and keeps the label and expiry given', async () => {
    const text = keygenKey('rsa', 3072);
    const added = await call<SshKeyJson>('POST', '/rest/ssh/1.0/keys', basic('chen'), {
      text,
      label: 'build box',
      expiryDays: 30,
    });
    expect(added.status).toBe(201);
    expect(added.body).toMatchObject({
      algorithmType: 'RSA',
      bitLength: 3072,
      label: 'build box',
      expiryDays: 30,
    });
    expect(`SHA256:${added.body.fingerprint}`).toBe(keygenFingerprint(text).fingerprint);
  });

  it('refuses a key already on any account with 409', async () => {
    const duplicate = {
      errors: [
        {
          context: null,
          message: 'The SSH key already exists on the system.',
          exceptionName: 'com.atlassian.bitbucket.ssh.DuplicateSshKeyException',
        },
      ],
    };
    const text = ed25519Line();
    expect((await call('POST', '/rest/ssh/1.0/keys', basic('eve'), { text })).status).toBe(201);
    expect(await call('POST', '/rest/ssh/1.0/keys', basic('eve'), { text, label: 'again' })).toEqual({
      status: 409,
      body: duplicate,
    });
    // bob's seeded key, added by alice (another account), with another comment
    const bobs = (await sshKeysOf(basic('bob')))[0]!.text.replace(/ \S+$/, ' copied');
    expect(await call('POST', '/rest/ssh/1.0/keys', basic('alice'), { text: bobs })).toEqual({
      status: 409,
      body: duplicate,
    });
  });

  it('refuses text that is not a valid key with 400 and Bitbucket’s error body', async () => {
    const [, data] = ed25519Line().split(' ');
    for (const text of ['not a key', `ssh-rsa ${data} mismatch`, line('ssh-rsa', rsaBlob(512))]) {
      expect(await call('POST', '/rest/ssh/1.0/keys', basic('alice'), { text })).toEqual({
        status: 400,
        body: {
          errors: [
            {
              context: 'text',
              message: 'The SSH key is not a valid RSA, DSA, ECDSA or Ed25519 key of a supported length.',
              exceptionName: 'com.atlassian.bitbucket.validation.ArgumentValidationException',
            },
          ],
        },
      });
    }
    const missing = await call<ErrorBody>('POST', '/rest/ssh/1.0/keys', basic('alice'), { label: 'x' });
    expect(missing.status).toBe(400);
    expect(missing.body.errors[0]?.context).toBe('text');
    const badExpiry = await call<ErrorBody>('POST', '/rest/ssh/1.0/keys', basic('alice'), {
      text: ed25519Line(),
      expiryDays: 0,
    });
    expect(badExpiry.status).toBe(400);
    expect(badExpiry.body.errors[0]?.context).toBe('expiryDays');
  });

  it('applies the key type and length policy', async () => {
    await withSettings({ sshKeyPolicy: { allowed: ['RSA', 'ECDSA'], minBits: { RSA: 4096 } } }, async () => {
      const ed = await call<ErrorBody>('POST', '/rest/ssh/1.0/keys', basic('alice'), { text: ed25519Line() });
      expect(ed.status).toBe(400);
      expect(ed.body.errors[0]).toEqual({
        context: 'text',
        message: 'ED25519 keys are not allowed. Allowed key types: RSA, ECDSA.',
        exceptionName: 'com.atlassian.bitbucket.validation.ArgumentValidationException',
      });
      const short = await call<ErrorBody>('POST', '/rest/ssh/1.0/keys', basic('alice'), {
        text: line('ssh-rsa', rsaBlob(2048), 'short'),
      });
      expect(short.status).toBe(400);
      expect(short.body.errors[0]?.message).toBe(
        'RSA keys must be at least 4096 bits long; this key is 2048 bits.',
      );
      const ok = await call<SshKeyJson>('POST', '/rest/ssh/1.0/keys', basic('alice'), {
        text: ecdsaLine('nistp384'),
      });
      expect(ok.status).toBe(201);
      expect(ok.body).toMatchObject({ algorithmType: 'ECDSA', bitLength: 384, label: 'ec@host' });
    });
  });

  it('asks for an expiry when the server forces one', async () => {
    await withSettings({ sshKeyPolicy: { maxExpiryDays: 90 } }, async () => {
      const text = ed25519Line();
      const without = await call<ErrorBody>('POST', '/rest/ssh/1.0/keys', basic('alice'), { text });
      expect(without).toEqual({
        status: 400,
        body: {
          errors: [
            {
              context: 'expiryDays',
              message: 'An expiry is required for SSH keys: set expiryDays to at most 90 days.',
              exceptionName: 'com.atlassian.bitbucket.validation.ArgumentValidationException',
            },
          ],
        },
      });
      const tooLong = await call<ErrorBody>('POST', '/rest/ssh/1.0/keys', basic('alice'), {
        text,
        expiryDays: 365,
      });
      expect(tooLong.status).toBe(400);
      const ok = await call<SshKeyJson>('POST', '/rest/ssh/1.0/keys', basic('alice'), {
        text,
        expiryDays: 90,
      });
      expect(ok.status).toBe(201);
      expect(ok.body.expiryDays).toBe(90);
    });
  });

  it('refuses HTTP access tokens unless tokens may add keys', async () => {
    const text = ed25519Line();
    const token = SEED_TOKENS.aliceAdmin;
    expect(await call('POST', '/rest/ssh/1.0/keys', bearer(token), { text })).toEqual({
      status: 401,
      body: notPermitted,
    });
    // a token as the Basic password is still a token
    expect((await call('POST', '/rest/ssh/1.0/keys', basic('alice', token), { text })).status).toBe(401);
    // listing with a token works
    expect((await call('GET', '/rest/ssh/1.0/keys', bearer(token))).status).toBe(200);
    await withSettings({ tokensMayAddKeys: true }, async () => {
      const added = await call<SshKeyJson>('POST', '/rest/ssh/1.0/keys', bearer(token), { text });
      expect(added.status).toBe(201);
      expect((await call('DELETE', `/rest/ssh/1.0/keys/${added.body.id}`, bearer(token))).status).toBe(204);
    });
    const again = await call<SshKeyJson>('POST', '/rest/ssh/1.0/keys', basic('alice'), { text });
    expect(again.status).toBe(201);
    expect(await call('DELETE', `/rest/ssh/1.0/keys/${again.body.id}`, bearer(token))).toEqual({
      status: 401,
      body: notPermitted,
    });
  });

  it('accepts the web session (with the XSRF header)', async () => {
    const session = sim.model.createSession(sim.model.user('bob')!);
    const cookie = { cookie: `BITBUCKETSESSIONID=${session.id}` };
    const text = ed25519Line('bob@browser');
    expect((await call('POST', '/rest/ssh/1.0/keys', undefined, { text }, cookie)).status).toBe(403);
    const added = await call<SshKeyJson>(
      'POST',
      '/rest/ssh/1.0/keys',
      undefined,
      { text },
      {
        ...cookie,
        'x-atlassian-token': 'no-check',
      },
    );
    expect(added.status).toBe(201);
    expect(added.body.label).toBe('bob@browser');
    expect((await sshKeysOf(basic('bob'))).map((k) => k.id)).toContain(added.body.id);
  });

  it('lets administrators add and delete keys for another user', async () => {
    const text = ed25519Line();
    expect((await call('POST', '/rest/ssh/1.0/keys?user=dave', basic('alice'), { text })).status).toBe(401);
    const added = await call<SshKeyJson>('POST', '/rest/ssh/1.0/keys?user=chen', basic('admin'), { text });
    expect(added.status).toBe(201);
    expect((await sshKeysOf(basic('chen'))).map((k) => k.id)).toContain(added.body.id);
    expect((await call('POST', '/rest/ssh/1.0/keys?user=nobody', basic('admin'), { text })).status).toBe(404);
    expect((await call('DELETE', `/rest/ssh/1.0/keys/${added.body.id}`, basic('admin'))).status).toBe(204);
    expect((await call('DELETE', '/rest/ssh/1.0/keys?user=chen', basic('chen'))).status).toBe(204);
    expect(await sshKeysOf(basic('chen'))).toEqual([]);
  });

  it('refuses anonymous callers', async () => {
    expect(await call('GET', '/rest/ssh/1.0/keys')).toEqual({ status: 401, body: notPermitted });
    expect((await call('POST', '/rest/ssh/1.0/keys', undefined, { text: ed25519Line() })).status).toBe(401);
    expect((await call('GET', '/rest/ssh/1.0/settings')).status).toBe(401);
  });

  it('reports the SSH settings', async () => {
    const { status, body } = await call('GET', '/rest/ssh/1.0/settings', basic('bob'));
    expect(status).toBe(200);
    expect(body).toEqual({
      enabled: true,
      port: 7999,
      baseUrl: 'ssh://git@127.0.0.1:7999',
      accessKeysEnabled: true,
    });
    await withSettings({ sshEnabled: false }, async () => {
      expect((await call('GET', '/rest/ssh/latest/settings', bearer(SEED_TOKENS.bobWrite))).body).toEqual({
        enabled: false,
        accessKeysEnabled: false,
      });
    });
  });
});

describe('simulator: SSH options', () => {
  it('takes sshPort (false = SSH off), tokensMayAddKeys and sshKeyPolicy as options', async () => {
    const other = await startSimulator({
      strict: true,
      sshPort: 2222,
      tokensMayAddKeys: true,
      sshKeyPolicy: { maxExpiryDays: 7 },
    });
    const off = await startSimulator({ strict: true, sshPort: false });
    try {
      const auth = { authorization: basic('alice') };
      const settings = await (await fetch(`${other.url}/rest/ssh/1.0/settings`, { headers: auth })).json();
      expect(settings).toMatchObject({ enabled: true, port: 2222, baseUrl: 'ssh://git@127.0.0.1:2222' });
      const repo = await (
        await fetch(`${other.url}/rest/api/1.0/projects/PROJ/repos/api`, { headers: auth })
      ).json();
      expect(repo.links.clone).toContainEqual({ href: 'ssh://git@127.0.0.1:2222/proj/api.git', name: 'ssh' });
      expect(other.model.keySettings).toEqual({
        sshEnabled: true,
        tokensMayAddKeys: true,
        sshKeyPolicy: { maxExpiryDays: 7 },
      });
      const res = await fetch(`${other.url}/rest/ssh/1.0/keys`, {
        method: 'POST',
        headers: { authorization: bearer(SEED_TOKENS.aliceRead), 'content-type': 'application/json' },
        body: JSON.stringify({ text: ed25519Line(), expiryDays: 7 }),
      });
      expect(res.status).toBe(201);
      const offSettings = await (await fetch(`${off.url}/rest/ssh/1.0/settings`, { headers: auth })).json();
      expect(offSettings).toEqual({ enabled: false, accessKeysEnabled: false });
    } finally {
      await other.close();
      await off.close();
    }
    expect(other.violations).toEqual([]);
    expect(off.violations).toEqual([]);
  });
});

describe('simulator REST: GPG keys', () => {
  async function newKey(name: string, email: string, keyExpirationTime?: number) {
    return generateKey({
      type: 'ecc',
      curve: 'ed25519Legacy',
      userIDs: [{ name, email }],
      format: 'armored',
      ...(keyExpirationTime ? { keyExpirationTime } : {}),
    });
  }

  it('parses an armoured public key with OpenPGP.js', async () => {
    const { publicKey } = await newKey('Parse Me', 'parse@example.com');
    const parsed = await parseGpgPublicKey(publicKey);
    if ('error' in parsed) throw new Error(parsed.error);
    expect(parsed.fingerprint).toMatch(/^[0-9A-F]{40}$/);
    expect(parsed.id).toBe(parsed.fingerprint.slice(-16));
    expect(parsed.emailAddress).toBe('parse@example.com');
    expect(parsed.userIds).toEqual(['Parse Me <parse@example.com>']);
    expect(parsed.subKeys).toHaveLength(1);
    expect(parsed.expiryDate).toBeUndefined();
  });

  it('lists the seeded key', async () => {
    const { body } = await call<Page<GpgKeyJson>>('GET', '/rest/gpg/1.0/keys', basic('alice'));
    expect(body.values.map((k) => k.id)).toEqual(['26FE721C18288230']);
  });

  it('adds, lists and deletes a key; duplicates and garbage are refused', async () => {
    const { publicKey, privateKey } = await newKey('Chen', 'chen@example.com', 86_400 * 30);
    const added = await call<GpgKeyJson>('POST', '/rest/gpg/1.0/keys', basic('chen'), { text: publicKey });
    expect(added.status).toBe(200);
    const parsed = await parseGpgPublicKey(publicKey);
    if ('error' in parsed) throw new Error(parsed.error);
    expect(added.body).toMatchObject({
      id: parsed.id,
      fingerprint: parsed.fingerprint,
      emailAddress: 'chen@example.com',
      expiryDate: expect.any(Number),
    });
    expect(added.body.expiryDate! - Date.now()).toBeGreaterThan(29 * 86_400_000);
    expect(added.body.subKeys).toEqual([
      { fingerprint: expect.stringMatching(/^[0-9A-F]{40}$/), expiryDate: expect.any(String) },
    ]);
    const list = await call<Page<GpgKeyJson>>('GET', '/rest/gpg/1.0/keys', basic('chen'));
    expect(list.body.values.map((k) => k.fingerprint)).toEqual([parsed.fingerprint]);

    const duplicate = {
      status: 400,
      body: {
        errors: [
          {
            context: 'text',
            message: 'The GPG key already exists on the system.',
            exceptionName: 'com.atlassian.bitbucket.gpg.DuplicateGpgKeyException',
          },
        ],
      },
    };
    expect(await call('POST', '/rest/gpg/1.0/keys', basic('chen'), { text: publicKey })).toEqual(duplicate);
    expect(await call('POST', '/rest/gpg/1.0/keys', basic('bob'), { text: publicKey })).toEqual(duplicate);

    const invalid = {
      status: 400,
      body: {
        errors: [
          {
            context: 'text',
            message: 'The text is not a valid ASCII-armoured GPG public key.',
            exceptionName: 'com.atlassian.bitbucket.validation.ArgumentValidationException',
          },
        ],
      },
    };
    const garbage = `-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nbm90IGEga2V5\n-----END PGP PUBLIC KEY BLOCK-----\n`;
    for (const text of ['garbage', garbage, privateKey]) {
      expect(await call('POST', '/rest/gpg/1.0/keys', basic('chen'), { text })).toEqual(invalid);
    }

    expect((await call('DELETE', `/rest/gpg/1.0/keys/${parsed.fingerprint}`, basic('bob'))).status).toBe(401);
    expect((await call('DELETE', `/rest/gpg/1.0/keys/${parsed.fingerprint}`, basic('chen'))).status).toBe(
      204,
    );
    expect((await call<Page<GpgKeyJson>>('GET', '/rest/gpg/1.0/keys', basic('chen'))).body.values).toEqual(
      [],
    );
    expect((await call('DELETE', `/rest/gpg/1.0/keys/${parsed.fingerprint}`, basic('chen'))).status).toBe(
      204,
    );
  });

  it('deletes by key id, follows the token switch and takes the session', async () => {
    const { publicKey } = await newKey('Bob', 'bob@example.com');
    expect(
      await call('POST', '/rest/gpg/1.0/keys', bearer(SEED_TOKENS.bobWrite), { text: publicKey }),
    ).toEqual({
      status: 401,
      body: notPermitted,
    });
    const session = sim.model.createSession(sim.model.user('bob')!);
    const added = await call<GpgKeyJson>(
      'POST',
      '/rest/gpg/1.0/keys',
      undefined,
      { text: publicKey },
      {
        cookie: `BITBUCKETSESSIONID=${session.id}`,
        'x-atlassian-token': 'no-check',
      },
    );
    expect(added.status).toBe(200);
    expect(added.body.emailAddress).toBe('bob@example.com');
    expect(
      (await call('DELETE', `/rest/gpg/1.0/keys/${added.body.id}`, bearer(SEED_TOKENS.bobWrite))).status,
    ).toBe(401);
    await withSettings({ tokensMayAddKeys: true }, async () => {
      expect(
        (
          await call(
            'DELETE',
            `/rest/gpg/1.0/keys/${added.body.id.toLowerCase()}`,
            bearer(SEED_TOKENS.bobWrite),
          )
        ).status,
      ).toBe(204);
      const again = await call('POST', '/rest/gpg/1.0/keys', bearer(SEED_TOKENS.bobWrite), {
        text: publicKey,
      });
      expect(again.status).toBe(200);
    });
    expect(
      (await call('POST', '/rest/gpg/1.0/keys?user=nobody', basic('admin'), { text: publicKey })).status,
    ).toBe(400);
    expect((await call('DELETE', '/rest/gpg/1.0/keys?user=bob', basic('admin'))).status).toBe(204);
    expect((await call<Page<GpgKeyJson>>('GET', '/rest/gpg/1.0/keys', basic('bob'))).body.values).toEqual([]);
  });
});
