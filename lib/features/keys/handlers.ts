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
import { inspectGpgKey } from '../../background/passphrase-crypto';
import { clientForProfile, type ProfileClientDeps } from '../../background/profile-client';
import { type HandlerContext, UserFacingError } from '../../background/router';
import type { BitbucketClient } from '../../bitbucket/client';
import { isBitbucketError } from '../../bitbucket/errors';
import { addGpgKey, deleteGpgKey, type GpgKey, listGpgKeys } from '../../bitbucket/gpg-keys';
import {
  addSshKey,
  deleteSshKey,
  getSshSettings,
  listSshKeys,
  type SshKey,
  sshEndpoint,
  sshKeyRefusal,
} from '../../bitbucket/ssh-keys';
import type { CompanionDb, KeyInstallation, KeyRecord, ProfileRecord } from '../../db/schema';
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
import type {
  KeysResponses,
  ServerGpgKey,
  ServerKeyList,
  ServerSshKey,
  SshConfigEntry,
  SshSettingsAnswer,
} from './messages';
import { commentHost, privateKeyFileName, sshConfigBlock } from './ssh-config';
import { generateSshKey, type SshKeySpec } from './ssh-generate';

export { privateKeyFileName };

type KeysHandlers = {
  [T in keyof KeysResponses]: (request: RequestOf<T>, ctx: HandlerContext) => Promise<KeysResponses[T]>;
};

