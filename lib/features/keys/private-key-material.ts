/**
 * A private key's material as it is sealed in the database and handed to the options page for a
 * download: each number or byte string in base64. No KDF here, so the service worker can use it.
 */
import { base64, base64Decode, type SshPrivateKey } from './ssh-format';

/** The private material as sealed: each number or byte string in base64. */
export type StoredPrivateKey =
  | { type: 'ed25519'; publicKey: string; seed: string }
  | { type: 'rsa'; n: string; e: string; d: string; p: string; q: string; iqmp: string };

export function toStored(key: SshPrivateKey): StoredPrivateKey {
  if (key.type === 'ed25519')
    return { type: 'ed25519', publicKey: base64(key.publicKey), seed: base64(key.seed) };
  return {
    type: 'rsa',
    n: base64(key.n),
    e: base64(key.e),
    d: base64(key.d),
    p: base64(key.p),
    q: base64(key.q),
    iqmp: base64(key.iqmp),
  };
}

export function fromStored(stored: StoredPrivateKey): SshPrivateKey {
  if (stored.type === 'ed25519') {
    return { type: 'ed25519', publicKey: base64Decode(stored.publicKey), seed: base64Decode(stored.seed) };
  }
  return {
    type: 'rsa',
    n: base64Decode(stored.n),
    e: base64Decode(stored.e),
    d: base64Decode(stored.d),
    p: base64Decode(stored.p),
    q: base64Decode(stored.q),
    iqmp: base64Decode(stored.iqmp),
  };
}
