/**
 * Generates an OpenPGP key for commit signing, on an extension page (popup or options) or in
 * tests: OpenPGP.js is imported lazily, so it never is part of the service worker.
 *
 * The key is EdDSA on ed25519 with a curve25519 encryption subkey, the "legacy" (v4) encoding that
 * Debian's gpg 2.2 imports; the secret key comes out encrypted with the passphrase.
 */
import type { GeneratedGpgKey } from './key-store';

export interface GpgIdentity {
  name: string;
  email: string;
  passphrase: string;
}

export const GPG_PASSPHRASE_MIN = 8;

export async function generateGpgKey({ name, email, passphrase }: GpgIdentity): Promise<GeneratedGpgKey> {
  if (passphrase.length < GPG_PASSPHRASE_MIN) {
    throw new Error(`Choose a passphrase of at least ${GPG_PASSPHRASE_MIN} characters.`);
  }
  const openpgp = await import('openpgp');
  const { privateKey, publicKey } = await openpgp.generateKey({
    type: 'ecc',
    curve: 'ed25519Legacy',
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
