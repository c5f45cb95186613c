/**
 * Parsing of the keys users add to their account: OpenSSH public key lines (`ssh-ed25519 AAAA… comment`)
 * and ASCII-armoured OpenPGP public keys. Both are parsed for real, so fingerprints, bit lengths, key
 * ids and e-mail addresses are what the real server (and `ssh-keygen`, `gpg`) would report.
 */
import { createHash, createPublicKey, type JsonWebKey } from 'node:crypto';
import { readKey } from 'openpgp';
import type { GpgAlgorithm, GpgKeyPolicy, SshAlgorithm } from './types';

export const SSH_ALGORITHMS: readonly SshAlgorithm[] = ['RSA', 'DSA', 'ECDSA', 'ED25519'];
export const GPG_ALGORITHMS_ALL: readonly GpgAlgorithm[] = ['RSA', 'DSA', 'EDDSA', 'ECDSA'];

export interface ParsedSshKey {
  /** The key type named in the line and inside the blob, e.g. "ssh-ed25519". */
  type: string;
  algorithm: SshAlgorithm;
  bitLength: number;
  /** As `ssh-keygen -l -E sha256` prints it, without "SHA256:": base64 of sha256(blob), no padding. */
  fingerprint: string;
  blob: Buffer;
  comment?: string;
  /** The line as stored: "type base64[ comment]". */
  text: string;
}

const CURVES: Record<string, { crv: string; bits: number; size: number }> = {
  nistp256: { crv: 'P-256', bits: 256, size: 32 },
  nistp384: { crv: 'P-384', bits: 384, size: 48 },
  nistp521: { crv: 'P-521', bits: 521, size: 66 },
};

const KEY_TYPES: Record<string, SshAlgorithm> = {
  'ssh-rsa': 'RSA',
  'ssh-dss': 'DSA',
  'ssh-ed25519': 'ED25519',
  'ecdsa-sha2-nistp256': 'ECDSA',
  'ecdsa-sha2-nistp384': 'ECDSA',
  'ecdsa-sha2-nistp521': 'ECDSA',
};

/** OpenSSH refuses RSA moduli below 1024 bits; the server calls such keys "not of a supported length". */
const RSA_MIN_BITS = 1024;

/** Reads the SSH wire format (RFC 4251 §5): uint32 length-prefixed strings and mpints. */
class WireReader {
  private offset = 0;
  constructor(private readonly buffer: Buffer) {}

  string(): Buffer {
    if (this.offset + 4 > this.buffer.length) throw new Error('truncated key blob');
    const length = this.buffer.readUInt32BE(this.offset);
    const start = this.offset + 4;
    if (start + length > this.buffer.length) throw new Error('truncated key blob');
    this.offset = start + length;
    return this.buffer.subarray(start, start + length);
  }

  /** A positive mpint without its leading zero bytes. */
  mpint(): Buffer {
    const value = this.string();
    if (value.length === 0 || (value[0] ?? 0) & 0x80) throw new Error('not a positive integer');
    let i = 0;
    while (i < value.length - 1 && value[i] === 0) i++;
    return value.subarray(i);
  }

  get done(): boolean {
    return this.offset === this.buffer.length;
  }
}

function bitLengthOf(unsigned: Buffer): number {
  const first = unsigned[0] ?? 0;
  return first === 0 ? 0 : (unsigned.length - 1) * 8 + (32 - Math.clz32(first));
}

const b64url = (b: Buffer) => b.toString('base64url');

/** Lets OpenSSL check the key material (an RSA modulus, a point on the curve). */
function checkMaterial(jwk: JsonWebKey): void {
  createPublicKey({ key: jwk, format: 'jwk' });
}

/** The SHA-256 fingerprint of a key blob, as `ssh-keygen -l -E sha256` prints it (without "SHA256:"). */
export function sshFingerprint(blob: Buffer): string {
  return createHash('sha256').update(blob).digest('base64').replace(/=+$/, '');
}

/**
 * Parses one OpenSSH public key line. The blob must be canonical base64, name the same type as the
 * line's prefix, hold exactly the fields of its type, and carry valid key material.
 */
