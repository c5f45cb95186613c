import * as v from 'valibot';
import { normaliseServerUrl } from '../bitbucket/server-url';
import { checkTokenFormat } from '../bitbucket/token-format';
import type { CompanionDb, KeyInstallation, ProfileRecord } from '../db/schema';
import { openSecret, sealSecret } from '../db/secrets';
import { mergeImportedKeys, openAllKeys, sealIncomingKeys } from '../features/keys/key-store';
import {
  type ExportedKey,
  readExportedKey,
  toExportedKey,
  toIncomingKey,
  unknownProfileRefusal,
} from '../features/keys/key-transfer';
import { capText, LIMITS, SERVER_TEXT } from '../messaging/limits';
import { CannotDecrypt, decryptWithPassphrase, encryptWithPassphrase } from './passphrase-crypto';
import { defaultLabel } from './profiles';
import { UserFacingError } from './router';

/**
 * Profiles as a file, so nothing is lost with a browser profile. Tokens and SSH/GPG keys travel only
 * inside an OpenPGP message encrypted with the user's passphrase (see passphrase-crypto.ts for where
 * that runs); without a passphrase the file holds no token and no key (a key without its private
 * part is of no use), and imported profiles ask for a token.
 */
export const EXPORT_FORMAT = 'bitbucket-server-companion/profiles';
/**
 * Version 2 added the keys (lib/features/keys/key-transfer.ts); version 1 files still import. An
 * older extension refuses a version 2 file rather than silently leaving its keys behind.
 */
const EXPORT_VERSION = 2;

const text = (max: number) => v.pipe(v.string(), v.maxLength(max));
const time = v.pipe(v.number(), v.finite(), v.minValue(0));

/** One profile as the file holds it. The server address and the token are checked separately. */
const ExportedProfile = v.object({
  label: v.pipe(v.string(), v.trim(), v.minLength(1), v.maxLength(LIMITS.label)),
  baseUrl: v.string(),
  user: v.object({
    id: v.pipe(v.number(), v.integer()),
    name: v.pipe(text(SERVER_TEXT.userName), v.minLength(1)),
    slug: v.pipe(text(SERVER_TEXT.userName), v.minLength(1)),
    displayName: text(SERVER_TEXT.displayName),
    emailAddress: v.optional(text(SERVER_TEXT.emailAddress)),
  }),
  server: v.object({
    version: text(SERVER_TEXT.serverVersion),
    displayName: text(SERVER_TEXT.serverName),
    support: v.picklist(['supported', 'old', 'unknown-newer', 'invalid']),
    supportMessage: v.optional(text(SERVER_TEXT.supportMessage)),
  }),
  access: v.object({
    repoRead: v.boolean(),
    repoWrite: v.boolean(),
    repoAdmin: v.boolean(),
    projectAdmin: v.boolean(),
  }),
  createdAt: time,
  lastUsedAt: time,
  token: v.optional(v.string()),
});
type ExportedProfile = v.InferOutput<typeof ExportedProfile>;

/** The file around the profiles; each profile is read on its own so a refusal can name it. */
const ExportEnvelope = v.object({
  format: v.literal(EXPORT_FORMAT),
  version: v.picklist([1, EXPORT_VERSION]),
  exportedAt: v.string(),
  active: v.optional(v.object({ baseUrl: v.string(), userSlug: v.string() })),
  profiles: v.array(v.unknown()),
  keys: v.optional(v.array(v.unknown())),
});

interface ExportFile {
  format: typeof EXPORT_FORMAT;
  version: 1 | typeof EXPORT_VERSION;
  exportedAt: string;
  active?: { baseUrl: string; userSlug: string };
  profiles: ExportedProfile[];
  /** Only in a passphrase-encrypted file. */
  keys?: ExportedKey[];
}

export interface ExportResult {
  fileName: string;
  content: string;
  withTokens: boolean;
  count: number;
  /** SSH and GPG keys in the file (only with a passphrase). */
  keys: number;
  /** Keys of this browser the file does not hold because it has no passphrase. */
  keysLeftOut: number;
}

