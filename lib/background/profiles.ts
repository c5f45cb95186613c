import { normaliseServerUrl } from '../bitbucket/server-url';
import { checkTokenFormat } from '../bitbucket/token-format';
import { type VerifiedConnection, verifyConnection } from '../bitbucket/verify-token';
import type { CompanionDb, ProfileRecord } from '../db/schema';
import { sealSecret } from '../db/secrets';
import { capText, LIMITS } from '../messaging/limits';
import type { ProfileSummary } from '../messaging/protocol';
import { type HostAccessCheck, requireHostAccess } from './host-access';
import { profileWithToken } from './profile-client';
import { UserFacingError } from './router';

const ACTIVE_PROFILE_KEY = 'activeProfileId';

export function summarise(profile: ProfileRecord): ProfileSummary {
  return {
    id: profile.id,
    label: profile.label,
    baseUrl: profile.baseUrl,
    userDisplayName: profile.user.displayName,
    userSlug: profile.user.slug,
    serverVersion: profile.server.version,
    supportStatus: profile.server.support,
    ...(profile.server.supportMessage ? { supportMessage: profile.server.supportMessage } : {}),
    access: profile.access,
  };
}

export function accessWarnings(access: ProfileRecord['access']): string[] {
  if (access.repoWrite) return [];
  return [
    'This token can only read: creating pull requests, reviewing and pushing need “Repository write”. ' +
      'Replace the token with one that has Repository write when you need those.',
  ];
}

function serverOf(verified: VerifiedConnection): ProfileRecord['server'] {
  return {
    version: verified.serverVersion,
    displayName: verified.serverName,
    support: verified.support.status,
    // Only what the user should act on is kept as a warning ("newer than we know" is not one).
    ...(verified.support.message &&
    (verified.support.status === 'old' || verified.support.status === 'invalid')
      ? { supportMessage: verified.support.message }
      : {}),
  };
}

/** What the user should know about a profile right after verifying it: old server, read-only token. */
function warningsFor(profile: ProfileRecord): string[] {
  const warnings = accessWarnings(profile.access);
  if (profile.server.supportMessage) warnings.unshift(profile.server.supportMessage);
  return warnings;
}

/** The label a new profile gets: "Display Name @ host", within the one label limit. */
export function defaultLabel(displayName: string, host: string): string {
  const suffix = ` @ ${capText(host, 60)}`;
  return `${capText(displayName.trim() || '?', LIMITS.label - Array.from(suffix).length)}${suffix}`;
}

export interface ProfileDeps {
  fetch?: typeof fetch;
  now?: () => number;
  /** Per request (default: the REST client's). */
  timeoutMs?: number;
  /** Whether the browser lets the extension reach the server (default: the permissions API). */
  hostAccess?: HostAccessCheck;
}

export interface ConnectInput {
  serverUrl: string;
  token: string;
  profileId?: string;
}

/**
 * Verifies a server URL + token and saves (or updates) the profile. Nothing is written unless the
 * whole verification succeeded. Connecting an account that already has a profile on the server
 * updates that profile (its new token) instead of making a second one.
 */
