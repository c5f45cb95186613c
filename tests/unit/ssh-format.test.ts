/**
 * SSH keys generated with WebCrypto and written in OpenSSH's formats, checked two ways: by reading the
 * bytes back here (structure, padding, wrapping, UTF-8 comments) and by the real `ssh-keygen`
 * (Debian openssh-client), which must print our fingerprint, load our private key files (plain and
 * passphrase-sealed), refuse a wrong passphrase, and sign with them so the signature checks against
 * our public line. Without ssh-keygen those tests are skipped with the reason in their name, except
 * on CI (CI=true), where its absence fails.
 */

import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bcryptPbkdf } from '../../lib/features/keys/bcrypt-kdf';
import {
  base64Decode,
  mpintBytes,
  openSshPrivateKeyFile,
  openSshPublicLine,
  sshFingerprint,
} from '../../lib/features/keys/ssh-format';
import {
  ed25519SeedFromPkcs8,
  type GeneratedSshKey,
  generateSshKey,
} from '../../lib/features/keys/ssh-generate';

const PASSPHRASE = 'correct horse battery staple';
const NON_ASCII_COMMENT = 'Zoë Ørsted – 日本語 🔑 dev@büro.example';

const sshKeygenPath =
  (process.env.PATH ?? '')
    .split(delimiter)
    .filter((dir) => dir !== '')
    .map((dir) => join(dir, 'ssh-keygen'))
    .find((path) => existsSync(path)) ?? '';
const haveSshKeygen = sshKeygenPath !== '';
const onCi = process.env.CI === 'true';
const MISSING = 'ssh-keygen not found (Debian: apt-get install openssh-client)';

/** Reads SSH wire-format values back. */
class Reader {
  private offset = 0;
  constructor(private readonly data: Uint8Array) {}
  uint32() {
    const value = new DataView(this.data.buffer, this.data.byteOffset + this.offset, 4).getUint32(0);
    this.offset += 4;
    return value;
  }
  bytes(length: number) {
    if (this.offset + length > this.data.length) throw new Error('read past the end');
    const value = this.data.subarray(this.offset, this.offset + length);
    this.offset += length;
    return value;
  }
  string() {
    return this.bytes(this.uint32());
  }
  text() {
    return new TextDecoder('utf-8', { fatal: true }).decode(this.string());
  }
  rest() {
    return this.bytes(this.data.length - this.offset);
  }
  get done() {
    return this.offset === this.data.length;
  }
}

interface ParsedFile {
  cipher: string;
  kdf: string;
  kdfOptions: Uint8Array;
  publicBlob: Uint8Array;
  privateSection: Uint8Array;
  bodyLines: string[];
}

function parsePrivateKeyFile(text: string): ParsedFile {
  expect(text.endsWith('\n')).toBe(true);
  const lines = text.slice(0, -1).split('\n');
  expect(lines[0]).toBe('-----BEGIN OPENSSH PRIVATE KEY-----');
  expect(lines.at(-1)).toBe('-----END OPENSSH PRIVATE KEY-----');
  const bodyLines = lines.slice(1, -1);
  const reader = new Reader(base64Decode(bodyLines.join('')));
  expect(new TextDecoder().decode(reader.bytes(15))).toBe('openssh-key-v1\0');
  const cipher = reader.text();
  const kdf = reader.text();
  const kdfOptions = reader.string();
  expect(reader.uint32()).toBe(1);
  const publicBlob = reader.string();
  const privateSection = reader.string();
  expect(reader.done).toBe(true);
  return { cipher, kdf, kdfOptions, publicBlob, privateSection, bodyLines };
}

interface ParsedSection {
  type: string;
  fields: Uint8Array[];
  comment: string;
  padding: Uint8Array;
}

function parsePrivateSection(section: Uint8Array, blockSize: number): ParsedSection {
  expect(section.length % blockSize).toBe(0);
  const reader = new Reader(section);
  const check1 = reader.uint32();
  expect(reader.uint32()).toBe(check1);
  const type = reader.text();
  const count = type === 'ssh-ed25519' ? 2 : 6;
  const fields = Array.from({ length: count }, () => reader.string().slice());
  const comment = reader.text();
  const padding = reader.rest().slice();
  expect(padding.length).toBeLessThan(blockSize);
  expect([...padding]).toEqual(Array.from({ length: padding.length }, (_, i) => i + 1));
  return { type, fields, comment, padding };
}

