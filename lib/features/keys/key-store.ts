/**
 * The extension's own key pairs in the database (`keys` store), background only. The private
 * material is sealed with the same key as the tokens and only leaves the store for the options
 * page, which writes the OpenSSH private key file the user downloads.
 */
import type { CompanionDb, GpgKeyRecord, KeyInstallation, KeyRecord, SshKeyRecord } from '../../db/schema';
import { openSecret, sealSecret } from '../../db/secrets';
import { type StoredPrivateKey, toStored } from './private-key-material';
import type { GeneratedSshKey } from './ssh-generate';

/** A key as the UI may see it: everything but the private part. */
export type SshKeySummary = Omit<SshKeyRecord, 'privateKey'>;
export type GpgKeySummary = Omit<GpgKeyRecord, 'privateKey'>;
export type KeySummary = SshKeySummary | GpgKeySummary;

export function keySummary(record: SshKeyRecord): SshKeySummary;
export function keySummary(record: GpgKeyRecord): GpgKeySummary;
export function keySummary(record: KeyRecord): KeySummary;
export function keySummary(record: KeyRecord): KeySummary {
  const { privateKey: _sealed, ...summary } = record;
  return { ...summary, installedOn: summary.installedOn.map((i) => ({ ...i })) } as KeySummary;
}

/** Saves a freshly generated key pair, the private part sealed; answers its summary. */
export async function saveGeneratedSshKey(
  db: CompanionDb,
  generated: GeneratedSshKey,
  label: string,
  now = Date.now(),
): Promise<SshKeySummary> {
  const record: SshKeyRecord = {
    id: crypto.randomUUID(),
    kind: 'ssh',
    type: generated.type,
    bits: generated.bits,
    label: label.trim() || generated.comment,
    comment: generated.comment,
    publicLine: generated.publicLine,
    fingerprint: generated.fingerprint,
    createdAt: now,
    privateKey: await sealSecret(db, JSON.stringify(toStored(generated.privateKey))),
    installedOn: [],
  };
  await db.keys.add(record);
  return keySummary(record);
}

/** Every saved key, newest first, without private parts. */
export async function listKeys(db: CompanionDb): Promise<KeySummary[]> {
  const records = await db.keys.toArray();
  return records.sort((a, b) => b.createdAt - a.createdAt).map(keySummary);
}

export async function getKeySummary(db: CompanionDb, id: string): Promise<KeySummary | undefined> {
  const record = await db.keys.get(id);
  return record ? keySummary(record) : undefined;
}

/**
 * The private material of a saved key, for the options page to write the key file the user
 * downloads (the file holds the same secret). Undefined when there is no such key.
 */
export async function exportPrivateKeyMaterial(
  db: CompanionDb,
  id: string,
): Promise<{ material: StoredPrivateKey; comment: string } | undefined> {
  const record = await db.keys.get(id);
  if (record?.kind !== 'ssh') return undefined;
  const material = JSON.parse(await openSecret(db, record.privateKey)) as StoredPrivateKey;
  return { material, comment: record.comment };
}

/** What an extension page hands over after generating a GPG key (see handlers.ts). */
export interface GeneratedGpgKey {
  armoredPublic: string;
  /** Already encrypted with the user's passphrase. */
  armoredPrivate: string;
  fingerprint: string;
  keyId: string;
  userId: string;
}

/** Saves a GPG key generated on an extension page, the (passphrase-encrypted) secret key sealed. */
export async function saveGpgKey(
  db: CompanionDb,
  generated: GeneratedGpgKey,
  label: string,
  now = Date.now(),
): Promise<GpgKeySummary> {
  const record: GpgKeyRecord = {
    id: crypto.randomUUID(),
    kind: 'gpg',
    label: label.trim() || generated.userId,
    userId: generated.userId,
    keyId: generated.keyId.toUpperCase(),
    fingerprint: generated.fingerprint.toUpperCase(),
    armoredPublic: generated.armoredPublic.trim(),
    createdAt: now,
    privateKey: await sealSecret(db, generated.armoredPrivate.trim()),
    installedOn: [],
  };
  await db.keys.add(record);
  return keySummary(record);
}

/** The armored secret key of a saved GPG key (still passphrase-encrypted); undefined when there is none. */
export async function exportGpgSecretKey(db: CompanionDb, id: string): Promise<string | undefined> {
  const record = await db.keys.get(id);
  if (record?.kind !== 'gpg') return undefined;
  return openSecret(db, record.privateKey);
}

