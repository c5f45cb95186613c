/**
 * OpenSSH key formats, pure (WebCrypto and Uint8Array only, no extension API): runs in an extension
 * page, an offscreen document and in Node.
 *
 * - the public key blob (RFC 4253 §6.6 wire format) and the one-line public key file
 *   (`ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI… comment`), as `~/.ssh/id_*.pub` and Bitbucket take it;
 * - the SHA256 fingerprint as `ssh-keygen -l -E sha256` prints it, without the `SHA256:` prefix;
 * - the private key file in OpenSSH's own format (PROTOCOL.key, "openssh-key-v1"), unencrypted or
 *   sealed with a passphrase (bcrypt_pbkdf + aes256-ctr, as `ssh-keygen` writes it).
 *
 * Checked against the real `ssh-keygen` in tests/unit/ssh-format.test.ts.
 */
/** The key types this extension generates. */
export type SshKeyType = 'ed25519' | 'rsa';

/** The name of a key type on the wire and in the public line. */
export const SSH_KEY_TYPE_NAME: Record<SshKeyType, string> = {
  ed25519: 'ssh-ed25519',
  rsa: 'ssh-rsa',
};

/** An Ed25519 key: the 32-byte public key and the 32-byte private seed (RFC 8032). */
export interface SshEd25519PrivateKey {
  type: 'ed25519';
  publicKey: Uint8Array;
  seed: Uint8Array;
}

/**
 * An RSA key: every number as an unsigned big-endian magnitude (leading zero bytes allowed, they
 * are dropped when encoded). `iqmp` is q⁻¹ mod p (JWK's `qi`).
 */
export interface SshRsaPrivateKey {
  type: 'rsa';
  n: Uint8Array;
  e: Uint8Array;
  d: Uint8Array;
  p: Uint8Array;
  q: Uint8Array;
  iqmp: Uint8Array;
}

export type SshPrivateKey = SshEd25519PrivateKey | SshRsaPrivateKey;

export interface OpenSshPrivateKeyFileOptions {
  /** Stored inside the file; `ssh-keygen -y` prints it after the public key. */
  comment: string;
  /** Seals the private part (bcrypt_pbkdf + aes256-ctr). Absent or empty: unencrypted, as ssh-keygen. */
  passphrase?: string;
  /** bcrypt_pbkdf rounds; ssh-keygen's default is 16. */
  rounds?: number;
  /** Needed with a passphrase: bcryptPbkdf from bcrypt-kdf.ts. */
  kdf?: PassphraseKdf;
}

const PRIVATE_KEY_MAGIC = 'openssh-key-v1\0';
const PEM_BEGIN = '-----BEGIN OPENSSH PRIVATE KEY-----';
const PEM_END = '-----END OPENSSH PRIVATE KEY-----';
const PEM_COLUMNS = 70;
const BCRYPT_SALT_BYTES = 16;
const DEFAULT_BCRYPT_ROUNDS = 16;
const AES256_KEY_BYTES = 32;
const AES_BLOCK_BYTES = 16;
const UNENCRYPTED_BLOCK_BYTES = 8;

/**
 * The key derivation a passphrase-sealed file needs: OpenSSH's bcrypt_pbkdf. Given by the caller
 * (see bcrypt-kdf.ts) so this module, which the service worker uses for public keys, never carries
 * the KDF library; only the page that writes a passphrase-sealed file loads it.
 */
export type PassphraseKdf = (
  passphrase: Uint8Array,
  salt: Uint8Array,
  rounds: number,
  length: number,
) => Uint8Array | Promise<Uint8Array>;

/** Writes SSH wire-format values (RFC 4251 §5) into one growing buffer. */
export class SshWriter {
  private parts: Uint8Array[] = [];
  private size = 0;

  bytes(value: Uint8Array): this {
    this.parts.push(value);
    this.size += value.length;
    return this;
  }

  uint32(value: number): this {
    const out = new Uint8Array(4);
    new DataView(out.buffer).setUint32(0, value >>> 0);
    return this.bytes(out);
  }