export function parseSshPublicKey(input: string): ParsedSshKey | { error: string } {
  const line = input.trim();
  if (!line) return { error: 'the key text is empty' };
  if (/[\r\n]/.test(line)) return { error: 'the text holds more than one line' };
  const [type = '', data = '', ...rest] = line.split(/[ \t]+/);
  const algorithm = KEY_TYPES[type];
  if (!algorithm) return { error: `${type.slice(0, 40) || 'the text'} is not a supported key type` };
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(data)) return { error: 'the key data is not base64' };
  const blob = Buffer.from(data, 'base64');
  if (blob.toString('base64').replace(/=+$/, '') !== data.replace(/=+$/, '')) {
    return { error: 'the key data is not base64' };
  }
  let bitLength: number;
  try {
    const reader = new WireReader(blob);
    const inner = reader.string().toString('latin1');
    if (inner !== type) return { error: `the key data is a ${inner.slice(0, 40)} key, not ${type}` };
    if (algorithm === 'ED25519') {
      const key = reader.string();
      if (key.length !== 32) return { error: 'an Ed25519 key is 32 bytes' };
      checkMaterial({ kty: 'OKP', crv: 'Ed25519', x: b64url(key) });
      bitLength = 256;
    } else if (algorithm === 'RSA') {
      const e = reader.mpint();
      const n = reader.mpint();
      bitLength = bitLengthOf(n);
      if (bitLength < RSA_MIN_BITS) return { error: `a ${bitLength}-bit RSA key is too short` };
      checkMaterial({ kty: 'RSA', n: b64url(n), e: b64url(e) });
    } else if (algorithm === 'ECDSA') {
      const curveName = reader.string().toString('latin1');
      const curve = CURVES[curveName];
      if (!curve || `ecdsa-sha2-${curveName}` !== type) {
        return { error: `the key data names the curve ${curveName.slice(0, 40)}, not the one of ${type}` };
      }
      const point = reader.string();
      if (point.length !== 1 + 2 * curve.size || point[0] !== 0x04) {
        return { error: 'the curve point is not an uncompressed point of the curve' };
      }
      checkMaterial({
        kty: 'EC',
        crv: curve.crv,
        x: b64url(point.subarray(1, 1 + curve.size)),
        y: b64url(point.subarray(1 + curve.size)),
      });
      bitLength = curve.bits;
    } else {
      const p = reader.mpint();
      for (let i = 0; i < 3; i++) reader.mpint(); // q, g, y
      bitLength = bitLengthOf(p);
      if (bitLength !== 1024) return { error: 'DSA keys are 1024 bits' };
    }
    if (!reader.done) return { error: 'the key data has trailing bytes' };
  } catch (e) {
    return { error: `the key data is invalid (${(e as Error).message})` };
  }
  const comment = rest.join(' ') || undefined;
  return {
    type,
    algorithm,
    bitLength,
    fingerprint: sshFingerprint(blob),
    blob,
    ...(comment ? { comment } : {}),
    text: `${type} ${data}${comment ? ` ${comment}` : ''}`,
  };
}

export interface ParsedGpgKey {
  /** Long key id, 16 upper-case hex digits. */
  id: string;
  /** 40 (v4) or 64 (v6) upper-case hex digits. */
  fingerprint: string;
  /** The primary user id's e-mail address (empty when no user id has one). */
  emailAddress: string;
  userIds: string[];
  /** The primary key's algorithm; undefined for one the policy has no name for. */
  algorithm?: GpgAlgorithm;
  /** Epoch ms; undefined when the key never expires. */
  expiryDate?: number;
  subKeys: Array<{ fingerprint: string; expiryDate?: number }>;
  text: string;
}

/** OpenPGP.js's algorithm names of primary (signing) keys, by the policy's names. */
const GPG_ALGORITHMS: Record<string, GpgAlgorithm> = {
  rsaEncryptSign: 'RSA',
  rsaSign: 'RSA',
  dsa: 'DSA',
  eddsaLegacy: 'EDDSA',
  ed25519: 'EDDSA',
  ed448: 'EDDSA',
  ecdsa: 'ECDSA',
};

const GPG_ALGORITHM_NAMES: Record<GpgAlgorithm, string> = {
  RSA: 'RSA',
  DSA: 'DSA',
  EDDSA: 'EdDSA',
  ECDSA: 'ECDSA',
};

/**
 * The sentence a server refusing the key's algorithm answers with (400), or undefined when the policy
 * accepts it. The wording is the simulator's: no public source quotes the real server's.
 */
export function gpgPolicyRefusal(key: ParsedGpgKey, policy: GpgKeyPolicy | undefined): string | undefined {
  const allowed = policy?.allowed;
  if (!allowed || (key.algorithm && allowed.includes(key.algorithm))) return undefined;
  const name = key.algorithm ? GPG_ALGORITHM_NAMES[key.algorithm] : 'This type of';
  const list = allowed.map((a) => GPG_ALGORITHM_NAMES[a]).join(', ') || 'none';
  return `${name} keys are not supported. Supported GPG key algorithms: ${list}.`;
}

function finiteDate(value: Date | number | null): number | undefined {
  if (value instanceof Date) return value.getTime();
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

/** Parses an ASCII-armoured OpenPGP public key block. Private keys are refused. */
export async function parseGpgPublicKey(input: string): Promise<ParsedGpgKey | { error: string }> {
  const text = input.trim();
  if (!text.includes('-----BEGIN PGP PUBLIC KEY BLOCK-----')) {
    return { error: 'the text is not an ASCII-armoured PGP public key block' };
  }
  try {
    const key = await readKey({ armoredKey: text });
    if (key.isPrivate()) return { error: 'the text is a private key' };
    let email = '';
    try {
      email = (await key.getPrimaryUser()).user.userID?.email ?? '';
    } catch {
      email = key.users.map((u) => u.userID?.email ?? '').find((e) => e) ?? '';
    }
    let expiry: number | undefined;
    try {
      expiry = finiteDate(await key.getExpirationTime());
    } catch {
      expiry = undefined;
    }
    const subKeys: ParsedGpgKey['subKeys'] = [];
    for (const sub of key.getSubkeys()) {
      let subExpiry: number | undefined;
      try {
        subExpiry = finiteDate(await sub.getExpirationTime());
      } catch {
        subExpiry = undefined;
      }
      subKeys.push({
        fingerprint: sub.getFingerprint().toUpperCase(),
        ...(subExpiry !== undefined ? { expiryDate: subExpiry } : {}),
      });
    }
    const algorithm = GPG_ALGORITHMS[key.getAlgorithmInfo().algorithm];
    return {
      id: key.getKeyID().toHex().toUpperCase(),
      fingerprint: key.getFingerprint().toUpperCase(),
      emailAddress: email,
      userIds: key.getUserIDs(),
      ...(algorithm ? { algorithm } : {}),
      ...(expiry !== undefined ? { expiryDate: expiry } : {}),
      subKeys,
      text,
    };
  } catch (e) {
    return { error: `the key could not be read (${(e as Error).message})` };
  }
}