/** Notes that the key is on a profile's server (replacing an earlier note for that profile). */
export async function recordInstallation(
  db: CompanionDb,
  id: string,
  installation: KeyInstallation,
): Promise<KeySummary | undefined> {
  await db.keys.update(id, (record) => {
    record.installedOn = [
      ...record.installedOn.filter((i) => i.profileId !== installation.profileId),
      installation,
    ];
  });
  return getKeySummary(db, id);
}

/** Forgets a key pair (the servers keep their copies of the public key). */
export async function removeKey(db: CompanionDb, id: string): Promise<boolean> {
  const existing = await db.keys.get(id);
  if (!existing) return false;
  await db.keys.delete(id);
  return true;
}

/** Forgets where keys were installed for a profile that was removed (the keys themselves stay). */
export async function forgetInstallations(db: CompanionDb, profileId: string): Promise<void> {
  await db.transaction('rw', db.keys, async () => {
    const keys = await db.keys.toArray();
    for (const key of keys) {
      if (!key.installedOn.some((i) => i.profileId === profileId)) continue;
      await db.keys.update(key.id, { installedOn: key.installedOn.filter((i) => i.profileId !== profileId) });
    }
  });
}

/**
 * A saved key with its private part open, for the passphrase-encrypted profiles file (see
 * lib/background/export-import.ts): SSH keys carry their private material, GPG keys their armored
 * secret key (still protected by its own passphrase).
 */
export type OpenedKey =
  | (Omit<SshKeyRecord, 'privateKey'> & { privateKey: StoredPrivateKey })
  | (Omit<GpgKeyRecord, 'privateKey'> & { armoredPrivate: string });

/** A key arriving from a profiles file: no id yet, installations already naming this browser's profiles. */
export type IncomingKey =
  | Omit<Extract<OpenedKey, { kind: 'ssh' }>, 'id'>
  | Omit<Extract<OpenedKey, { kind: 'gpg' }>, 'id'>;

/** Every saved key with its private part opened, oldest first (background only). */
export async function openAllKeys(db: CompanionDb): Promise<OpenedKey[]> {
  const records = (await db.keys.toArray()).sort((a, b) => a.createdAt - b.createdAt);
  return Promise.all(
    records.map(async (record): Promise<OpenedKey> => {
      const { privateKey, ...rest } = record;
      const opened = await openSecret(db, privateKey);
      if (rest.kind === 'ssh') return { ...rest, privateKey: JSON.parse(opened) as StoredPrivateKey };
      return { ...rest, armoredPrivate: opened };
    }),
  );
}

/**
 * Seals the private parts of keys from a profiles file, each under a new id. Runs before the
 * import's transaction: WebCrypto's promises would end an IndexedDB transaction early.
 */
export function sealIncomingKeys(db: CompanionDb, keys: IncomingKey[]): Promise<KeyRecord[]> {
  return Promise.all(
    keys.map(async (key): Promise<KeyRecord> => {
      const id = crypto.randomUUID();
      if (key.kind === 'ssh') {
        const { privateKey, ...rest } = key;
        return { ...rest, id, privateKey: await sealSecret(db, JSON.stringify(privateKey)) };
      }
      const { armoredPrivate, ...rest } = key;
      return { ...rest, id, privateKey: await sealSecret(db, armoredPrivate) };
    }),
  );
}

/**
 * Adds imported keys that this browser does not have yet (same kind and fingerprint); a key it
 * already has keeps its label and private part and gains the installations it did not know of.
 */
export async function mergeImportedKeys(
  db: CompanionDb,
  records: KeyRecord[],
): Promise<{ added: number; already: number }> {
  return db.transaction('rw', db.keys, async () => {
    let added = 0;
    let already = 0;
    for (const record of records) {
      const existing = await db.keys
        .where('[kind+fingerprint]')
        .equals([record.kind, record.fingerprint])
        .first();
      if (!existing) {
        await db.keys.add(record);
        added++;
        continue;
      }
      already++;
      const known = new Set(existing.installedOn.map((i) => i.profileId));
      const more = record.installedOn.filter((i) => !known.has(i.profileId));
      if (more.length) await db.keys.update(existing.id, { installedOn: [...existing.installedOn, ...more] });
    }
    return { added, already };
  });
}