  /** A length-prefixed byte string; a JS string is written as UTF-8. */
  string(value: Uint8Array | string): this {
    const data = typeof value === 'string' ? utf8(value) : value;
    return this.uint32(data.length).bytes(data);
  }

  /** A non-negative multiple-precision integer from its unsigned big-endian magnitude. */
  mpint(magnitude: Uint8Array): this {
    return this.string(mpintBytes(magnitude));
  }

  toBytes(): Uint8Array {
    const out = new Uint8Array(this.size);
    let offset = 0;
    for (const part of this.parts) {
      out.set(part, offset);
      offset += part.length;
    }
    return out;
  }
}

/**
 * The body of an mpint for a non-negative number: leading zero bytes dropped, then one zero byte
 * added back when the high bit is set (so it does not read as negative). Zero is empty.
 */
export function mpintBytes(magnitude: Uint8Array): Uint8Array {
  let start = 0;
  while (start < magnitude.length && magnitude[start] === 0) start++;
  const trimmed = magnitude.subarray(start);
  if (trimmed.length === 0) return new Uint8Array(0);
  if ((trimmed[0]! & 0x80) === 0) return trimmed.slice();
  const out = new Uint8Array(trimmed.length + 1);
  out.set(trimmed, 1);
  return out;
}

/** The public key blob: what the public line carries in base64 and the fingerprint hashes. */
export function sshPublicKeyBlob(key: SshPrivateKey): Uint8Array {
  const writer = new SshWriter().string(SSH_KEY_TYPE_NAME[key.type]);
  if (key.type === 'ed25519') return writer.string(checkLength(key.publicKey, 32, 'public key')).toBytes();
  return writer.mpint(key.e).mpint(key.n).toBytes();
}

/** The size of a key in bits as ssh-keygen reports it: 256 for Ed25519, the modulus length for RSA. */
export function sshKeyBits(key: SshPrivateKey): number {
  if (key.type === 'ed25519') return 256;
  const n = mpintBytes(key.n);
  let bits = n.length * 8;
  for (let i = 0; i < n.length; i++) {
    const byte = n[i]!;
    if (byte === 0) {
      bits -= 8;
      continue;
    }
    return bits - (Math.clz32(byte) - 24);
  }
  return bits;
}

/**
 * The one-line public key: `<type> <base64 blob> <comment>` (no comment: no trailing space).
 * The key type is read from the blob.
 */
export function openSshPublicLine(blob: Uint8Array, comment: string): string {
  checkComment(comment);
  const line = `${blobKeyTypeName(blob)} ${base64(blob)}`;
  return comment === '' ? line : `${line} ${comment}`;
}

/** The SHA256 fingerprint as `ssh-keygen -l -E sha256` prints it, without "SHA256:": unpadded base64. */
export async function sshFingerprint(blob: Uint8Array): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', blob as Uint8Array<ArrayBuffer>));
  return base64(digest).replace(/=+$/, '');
}

/**
 * The private key file as ssh-keygen writes it (`-----BEGIN OPENSSH PRIVATE KEY-----`, base64 at 70
 * columns, final newline). Write it with mode 0600: ssh refuses a private key others can read.
 */