async function decryptSection(file: ParsedFile, passphrase: string) {
  const options = new Reader(file.kdfOptions);
  const salt = options.string();
  const rounds = options.uint32();
  expect(options.done).toBe(true);
  const derived = bcryptPbkdf(new TextEncoder().encode(passphrase), salt, rounds, 48);
  const key = await crypto.subtle.importKey('raw', derived.slice(0, 32), 'AES-CTR', false, ['decrypt']);
  const plain = await crypto.subtle.decrypt(
    { name: 'AES-CTR', counter: derived.slice(32), length: 128 },
    key,
    file.privateSection as Uint8Array<ArrayBuffer>,
  );
  return { salt, rounds, plain: new Uint8Array(plain) };
}

function hex(bytes: Uint8Array) {
  return Buffer.from(bytes).toString('hex');
}

let ed25519: GeneratedSshKey;
let rsa: GeneratedSshKey;
let workDir: string;

beforeAll(async () => {
  workDir = mkdtempSync(join(tmpdir(), 'ssh-format-'));
  ed25519 = await generateSshKey({ type: 'ed25519' }, 'alice@workstation');
  rsa = await generateSshKey({ type: 'rsa', bits: 3072 }, 'alice@laptop');
}, 120_000);

afterAll(() => {
  if (workDir) rmSync(workDir, { recursive: true, force: true });
});

