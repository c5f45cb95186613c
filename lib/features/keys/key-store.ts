/**
 * The extension's own key pairs in the database (`keys` store), background only. The private
 * material is sealed with the same key as the tokens and only leaves the store as an OpenSSH
 * private key file, for the options page to download.
 */
import type { CompanionDb, KeyInstallation, KeyRecord } from '../../db/schema';
import { openSecret, sealSecret } from '../../db/secrets';
import { base64, base64Decode, openSshPrivateKeyFile, type SshPrivateKey } from './ssh-format';
import type { GeneratedSshKey } from './ssh-generate';

/** A key as the UI may see it: everything but the private part. */
export type KeySummary = Omit<KeyRecord, 'privateKey'>;

export function keySummary(record: KeyRecord): KeySummary {
  const { privateKey: _sealed, ...summary } = record;
  return { ...summary, installedOn: summary.installedOn.map((i) => ({ ...i })) };
}

/** The private material as sealed: each number or byte string in base64. */
type StoredPrivateKey =
  | { type: 'ed25519'; publicKey: string; seed: string }
  | { type: 'rsa'; n: string; e: string; d: string; p: string; q: string; iqmp: string };

function toStored(key: SshPrivateKey): StoredPrivateKey {
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

function fromStored(stored: StoredPrivateKey): SshPrivateKey {
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

/** Saves a freshly generated key pair, the private part sealed; answers its summary. */
export async function saveGeneratedSshKey(
  db: CompanionDb,
  generated: GeneratedSshKey,
  label: string,
  now = Date.now(),
): Promise<KeySummary> {
  const record: KeyRecord = {
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
 * The OpenSSH private key file of a saved key (`-----BEGIN OPENSSH PRIVATE KEY-----`), sealed with
 * `passphrase` when one is given. Undefined when there is no such key.
 */
export async function exportPrivateKeyFile(
  db: CompanionDb,
  id: string,
  passphrase?: string,
): Promise<string | undefined> {
  const record = await db.keys.get(id);
  if (!record) return undefined;
  const stored = JSON.parse(await openSecret(db, record.privateKey)) as StoredPrivateKey;
  return openSshPrivateKeyFile(fromStored(stored), {
    comment: record.comment,
    ...(passphrase ? { passphrase } : {}),
  });
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
