import * as openpgp from 'openpgp';
import { CannotDecrypt, type CryptoOperation, type CryptoReply } from './passphrase-channel';

/**
 * The one module that loads openpgp for profile files: imported by Firefox's background page, by the
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

/** Runs one channel operation; its reply never carries the passphrase or OpenPGP's own error text. */
export async function perform(operation: CryptoOperation): Promise<CryptoReply> {
  try {
    const text =
      operation.op === 'encrypt'
        ? await encryptText(operation.text, operation.passphrase)
        : await decryptText(operation.armored, operation.passphrase);
    return { ok: true, text };
  } catch (error) {
    if (error instanceof CannotDecrypt) return { ok: false, failure: 'cannot-decrypt' };
    console.error('OpenPGP failed on a profiles file', error);
    return { ok: false, failure: 'failed' };
  }
}
