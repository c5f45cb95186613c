/**
 * SSH and GPG keys as the passphrase-encrypted profiles file holds them (lib/background/export-import.ts
 * writes and reads the file): public parts, label, comment, fingerprint, the private part in the
 * clear (the whole file is an OpenPGP message), and where each key is installed, naming profiles by
 * server and account because profile ids differ between browsers.
 *
 * Reading a key checks more than its shape: the public line and fingerprint must be the ones its
 * private part makes, so a changed record is refused instead of saved as a key that can't be used.
 */
import * as v from 'valibot';
import { inspectGpgKey } from '../../background/passphrase-crypto';
import { UserFacingError } from '../../background/router';
import type { KeyInstallation } from '../../db/schema';
import { capText } from '../../messaging/limits';
import type { IncomingKey, OpenedKey } from './key-store';
import { fromStored, type StoredPrivateKey } from './private-key-material';
import {
  base64,
  base64Decode,
  openSshPublicLine,
  sshFingerprint,
  sshKeyBits,
  sshPublicKeyBlob,
} from './ssh-format';
import { ED25519_PKCS8_HEADER } from './ssh-generate';

/** A profile as a key's installation names it: the profile of this server and account in the file. */
export interface ProfileRef {
  baseUrl: string;
  userSlug: string;
}

const text = (max: number) => v.pipe(v.string(), v.maxLength(max));
const time = v.pipe(v.number(), v.finite(), v.minValue(0));
/** Standard padded base64 of at most `max` characters (RSA 16384 numbers are 2,732). */
const b64 = v.pipe(v.string(), v.minLength(1), v.maxLength(4_000), v.regex(/^[A-Za-z0-9+/]+={0,2}$/));
const armored = (kind: 'PUBLIC' | 'PRIVATE') =>
  v.pipe(
    v.string(),
    v.maxLength(100_000),
    v.startsWith(`-----BEGIN PGP ${kind} KEY BLOCK-----`),
    v.includes(`-----END PGP ${kind} KEY BLOCK-----`),
  );

const ExportedInstallation = v.object({
  baseUrl: text(2_000),
  userSlug: v.pipe(text(255), v.minLength(1)),
  serverKeyId: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0))),
  installedAt: time,
});
export type ExportedInstallation = v.InferOutput<typeof ExportedInstallation>;

const Common = {
  label: v.pipe(v.string(), v.trim(), v.minLength(1), v.maxLength(1_000)),
  createdAt: time,
  installedOn: v.pipe(v.array(ExportedInstallation), v.maxLength(10_000)),
};

const ExportedSshKey = v.object({
  kind: v.literal('ssh'),
  type: v.picklist(['ed25519', 'rsa']),
  bits: v.pipe(v.number(), v.integer(), v.minValue(256), v.maxValue(16_384)),
  comment: v.pipe(
    text(1_000),
    v.check((c) => !/[\r\n]/.test(c)),
  ),
  publicLine: text(20_000),
  fingerprint: v.pipe(v.string(), v.regex(/^[A-Za-z0-9+/]{43}$/)),
  privateKey: v.variant('type', [
    v.object({ type: v.literal('ed25519'), publicKey: b64, seed: b64 }),
    v.object({ type: v.literal('rsa'), n: b64, e: b64, d: b64, p: b64, q: b64, iqmp: b64 }),
  ]),
  ...Common,
});

const ExportedGpgKey = v.object({
  kind: v.literal('gpg'),
  userId: v.pipe(text(1_000), v.minLength(1)),
  keyId: v.pipe(v.string(), v.regex(/^[0-9A-F]{16}$/)),
  fingerprint: v.pipe(v.string(), v.regex(/^(?:[0-9A-F]{40}|[0-9A-F]{64})$/)),
  armoredPublic: armored('PUBLIC'),
  armoredPrivate: armored('PRIVATE'),
  ...Common,
});