export async function exportProfiles(
  db: CompanionDb,
  passphrase: string | undefined,
  now = new Date(),
): Promise<ExportResult> {
  const profiles = await db.profiles.toArray();
  const activeId = (await db.settings.get('activeProfileId'))?.value;
  const active = profiles.find((p) => p.id === activeId);
  const withTokens = Boolean(passphrase);
  const refs = new Map(profiles.map((p) => [p.id, { baseUrl: p.baseUrl, userSlug: p.user.slug }]));
  const keys = withTokens ? (await openAllKeys(db)).map((k) => toExportedKey(k, (id) => refs.get(id))) : [];
  const keysLeftOut = withTokens ? 0 : await db.keys.count();
  const file: ExportFile = {
    format: EXPORT_FORMAT,
    version: EXPORT_VERSION,
    exportedAt: now.toISOString(),
    ...(active ? { active: { baseUrl: active.baseUrl, userSlug: active.user.slug } } : {}),
    profiles: await Promise.all(
      profiles.map(async (p) => ({
        // Labels made before the one limit existed may be longer: what export writes, import reads.
        label:
          capText(p.label.trim(), LIMITS.label) || defaultLabel(p.user.displayName, new URL(p.baseUrl).host),
        baseUrl: p.baseUrl,
        user: { ...p.user, displayName: capText(p.user.displayName, SERVER_TEXT.displayName) },
        server: { ...p.server, displayName: capText(p.server.displayName, SERVER_TEXT.serverName) },
        access: p.access,
        createdAt: p.createdAt,
        lastUsedAt: p.lastUsedAt,
        ...(withTokens && p.token ? { token: await openSecret(db, p.token) } : {}),
      })),
    ),
    ...(keys.length ? { keys } : {}),
  };
  const json = JSON.stringify(file, null, 2);
  const date = now.toISOString().slice(0, 10);
  if (!passphrase) {
    return {
      fileName: `bitbucket-companion-profiles-${date}.json`,
      content: json,
      withTokens,
      count: profiles.length,
      keys: 0,
      keysLeftOut,
    };
  }
  const content = await encryptWithPassphrase(json, passphrase);
  return {
    fileName: `bitbucket-companion-profiles-${date}.json.asc`,
    content,
    withTokens,
    count: profiles.length,
    keys: keys.length,
    keysLeftOut,
  };
}

export function isEncryptedExport(content: string): boolean {
  return content.trimStart().startsWith('-----BEGIN PGP MESSAGE-----');
}

async function readExport(content: string, passphrase: string | undefined): Promise<ExportFile> {
  let json = content;
  if (isEncryptedExport(content)) {
    if (!passphrase)
      throw new UserFacingError(
        'passphrase-needed',
        'This file is encrypted: enter the passphrase it was exported with.',
      );
    try {
      json = await decryptWithPassphrase(content, passphrase);
    } catch (error) {
      // Only OpenPGP's refusal means the passphrase (or the file); any other failure is the extension's.
      if (!(error instanceof CannotDecrypt)) throw error;
      throw new UserFacingError(
        'bad-passphrase',
        'That passphrase does not open this file. Check it and try again.',
      );
    }
  }
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch {
    throw new UserFacingError(
      'bad-file',
      'This is not a profiles file exported by Bitbucket Server Companion.',
    );
  }
  const envelope = v.safeParse(ExportEnvelope, raw);
  if (!envelope.success) {
    throw new UserFacingError(
      'bad-file',
      'This is not a profiles file exported by Bitbucket Server Companion (or it was changed).',
    );
  }
  const { profiles: records, keys: keyRecords, ...rest } = envelope.output;
  const profiles = records.map(readProfile);
  const keys: ExportedKey[] = [];
  // One at a time: the first bad key is the one the refusal names.
  for (const [index, raw] of (keyRecords ?? []).entries()) keys.push(await readExportedKey(raw, index));
  return { ...rest, profiles, ...(keys.length ? { keys } : {}) };
}

/** How a refusal names a record: its place in the file and, when it has one, its label. */
function recordName(index: number, raw: unknown): string {
  const label =
    typeof raw === 'object' && raw !== null && 'label' in raw && typeof raw.label === 'string'
      ? raw.label.trim()
      : '';
  return `Profile ${index + 1}${label ? ` (“${capText(label, 60)}”)` : ''}`;
}

const NOTHING_IMPORTED = 'Nothing was imported.';

/**
 * One profile of the file, held to the same rules as connecting: the server address normalised
 * exactly as the connect form does it (http/https only, no user info), the token shaped like one.
 */
function readProfile(raw: unknown, index: number): ExportedProfile {
  const name = recordName(index, raw);
  const parsed = v.safeParse(ExportedProfile, raw);
  if (!parsed.success) {
    const where = v.getDotPath(parsed.issues[0]) ?? 'its contents';
    throw new UserFacingError(
      'bad-file',
      `${name} in this file is damaged or was changed (${where} is not what an export writes). ${NOTHING_IMPORTED}`,
    );
  }
  const profile = parsed.output;
  const url = normaliseServerUrl(profile.baseUrl);
  if (!url.ok) {
    throw new UserFacingError(
      'bad-file',
      `${name} in this file has an unusable server address: ${url.message} ${NOTHING_IMPORTED}`,
    );
  }
  let token: string | undefined;
  if (profile.token !== undefined) {
    const format = checkTokenFormat(profile.token);
    if (!format.ok) {
      throw new UserFacingError(
        'bad-file',
        `${name} in this file has a damaged token: ${format.message} ${NOTHING_IMPORTED}`,
      );
    }
    token = format.token;
  }
  const { token: _token, ...rest } = profile;
  return { ...rest, baseUrl: url.baseUrl, ...(token ? { token } : {}) };
}

