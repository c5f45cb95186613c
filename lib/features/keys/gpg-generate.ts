/**
 * Generates an OpenPGP key for commit signing, on an extension page (popup or options) or in
 * tests: OpenPGP.js is imported lazily, so it never is part of the service worker.
 *
 * The key is EdDSA on ed25519 with a curve25519 encryption subkey, the "legacy" (v4) encoding that
 * Debian's gpg 2.2 imports, or RSA 4096 for servers that take no EdDSA keys; the secret key comes
 * out encrypted with the passphrase.
 */
import type { GeneratedGpgKey } from './key-store';

export interface GpgIdentity {
  name: string;
  email: string;
  passphrase: string;
  /**
   * `ed25519` (the default) or `rsa4096`, for servers that refuse EdDSA keys (RSA keys take a few
   * seconds to generate).
   */
  algorithm?: 'ed25519' | 'rsa4096';
}

export const GPG_PASSPHRASE_MIN = 8;

export async function generateGpgKey({
  name,
  email,
  passphrase,
  algorithm = 'ed25519',
}: GpgIdentity): Promise<GeneratedGpgKey> {
  if (passphrase.length < GPG_PASSPHRASE_MIN) {
    throw new Error(`Choose a passphrase of at least ${GPG_PASSPHRASE_MIN} characters.`);
  }
  const openpgp = await import('openpgp');
  const { privateKey, publicKey } = await openpgp.generateKey({
    ...(algorithm === 'rsa4096'
      ? { type: 'rsa' as const, rsaBits: 4096 }
      : { type: 'ecc' as const, curve: 'ed25519Legacy' as const }),
    userIDs: [{ name: name.trim(), email: email.trim() }],
    passphrase,
    format: 'armored',
  });
  const key = await openpgp.readKey({ armoredKey: publicKey });
  return {
    armoredPublic: publicKey,
    armoredPrivate: privateKey,
    fingerprint: key.getFingerprint().toUpperCase(),
    keyId: key.getKeyID().toHex().toUpperCase(),
    userId: key.getUserIDs()[0] ?? `${name.trim()} <${email.trim()}>`,
  };
}

/** The lines that make git sign commits with the key. */
export function gitSigningLines(keyId: string): string[] {
  return [`git config --global user.signingkey ${keyId}`, 'git config --global commit.gpgsign true'];
}
