import * as openpgp from 'openpgp';
import {
  CannotDecrypt,
  type CryptoOperation,
  type CryptoReply,
  type GpgKeyInspection,
} from './passphrase-channel';

/**
 * The one module that loads openpgp for profile files and the GPG keys in them: imported by Firefox's background page, by the
 * unit tests, and in Chrome only by the offscreen document's worker — never by the Chrome service worker.
 */

export async function encryptText(text: string, passphrase: string): Promise<string> {
  return openpgp.encrypt({
    message: await openpgp.createMessage({ text }),
    passwords: [passphrase],
    format: 'armored',
  });
}

/** Throws CannotDecrypt for anything OpenPGP refuses: a wrong passphrase, a damaged or foreign message. */
export async function decryptText(armored: string, passphrase: string): Promise<string> {
  try {
    const message = await openpgp.readMessage({ armoredMessage: armored });
    const { data } = await openpgp.decrypt({ message, passwords: [passphrase], format: 'utf8' });
    return data;
  } catch (error) {
    throw new CannotDecrypt({ cause: error });
  }
}

/**
 * Reads a GPG key: the public block must hold a public key; the secret block, when given, is read
 * (not decrypted: it stays protected by its own passphrase) and compared with it. Throws when a
 * block is not an OpenPGP key.
 */
export async function inspectGpgKey(
  armoredPublic: string,
  armoredPrivate?: string,
): Promise<GpgKeyInspection> {
  const key = await openpgp.readKey({ armoredKey: armoredPublic });
  if (key.isPrivate()) throw new Error('The public key block holds a secret key.');
  const fingerprint = key.getFingerprint().toUpperCase();
  const seen: GpgKeyInspection = {
    fingerprint,
    keyId: key.getKeyID().toHex().toUpperCase(),
    rsa: key.getAlgorithmInfo().algorithm.startsWith('rsa'),
  };
  if (armoredPrivate === undefined) return seen;
  const secret = await openpgp.readPrivateKey({ armoredKey: armoredPrivate }).catch(() => undefined);
  return { ...seen, secretMatches: secret?.getFingerprint().toUpperCase() === fingerprint };
}

/** Runs one channel operation; its reply never carries the passphrase or OpenPGP's own error text. */
export async function perform(operation: CryptoOperation): Promise<CryptoReply> {
  try {
    const text =
      operation.op === 'encrypt'
        ? await encryptText(operation.text, operation.passphrase)
        : operation.op === 'decrypt'
          ? await decryptText(operation.armored, operation.passphrase)
          : JSON.stringify(await inspectGpgKey(operation.armoredPublic, operation.armoredPrivate));
    return { ok: true, text };
  } catch (error) {
    if (error instanceof CannotDecrypt) return { ok: false, failure: 'cannot-decrypt' };
    // A key block that isn't a key is what a changed profiles file brings: expected, not a fault.
    (operation.op === 'inspect-gpg' ? console.warn : console.error)(
      `OpenPGP failed (${operation.op})`,
      error,
    );
    return { ok: false, failure: 'failed' };
  }
}
