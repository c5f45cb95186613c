/**
 * The SSH and GPG keys feature's part of the message protocol (assembled in lib/messaging). No
 * answer carries a private key, except 'keys.ssh.privateKey', which only extension pages may send.
 */
import * as v from 'valibot';
import type { KeySummary } from './key-store';
import type { StoredPrivateKey } from './private-key-material';

const Id = v.pipe(v.string(), v.minLength(1), v.maxLength(100));

export const KEY_LABEL_TOO_LONG = 'Keep the key’s label under 200 characters.';

export const KEYS_REQUESTS = [
  /**
   * Generate a key pair for a profile's server and save it (comment `<user>@<server host>`).
   * RSA: 3072 or 4096 bits (default 4096).
   */
  v.object({
    type: v.literal('keys.ssh.generate'),
    keyType: v.picklist(['ed25519', 'rsa']),
    bits: v.optional(v.picklist([3072, 4096])),
    label: v.optional(v.pipe(v.string(), v.trim(), v.maxLength(200, KEY_LABEL_TOO_LONG))),
    profileId: Id,
  }),
  v.object({ type: v.literal('keys.list') }),
  /** Add the saved key's public line to the profile's account, with the profile's token. */
  v.object({ type: v.literal('keys.ssh.install'), keyId: Id, profileId: Id }),
  /** The SSH keys on the profile's account, each marked when it is one of ours. */
  v.object({ type: v.literal('keys.server.list'), profileId: Id }),
  v.object({ type: v.literal('keys.remove'), keyId: Id }),
  /** The private key material for the file to download (extension pages only; see private-key-file.ts). */
  v.object({ type: v.literal('keys.ssh.privateKey'), keyId: Id }),
] as const;

/** The sentences of these schemas, shown to the extension's pages when input is refused. */
export const KEYS_INPUT_SENTENCES = [KEY_LABEL_TOO_LONG] as const;

export type InstallAnswer =
  /** On the account now; `already`: it was there before (the server said so). */
  | { installed: true; already: boolean; key: KeySummary }
  /**
   * The server does not let the token add keys: the key has to be added through the user's browser
   * session on the server's own SSH keys page. `message` says so (the permission sentence).
   */
  | { installed: false; needsSession: true; message: string };

export interface ServerSshKey {
  id: number;
  label: string | null;
  text: string;
  fingerprint: string | null;
  algorithmType: string | null;
  bitLength: number | null;
  /** Epoch ms. */
  createdDate: number | null;
  expiryDays: number | null;
  lastAuthenticated: number | null;
  /** One of the extension's saved keys (same fingerprint). */
  mine: boolean;
  /** That saved key's id. */
  keyId?: string;
}

export interface KeysResponses {
  'keys.ssh.generate': KeySummary;
  'keys.list': KeySummary[];
  'keys.ssh.install': InstallAnswer;
  'keys.server.list': ServerSshKey[];
  'keys.remove': { removed: boolean };
  'keys.ssh.privateKey': { fileName: string; comment: string; material: StoredPrivateKey };
}