export interface ImportResult {
  added: number;
  updated: number;
  withoutToken: string[];
  /** SSH and GPG keys new to this browser. */
  keysAdded: number;
  /** Keys of the file this browser already had (same fingerprint): not doubled. */
  keysAlready: number;
}

/**
 * Adds the file's profiles; a profile for the same server and account is updated in place. Profiles
 * from a file without tokens are added only when they are new, and then need a token.
 */
export async function importProfiles(
  db: CompanionDb,
  content: string,
  passphrase: string | undefined,
): Promise<ImportResult> {
  const file = await readExport(content, passphrase);
  const key = (baseUrl: string, slug: string) => `${baseUrl}\n${slug}`;
  const existing = new Map((await db.profiles.toArray()).map((e) => [key(e.baseUrl, e.user.slug), e]));
  // A file naming the same server and account twice: its later record wins.
  const incoming = new Map<string, ProfileRecord>();
  for (const p of file.profiles) {
    const k = key(p.baseUrl, p.user.slug);
    const match = existing.get(k);
    if (!p.token && (match || incoming.get(k)?.token)) continue; // never replace a working token with nothing
    incoming.set(k, {
      id: match?.id ?? incoming.get(k)?.id ?? crypto.randomUUID(),
      label: p.label,
      baseUrl: p.baseUrl,
      origin: new URL(p.baseUrl).origin,
      user: p.user,
      server: p.server,
      access: p.access,
      token: p.token ? await sealSecret(db, p.token) : null,
      createdAt: p.createdAt,
      verifiedAt: match?.verifiedAt ?? 0,
      lastUsedAt: p.lastUsedAt,
    });
  }
  const records = [...incoming.values()];
  // Installations name profiles by server and account: here they get this browser's profile ids.
  const idOf = (baseUrl: string, slug: string) =>
    incoming.get(key(baseUrl, slug))?.id ?? existing.get(key(baseUrl, slug))?.id;
  const inFile = new Set(file.profiles.map((p) => key(p.baseUrl, p.user.slug)));
  const keys = (file.keys ?? []).map((k, index) => {
    const installedOn = k.installedOn.map((i): KeyInstallation => {
      const url = normaliseServerUrl(i.baseUrl);
      const profileId = url.ok && inFile.has(key(url.baseUrl, i.userSlug)) && idOf(url.baseUrl, i.userSlug);
      if (!profileId) throw unknownProfileRefusal(index, k, i);
      return {
        profileId,
        ...(i.serverKeyId !== undefined ? { serverKeyId: i.serverKeyId } : {}),
        installedAt: i.installedAt,
      };
    });
    return toIncomingKey(k, installedOn);
  });
  // The same key twice in one file: its later record wins, as for profiles.
  const byFingerprint = new Map(keys.map((k) => [`${k.kind}:${k.fingerprint}`, k]));
  const sealedKeys = await sealIncomingKeys(db, [...byFingerprint.values()]);
  const result: ImportResult = {
    added: records.filter((r) => !existing.has(key(r.baseUrl, r.user.slug))).length,
    updated: records.filter((r) => existing.has(key(r.baseUrl, r.user.slug))).length,
    withoutToken: records.filter((r) => !r.token).map((r) => r.label),
    keysAdded: 0,
    keysAlready: 0,
  };
  const activeUrl = file.active ? normaliseServerUrl(file.active.baseUrl) : undefined;
  await db.transaction('rw', db.profiles, db.settings, db.keys, async () => {
    await db.profiles.bulkPut(records);
    const merged = await mergeImportedKeys(db, sealedKeys);
    result.keysAdded = merged.added;
    result.keysAlready = merged.already;
    const activeSetting = await db.settings.get('activeProfileId');
    const activeStillThere =
      typeof activeSetting?.value === 'string' && (await db.profiles.get(activeSetting.value));
    if (!activeStillThere && file.active) {
      const active = records.find(
        (r) => activeUrl?.ok && r.baseUrl === activeUrl.baseUrl && r.user.slug === file.active?.userSlug,
      );
      if (active) await db.settings.put({ key: 'activeProfileId', value: active.id });
    }
  });
  return result;
}