const ExportedKey = v.variant('kind', [ExportedSshKey, ExportedGpgKey]);
/** One key of the file. */
export type ExportedKey = v.InferOutput<typeof ExportedKey>;

/**
 * A saved key as the file holds it; its installations name profiles through `refOf` (a profile
 * this browser no longer has is left out).
 */
export function toExportedKey(
  key: OpenedKey,
  refOf: (profileId: string) => ProfileRef | undefined,
): ExportedKey {
  const installedOn = key.installedOn.flatMap((i): ExportedInstallation[] => {
    const ref = refOf(i.profileId);
    if (!ref) return [];
    return [
      {
        ...ref,
        ...(i.serverKeyId !== undefined ? { serverKeyId: i.serverKeyId } : {}),
        installedAt: i.installedAt,
      },
    ];
  });
  const { id: _id, installedOn: _installed, ...rest } = key;
  return { ...rest, installedOn };
}

/** How a refusal names a key: its place among the file's keys and its label. */
function keyName(index: number, raw: unknown): string {
  const label =
    typeof raw === 'object' && raw !== null && 'label' in raw && typeof raw.label === 'string'
      ? raw.label.trim()
      : '';
  return `Key ${index + 1}${label ? ` (“${capText(label, 60)}”)` : ''}`;
}

const NOTHING_IMPORTED = 'Nothing was imported.';

/**
 * One key of the file, checked: its shape, and that its public line, fingerprint and size are the
 * ones its private part makes (GPG: that the secret key is the public key's). Refuses the import
 * with a sentence naming the key.
 */
export async function readExportedKey(raw: unknown, index: number): Promise<ExportedKey> {
  const name = keyName(index, raw);
  const parsed = v.safeParse(ExportedKey, raw);
  if (!parsed.success) {
    const where = v.getDotPath(parsed.issues[0]) ?? 'its contents';
    throw new UserFacingError(
      'bad-file',
      `${name} in this file is damaged or was changed (${where} is not what an export writes). ${NOTHING_IMPORTED}`,
    );
  }
  const key = parsed.output;
  const problem = key.kind === 'ssh' ? await sshKeyProblem(key) : await gpgKeyProblem(key);
  if (problem) {
    throw new UserFacingError(
      'bad-file',
      `${name} in this file is damaged or was changed: ${problem} ${NOTHING_IMPORTED}`,
    );
  }
  return key;
}

/** A refusal for a key whose installation names a profile the file does not hold. */
export function unknownProfileRefusal(index: number, key: ExportedKey, ref: ProfileRef): UserFacingError {
  return new UserFacingError(
    'bad-file',
    `${keyName(index, key)} in this file is installed on a profile the file does not hold (${capText(ref.userSlug, 60)} on ${capText(ref.baseUrl, 200)}). ${NOTHING_IMPORTED}`,
  );
}

/** The key as this browser keeps it, its installations given this browser's profile ids. */
export function toIncomingKey(key: ExportedKey, installedOn: KeyInstallation[]): IncomingKey {
  if (key.kind === 'ssh') {
    const { installedOn: _installed, ...rest } = key;
    return { ...rest, installedOn };
  }
  const { installedOn: _installed, ...rest } = key;
  return { ...rest, installedOn };
}

async function sshKeyProblem(key: Extract<ExportedKey, { kind: 'ssh' }>): Promise<string | undefined> {
  const stored: StoredPrivateKey = key.privateKey;
  if (stored.type !== key.type) return 'its private key is of another type than the key.';
  const material = fromStored(stored);
  if (material.type === 'ed25519' && (material.seed.length !== 32 || material.publicKey.length !== 32)) {
    return 'its private key has the wrong length for an Ed25519 key.';
  }
  const blob = sshPublicKeyBlob(material);
  if (openSshPublicLine(blob, key.comment) !== key.publicLine) {
    return 'its public key is not the one its private key makes.';
  }
  if ((await sshFingerprint(blob)) !== key.fingerprint) return 'its fingerprint is not its public key’s.';
  if (sshKeyBits(material) !== key.bits) return 'its size is not its public key’s.';
  if (!(await privatePartSigns(stored))) return 'its private key does not belong to its public key.';
  return undefined;
}