describe('public line and fingerprint', () => {
  it('Ed25519: ssh-ed25519, the blob with its fixed prefix, the comment', () => {
    expect(ed25519.type).toBe('ed25519');
    expect(ed25519.bits).toBe(256);
    const [type, body, comment, ...more] = ed25519.publicLine.split(' ');
    expect(type).toBe('ssh-ed25519');
    expect(body!.startsWith('AAAAC3NzaC1lZDI1NTE5AAAAI')).toBe(true);
    expect(body).toHaveLength(68);
    expect(comment).toBe('alice@workstation');
    expect(more).toEqual([]);
    expect(hex(base64Decode(body!))).toBe(hex(ed25519.publicKeyBlob));
    expect(ed25519.publicKeyBlob).toHaveLength(51);
  });

  it('RSA 3072: ssh-rsa, exponent 65537, the modulus as a positive mpint', () => {
    expect(rsa.type).toBe('rsa');
    expect(rsa.bits).toBe(3072);
    const [type, body, comment] = rsa.publicLine.split(' ');
    expect(type).toBe('ssh-rsa');
    expect(body!.startsWith('AAAAB3NzaC1yc2E')).toBe(true);
    expect(comment).toBe('alice@laptop');
    const reader = new Reader(base64Decode(body!));
    expect(reader.text()).toBe('ssh-rsa');
    expect(hex(reader.string())).toBe('010001');
    const n = reader.string();
    expect(reader.done).toBe(true);
    expect(n).toHaveLength(385); // 3072 bits with the top bit set: one zero byte in front
    expect(n[0]).toBe(0);
    expect(n[1]! & 0x80).toBe(0x80);
  });

  it('fingerprint: unpadded base64 of SHA-256 over the blob', async () => {
    for (const key of [ed25519, rsa]) {
      const expected = createHash('sha256').update(key.publicKeyBlob).digest('base64').replace(/=+$/, '');
      expect(key.fingerprint).toBe(expected);
      expect(key.fingerprint).toHaveLength(43);
      expect(await sshFingerprint(key.publicKeyBlob)).toBe(expected);
    }
  });

  it('no comment: no trailing space; a line break in a comment is refused', async () => {
    expect(openSshPublicLine(ed25519.publicKeyBlob, '')).toBe(
      ed25519.publicLine.split(' ').slice(0, 2).join(' '),
    );
    expect(() => openSshPublicLine(ed25519.publicKeyBlob, 'a\nb')).toThrow(/line break/);
    await expect(openSshPrivateKeyFile(ed25519.privateKey, { comment: 'a\r\nb' })).rejects.toThrow(
      /line break/,
    );
  });

  it('mpint: leading zeros dropped, a zero byte added when the high bit is set', () => {
    expect([...mpintBytes(Uint8Array.of(0x7f))]).toEqual([0x7f]);
    expect([...mpintBytes(Uint8Array.of(0x80))]).toEqual([0, 0x80]);
    expect([...mpintBytes(Uint8Array.of(0, 0, 0x12, 0x34))]).toEqual([0x12, 0x34]);
    expect([...mpintBytes(Uint8Array.of(0, 0xff))]).toEqual([0, 0xff]);
    expect([...mpintBytes(Uint8Array.of(0, 0))]).toEqual([]);
  });

  it('RSA numbers from the JWK are consistent: n = p·q, iqmp·q ≡ 1 (mod p), e·d ≡ 1 (mod λ)', () => {
    if (rsa.privateKey.type !== 'rsa') throw new Error('unreachable');
    const big = (bytes: Uint8Array) => BigInt(`0x${hex(bytes) || '0'}`);
    const { n, e, d, p, q, iqmp } = rsa.privateKey;
    const [N, E, D, P, Q, IQMP] = [n, e, d, p, q, iqmp].map(big) as [
      bigint,
      bigint,
      bigint,
      bigint,
      bigint,
      bigint,
    ];
    expect(P * Q).toBe(N);
    expect((IQMP * Q) % P).toBe(1n);
    const gcd = (a: bigint, b: bigint): bigint => (b === 0n ? a : gcd(b, a % b));
    const lambda = ((P - 1n) * (Q - 1n)) / gcd(P - 1n, Q - 1n);
    expect((E * D) % lambda).toBe(1n);
  });

  it('Ed25519 PKCS#8: the seed is its last 32 bytes (the JWK "d" of the same key)', async () => {
    const pair = (await crypto.subtle.generateKey({ name: 'Ed25519' }, true, ['sign'])) as CryptoKeyPair;
    const pkcs8 = new Uint8Array(await crypto.subtle.exportKey('pkcs8', pair.privateKey));
    const jwk = await crypto.subtle.exportKey('jwk', pair.privateKey);
    expect(pkcs8).toHaveLength(48);
    expect(hex(ed25519SeedFromPkcs8(pkcs8))).toBe(hex(base64Decode(jwk.d!)));
    expect(hex(ed25519SeedFromPkcs8(pkcs8))).toBe(hex(pkcs8.subarray(16)));
    expect(() => ed25519SeedFromPkcs8(pkcs8.subarray(1))).toThrow(/PKCS#8/);
  });
});

describe('private key file (read back here)', () => {
  it('unencrypted Ed25519: none/none, one key, seed || pub, padding 1,2,3… to 8, wrapped at 70', async () => {
    const text = await openSshPrivateKeyFile(ed25519.privateKey, { comment: 'alice@workstation' });
    const file = parsePrivateKeyFile(text);
    expect(file.cipher).toBe('none');
    expect(file.kdf).toBe('none');
    expect(file.kdfOptions).toHaveLength(0);
    expect(hex(file.publicBlob)).toBe(hex(ed25519.publicKeyBlob));
    for (const line of file.bodyLines.slice(0, -1)) expect(line).toHaveLength(70);
    expect(file.bodyLines.at(-1)!.length).toBeGreaterThan(0);
    expect(file.bodyLines.at(-1)!.length).toBeLessThanOrEqual(70);
    const section = parsePrivateSection(file.privateSection, 8);
    expect(section.type).toBe('ssh-ed25519');
    const [pub, secret] = section.fields;
    if (ed25519.privateKey.type !== 'ed25519') throw new Error('unreachable');
    expect(hex(pub!)).toBe(hex(ed25519.privateKey.publicKey));
    expect(secret).toHaveLength(64);
    expect(hex(secret!)).toBe(hex(ed25519.privateKey.seed) + hex(ed25519.privateKey.publicKey));
    expect(section.comment).toBe('alice@workstation');
  });

  it('padding to 8 for every remainder (comments of 0..8 bytes)', async () => {
    const lengths = new Set<number>();
    for (let size = 0; size <= 8; size++) {
      const text = await openSshPrivateKeyFile(ed25519.privateKey, { comment: 'x'.repeat(size) });
      const section = parsePrivateSection(parsePrivateKeyFile(text).privateSection, 8);
      expect(section.comment).toBe('x'.repeat(size));
      lengths.add(section.padding.length);
    }
    expect([...lengths].sort()).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  });

  it('unencrypted RSA: n, e, d, iqmp, p, q as mpints', async () => {
    const text = await openSshPrivateKeyFile(rsa.privateKey, { comment: 'alice@laptop' });
    const file = parsePrivateKeyFile(text);
    const section = parsePrivateSection(file.privateSection, 8);
    expect(section.type).toBe('ssh-rsa');
    if (rsa.privateKey.type !== 'rsa') throw new Error('unreachable');
    const { n, e, d, iqmp, p, q } = rsa.privateKey;
    expect(section.fields.map(hex)).toEqual([n, e, d, iqmp, p, q].map((x) => hex(mpintBytes(x))));
    for (const field of section.fields) expect(field[0]! & 0x80).toBe(0);
    expect(section.comment).toBe('alice@laptop');
  });

  it('with a passphrase: aes256-ctr/bcrypt, 16-byte salt, 16 rounds, padding to 16, decrypts', async () => {
    const text = await openSshPrivateKeyFile(ed25519.privateKey, {
      comment: 'sealed',
      passphrase: PASSPHRASE,
      kdf: bcryptPbkdf,
    });
    const file = parsePrivateKeyFile(text);
    expect(file.cipher).toBe('aes256-ctr');
    expect(file.kdf).toBe('bcrypt');
    expect(file.privateSection.length % 16).toBe(0);
    const { salt, rounds, plain } = await decryptSection(file, PASSPHRASE);
    expect(salt).toHaveLength(16);
    expect(rounds).toBe(16);
    const section = parsePrivateSection(plain, 16);
    expect(section.type).toBe('ssh-ed25519');
    expect(section.comment).toBe('sealed');
    // a new salt and check value each time
    const again = parsePrivateKeyFile(
      await openSshPrivateKeyFile(ed25519.privateKey, {
        comment: 'sealed',
        passphrase: PASSPHRASE,
        kdf: bcryptPbkdf,
      }),
    );
    expect(hex(again.kdfOptions)).not.toBe(hex(file.kdfOptions));
  });

  it('an empty passphrase writes an unencrypted file, as ssh-keygen does', async () => {
    const file = parsePrivateKeyFile(
      await openSshPrivateKeyFile(ed25519.privateKey, { comment: '', passphrase: '' }),
    );
    expect(file.cipher).toBe('none');
  });

  it('a non-ASCII comment is stored as UTF-8 and read back unchanged', async () => {
    const line = openSshPublicLine(ed25519.publicKeyBlob, NON_ASCII_COMMENT);
    expect(line.endsWith(` ${NON_ASCII_COMMENT}`)).toBe(true);
    for (const passphrase of [undefined, PASSPHRASE]) {
      const file = parsePrivateKeyFile(
        await openSshPrivateKeyFile(ed25519.privateKey, {
          comment: NON_ASCII_COMMENT,
          passphrase,
          kdf: bcryptPbkdf,
        }),
      );
      const plain = passphrase ? (await decryptSection(file, passphrase)).plain : file.privateSection;
      const section = parsePrivateSection(plain, passphrase ? 16 : 8);
      expect(section.comment).toBe(NON_ASCII_COMMENT);
    }
  });
});

if (!haveSshKeygen && !onCi)
  console.warn(`ssh-format.test.ts: OpenSSH compatibility tests skipped: ${MISSING}`);

if (!haveSshKeygen && onCi) {
  it('ssh-keygen is installed on CI', () => {
    expect.fail(`${MISSING}: the OpenSSH compatibility tests cannot run`);
  });
}

describe.skipIf(!haveSshKeygen)(
  haveSshKeygen ? 'accepted by ssh-keygen' : `accepted by ssh-keygen — SKIPPED: ${MISSING}`,
  () => {
    function run(args: string[], input?: string) {
      const result = spawnSync(sshKeygenPath, args, { encoding: 'utf8', input, timeout: 30_000 });
      return { status: result.status, stdout: result.stdout.trim(), stderr: result.stderr.trim() };
    }

    function writePrivate(name: string, text: string) {
      const path = join(workDir, name);
      writeFileSync(path, text, { mode: 0o600 });
      expect(statSync(path).mode & 0o777).toBe(0o600);
      return path;
    }

    const cases = [
      { name: 'Ed25519', label: 'ED25519', key: () => ed25519 },
      { name: 'RSA 3072', label: 'RSA', key: () => rsa },
    ];

    describe.each(cases)('$name', ({ name, label, key }) => {
      const file = name.replace(/\W/g, '');

      it('ssh-keygen -l -E sha256 prints our bits, fingerprint, comment and type', () => {
        const k = key();
        const pub = join(workDir, `${file}.pub`);
        writeFileSync(pub, `${k.publicLine}\n`);
        const out = run(['-l', '-E', 'sha256', '-f', pub]);
        expect(out.stderr).toBe('');
        expect(out.status).toBe(0);
        expect(out.stdout).toBe(`${k.bits} SHA256:${k.fingerprint} ${k.comment} (${label})`);
      });

      it('ssh-keygen -y reads the unencrypted private key file and prints our public line', async () => {
        const k = key();
        const path = writePrivate(file, await openSshPrivateKeyFile(k.privateKey, { comment: k.comment }));
        const out = run(['-y', '-f', path]);
        expect(out.stderr).toBe('');
        expect(out.status).toBe(0);
        expect(out.stdout).toBe(k.publicLine);
        const fingerprint = run(['-l', '-E', 'sha256', '-f', path]);
        expect(fingerprint.stdout).toBe(`${k.bits} SHA256:${k.fingerprint} ${k.comment} (${label})`);
      });

      it('ssh-keygen -y -P opens the passphrase-sealed file; a wrong passphrase is refused', async () => {
        const k = key();
        const text = await openSshPrivateKeyFile(k.privateKey, {
          comment: k.comment,
          passphrase: PASSPHRASE,
          kdf: bcryptPbkdf,
        });
        const path = writePrivate(`${file}-sealed`, text);
        const out = run(['-y', '-P', PASSPHRASE, '-f', path]);
        expect(out.stderr).toBe('');
        expect(out.status).toBe(0);
        expect(out.stdout).toBe(k.publicLine);
        const wrong = run(['-y', '-P', `${PASSPHRASE}!`, '-f', path]);
        expect(wrong.status).not.toBe(0);
        expect(wrong.stdout).toBe('');
        expect(wrong.stderr).toMatch(/incorrect passphrase/);
      });

      it('the private key signs (ssh-keygen -Y sign) and the signature verifies against our line', async () => {
        const k = key();
        const path = writePrivate(
          `${file}-signer`,
          await openSshPrivateKeyFile(k.privateKey, { comment: k.comment }),
        );
        const data = join(workDir, `${file}-data.txt`);
        writeFileSync(data, 'signed by a key from the extension\n');
        const signed = run(['-Y', 'sign', '-f', path, '-n', 'file', data]);
        expect(signed.status, signed.stderr).toBe(0);
        const signers = join(workDir, `${file}-allowed-signers`);
        writeFileSync(signers, `alice ${k.publicLine}\n`);
        const verified = spawnSync(
          sshKeygenPath,
          ['-Y', 'verify', '-f', signers, '-I', 'alice', '-n', 'file', '-s', `${data}.sig`],
          { encoding: 'utf8', input: 'signed by a key from the extension\n' },
        );
        expect(verified.status, verified.stderr).toBe(0);
        expect(verified.stdout).toMatch(/Good "file" signature for alice/);
      });
    });

    it('a non-ASCII comment comes back from ssh-keygen as the same UTF-8', async () => {
      const path = writePrivate(
        'utf8-comment',
        await openSshPrivateKeyFile(ed25519.privateKey, {
          comment: NON_ASCII_COMMENT,
          passphrase: PASSPHRASE,
          kdf: bcryptPbkdf,
        }),
      );
      const out = run(['-y', '-P', PASSPHRASE, '-f', path]);
      expect(out.status, out.stderr).toBe(0);
      expect(out.stdout).toBe(openSshPublicLine(ed25519.publicKeyBlob, NON_ASCII_COMMENT));
    });
  },
);

describe('the KDF stays with the page that seals a file', () => {
  it('refuses to seal without a KDF instead of writing an unsealed file', async () => {
    const key = await generateSshKey({ type: 'ed25519' }, 'x');
    await expect(
      openSshPrivateKeyFile(key.privateKey, { comment: 'x', passphrase: 'secret words' }),
    ).rejects.toThrow('needs the bcrypt_pbkdf KDF');
  });
});