const NO_SUCH_KEY = 'That key is no longer in the extension.';

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

    'keys.ssh.install': async ({ keyId, profileId, expiryDays }) => {
      const key = await getKeySummary(db, keyId);
      if (key?.kind !== 'ssh') throw new UserFacingError('not-found', NO_SUCH_KEY);
      const { client } = await clientForProfile(db, profileId, deps);
      let result: Awaited<ReturnType<typeof addSshKey>>;
      try {
        result = await addSshKey(client, { text: key.publicLine, label: key.label, expiryDays });
      } catch (error) {
        // The server does not let tokens add keys: the token still works, nothing is marked broken;
        // the key goes on through the user's session on the server's SSH keys page instead.
        if (isBitbucketError(error, 'missing-permission')) {
          return { installed: false, needsSession: true, message: error.message };
        }
        // A refusal of the key (its expiry, type or length) is an answer the tab can act on. Any
        // other failure (network, server) throws before anything is recorded: nothing half-done.
        if (isBitbucketError(error, 'bad-request')) {
          const refusal = sshKeyRefusal(error);
          if (refusal.reason === 'expiry') {
            return {
              installed: false,
              needsExpiry: true,
              message: refusal.message,
              ...(refusal.maxDays !== undefined ? { maxDays: refusal.maxDays } : {}),
            };
          }
          return {
            installed: false,
            refused: true,
            message: error.message,
            offerRsa4096: !(key.type === 'rsa' && key.bits >= 4096),
          };
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
      const [ssh, gpg] = await Promise.allSettled([listSshKeys(client), listGpgKeys(client)]);
      // The same failure twice (the server is down, the token revoked): one failure for the whole list.
      if (ssh.status === 'rejected' && gpg.status === 'rejected') throw ssh.reason;
      await reconcileInstallations(
        db,
        profileId,
        ssh.status === 'fulfilled' ? ssh.value : undefined,
        gpg.status === 'fulfilled' ? gpg.value : undefined,
      );
      const saved = await listKeys(db);
      const sshSaved = new Map(saved.filter((k) => k.kind === 'ssh').map((k) => [k.fingerprint, k.id]));
      const gpgSaved = saved.filter((k) => k.kind === 'gpg');
      return {
        ssh: listed(ssh, (k): ServerSshKey => {
          const keyId = k.fingerprint ? sshSaved.get(k.fingerprint) : undefined;
          return { ...serverFields(k), mine: keyId !== undefined, ...(keyId !== undefined ? { keyId } : {}) };
        }),
        gpg: listed(gpg, (k): ServerGpgKey => {
          const keyId = gpgSaved.find((s) => sameGpgKey(k, s.fingerprint))?.id;
          return {
            id: k.id,
            fingerprint: k.fingerprint,
            emailAddress: k.emailAddress ?? null,
            expiryDate: k.expiryDate ?? null,
            mine: keyId !== undefined,
            ...(keyId !== undefined ? { keyId } : {}),
          };
        }),
      };
    },

    'keys.server.remove': async ({ profileId, kind, serverKeyId }) => {
      const { client } = await clientForProfile(db, profileId, deps);
      try {
        if (kind === 'ssh') {
          if (!/^\d+$/.test(serverKeyId))
            throw new UserFacingError('invalid-input', 'That is not an SSH key id.');
          await deleteSshKey(client, Number(serverKeyId));
        } else {
          await deleteGpgKey(client, serverKeyId);
        }
      } catch (error) {
        // As with adding: the token still works; the key is removed on the server's own page instead.
        if (isBitbucketError(error, 'missing-permission')) {
          return { removed: false, needsSession: true, message: error.message };
        }
        throw error;
      }
      // The saved key (if it is one of ours) is no longer on this profile's account.
      await forgetWhere(db, profileId, (record, installation) =>
        kind === 'ssh'
          ? record.kind === 'ssh' && installation.serverKeyId === Number(serverKeyId)
          : record.kind === 'gpg' &&
            (sameHex(record.fingerprint, serverKeyId) || sameHex(record.keyId, serverKeyId)),
      );
      return { removed: true };
    },

    'keys.ssh.settings': async ({ profileId }) => {
      const { client, profile } = await clientForProfile(db, profileId, deps);
      return sshSettingsOf(client, profile);
    },

    'keys.ssh.config': async ({ keyId }) => {
      const key = await getKeySummary(db, keyId);
      if (key?.kind !== 'ssh') throw new UserFacingError('not-found', NO_SUCH_KEY);
      const fileName = privateKeyFileName(key);
      const keyHost = commentHost(key.comment);
      // The servers the key is installed on, else those its comment names; one entry per server.
      const profiles = await db.profiles.toArray();
      const installed = profiles.filter((p) => key.installedOn.some((i) => i.profileId === p.id));
      const named = profiles.filter((p) => new URL(p.baseUrl).hostname === keyHost);
      const servers = new Map<string, ProfileRecord>();
      for (const p of installed.length ? installed : named)
        if (!servers.has(p.baseUrl)) servers.set(p.baseUrl, p);
      return Promise.all(
        [...servers.values()].map(async (profile): Promise<SshConfigEntry> => {
          const where = { profileId: profile.id, profileLabel: profile.label };
          try {
            const { client } = await clientForProfile(db, profile.id, deps);
            const settings = await sshSettingsOf(client, profile);
            if (!settings.enabled) return { ...where, message: settings.message };
            return { ...where, block: sshConfigBlock(settings, fileName) };
          } catch (error) {
            return { ...where, message: failureSentence(error) };
          }
        }),
      );
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
        if (!listed?.some((k) => sameHex(k.fingerprint, key.fingerprint))) {
          // Refused: a server whose OpenPGP library predates EdDSA takes RSA keys only.
          return {
            installed: false,
            refused: true,
            message: error.message,
            offerRsa4096: !(await isRsaGpgKey(key.armoredPublic)),
          };
        }
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

/** Whether SSH access is on at the profile's server, and where. */
async function sshSettingsOf(client: BitbucketClient, profile: ProfileRecord): Promise<SshSettingsAnswer> {
  const settings = await getSshSettings(client);
  if (!settings.enabled) {
    return {
      enabled: false,
      message: `SSH access is turned off on ${new URL(profile.baseUrl).host}, so SSH keys can’t be used there: clone over HTTPS, or ask your Bitbucket administrators to turn SSH on.`,
    };
  }
  return { enabled: true, ...sshEndpoint(settings, profile.baseUrl) };
}

function failureSentence(error: unknown): string {
  if (isBitbucketError(error) || error instanceof UserFacingError) return error.message;
  return 'Something went wrong inside the extension. Try again; nothing was changed.';
}

function listed<T, U>(result: PromiseSettledResult<T[]>, map: (item: T) => U): ServerKeyList<U> {
  if (result.status === 'fulfilled') return { ok: true, keys: result.value.map(map) };
  const error: unknown = result.reason;
  if (!isBitbucketError(error)) throw error;
  return { ok: false, message: error.message };
}

/** Removes the installation notes of this profile that `match` picks. */
async function forgetWhere(
  db: CompanionDb,
  profileId: string,
  match: (record: KeyRecord, installation: KeyInstallation) => boolean,
): Promise<void> {
  await db.transaction('rw', db.keys, async () => {
    for (const record of await db.keys.toArray()) {
      const kept = record.installedOn.filter((i) => i.profileId !== profileId || !match(record, i));
      if (kept.length !== record.installedOn.length) await db.keys.update(record.id, { installedOn: kept });
    }
  });
}

/**
 * Brings the notes of where saved keys are installed in line with what the server just listed for
 * this profile's account: a key removed there (on the server's page, say) is no longer marked as on
 * it, and one added there (by hand) is. A kind whose listing failed is left as it is.
 */
async function reconcileInstallations(
  db: CompanionDb,
  profileId: string,
  ssh: SshKey[] | undefined,
  gpg: GpgKey[] | undefined,
): Promise<void> {
  const now = Date.now();
  await db.transaction('rw', db.keys, async () => {
    for (const record of await db.keys.toArray()) {
      let found: { serverKeyId?: number } | undefined;
      if (record.kind === 'ssh') {
        if (!ssh) continue;
        const k = ssh.find((s) => s.fingerprint === record.fingerprint || sameKey(s.text, record.publicLine));
        found = k ? { serverKeyId: k.id } : undefined;
      } else {
        if (!gpg) continue;
        found = gpg.some((g) => sameGpgKey(g, record.fingerprint)) ? {} : undefined;
      }
      const noted = record.installedOn.find((i) => i.profileId === profileId);
      if (found && !noted) {
        const installation: KeyInstallation = { profileId, ...found, installedAt: now };
        await db.keys.update(record.id, { installedOn: [...record.installedOn, installation] });
      } else if (!found && noted) {
        await db.keys.update(record.id, {
          installedOn: record.installedOn.filter((i) => i.profileId !== profileId),
        });
      }
    }
  });
}

/** Whether a GPG public key's primary key is RSA (read by OpenPGP.js; false when it can't be read). */
function isRsaGpgKey(armored: string): Promise<boolean> {
  return inspectGpgKey(armored).then(
    (seen) => seen.rsa,
    () => false,
  );
}

/** A server's GPG key is this fingerprint (the server may send the full fingerprint or a shorter form). */
function sameGpgKey(server: Pick<GpgKey, 'fingerprint' | 'id'>, fingerprint: string): boolean {
  return sameHex(server.fingerprint, fingerprint) || sameHex(server.id, fingerprint.slice(-16));
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
