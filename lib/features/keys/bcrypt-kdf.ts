/**
 * OpenSSH's bcrypt_pbkdf (OpenBSD's bcrypt-based KDF, not plain bcrypt), from the bcrypt-pbkdf
 * package (a port of OpenBSD's bcrypt_pbkdf.c, used by ssh2 and sshpk). Only pages that write a
 * passphrase-sealed private key file import this module: it stays out of the service worker.
 */
// bcrypt-pbkdf ships no types: its one function is typed by `BcryptPbkdf` below.
// @ts-expect-error untyped CommonJS module
import bcryptPbkdfModule from 'bcrypt-pbkdf';

type BcryptPbkdf = (
  pass: Uint8Array,
  passlen: number,
  salt: Uint8Array,
  saltlen: number,
  key: Uint8Array,
  keylen: number,
  rounds: number,
) => number;

const bcryptPbkdfRaw: BcryptPbkdf = (bcryptPbkdfModule as { pbkdf: BcryptPbkdf }).pbkdf;

/**
 * OpenSSH's bcrypt_pbkdf (OpenBSD's bcrypt-based KDF, not plain bcrypt). Synchronous and CPU-bound:
 * 16 rounds take a noticeable fraction of a second, so call it off the UI thread where that matters.
 */
export function bcryptPbkdf(passphrase: Uint8Array, salt: Uint8Array, rounds: number, length: number) {
  const out = new Uint8Array(length);
  if (bcryptPbkdfRaw(passphrase, passphrase.length, salt, salt.length, out, length, rounds) !== 0) {
    throw new Error('bcrypt_pbkdf: invalid parameters');
  }
  return out;
}
