/**
 * SSH key generation with WebCrypto (`crypto.subtle`), pure: no extension API, so it runs in an
 * extension page, an offscreen document and in Node. The result carries the public line and
 * fingerprint to show and upload, and the private key material for `openSshPrivateKeyFile`
 * (the caller seals it before storing it).
 */
import {
  base64Decode,
  openSshPublicLine,
  type SshKeyType,
  type SshPrivateKey,
  sshFingerprint,
  sshKeyBits,
  sshPublicKeyBlob,
} from './ssh-format';

export type SshKeySpec = { type: 'ed25519' } | { type: 'rsa'; bits: 3072 | 4096 };

export interface GeneratedSshKey {
  type: SshKeyType;
  /** 256 for Ed25519, the modulus size for RSA: the first number `ssh-keygen -l` prints. */
  bits: number;
  /** `ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI… comment` or `ssh-rsa AAAAB3NzaC1yc2E… comment`. */
  publicLine: string;
  /** The public key blob the line carries in base64. */
  publicKeyBlob: Uint8Array;
  /** SHA256 fingerprint as `ssh-keygen -l -E sha256` prints it, without "SHA256:". */
  fingerprint: string;
  comment: string;
  /** Secret: everything `openSshPrivateKeyFile` needs. */
  privateKey: SshPrivateKey;
}

/**
 * The PKCS#8 DER of an Ed25519 private key (RFC 8410): a fixed 16-byte header — SEQUENCE, version 0,
 * AlgorithmIdentifier id-Ed25519 (1.3.101.112), OCTET STRING wrapping the OCTET STRING of the seed —
 * followed by the 32-byte seed. Checked byte for byte so a different encoding is never misread.
 */
export const ED25519_PKCS8_HEADER = Uint8Array.from(
  '302e020100300506032b657004220420'.match(/../g)!,
  (pair) => Number.parseInt(pair, 16),
);

const RSA_PUBLIC_EXPONENT = Uint8Array.of(0x01, 0x00, 0x01);

export async function generateSshKey(spec: SshKeySpec, comment: string): Promise<GeneratedSshKey> {
  const privateKey = spec.type === 'ed25519' ? await generateEd25519() : await generateRsa(spec.bits);
  const publicKeyBlob = sshPublicKeyBlob(privateKey);
  return {
    type: privateKey.type,
    bits: sshKeyBits(privateKey),
    publicLine: openSshPublicLine(publicKeyBlob, comment),
    publicKeyBlob,
    fingerprint: await sshFingerprint(publicKeyBlob),
    comment,
    privateKey,
  };
}

async function generateEd25519(): Promise<SshPrivateKey> {
  const pair = (await crypto.subtle.generateKey({ name: 'Ed25519' }, true, [
    'sign',
    'verify',
  ])) as CryptoKeyPair;
  const publicKey = new Uint8Array(await crypto.subtle.exportKey('raw', pair.publicKey));
  const pkcs8 = new Uint8Array(await crypto.subtle.exportKey('pkcs8', pair.privateKey));
  return { type: 'ed25519', publicKey, seed: ed25519SeedFromPkcs8(pkcs8) };
}

/** The 32-byte seed of an Ed25519 PKCS#8 key: the last 32 bytes, after the fixed header. */
export function ed25519SeedFromPkcs8(pkcs8: Uint8Array): Uint8Array {
  const header = ED25519_PKCS8_HEADER;
  if (pkcs8.length !== header.length + 32 || header.some((byte, i) => pkcs8[i] !== byte)) {
    throw new Error('Unexpected Ed25519 PKCS#8 encoding');
  }
  return pkcs8.slice(header.length);
}

async function generateRsa(bits: 3072 | 4096): Promise<SshPrivateKey> {
  if (bits !== 3072 && bits !== 4096) throw new Error(`Unsupported RSA key size: ${bits}`);
  const pair = await crypto.subtle.generateKey(
    {
      name: 'RSASSA-PKCS1-v1_5',
      modulusLength: bits,
      publicExponent: RSA_PUBLIC_EXPONENT,
      hash: 'SHA-256',
    },
    true,
    ['sign', 'verify'],
  );
  const jwk = await crypto.subtle.exportKey('jwk', pair.privateKey);
  const field = (name: 'n' | 'e' | 'd' | 'p' | 'q' | 'qi') => {
    const value = jwk[name];
    if (typeof value !== 'string' || value === '') throw new Error(`RSA JWK without "${name}"`);
    return base64Decode(value);
  };
  return {
    type: 'rsa',
    n: field('n'),
    e: field('e'),
    d: field('d'),
    p: field('p'),
    q: field('q'),
    iqmp: field('qi'),
  };
}
