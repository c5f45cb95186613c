import * as v from 'valibot';
import { normaliseServerUrl } from '../bitbucket/server-url';
import { checkTokenFormat } from '../bitbucket/token-format';
import type { CompanionDb, ProfileRecord } from '../db/schema';
import { openSecret, sealSecret } from '../db/secrets';
import { capText, LIMITS, SERVER_TEXT } from '../messaging/limits';
import { CannotDecrypt, decryptWithPassphrase, encryptWithPassphrase } from './passphrase-crypto';
import { defaultLabel } from './profiles';
import { UserFacingError } from './router';

/**
 * Profiles as a file, so nothing is lost with a browser profile. Tokens travel only inside an
 * OpenPGP message encrypted with the user's passphrase (see passphrase-crypto.ts for where that
 * runs); without a passphrase the file holds no token and imported profiles ask for one.
 */
export const EXPORT_FORMAT = 'bitbucket-server-companion/profiles';

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
  version: v.literal(1),
  exportedAt: v.string(),
  active: v.optional(v.object({ baseUrl: v.string(), userSlug: v.string() })),
  profiles: v.array(v.unknown()),
});

interface ExportFile {
  format: typeof EXPORT_FORMAT;
  version: 1;
  exportedAt: string;
  active?: { baseUrl: string; userSlug: string };
  profiles: ExportedProfile[];
}

export interface ExportResult {
  fileName: string;
  content: string;
  withTokens: boolean;
  count: number;
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
  const file: ExportFile = {
    format: EXPORT_FORMAT,
    version: 1,
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
  };
  const json = JSON.stringify(file, null, 2);
  const date = now.toISOString().slice(0, 10);
  if (!passphrase) {
    return {
      fileName: `bitbucket-companion-profiles-${date}.json`,
      content: json,
      withTokens,
      count: profiles.length,
    };
  }
  const content = await encryptWithPassphrase(json, passphrase);
  return {
    fileName: `bitbucket-companion-profiles-${date}.json.asc`,
    content,
    withTokens,
    count: profiles.length,
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
  const { profiles: records, ...rest } = envelope.output;
  return { ...rest, profiles: records.map(readProfile) };
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
  const result: ImportResult = {
    added: records.filter((r) => !existing.has(key(r.baseUrl, r.user.slug))).length,
    updated: records.filter((r) => existing.has(key(r.baseUrl, r.user.slug))).length,
    withoutToken: records.filter((r) => !r.token).map((r) => r.label),
  };
  const activeUrl = file.active ? normaliseServerUrl(file.active.baseUrl) : undefined;
  await db.transaction('rw', db.profiles, db.settings, async () => {
    await db.profiles.bulkPut(records);
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
