/**
 * The OpenSSH private key file the user downloads (`-----BEGIN OPENSSH PRIVATE KEY-----`), written by
 * the options page from the material the background hands it, sealed with a passphrase when one is
 * given (bcrypt_pbkdf + aes256-ctr, as ssh-keygen writes it). Page side: it loads the KDF library.
 */
import { bcryptPbkdf } from './bcrypt-kdf';
import { fromStored, type StoredPrivateKey } from './private-key-material';
import { openSshPrivateKeyFile } from './ssh-format';

export function privateKeyFile(
  material: StoredPrivateKey,
  comment: string,
  passphrase?: string,
): Promise<string> {
  return openSshPrivateKeyFile(fromStored(material), {
    comment,
    ...(passphrase ? { passphrase, kdf: bcryptPbkdf } : {}),
  });
}