export async function connect(
  db: CompanionDb,
  input: ConnectInput,
  deps: ProfileDeps = {},
): Promise<{ profile: ProfileSummary; warnings: string[]; updated: boolean }> {
  const url = normaliseServerUrl(input.serverUrl);
  if (!url.ok) throw new UserFacingError('bad-url', url.message);
  const format = checkTokenFormat(input.token);
  if (!format.ok) throw new UserFacingError('bad-token', format.message);
  const { token } = format;
  const replacing = input.profileId ? await db.profiles.get(input.profileId) : undefined;
  if (input.profileId && !replacing) throw new UserFacingError('not-found', 'That profile no longer exists.');
  await requireHostAccess(url.baseUrl, deps.hostAccess);

  const verified = await verifyConnection({
    baseUrl: url.baseUrl,
    token,
    ...(deps.fetch ? { fetch: deps.fetch } : {}),
    ...(deps.timeoutMs ? { timeoutMs: deps.timeoutMs } : {}),
  });
  if (replacing && (replacing.baseUrl !== url.baseUrl || replacing.user.slug !== verified.user.slug)) {
    throw new UserFacingError(
      'wrong-account',
      `This token belongs to ${verified.user.displayName} on ${url.baseUrl}, not to ${replacing.user.displayName} on ${replacing.baseUrl}. Connect it as a new profile instead.`,
    );
  }
  const now = deps.now?.() ?? Date.now();
  const sealed = await sealSecret(db, token);
  const host = new URL(url.baseUrl).host;
  return db.transaction('rw', db.profiles, db.settings, async () => {
    const existing =
      replacing ??
      (await db.profiles.where('origin').equals(url.origin).toArray()).find(
        (p) => p.baseUrl === url.baseUrl && p.user.slug === verified.user.slug,
      );
    const record: ProfileRecord = {
      id: existing?.id ?? crypto.randomUUID(),
      label: existing?.label ?? defaultLabel(verified.user.displayName, host),
      baseUrl: url.baseUrl,
      origin: url.origin,
      user: {
        id: verified.user.id,
        name: verified.user.name,
        slug: verified.user.slug,
        displayName: verified.user.displayName,
        ...(verified.user.emailAddress ? { emailAddress: verified.user.emailAddress } : {}),
      },
      server: serverOf(verified),
      access: verified.access,
      token: sealed,
      createdAt: existing?.createdAt ?? now,
      verifiedAt: now,
      lastUsedAt: now,
    };
    await db.profiles.put(record);
    await db.settings.put({ key: ACTIVE_PROFILE_KEY, value: record.id });
    const warnings = warningsFor(record);
    if (existing && !replacing) {
      warnings.unshift(
        `You already had the profile “${record.label}” for this account on this server: it now uses the new token.`,
      );
    }
    return { profile: summarise(record), warnings, updated: Boolean(existing) };
  });
}

/** Verifies a saved profile's token again and records what the server says now. */
export async function check(
  db: CompanionDb,
  profileId: string,
  deps: ProfileDeps = {},
): Promise<{ profile: ProfileSummary; warnings: string[] }> {
  const { profile, token } = await profileWithToken(db, profileId, deps.hostAccess);
  const verified = await verifyConnection({
    baseUrl: profile.baseUrl,
    token,
    ...(deps.fetch ? { fetch: deps.fetch } : {}),
  });
  if (verified.user.slug !== profile.user.slug) {
    throw new UserFacingError(
      'wrong-account',
      `The token now belongs to ${verified.user.displayName}, not ${profile.user.displayName}.`,
    );
  }
  const updated: ProfileRecord = {
    ...profile,
    server: serverOf(verified),
    access: verified.access,
    verifiedAt: deps.now?.() ?? Date.now(),
  };
  await db.profiles.put(updated);
  return { profile: summarise(updated), warnings: warningsFor(updated) };
}

export async function activeProfileId(db: CompanionDb): Promise<string | null> {
  const setting = await db.settings.get(ACTIVE_PROFILE_KEY);
  return typeof setting?.value === 'string' ? setting.value : null;
}

export async function activate(db: CompanionDb, profileId: string, now = Date.now()): Promise<void> {
  await db.transaction('rw', db.profiles, db.settings, async () => {
    const updated = await db.profiles.update(profileId, { lastUsedAt: now });
    if (!updated) throw new UserFacingError('not-found', 'That profile no longer exists.');
    await db.settings.put({ key: ACTIVE_PROFILE_KEY, value: profileId });
  });
}

export async function rename(db: CompanionDb, profileId: string, label: string): Promise<void> {
  const updated = await db.profiles.update(profileId, { label });
  if (!updated) throw new UserFacingError('not-found', 'That profile no longer exists.');
}

/** Removes a profile; if it was active, the most recently used remaining profile becomes active. */
export async function remove(db: CompanionDb, profileId: string): Promise<ProfileRecord | undefined> {
  return db.transaction('rw', db.profiles, db.settings, async () => {
    const profile = await db.profiles.get(profileId);
    if (!profile) return undefined;
    await db.profiles.delete(profileId);
    if ((await activeProfileId(db)) === profileId) {
      const next = await db.profiles.orderBy('lastUsedAt').last();
      if (next) await db.settings.put({ key: ACTIVE_PROFILE_KEY, value: next.id });
      else await db.settings.delete(ACTIVE_PROFILE_KEY);
    }
    return profile;
  });
}

/** The profile to use on a page of `origin`: the most recently used one of that origin. */
export async function profileForOrigin(db: CompanionDb, origin: string): Promise<ProfileRecord | undefined> {
  const candidates = await db.profiles.where('origin').equals(origin).toArray();
  return candidates.sort((a, b) => b.lastUsedAt - a.lastUsedAt)[0];
}
