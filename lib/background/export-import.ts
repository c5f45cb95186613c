import * as openpgp from 'openpgp';
import * as v from 'valibot';
import type { CompanionDb, ProfileRecord } from '../db/schema';
import { openSecret, sealSecret } from '../db/secrets';
import { UserFacingError } from './router';

/**
 * Profiles as a file, so nothing is lost with a browser profile. Tokens travel only inside an
 * OpenPGP message encrypted with the user's passphrase; without a passphrase the file holds no
 * token and imported profiles ask for one.
 */
export const EXPORT_FORMAT = 'bitbucket-server-companion/profiles';

const ExportedProfile = v.object({
  label: v.pipe(v.string(), v.minLength(1), v.maxLength(120)),
  baseUrl: v.pipe(v.string(), v.url()),
  user: v.object({
    id: v.number(),
    name: v.string(),
    slug: v.string(),
    displayName: v.string(),
    emailAddress: v.optional(v.string()),
  }),
  server: v.object({
    version: v.string(),
    displayName: v.string(),
    support: v.picklist(['supported', 'old', 'unknown-newer', 'invalid']),
    supportMessage: v.optional(v.string()),
  }),
  access: v.object({
    repoRead: v.boolean(),
    repoWrite: v.boolean(),
    repoAdmin: v.boolean(),
    projectAdmin: v.boolean(),
  }),
  createdAt: v.number(),
  lastUsedAt: v.number(),
  token: v.optional(v.pipe(v.string(), v.minLength(1))),
});

const ExportFile = v.object({
  format: v.literal(EXPORT_FORMAT),
  version: v.literal(1),
  exportedAt: v.string(),
  active: v.optional(v.object({ baseUrl: v.string(), userSlug: v.string() })),
  profiles: v.array(ExportedProfile),
});
type ExportFile = v.InferOutput<typeof ExportFile>;

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
        label: p.label,
        baseUrl: p.baseUrl,
        user: p.user,
        server: p.server,
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
  const content = await openpgp.encrypt({
    message: await openpgp.createMessage({ text: json }),
    passwords: [passphrase],
    format: 'armored',
  });
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
      const message = await openpgp.readMessage({ armoredMessage: content });
      const { data } = await openpgp.decrypt({ message, passwords: [passphrase], format: 'utf8' });
      json = data as string;
    } catch {
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
  const parsed = v.safeParse(ExportFile, raw);
  if (!parsed.success) {
    throw new UserFacingError(
      'bad-file',
      'This is not a profiles file exported by Bitbucket Server Companion (or it was changed).',
    );
  }
  return parsed.output;
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
  const existing = await db.profiles.toArray();
  const records: ProfileRecord[] = [];
  const result: ImportResult = { added: 0, updated: 0, withoutToken: [] };
  for (const p of file.profiles) {
    const match = existing.find((e) => e.baseUrl === p.baseUrl && e.user.slug === p.user.slug);
    if (!p.token && match) continue; // never replace a working token with nothing
    const origin = new URL(p.baseUrl).origin;
    const token = p.token ? await sealSecret(db, p.token) : null;
    if (!p.token) result.withoutToken.push(p.label);
    records.push({
      id: match?.id ?? crypto.randomUUID(),
      label: p.label,
      baseUrl: p.baseUrl,
      origin,
      user: p.user,
      server: p.server,
      access: p.access,
      token,
      createdAt: p.createdAt,
      verifiedAt: match?.verifiedAt ?? 0,
      lastUsedAt: p.lastUsedAt,
    });
    if (match) result.updated++;
    else result.added++;
  }
  await db.transaction('rw', db.profiles, db.settings, async () => {
    await db.profiles.bulkPut(records);
    const activeSetting = await db.settings.get('activeProfileId');
    const activeStillThere =
      typeof activeSetting?.value === 'string' && (await db.profiles.get(activeSetting.value));
    if (!activeStillThere && file.active) {
      const active = records.find(
        (r) => r.baseUrl === file.active?.baseUrl && r.user.slug === file.active?.userSlug,
      );
      if (active) await db.settings.put({ key: 'activeProfileId', value: active.id });
    }
  });
  return result;
}