export async function openSshPrivateKeyFile(
  key: SshPrivateKey,
  options: OpenSshPrivateKeyFileOptions,
): Promise<string> {
  checkComment(options.comment);
  const passphrase = options.passphrase ?? '';
  const encrypted = passphrase !== '';
  const blockSize = encrypted ? AES_BLOCK_BYTES : UNENCRYPTED_BLOCK_BYTES;
  const publicBlob = sshPublicKeyBlob(key);

  const checkint = new DataView(crypto.getRandomValues(new Uint8Array(4)).buffer).getUint32(0);
  const section = new SshWriter().uint32(checkint).uint32(checkint).string(SSH_KEY_TYPE_NAME[key.type]);
  if (key.type === 'ed25519') {
    const seed = checkLength(key.seed, 32, 'seed');
    const publicKey = checkLength(key.publicKey, 32, 'public key');
    const secret = new Uint8Array(64);
    secret.set(seed, 0);
    secret.set(publicKey, 32);
    section.string(publicKey).string(secret);
  } else {
    section.mpint(key.n).mpint(key.e).mpint(key.d).mpint(key.iqmp).mpint(key.p).mpint(key.q);
  }
  section.string(options.comment);
  let plain = section.toBytes();
  plain = padToBlock(plain, blockSize);

  const file = new SshWriter().bytes(utf8(PRIVATE_KEY_MAGIC));
  let privateSection: Uint8Array;
  if (encrypted) {
    const rounds = options.rounds ?? DEFAULT_BCRYPT_ROUNDS;
    const salt = crypto.getRandomValues(new Uint8Array(BCRYPT_SALT_BYTES));
    if (!options.kdf) throw new Error('A passphrase-sealed key file needs the bcrypt_pbkdf KDF.');
    const derived = await options.kdf(utf8(passphrase), salt, rounds, AES256_KEY_BYTES + AES_BLOCK_BYTES);
    const aesKey = await crypto.subtle.importKey(
      'raw',
      derived.slice(0, AES256_KEY_BYTES),
      { name: 'AES-CTR' },
      false,
      ['encrypt'],
    );
    privateSection = new Uint8Array(
      await crypto.subtle.encrypt(
        { name: 'AES-CTR', counter: derived.slice(AES256_KEY_BYTES), length: 128 },
        aesKey,
        plain as Uint8Array<ArrayBuffer>,
      ),
    );
    const kdfOptions = new SshWriter().string(salt).uint32(rounds).toBytes();
    file.string('aes256-ctr').string('bcrypt').string(kdfOptions);
  } else {
    privateSection = plain;
    file.string('none').string('none').string(new Uint8Array(0));
  }
  file.uint32(1).string(publicBlob).string(privateSection);

  const lines = [PEM_BEGIN];
  const body = base64(file.toBytes());
  for (let i = 0; i < body.length; i += PEM_COLUMNS) lines.push(body.slice(i, i + PEM_COLUMNS));
  lines.push(PEM_END, '');
  return lines.join('\n');
}

/** Appends the padding bytes 1, 2, 3, … up to a multiple of the block size (none when already there). */
function padToBlock(data: Uint8Array, blockSize: number): Uint8Array {
  const padding = (blockSize - (data.length % blockSize)) % blockSize;
  const out = new Uint8Array(data.length + padding);
  out.set(data);
  for (let i = 0; i < padding; i++) out[data.length + i] = i + 1;
  return out;
}

/** The key type name at the start of a public key blob. */
function blobKeyTypeName(blob: Uint8Array): string {
  if (blob.length < 4) throw new Error('SSH public key blob too short');
  const length = new DataView(blob.buffer, blob.byteOffset, blob.byteLength).getUint32(0);
  if (length === 0 || length > 64 || blob.length < 4 + length)
    throw new Error('SSH public key blob malformed');
  const name = new TextDecoder().decode(blob.subarray(4, 4 + length));
  if (!/^[\x21-\x7e]+$/.test(name)) throw new Error('SSH public key blob malformed');
  return name;
}

/** A comment is one line: a line break would end the public line and the authorized_keys entry. */
function checkComment(comment: string) {
  if (/[\r\n]/.test(comment)) throw new Error('An SSH key comment cannot contain a line break');
}

function checkLength(value: Uint8Array, length: number, what: string): Uint8Array {
  if (value.length !== length)
    throw new Error(`Ed25519 ${what} must be ${length} bytes, got ${value.length}`);
  return value;
}

function utf8(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}

/** Standard base64 with padding (btoa exists in extension pages, workers and Node). */
export function base64(bytes: Uint8Array): string {
  let binary = '';
  const chunk = 0x8000;
  for (let i = 0; i < bytes.length; i += chunk) {
    binary += String.fromCharCode(...bytes.subarray(i, i + chunk));
  }
  return btoa(binary);
}

/** Decodes base64 or base64url, padded or not (JWK numbers are unpadded base64url). */
export function base64Decode(text: string): Uint8Array {
  const standard = text.replace(/-/g, '+').replace(/_/g, '/').replace(/=+$/, '');
  const binary = atob(standard + '='.repeat((4 - (standard.length % 4)) % 4));
  const out = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
  return out;
}