async function gpgKeyProblem(key: Extract<ExportedKey, { kind: 'gpg' }>): Promise<string | undefined> {
  // OpenPGP.js reads the blocks (in the offscreen document in Chrome, never in the service worker).
  let seen: Awaited<ReturnType<typeof inspectGpgKey>>;
  try {
    seen = await inspectGpgKey(key.armoredPublic, key.armoredPrivate);
  } catch {
    return 'its key blocks are not OpenPGP keys.';
  }
  if (seen.fingerprint !== key.fingerprint.toUpperCase()) return 'its fingerprint is not its public key’s.';
  if (seen.keyId !== key.keyId.toUpperCase()) return 'its key id is not its public key’s.';
  if (!seen.secretMatches) return 'its secret key does not belong to its public key.';
  return undefined;
}

/**
 * Whether the private part signs what its public part verifies: the key is usable as it stands
 * (a changed seed, exponent or prime fails here).
 */
async function privatePartSigns(stored: StoredPrivateKey): Promise<boolean> {
  const message = new TextEncoder().encode('bitbucket-server-companion key check');
  try {
    if (stored.type === 'ed25519') {
      const seed = base64Decode(stored.seed);
      const pkcs8 = new Uint8Array(ED25519_PKCS8_HEADER.length + seed.length);
      pkcs8.set(ED25519_PKCS8_HEADER);
      pkcs8.set(seed, ED25519_PKCS8_HEADER.length);
      const privateKey = await crypto.subtle.importKey('pkcs8', pkcs8, { name: 'Ed25519' }, false, ['sign']);
      const publicKey = await crypto.subtle.importKey(
        'raw',
        base64Decode(stored.publicKey) as Uint8Array<ArrayBuffer>,
        { name: 'Ed25519' },
        false,
        ['verify'],
      );
      const signature = await crypto.subtle.sign({ name: 'Ed25519' }, privateKey, message);
      return await crypto.subtle.verify({ name: 'Ed25519' }, publicKey, signature, message);
    }
    const big = (b64text: string) => bytesToBigInt(base64Decode(b64text));
    const d = big(stored.d);
    const p = big(stored.p);
    const q = big(stored.q);
    const jwk = (name: string) => base64url(base64Decode(name));
    const algorithm = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' };
    const privateKey = await crypto.subtle.importKey(
      'jwk',
      {
        kty: 'RSA',
        n: jwk(stored.n),
        e: jwk(stored.e),
        d: jwk(stored.d),
        p: jwk(stored.p),
        q: jwk(stored.q),
        dp: base64url(bigIntToBytes(d % (p - 1n))),
        dq: base64url(bigIntToBytes(d % (q - 1n))),
        qi: jwk(stored.iqmp),
      },
      algorithm,
      false,
      ['sign'],
    );
    const publicKey = await crypto.subtle.importKey(
      'jwk',
      { kty: 'RSA', n: jwk(stored.n), e: jwk(stored.e) },
      algorithm,
      false,
      ['verify'],
    );
    const signature = await crypto.subtle.sign(algorithm, privateKey, message);
    return await crypto.subtle.verify(algorithm, publicKey, signature, message);
  } catch {
    // WebCrypto refuses inconsistent or malformed key material outright.
    return false;
  }
}

function bytesToBigInt(bytes: Uint8Array): bigint {
  let n = 0n;
  for (const byte of bytes) n = (n << 8n) | BigInt(byte);
  return n;
}

function bigIntToBytes(n: bigint): Uint8Array {
  const hex = n.toString(16);
  const even = hex.length % 2 ? `0${hex}` : hex;
  return Uint8Array.from(even.match(/../g) ?? ['00'], (pair) => Number.parseInt(pair, 16));
}

function base64url(bytes: Uint8Array): string {
  return base64(bytes).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}
