/**
 * The background side of SSH keys: generating and keeping key pairs, installing the public key on
 * a profile's account with its token, listing the account's keys, and the private key file for the
 * options page to download.
 *
 * Generation runs here, in the background: both Ed25519 and RSA come from WebCrypto
 * (`crypto.subtle.generateKey`), the browser's native implementation, which runs off the worker's
 * event loop and adds no library to parse at start-up; an RSA 4096 key takes a second or so there,
 * during which the worker keeps answering other messages.
 *
 * GPG keys are the exception: OpenPGP.js is too big to parse on every wake of the worker, so the
 * popup generates them (importing it lazily) and hands the armored keys here to be kept and installed.
 */
import { clientForProfile, type ProfileClientDeps } from '../../background/profile-client';
import { type HandlerContext, UserFacingError } from '../../background/router';
import { isBitbucketError } from '../../bitbucket/errors';
import { addGpgKey, listGpgKeys } from '../../bitbucket/gpg-keys';
import { addSshKey, listSshKeys, type SshKey } from '../../bitbucket/ssh-keys';
import type { CompanionDb } from '../../db/schema';
import type { RequestOf } from '../../messaging/protocol';
import { defaultKeyComment } from './key-comment';
import {
  exportGpgSecretKey,
  exportPrivateKeyMaterial,
  getKeySummary,
  listKeys,
  recordInstallation,
  removeKey,
  saveGeneratedSshKey,
  saveGpgKey,
} from './key-store';
import type { KeysResponses, ServerSshKey } from './messages';
import { generateSshKey, type SshKeySpec } from './ssh-generate';

type KeysHandlers = {
  [T in keyof KeysResponses]: (request: RequestOf<T>, ctx: HandlerContext) => Promise<KeysResponses[T]>;
};

const NO_SUCH_KEY = 'That key is no longer in the extension.';

/** `id_ed25519_<host>` / `id_rsa_<host>`, the host taken from the key's `<user>@<host>` comment. */
export function privateKeyFileName(key: { type: 'ed25519' | 'rsa'; comment: string }): string {
  const host = key.comment.includes('@') ? key.comment.slice(key.comment.lastIndexOf('@') + 1) : '';
  const safe = host.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^[._]+/, '');
  return safe ? `id_${key.type}_${safe}` : `id_${key.type}`;
}

/** Only the extension's own pages may have a private key; content scripts never get one. */
function requireExtensionPage(ctx: HandlerContext) {
  if (ctx.from !== 'extension-page') {
    throw new UserFacingError('refused', 'Private keys are only handed to the extension’s own pages.');
  }
}

export function createKeysHandlers(db: CompanionDb, deps: ProfileClientDeps = {}): KeysHandlers {
  const profileOf = async (profileId: string) => {
    const profile = await db.profiles.get(profileId);
    if (!profile) throw new UserFacingError('not-found', 'That profile no longer exists.');
    return profile;
  };

  return {
    'keys.ssh.generate': async ({ keyType, bits, label, profileId }) => {
      const profile = await profileOf(profileId);
      const spec: SshKeySpec =
        keyType === 'ed25519' ? { type: 'ed25519' } : { type: 'rsa', bits: bits ?? 4096 };
      const comment = defaultKeyComment(profile);
      const generated = await generateSshKey(spec, comment);
      return saveGeneratedSshKey(db, generated, label || comment);
    },

    'keys.list': () => listKeys(db),

    'keys.ssh.install': async ({ keyId, profileId }) => {
      const key = await getKeySummary(db, keyId);
      if (key?.kind !== 'ssh') throw new UserFacingError('not-found', NO_SUCH_KEY);
      const { client } = await clientForProfile(db, profileId, deps);
      let result: Awaited<ReturnType<typeof addSshKey>>;
      try {
        result = await addSshKey(client, { text: key.publicLine, label: key.label });
      } catch (error) {
        // The server does not let tokens add keys: the token still works, nothing is marked broken;
        // the key goes on through the user's session on the server's SSH keys page instead.
        if (isBitbucketError(error, 'missing-permission')) {
          return { installed: false, needsSession: true, message: error.message };
        }
        throw error;
      }
      let serverKeyId: number | undefined;
      if (result.status === 'added') {
        serverKeyId = result.key.id;
      } else {
        // The server already has this key; on this account, or (if it isn't listed) on another one.
        const listed = await listSshKeys(client).catch(() => undefined);
        if (listed) {
          const own = listed.find(
            (k) => k.fingerprint === key.fingerprint || sameKey(k.text, key.publicLine),
          );
          if (!own) {
            throw new UserFacingError(
              'conflict',
              'This key is already on another Bitbucket account on this server, so it can’t be added to yours. Generate a new key for this account.',
            );
          }
          serverKeyId = own.id;
        }
      }
      const installed = await recordInstallation(db, keyId, {
        profileId,
        ...(serverKeyId !== undefined ? { serverKeyId } : {}),
        installedAt: Date.now(),
      });
      if (!installed) throw new UserFacingError('not-found', NO_SUCH_KEY);
      return { installed: true, already: result.status === 'already-added', key: installed };
    },

    'keys.server.list': async ({ profileId }) => {
      const { client } = await clientForProfile(db, profileId, deps);
      const [listed, saved] = await Promise.all([listSshKeys(client), listKeys(db)]);
      const byFingerprint = new Map(saved.filter((k) => k.kind === 'ssh').map((k) => [k.fingerprint, k.id]));
      return listed.map((k): ServerSshKey => {
        const keyId = k.fingerprint ? byFingerprint.get(k.fingerprint) : undefined;
        return {
          ...serverFields(k),
          mine: keyId !== undefined,
          ...(keyId !== undefined ? { keyId } : {}),
        };
      });
    },

    'keys.remove': async ({ keyId }) => ({ removed: await removeKey(db, keyId) }),

    'keys.ssh.privateKey': async ({ keyId }, ctx) => {
      requireExtensionPage(ctx);
      const key = await getKeySummary(db, keyId);
      const exported = key?.kind === 'ssh' ? await exportPrivateKeyMaterial(db, keyId) : undefined;
      if (key?.kind !== 'ssh' || !exported) throw new UserFacingError('not-found', NO_SUCH_KEY);
      return { fileName: privateKeyFileName(key), ...exported };
    },

    'keys.gpg.save': async ({ armoredPublic, armoredPrivate, fingerprint, keyId, userId, label }, ctx) => {
      requireExtensionPage(ctx);
      if (!fingerprint.toUpperCase().endsWith(keyId.toUpperCase()) && fingerprint.length === 40) {
        throw new UserFacingError('invalid-input', 'The key id does not belong to that fingerprint.');
      }
      return saveGpgKey(db, { armoredPublic, armoredPrivate, fingerprint, keyId, userId }, label ?? '');
    },

    'keys.gpg.install': async ({ keyId, profileId }) => {
      const key = await getKeySummary(db, keyId);
      if (key?.kind !== 'gpg') throw new UserFacingError('not-found', NO_SUCH_KEY);
      const { client } = await clientForProfile(db, profileId, deps);
      let already = false;
      try {
        await addGpgKey(client, { text: key.armoredPublic });
      } catch (error) {
        // As with SSH keys: the key goes on through the user's session on the server's page instead.
        if (isBitbucketError(error, 'missing-permission')) {
          return { installed: false, needsSession: true, message: error.message };
        }
        // A key already on the server is a 400; it is fine when it is on this account.
        if (!isBitbucketError(error, 'bad-request')) throw error;
        const listed = await listGpgKeys(client).catch(() => undefined);
        if (!listed?.some((k) => sameHex(k.fingerprint, key.fingerprint))) throw error;
        already = true;
      }
      const installed = await recordInstallation(db, keyId, { profileId, installedAt: Date.now() });
      if (!installed) throw new UserFacingError('not-found', NO_SUCH_KEY);
      return { installed: true, already, key: installed };
    },

    'keys.gpg.privateKey': async ({ keyId }, ctx) => {
      requireExtensionPage(ctx);
      const key = await getKeySummary(db, keyId);
      const armoredPrivate = key?.kind === 'gpg' ? await exportGpgSecretKey(db, keyId) : undefined;
      if (key?.kind !== 'gpg' || !armoredPrivate) throw new UserFacingError('not-found', NO_SUCH_KEY);
      return {
        fileName: `gpg-${key.keyId}`,
        armoredPrivate,
        armoredPublic: key.armoredPublic,
        keyId: key.keyId,
      };
    },
  };
}

/** The same fingerprint or key id, whatever the case and separators (the server may write `43:51:…`). */
function sameHex(a: string, b: string): boolean {
  const bare = (s: string) => s.replace(/[^0-9A-Fa-f]/g, '').toUpperCase();
  return bare(a) === bare(b);
}

/** The same public key in two lines (type and base64 blob; the comment may differ). */
function sameKey(a: string, b: string): boolean {
  const blob = (line: string) => line.trim().split(/\s+/).slice(0, 2).join(' ');
  return blob(a) === blob(b);
}

function serverFields(k: SshKey): Omit<ServerSshKey, 'mine' | 'keyId'> {
  return {
    id: k.id,
    label: k.label ?? null,
    text: k.text,
    fingerprint: k.fingerprint ?? null,
    algorithmType: k.algorithmType ?? null,
    bitLength: k.bitLength ?? null,
    createdDate: k.createdDate ?? null,
    expiryDays: k.expiryDays ?? null,
    lastAuthenticated: k.lastAuthenticated ?? null,
  };
}
